"""Incremental sync in the Calendar emulator: sync tokens, their expiry, and state that survives a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from sandbox.business import generate
from sandbox.gcal.emulator import GoogleCalendarEmulator
from sandbox.gcal.routes import SYNC_TOKEN_MAX_AGE
from sandbox.gcal.seed import event_id
from sandbox.server import ServerThread
from tests.conftest import FIXED_NOW_ISO
from tests.sandbox.test_gcal_api import EVENTS, api_client, conforms, error_of, shared_sandbox, timed

MASTER = event_id("event-team-sync")
# The real 410 body (NOTES.md §2.3, recorded 2023-02-02), shared with the emulator's tests.
FULL_SYNC_REQUIRED = json.loads(
    (Path(__file__).parents[1] / "connectors" / "gcal" / "errors" / "full_sync_required.json").read_text()
)


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


@pytest.fixture
def api(sandbox) -> Iterator[httpx.Client]:
    with api_client(sandbox) as client:
        yield client


@pytest.fixture(scope="module")
def reader() -> Iterator[httpx.Client]:
    """A client of a sandbox shared by the tests that only read (or are refused)."""
    with shared_sandbox() as shared, api_client(shared) as client:
        yield client


def sync_token(api: httpx.Client, **params: str) -> str:
    body = conforms(api.get(EVENTS, params={"maxResults": "2500", **params})).json()
    return str(body["nextSyncToken"])


def changes(api: httpx.Client, token: str, **params: str) -> tuple[list[dict], str]:
    body = conforms(api.get(EVENTS, params={"syncToken": token, **params})).json()
    return body["items"], body["nextSyncToken"]


def test_an_incremental_list_returns_the_changes_since_the_token_in_order(api):
    token = sync_token(api, singleEvents="true", timeMin="2026-11-18T09:30:00Z")
    created = api.post(EVENTS, json=timed("changed0001")).json()
    assert created["id"] == "changed0001"
    api.patch(f"{EVENTS}/changed0001", json={"summary": "Renamed"})
    api.post(EVENTS, json=timed("changed0002"))
    api.delete(f"{EVENTS}/changed0002")
    items, following = changes(api, token, singleEvents="true")
    assert [(e["id"], e.get("summary")) for e in items] == [("changed0001", "Renamed"), ("changed0002", None)]
    assert items[1] == {
        "kind": "calendar#event",
        "etag": items[1]["etag"],
        "id": "changed0002",
        "status": "cancelled",
    }
    assert items[0]["etag"] != created["etag"]
    assert changes(api, following, singleEvents="true")[0] == []  # nothing since


def test_a_change_to_a_series_lists_its_instances(api):
    token = sync_token(api, singleEvents="true")
    api.patch(f"{EVENTS}/{MASTER}", json={"description": "New agenda"})
    expanded, _ = changes(api, token, singleEvents="true")
    # Every generated instance (56 Mondays up to the horizon) but the moved one, an exception of its own.
    assert len(expanded) == 55 and all(e["recurringEventId"] == MASTER for e in expanded)
    assert f"{MASTER}_20261130T083000Z" not in {e["id"] for e in expanded}
    collapsed, _ = changes(api, sync_token(api), singleEvents="false")
    assert collapsed == []
    token = sync_token(api)
    api.patch(f"{EVENTS}/{MASTER}", json={"description": "Newer agenda"})
    assert [e["id"] for e in changes(api, token)[0]] == [MASTER]  # the master alone, unexpanded


def test_a_change_during_pagination_is_in_the_next_incremental_read(api):
    first = conforms(api.get(EVENTS, params={"maxResults": "5"})).json()
    api.post(EVENTS, json=timed("midread0001"))
    token = first["nextPageToken"]
    while token:
        body = conforms(api.get(EVENTS, params={"maxResults": "5", "pageToken": token})).json()
        token = body.get("nextPageToken")
    items, _ = changes(api, body["nextSyncToken"])
    assert "midread0001" in [e["id"] for e in items]  # the token is where the read began


@pytest.mark.parametrize(
    "refused",
    [
        {"timeMin": "2026-11-18T00:00:00Z"},
        {"timeMax": "2026-12-18T00:00:00Z"},
        {"orderBy": "updated"},
        {"privateExtendedProperty": "obmHubLink=x"},
        {"updatedMin": "2026-11-18T00:00:00Z"},
        {"q": "sync"},
        {"iCalUID": "x@google.com"},
        {"showDeleted": "false"},
    ],
)
def test_parameters_the_api_refuses_with_a_sync_token(reader, refused):
    token = sync_token(reader)
    assert error_of(reader.get(EVENTS, params={"syncToken": token, **refused}))[:2] == (400, "invalid")


def test_a_token_is_for_the_single_events_it_was_issued_with(reader):
    api = reader
    token = sync_token(api, singleEvents="true")
    assert api.get(EVENTS, params={"syncToken": token}).status_code == 400
    assert error_of(api.get(EVENTS, params={"syncToken": "not-a-token"}))[:2] == (400, "invalid")


def test_expired_sync_tokens_answer_410_full_sync_required(api, sandbox):
    token = sync_token(api)
    sandbox.emulators["google"].expire_sync_tokens()
    response = api.get(EVENTS, params={"syncToken": token})
    assert response.status_code == 410 and response.json() == FULL_SYNC_REQUIRED
    fresh = sync_token(api)
    assert changes(api, fresh)[0] == []


@contextmanager
def served(emulator: GoogleCalendarEmulator) -> Iterator[str]:
    server = ServerThread(emulator.app, name="google").start()
    try:
        yield server.url
    finally:
        server.stop()


class Sandboxish:
    """Enough of a Sandbox for `api_client`: the URLs of one directly started emulator."""

    def __init__(self, url: str) -> None:
        self.url = url

    def root_url(self, service: str) -> str:
        return self.url

    def base_url(self, service: str) -> str:
        return self.url + GoogleCalendarEmulator.prefix


def test_sync_tokens_expire_after_their_maximum_age():
    business = generate(now=datetime.fromisoformat(FIXED_NOW_ISO))
    now = [datetime.fromisoformat(FIXED_NOW_ISO)]
    emulator = GoogleCalendarEmulator(business, rate_limits=False, clock=lambda: now[0])
    with served(emulator) as url:
        with api_client(Sandboxish(url)) as api:
            token = sync_token(api)
            now[0] += SYNC_TOKEN_MAX_AGE - timedelta(minutes=1)
        with api_client(Sandboxish(url)) as api:  # the old access token has expired meanwhile
            assert api.get(EVENTS, params={"syncToken": token}).status_code == 200
            now[0] += timedelta(minutes=2)
            assert error_of(api.get(EVENTS, params={"syncToken": token}))[:2] == (410, "fullSyncRequired")


def test_state_survives_a_restart(api, sandbox_factory, tmp_path: Path):
    first = sandbox_factory(services=("google",), rate_limits=False, state_dir=tmp_path)
    with api_client(first) as before:
        created = before.post(EVENTS, json=timed("persisted01")).json()
        before.delete(f"{EVENTS}/{MASTER}_20261207T083000Z")
        token = sync_token(before)
        listing = before.get(EVENTS, params={"singleEvents": "true"}).json()["items"]
        bearer = before.headers["Authorization"]
    first.stop()
    again = GoogleCalendarEmulator(first.business, state_path=tmp_path / "google.json", rate_limits=False)
    with (
        served(again) as url,
        httpx.Client(base_url=url + again.prefix, headers={"Authorization": bearer}) as after,
    ):
        assert after.get(f"{EVENTS}/persisted01").json() == created  # the access token survived too
        assert after.get(EVENTS, params={"singleEvents": "true"}).json()["items"] == listing
        assert after.get(EVENTS, params={"syncToken": token}).json()["items"] == []
        assert after.get(f"{EVENTS}/{MASTER}_20261207T083000Z").json()["status"] == "cancelled"
