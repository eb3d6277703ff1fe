"""Each fault the sandbox injects, met by the Calendar connector: reads recover, writes stay single."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.settings import HubSettings
from connectors.accounting import RequestKey, RequestStats
from connectors.errors import Unavailable
from connectors.gcal import GoogleCalendarConnector
from sync.model import Event
from tests.conftest import fast_options
from tests.connectors.gcal.conftest import NOW

API_ONLY = r"^/calendar/v3/"  # the token endpoint stays healthy: these tests are about the API
# With this seed and a 50 % rate the first API request is faulted and the second is not.
SEED = 4
LIST = "/calendars/{calendarId}/events"


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


@pytest.fixture
def stats() -> RequestStats:
    return RequestStats()


@pytest.fixture
def connector(sandbox, stats) -> Iterator[GoogleCalendarConnector]:
    settings = sandbox.settings(HubSettings()).google
    options = fast_options(timeout=0.5, stats=stats)  # shorter than the timeout fault's late answer
    with GoogleCalendarConnector.from_settings(
        settings, sandbox.business.workspace, options, clock=lambda: NOW
    ) as built:
        yield built


def statuses(sandbox, method: str, path: str) -> list[int]:
    return [e.status for e in sandbox.log.entries("google") if (e.method, e.path) == (method, path)]


@pytest.mark.parametrize(
    ("kind", "logged"),
    [
        ("500", 500),
        ("502", 502),
        ("503", 503),
        ("timeout", None),  # answered after the client gave up (and after this test): see below
        ("reset", 200),  # the connection drops in the middle of a 200
        ("malformed", 200),  # a 200 whose JSON is cut short
    ],
)
def test_a_read_recovers_from_each_fault(sandbox, connector, stats, kind, logged):
    sandbox.set_faults(
        "google", error_rate=0.5, kinds=(kind,), seed=SEED, path_pattern=API_ONLY, timeout_seconds=1.0
    )
    batch = connector.fetch_changes(None)
    assert batch.full and len(batch.items) == 70
    assert stats.requests[RequestKey("google", "GET", LIST)] == 2  # one faulted attempt, one good
    if logged is None:  # the emulator logs a timed-out request when its late answer goes out
        assert stats.statuses[("google", "error")] == 1 and statuses(sandbox, "GET", LIST)[-1] == 200
    else:
        assert statuses(sandbox, "GET", LIST) == [logged, 200]


def test_a_429_storm_is_waited_out(sandbox, connector):
    sandbox.set_faults("google", storm=2, path_pattern=API_ONLY)
    assert len(connector.fetch_changes(None).items) == 70
    assert statuses(sandbox, "GET", LIST) == [403, 403, 200]  # Google's per-user limit answer


def new_event() -> Event:
    start = datetime(2026, 11, 27, 14, tzinfo=ZoneInfo("Europe/Paris"))
    return Event(
        title="Kickoff",
        start=start,
        end=start + timedelta(minutes=30),
        all_day=False,
        timezone="Europe/Paris",
    )


def test_a_create_whose_answer_was_lost_is_not_duplicated(sandbox, connector):
    cursor = connector.fetch_changes(None).cursor
    # The insert is applied, then its answer arrives cut short: the connector resends it (its id is
    # chosen, so that is safe), gets 409 duplicate and reads the event it created the first time.
    sandbox.set_faults(
        "google", error_rate=0.5, kinds=("malformed",), seed=SEED, methods=("POST",), path_pattern=API_ONLY
    )
    created = connector.create(new_event(), link_id="lnk-lost-answer")
    assert statuses(sandbox, "POST", LIST) == [200, 409]
    assert statuses(sandbox, "GET", LIST + "/{eventId}") == [200]
    changes = connector.fetch_changes(cursor)
    assert [r.remote_id for r in changes.items] == [created.remote_id]


def test_a_failed_patch_is_not_resent(sandbox, connector):
    created = connector.create(new_event(), link_id="lnk-patch")
    sandbox.set_faults("google", error_rate=1.0, kinds=("503",), methods=("PATCH",), path_pattern=API_ONLY)
    with pytest.raises(Unavailable):
        connector.update(created.remote_id, created.item.model_copy(update={"title": "Kickoff v2"}))
    assert statuses(sandbox, "PATCH", LIST + "/{eventId}") == [503]  # a PATCH may have landed: no blind retry
