"""The Trello emulator's gate: authentication, the documented rate limits, faults seen through the
connector, and state that survives a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from starlette.requests import Request

from config.settings import HubSettings
from connectors.accounting import RequestKey, RequestStats
from connectors.errors import RateLimited, Unavailable
from connectors.trello import TrelloConnector
from sandbox import Sandbox
from sandbox.trello.emulator import API_KEY, TOKEN, TrelloEmulator
from sync.model import Task
from tests.conftest import FIXED_NOW_ISO, fast_options

BOARD = "6650a1f0c0ffee0000b0a4d1"
CARDS_ALL = RequestKey("trello", "GET", "/boards/{id}/cards/{filter}")


def oauth(key: str, token: str) -> dict[str, str]:
    return {"Authorization": f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'}


def connector_for(sandbox, stats: RequestStats | None = None, **options) -> TrelloConnector:
    settings = sandbox.settings(HubSettings()).trello
    return TrelloConnector.from_settings(
        settings, sandbox.business.workspace, fast_options(stats=stats or RequestStats(), **options)
    )


# -- authentication --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    with Sandbox(
        now=datetime.fromisoformat(FIXED_NOW_ISO), services=("trello",), rate_limits=False
    ) as sandbox:
        yield sandbox


@pytest.mark.parametrize(
    ("params", "headers", "status", "text"),
    [
        ({"key": API_KEY, "token": TOKEN}, {}, 200, None),
        ({}, oauth(API_KEY, TOKEN), 200, None),
        ({"key": "0123456789abcdef", "token": TOKEN}, {}, 401, "invalid key"),
        ({"key": API_KEY, "token": "expired-token"}, {}, 401, "invalid token"),
        ({}, oauth(API_KEY, "expired-token"), 401, "invalid token"),
        ({}, {}, 401, "invalid key"),
        ({}, {"Authorization": f"Bearer {TOKEN}"}, 401, "invalid key"),
    ],
)
def test_key_and_token_by_query_or_oauth_header(shared, params, headers, status, text):
    sandbox = shared
    sandbox.log.clear()
    url = f"{sandbox.base_url('trello')}/boards/{BOARD}/members"
    response = httpx.get(url, params=params, headers=headers)
    assert response.status_code == status
    if text is not None:
        assert response.text == text
        assert response.headers["content-type"].startswith("text/plain")
    assert sandbox.log.count("trello", "GET", "/boards/{id}/members") == 1


# -- rate limits -----------------------------------------------------------------------------------


def test_the_101st_request_in_ten_seconds_from_one_token_is_refused(sandbox_factory):
    sandbox = sandbox_factory(services=("trello",), rate_limits=True)
    with httpx.Client(base_url=sandbox.base_url("trello"), headers=oauth(API_KEY, TOKEN)) as api:
        answers = [api.get(f"/boards/{BOARD}/lists") for _ in range(101)]
    assert [r.status_code for r in answers] == [200] * 100 + [429]
    remaining = [int(r.headers["X-Rate-Limit-Api-Token-Remaining"]) for r in answers]
    assert remaining == [*range(99, -1, -1), 0]
    first, refused = answers[0], answers[-1]
    assert first.headers["X-Rate-Limit-Api-Token-Interval-Ms"] == "10000"
    assert first.headers["X-Rate-Limit-Api-Token-Max"] == "100"
    assert first.headers["X-Rate-Limit-Api-Key-Max"] == "300"
    assert first.headers["X-Rate-Limit-Api-Key-Remaining"] == "299"
    assert refused.json() == {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    assert "Retry-After" not in refused.headers  # Trello documents none


def test_three_hundred_requests_per_key_across_tokens(sandbox_factory):
    sandbox = sandbox_factory(services=("trello",), rate_limits=True)
    emulator = sandbox.emulators["trello"]
    request = Request(
        {"type": "http", "method": "GET", "path": "/1/members/me", "headers": [], "query_string": b""}
    )
    answers = [emulator.check_limits(f"{API_KEY}:token-{n % 4}", request) for n in range(301)]
    assert answers[:300] == [None] * 300
    refused = answers[300]
    assert refused is not None and refused.status_code == 429
    assert json.loads(refused.body) == {"error": "API_KEY_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}


def test_the_connector_sees_a_spent_token_window_as_rate_limited(sandbox_factory):
    sandbox = sandbox_factory(services=("trello",), rate_limits=True)
    with httpx.Client(base_url=sandbox.base_url("trello"), headers=oauth(API_KEY, TOKEN)) as api:
        assert {api.get(f"/boards/{BOARD}/members").status_code for _ in range(100)} == {200}
    with connector_for(sandbox) as connector, pytest.raises(RateLimited) as caught:
        connector.fetch_changes(None)
    assert (caught.value.status, caught.value.code) == (429, "API_TOKEN_LIMIT_EXCEEDED")
    assert caught.value.retry_after is None  # Trello gives no Retry-After; the core backs off
    assert sandbox.log.count("trello", "GET", "/boards/{boardId}/actions") == 6  # every attempt used


# -- faults, through the connector -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "503", "malformed", "reset", "timeout"])
def test_a_faulted_read_is_retried(sandbox_factory, kind):
    sandbox = sandbox_factory(services=("trello",), rate_limits=False)
    # Seed 4 faults the first draw and spares the second: one failure, then the retry succeeds.
    sandbox.set_faults(
        "trello", error_rate=0.5, kinds=[kind], seed=4, path_pattern="/cards/all$", timeout_seconds=0.4
    )
    stats = RequestStats()
    with connector_for(sandbox, stats, timeout=0.2) as connector:
        batch = connector.fetch_changes(None)
    assert len(batch.items) == 60
    assert stats.requests[CARDS_ALL] == 2


def test_a_429_storm_is_waited_out(sandbox_factory):
    sandbox = sandbox_factory(services=("trello",), rate_limits=False)
    sandbox.set_faults("trello", storm=3)
    stats = RequestStats()
    with connector_for(sandbox, stats) as connector:
        assert len(connector.fetch_changes(None).items) == 60
    statuses = [entry.status for entry in sandbox.log.entries("trello")]
    assert statuses == [429, 429, 429, 200, 200, 200, 200, 200]
    assert sum(stats.requests.values()) == 8


def test_a_failed_create_is_not_retried(sandbox_factory):
    """A POST that may have reached Trello is never sent twice: the hub would make two cards."""
    sandbox = sandbox_factory(services=("trello",), rate_limits=False)
    with connector_for(sandbox) as connector:
        connector.fetch_changes(None)
        sandbox.set_faults("trello", error_rate=1.0, kinds=["503"], methods=["POST"])
        with pytest.raises(Unavailable):
            connector.create(Task(title="Only once"), link_id="lnk-once")
    assert sandbox.log.count("trello", "POST", "/cards") == 1
    assert len(sandbox.emulators["trello"].store.cards) == 60


# -- persistence -----------------------------------------------------------------------------------


def test_state_survives_a_restart(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(services=("trello",), rate_limits=False, state_dir=tmp_path)
    with connector_for(sandbox) as connector:
        snapshot = connector.fetch_changes(None)
        created = connector.create(Task(title="Survives", labels=frozenset({"Podcast"})), link_id="lnk-disk")
        first = snapshot.items[0]
        connector.update(first.remote_id, first.item.model_copy(update={"title": "Edited"}))
    before = sandbox.emulators["trello"].store.dump()
    sandbox.stop()

    again = TrelloEmulator(sandbox.business, state_path=tmp_path / "trello.json", rate_limits=False)
    assert again.store.dump() == before
    restarted = sandbox_factory(services=("trello",), rate_limits=False, state_dir=tmp_path)
    with connector_for(restarted) as connector:
        batch = connector.fetch_changes(snapshot.cursor)
    assert {(r.remote_id, r.item.title) for r in batch.items} == {
        (first.remote_id, "Edited"),
        (created.remote_id, "Survives"),
    }
    assert next(r for r in batch.items if r.remote_id == created.remote_id).link_id == "lnk-disk"
