"""Toggl's limits in the emulator (1 request/s per token: 429; hourly quotas: 402 with headers), on a
fake clock, and the sandbox's faults as the Toggl connector meets them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from config.settings import HubSettings
from connectors.errors import BadData, RateLimited, Unavailable
from connectors.http import CoreOptions, RetryPolicy
from connectors.ratelimit import RATE_LIMITS, SlidingWindowLimiter
from connectors.toggl import TogglConnector
from sandbox.toggl.limits import PLAN_QUOTAS, TogglLimits
from sync.model import TimeEntry
from tests.conftest import fast_options

WS = 7421983
SOPHIE, LEA = "sandbox-toggl-token-sophie", "sandbox-toggl-token-lea"


@pytest.fixture
def limited(sandbox_factory, clock) -> Iterator[tuple[Any, Any]]:
    """A sandbox with Toggl's limits on, its limits driven by the fake clock; and a client maker."""
    sandbox = sandbox_factory(services=("toggl",), rate_limits=True)
    sandbox.emulators["toggl"].limits.clock = clock
    clients: list[httpx.Client] = []

    def client(token: str = SOPHIE) -> httpx.Client:
        made = httpx.Client(base_url=sandbox.base_url("toggl"), auth=(token, "api_token"), timeout=5)
        clients.append(made)
        return made

    yield sandbox, client
    for made in clients:
        made.close()


def test_more_than_one_request_a_second_per_token_is_429_without_retry_after(limited, clock) -> None:
    sandbox, client = limited
    sophie, lea = client(), client(LEA)
    assert sophie.get("/me").status_code == 200
    too_fast = sophie.get(f"/workspaces/{WS}/tags")  # another bucket, the same token
    assert too_fast.status_code == 429 and too_fast.json() == "Too Many Requests"
    assert too_fast.headers["content-type"] == "application/json"
    assert "Retry-After" not in too_fast.headers  # Toggl never promises it
    assert lea.get("/me").status_code == 200  # per token
    clock.sleep(1.0)
    assert sophie.get(f"/workspaces/{WS}/tags").status_code == 200
    # The knob, set from outside as a hub in another process would: the header comes back.
    knob = httpx.post(sandbox.root_url("toggl") + "/_sandbox/faults", json={"retry_after": True})
    assert knob.json()["faults"]["retry_after"] is True
    assert sophie.get("/me").headers["Retry-After"] == "1"
    faults = sandbox.root_url("toggl") + "/_sandbox/faults"
    httpx.post(faults, json={"retry_after": True, "methods": ["POST"]})
    clock.sleep(1.0)
    assert sophie.get("/me").status_code == 200
    again = sophie.get("/me")  # too fast again, but a GET: the knob obeys `methods`
    assert again.status_code == 429 and "Retry-After" not in again.headers


def test_the_user_quota_is_30_an_hour_then_402_with_the_headers(limited, clock) -> None:
    _, client = limited
    sophie = client()
    remaining = []
    for _ in range(30):
        response = sophie.get("/me/time_entries/current")
        remaining.append(int(response.headers["X-Toggl-Quota-Remaining"]))
        clock.sleep(1.0)
    assert remaining == list(range(29, -1, -1))
    spent = sophie.get("/me")
    assert spent.status_code == 402 and "hourly API quota" in spent.json()
    assert spent.headers["X-Toggl-Quota-Remaining"] == "0"
    assert spent.headers["X-Toggl-Quota-Resets-In"] == str(3600 - 30)
    workspace = sophie.get(f"/workspaces/{WS}/projects")  # the organization's bucket is another
    assert workspace.status_code == 200 and workspace.headers["X-Toggl-Quota-Remaining"] == "239"
    clock.sleep(3600)
    fresh = sophie.get("/me")
    assert fresh.status_code == 200 and fresh.headers["X-Toggl-Quota-Remaining"] == "29"


def test_the_starter_plan_allows_240_workspace_requests_an_hour(clock) -> None:
    limits = TogglLimits(enforced=True, clock=clock)
    for _ in range(PLAN_QUOTAS["starter"]):
        assert limits.admit(1, "org") is None
        clock.sleep(1.0)
    refusal = limits.admit(1, "org")
    assert refusal is not None and refusal.status == 402
    assert refusal.retry_after == pytest.approx(3600 - 240)
    assert limits.headers(1, "org") == {"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "3360"}
    assert limits.admit(1, "me") is None  # the /me bucket is untouched


def test_without_enforcement_requests_are_counted_but_never_refused(clock) -> None:
    limits = TogglLimits(enforced=False, clock=clock)
    assert all(limits.admit(1, "me") is None for _ in range(40))  # no pause, over the quota
    assert limits.headers(1, "me")["X-Toggl-Quota-Remaining"] == "0"


def test_the_connector_paced_at_one_request_a_second_gets_no_429(limited, clock) -> None:
    """The connector's own limiter at Toggl's documented rate, on the emulator's clock: it waits
    exactly as long as the server's bucket needs, and not a second more, across the v9 and the
    Reports API alike (one token, one bucket)."""
    sandbox, _ = limited
    connector = _paced_connector(sandbox, clock)
    connector.fetch_changes(None)
    connector.fetch_changes(None)
    sent = sandbox.log.entries("toggl")
    # The first read makes the day's admin check (five requests), the second is kept from it (four).
    assert {e.status for e in sent} == {200} and len(sent) == 9
    assert clock.sleeps == [pytest.approx(1.0)] * 8


def test_429s_without_retry_after_are_waited_out_by_the_clients_own_pace(limited, clock) -> None:
    """Toggl promises no Retry-After: under a 429 storm the connector retries at its own pace, a
    second apart at least (its limiter), and the server's bucket never has to refuse it."""
    sandbox, _ = limited
    sent: list[float] = []
    connector = _paced_connector(sandbox, clock, sent)
    sandbox.set_faults("toggl", storm=2)
    batch = connector.fetch_changes(None)
    assert batch.items
    assert [e.status for e in sandbox.log.entries("toggl")] == [429, 429, 200, 200, 200, 200, 200]
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent)]
    assert len(sent) == 7 and min(gaps) >= 1.0 - 1e-9


class _Recording(SlidingWindowLimiter):
    """The limiter, noting the (fake) time of each send it lets through."""

    def __init__(self, clock, sent: list[float]) -> None:
        super().__init__(RATE_LIMITS["toggl"], clock=clock, sleep=clock.sleep)
        self.sent = sent

    def acquire(self) -> float:
        waited = super().acquire()
        self.sent.append(self._clock())
        return waited


def _paced_connector(sandbox, clock, sent: list[float] | None = None) -> TogglConnector:
    settings = sandbox.settings(HubSettings()).toggl
    limiter = _Recording(clock, sent if sent is not None else [])
    options = CoreOptions(limiter=limiter, sleep=clock.sleep)
    emulator = sandbox.emulators["toggl"]
    return TogglConnector.from_settings(settings, sandbox.business.workspace, options, clock=emulator.now)


# -- faults, through the connector ---------------------------------------------------------------


@pytest.fixture
def faulty(sandbox_factory) -> Iterator[tuple[Any, TogglConnector]]:
    sandbox = sandbox_factory(services=("toggl",), rate_limits=False)
    settings = sandbox.settings(HubSettings()).toggl
    options = fast_options(
        sleep=lambda seconds: None, retry=RetryPolicy(attempts=3, backoff_initial=0.001), timeout=0.5
    )
    emulator = sandbox.emulators["toggl"]
    connector = TogglConnector.from_settings(
        settings, sandbox.business.workspace, options, clock=emulator.now
    )
    yield sandbox, connector
    connector.close()


def statuses(sandbox) -> list[int]:
    found = [e.status for e in sandbox.log.entries("toggl")]
    sandbox.log.clear()
    return found


def test_a_429_storm_is_waited_out(faulty) -> None:
    sandbox, connector = faulty
    sandbox.set_faults("toggl", storm=2)
    assert connector.fetch_changes(None).items
    assert statuses(sandbox) == [429, 429, 200, 200, 200, 200, 200]


@pytest.mark.parametrize("kind", ["500", "502", "503", "reset"])
def test_server_faults_retry_reads_and_give_up_as_unavailable(faulty, kind: str) -> None:
    sandbox, connector = faulty
    sandbox.set_faults("toggl", error_rate=1.0, kinds=(kind,))
    with pytest.raises(Unavailable):
        connector.fetch_changes("toggl1:1795596000:")
    assert len(statuses(sandbox)) == 3  # every attempt reached the emulator


def test_a_write_that_may_have_landed_is_not_repeated(faulty) -> None:
    sandbox, connector = faulty
    sandbox.set_faults("toggl", error_rate=1.0, kinds=("503",), methods=("POST",))
    now = sandbox.emulators["toggl"].now()
    with pytest.raises(Unavailable):
        connector.create(TimeEntry(start=now, description="Once"), link_id="lnk-once")
    assert statuses(sandbox) == [503]


def test_a_truncated_body_is_retried_then_bad_data(faulty) -> None:
    sandbox, connector = faulty
    sandbox.set_faults("toggl", error_rate=1.0, kinds=("malformed",), path_pattern="/current$")
    with pytest.raises(BadData, match="malformed JSON"):
        connector.fetch_changes(None)
    # The admin check, two pages, the dashboard (her timer runs), then three cut answers of hers.
    assert statuses(sandbox) == [200, 200, 200, 200, 200, 200, 200]


def test_an_answer_that_never_comes_times_out(faulty) -> None:
    sandbox, connector = faulty
    sandbox.set_faults("toggl", error_rate=1.0, kinds=("timeout",), timeout_seconds=1.0)
    with pytest.raises(Unavailable, match="timed out"):
        connector.fetch_changes("toggl1:1795596000:")


def test_a_spent_quota_stops_the_connector_before_it_sends(faulty) -> None:
    sandbox, connector = faulty
    limits = sandbox.emulators["toggl"].limits
    for _ in range(28):
        limits.admit(9100002, "me")
    connector.fetch_changes(None)  # its two /me requests (the admin check, her timer): the 29th and 30th
    assert connector.quota.me.remaining == 0
    with pytest.raises(RateLimited) as caught:
        connector.fetch_changes(None)
    assert "not sent" in str(caught.value) and caught.value.retry_after == pytest.approx(3600, abs=5)
    # The first read's five; the second's pages and dashboard (the workspace's bucket), its /me request
    # for her running timer not sent.
    assert statuses(sandbox) == [200] * 8
    # The next connector (the next run, or a retry) on the same token knows it too.
    settings = sandbox.settings(HubSettings()).toggl
    emulator = sandbox.emulators["toggl"]
    later = TogglConnector.from_settings(
        settings, sandbox.business.workspace, fast_options(), clock=emulator.now
    )
    with pytest.raises(RateLimited, match="not sent"):
        later.fetch_changes(None)
    later.close()
    assert statuses(sandbox) == []


def test_toggls_two_402s_reach_the_client_as_what_they_are(sandbox_factory, clock) -> None:
    """A spent hourly quota is RateLimited until its reset; a plan feature the workspace lacks is
    PlanRequired, sent once and never retried (issue 7, defect 2)."""
    from connectors.errors import PlanRequired
    from connectors.toggl import TogglClient, TogglReportQuery

    sandbox = sandbox_factory(services=("toggl",), rate_limits=True)
    emulator = sandbox.emulators["toggl"]
    emulator.limits.clock = clock
    emulator.set_plan("free")
    client = TogglClient.build(sandbox.base_url("toggl"), SOPHIE, options=fast_options())
    query = TogglReportQuery(start_date="2026-11-10", end_date="2026-11-26", billable=True)
    with pytest.raises(PlanRequired) as feature:
        client.reports.search_time_entries(WS, query)
    assert feature.value.status == 402 and "plan_feature" in str(feature.value)
    assert statuses(sandbox) == [402]  # not retried: no wait gives a Free workspace the feature
    for _ in range(29):  # the rest of the hour's 30, spent elsewhere at Toggl's pace
        clock.sleep(1.0)
        assert emulator.limits.admit(9100002, "org") is None
    clock.sleep(1.0)
    with pytest.raises(RateLimited) as quota:
        client.list_tags(WS)
    assert quota.value.code == "quota_exceeded" and quota.value.retry_after == pytest.approx(3600 - 30, abs=2)
    assert statuses(sandbox) == [402]  # the reset is an hour away: not waited for inside a request
    client.close()
