"""The Notion emulator's gate: the documented rate limit, every fault kind through the connector, the
sandbox settings, and state that survives a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from config.settings import HubSettings
from connectors.errors import BadData, RateLimited, Unavailable
from connectors.http import CoreOptions, RetryPolicy
from connectors.notion.connector import NotionConnector
from connectors.notion.publishing import find_child_page
from connectors.ratelimit import RATE_LIMITS, SlidingWindowLimiter
from sandbox.notion.store import stable_id
from sync.model import Task
from tests.conftest import fast_options

HEADERS = {"Authorization": "Bearer sandbox-notion-token", "Notion-Version": "2025-09-03"}
QUERY_PATH = "/data_sources/{data_source_id}/query"


def connect(sandbox, options: CoreOptions) -> NotionConnector:
    settings = sandbox.settings(HubSettings()).notion
    return NotionConnector.from_settings(settings, sandbox.business.workspace, options=options)


def statuses(sandbox, path: str | None = None) -> list[int]:
    return [e.status for e in sandbox.log.entries("notion") if path is None or e.path == path]


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("notion",), rate_limits=False)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def connector(sandbox, sleeps) -> Iterator[NotionConnector]:
    notion = connect(
        sandbox, fast_options(sleep=sleeps.append, retry=RetryPolicy(attempts=3, random=lambda: 1.0))
    )
    yield notion
    notion.close()


def test_the_settings_point_at_the_emulator_with_the_sandbox_token(sandbox):
    settings = sandbox.settings(HubSettings()).notion
    assert settings.base_url == sandbox.root_url("notion") + "/v1"
    assert settings.token is not None and settings.token.get_secret_value() == "sandbox-notion-token"


# -- rate limit ----------------------------------------------------------------------------------


def test_more_than_three_requests_in_a_second_get_429_with_an_integer_retry_after(sandbox_factory):
    sandbox = sandbox_factory(services=("notion",), rate_limits=True)
    with httpx.Client(base_url=sandbox.base_url("notion"), headers=HEADERS) as client:
        responses = [client.get("/users") for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    limited = responses[3]
    assert limited.headers["Retry-After"].isdigit() and int(limited.headers["Retry-After"]) >= 1
    body = limited.json()
    assert (body["object"], body["status"], body["code"]) == ("error", 429, "rate_limited")
    assert body["message"] == "You have been rate limited. Please try again in a few minutes."


def test_the_connector_paced_at_the_documented_rate_is_never_refused(sandbox_factory):
    sandbox = sandbox_factory(services=("notion",), rate_limits=True)
    limiter = SlidingWindowLimiter(RATE_LIMITS["notion"])  # 3 per second, as documented
    notion = connect(sandbox, CoreOptions(limiter=limiter, timeout=5.0))
    started = time.monotonic()
    notion.fetch_changes(None)  # seven requests (see test_e2e's full snapshot)
    notion.close()
    assert statuses(sandbox) == [200] * 7
    assert time.monotonic() - started >= 2.0 - 0.1 and limiter.waited > 0


def test_a_storm_of_429_is_waited_out_for_retry_after(sandbox, connector, sleeps):
    sandbox.set_faults("notion", storm=2, storm_retry_after=2)
    assert len(connector.fetch_changes(None).items) == 23
    assert statuses(sandbox)[:3] == [429, 429, 200] and sleeps == [2.0, 2.0]


def test_a_retry_after_longer_than_the_core_waits_is_handed_to_the_caller(sandbox, connector, sleeps):
    sandbox.set_faults("notion", storm=1, storm_retry_after=600)
    with pytest.raises(RateLimited) as caught:
        connector.fetch_changes(None)
    assert caught.value.retry_after == 600 and sleeps == []


# -- faults --------------------------------------------------------------------------------------


def test_a_503_on_the_query_is_retried_since_it_is_a_read(sandbox, connector, sleeps):
    sandbox.set_faults("notion", error_rate=1.0, kinds=("503",), path_pattern="/query$")
    with pytest.raises(Unavailable) as caught:
        connector.fetch_changes(None)
    assert caught.value.code == "service_unavailable"
    assert statuses(sandbox, QUERY_PATH) == [503, 503, 503] and len(sleeps) == 2


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_a_server_error_on_create_is_not_retried(sandbox, connector, kind):
    connector.fetch_changes(None)  # resolved first: only the create meets the fault
    sandbox.set_faults("notion", error_rate=1.0, kinds=(kind,), path_pattern="/pages$", methods=("POST",))
    with pytest.raises(Unavailable) as caught:
        connector.create(Task(title="Call the venue"), link_id="lnk_fault")
    assert caught.value.status == int(kind)
    assert statuses(sandbox, "/pages") == [int(kind)]


def test_a_malformed_body_is_retried_on_a_read_and_reported_on_create(sandbox, connector):
    sandbox.set_faults("notion", error_rate=1.0, kinds=("malformed",), path_pattern="/databases/")
    with pytest.raises(BadData, match="malformed JSON"):
        connector.fetch_changes(None)
    assert statuses(sandbox, "/databases/{database_id}") == [200, 200, 200]
    sandbox.set_faults("notion")
    connector.fetch_changes(None)
    sandbox.set_faults("notion", error_rate=1.0, kinds=("malformed",), path_pattern="/pages$")
    with pytest.raises(BadData):
        connector.create(Task(title="Call the venue"), link_id="lnk_fault")
    assert statuses(sandbox, "/pages") == [200]  # created once, and not blindly again


def test_a_connection_reset_on_a_read_is_retried(sandbox, connector):
    sandbox.set_faults("notion", error_rate=1.0, kinds=("reset",), path_pattern="/query$")
    with pytest.raises(Unavailable, match="lost the connection"):
        connector.fetch_changes(None)
    assert len(statuses(sandbox, QUERY_PATH)) == 3


def test_a_timeout_on_a_read_is_retried_then_reported(sandbox, sleeps):
    options = fast_options(
        sleep=sleeps.append, timeout=0.2, retry=RetryPolicy(attempts=2, random=lambda: 1.0)
    )
    notion = connect(sandbox, options)
    sandbox.set_faults(
        "notion", error_rate=1.0, kinds=("timeout",), timeout_seconds=0.4, path_pattern="/data_sources/"
    )
    with pytest.raises(Unavailable, match="timed out"):
        notion.fetch_changes(None)
    notion.close()
    assert len(sleeps) == 1  # two attempts


# -- persistence ---------------------------------------------------------------------------------


def test_state_survives_a_restart(sandbox_factory, tmp_path: Path):
    first = sandbox_factory(services=("notion",), rate_limits=False, state_dir=tmp_path)
    notion = connect(first, fast_options())
    before = notion.fetch_changes(None)
    created = notion.create(
        Task(title="Send the retreat survey ✉️", status="This week"), link_id="lnk_persist"
    )
    notion.archive(before.items[0].remote_id)
    summaries = stable_id("page", "operations-summaries")
    notion.publish_page(summaries, "Week 48", [{"type": "paragraph", "text": "Kept."}])
    after = {r.remote_id: r.version for r in notion.fetch_changes(None).items}
    notion.close()
    first.stop()
    assert (tmp_path / "notion.json").exists()

    second = sandbox_factory(services=("notion",), rate_limits=False, state_dir=tmp_path)
    again = connect(second, fast_options())
    batch = again.fetch_changes(None)
    assert {r.remote_id: r.version for r in batch.items} == after
    restored = {r.remote_id: r for r in batch.items}
    assert restored[created.remote_id].link_id == "lnk_persist"
    assert restored[before.items[0].remote_id].item.archived is True
    page_id = find_child_page(again.client, summaries, "Week 48")
    assert page_id is not None
    assert [
        b.content["rich_text"][0]["plain_text"] for b in again.client.list_block_children_all(page_id)
    ] == ["Kept."]
    again.close()
