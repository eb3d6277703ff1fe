"""The Toggl client and connector over respx: auth, quota buckets, errors, request shapes and counts.

The cores run at Toggl's real pace (1 request/s) on a fake clock, so the pacing is asserted, never
waited for.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from config.errors import ConfigError
from config.settings import TogglSettings
from connectors.accounting import RequestStats
from connectors.directory import Directory
from connectors.errors import AuthError, BadData, Conflict, RateLimited
from connectors.http import CoreOptions, RetryPolicy
from connectors.ratelimit import RATE_LIMITS, SlidingWindowLimiter
from connectors.toggl import TogglClient, TogglConnector, TogglTimeEntry, TogglTimeEntryPayload
from connectors.toggl.mapping import to_time_entry
from sandbox.business import load_workspace

BASE = "https://api.track.toggl.com/api/v9"
TOKEN = "1971800d4d82861d8f2c1651fea4d212"
WS = 7421983
ENTRIES = f"{BASE}/me/time_entries"
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
QUOTA = {"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "1800"}


def make_client(clock: Any) -> TogglClient:
    limiter = SlidingWindowLimiter(RATE_LIMITS["toggl"], clock=clock, sleep=clock.sleep)
    options = CoreOptions(
        limiter=limiter, sleep=clock.sleep, retry=RetryPolicy(random=lambda: 1.0), stats=RequestStats()
    )
    return TogglClient.build(BASE, TOKEN, options=options)


DIRECTORY = Directory.from_workspace(load_workspace())


def make_connector(clock: Any) -> TogglConnector:
    return TogglConnector(make_client(clock), WS, DIRECTORY, clock=lambda: NOW)


def toggl_entry(entry_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": entry_id,
        "workspace_id": WS,
        "project_id": None,
        "billable": False,
        "start": "2026-11-24T10:00:00+00:00",
        "stop": "2026-11-24T11:00:00+00:00",
        "duration": 3600,
        "description": f"entry {entry_id}",
        "tags": [],
        "at": "2026-11-24T11:00:01.5Z",
        "server_deleted_at": None,
        "user_id": 9100002,
        **changes,
    }


# -- auth, quota and errors -----------------------------------------------------------------------


@respx.mock
def test_basic_auth_with_the_token_and_the_literal_api_token(clock) -> None:
    route = respx.get(f"{BASE}/me").mock(
        return_value=httpx.Response(200, json={"id": 9100002, "email": "s@x.co"})
    )
    assert make_client(clock).get_me().id == 9100002
    expected = base64.b64encode(f"{TOKEN}:api_token".encode()).decode()
    assert route.calls.last.request.headers["Authorization"] == f"Basic {expected}"


@respx.mock
def test_a_spent_bucket_stops_its_requests_before_they_are_sent(clock) -> None:
    me = respx.get(ENTRIES).mock(return_value=httpx.Response(200, json=[], headers=QUOTA))
    projects = respx.get(f"{BASE}/workspaces/{WS}/projects").mock(
        return_value=httpx.Response(
            200, json=[], headers={"X-Toggl-Quota-Remaining": "239", "X-Toggl-Quota-Resets-In": "3599"}
        )
    )
    client = make_client(clock)
    client.list_time_entries(since=1)
    assert client.quota.me.remaining == 0 and client.quota.me.resets_in == pytest.approx(1800)
    with pytest.raises(RateLimited) as caught:
        client.get_current_time_entry()
    assert caught.value.retry_after == pytest.approx(1800) and "not sent" in str(caught.value)
    assert me.call_count == 1 and len(respx.calls) == 1
    # The workspace bucket is another quota: its requests still go.
    assert client.list_projects(WS) == [] and projects.call_count == 1
    assert client.quota.workspace.remaining == 239


@respx.mock
def test_402_is_rate_limited_until_the_reset_with_a_safe_message(clock) -> None:
    respx.get(ENTRIES).mock(
        return_value=httpx.Response(402, json="You have hit your hourly API quota", headers=QUOTA)
    )
    with pytest.raises(RateLimited) as caught:
        make_client(clock).list_time_entries(since=1)
    error = caught.value
    assert (error.status, error.code, error.retry_after) == (402, "quota_exceeded", pytest.approx(1800))
    assert str(error).startswith("toggl GET /me/time_entries returned 402 quota_exceeded")
    assert "hourly API quota" in error.body and "hourly API quota" not in str(error)
    assert clock.sleeps == []  # half an hour is not slept through


@respx.mock
def test_bare_string_error_bodies_are_attributes_not_messages(clock) -> None:
    said = "'since' and 'before' can not be present simultaneously"
    respx.get(ENTRIES).mock(
        return_value=httpx.Response(400, json=said, headers={"X-Toggl-Request-Id": "r-9"})
    )
    with pytest.raises(BadData) as caught:
        make_client(clock).list_time_entries(before="2026-11-25")
    assert json.loads(caught.value.body) == said and said not in str(caught.value)
    assert caught.value.request_id == "r-9"


@respx.mock
def test_missing_and_wrong_credentials_are_auth_errors(clock) -> None:
    respx.get(f"{BASE}/me").mock(
        side_effect=[
            httpx.Response(401, headers={"X-Authorization-Missing": "true"}),
            httpx.Response(403, json="Incorrect username and/or password"),
        ]
    )
    client = make_client(clock)
    with pytest.raises(AuthError, match="401 authorization_missing"):
        client.get_me()
    with pytest.raises(AuthError, match="returned 403: check the credentials"):
        client.get_me()


def test_since_and_before_are_never_sent_together(clock) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(ENTRIES)
        with pytest.raises(ValueError, match="'since' together with 'before'"):
            make_client(clock).list_time_entries(since=1, before=NOW)
        with pytest.raises(ValueError, match="used together"):
            make_client(clock).list_time_entries(start_date=NOW)
        assert not route.called


# -- request shapes ----------------------------------------------------------------------------


@respx.mock
def test_time_entry_reads(clock) -> None:
    route = respx.get(ENTRIES).mock(return_value=httpx.Response(200, json=[toggl_entry(1)]))
    current = respx.get(f"{ENTRIES}/current").mock(return_value=httpx.Response(200, content=b"null"))
    client = make_client(clock)
    entries = client.list_time_entries(start_date=NOW, end_date="2026-11-26")
    assert [e.id for e in entries] == [1]
    assert dict(route.calls.last.request.url.params) == {
        "meta": "true",
        "start_date": "2026-11-25T09:30:00Z",
        "end_date": "2026-11-26",
    }
    assert client.get_current_time_entry() is None and current.called
    assert clock.sleeps == [pytest.approx(1.0)]  # the second request waited its second


@respx.mock
def test_writes_send_created_with_and_the_documented_methods(clock) -> None:
    create = respx.post(f"{BASE}/workspaces/{WS}/time_entries").mock(
        return_value=httpx.Response(200, json=toggl_entry(5, tags=None))
    )
    stop = respx.patch(f"{BASE}/workspaces/{WS}/time_entries/5/stop").mock(
        side_effect=[
            httpx.Response(200, json=toggl_entry(5)),
            httpx.Response(409, json="Time entry already stopped"),
        ]
    )
    delete = respx.delete(f"{BASE}/workspaces/{WS}/time_entries/5").mock(return_value=httpx.Response(200))
    client = make_client(clock)
    client.create_time_entry(WS, TogglTimeEntryPayload(start="2026-11-25T09:00:00Z", duration=-1))
    assert json.loads(create.calls.last.request.content) == {
        "created_with": "obm-hub",
        "workspace_id": WS,
        "start": "2026-11-25T09:00:00Z",
        "duration": -1,
    }
    assert client.stop_time_entry(WS, 5).stop is not None
    with pytest.raises(Conflict):
        client.stop_time_entry(WS, 5)  # already stopped: 409, and a PATCH is never retried
    assert client.delete_time_entry(WS, 5) is None
    assert (stop.call_count, delete.call_count) == (2, 1)


@respx.mock
def test_projects_are_read_page_by_page_until_a_short_page(clock) -> None:
    full = [{"id": n, "name": f"P{n}", "workspace_id": WS} for n in range(200)]
    route = respx.get(f"{BASE}/workspaces/{WS}/projects").mock(
        side_effect=[httpx.Response(200, json=full), httpx.Response(200, json=[{"id": 999, "name": "Last"}])]
    )
    projects = make_client(clock).list_projects(WS)
    assert len(projects) == 201 and projects[-1].name == "Last"
    pages = [dict(call.request.url.params) for call in route.calls]
    assert pages == [
        {"active": "both", "page": "1", "per_page": "200"},
        {"active": "both", "page": "2", "per_page": "200"},
    ]


@respx.mock
def test_a_shape_that_is_not_a_time_entry_is_bad_data(clock) -> None:
    respx.get(ENTRIES).mock(return_value=httpx.Response(200, json=[{"id": "x"}]))
    with pytest.raises(BadData, match="unexpected shape"):
        make_client(clock).list_time_entries()


# -- the connector over respx ------------------------------------------------------------------


@respx.mock
def test_a_full_read_costs_two_requests_and_keeps_only_the_workspace(clock) -> None:
    running = toggl_entry(3, start="2026-10-01T08:00:00+00:00", stop=None, duration=-1790000000)
    respx.get(ENTRIES).mock(
        return_value=httpx.Response(200, json=[toggl_entry(1), toggl_entry(2, workspace_id=5)])
    )
    respx.get(f"{ENTRIES}/current").mock(return_value=httpx.Response(200, json=running))
    batch = make_connector(clock).fetch_changes(None)
    assert batch.full and batch.deleted == []
    assert [r.remote_id for r in batch.items] == ["1", "3"]  # the old running timer comes from /current
    assert batch.items[1].item.running
    assert len(respx.calls) == 2


@respx.mock
def test_a_full_read_that_hits_the_cap_splits_its_window(clock) -> None:
    capped = [toggl_entry(n) for n in range(1000)]
    route = respx.get(ENTRIES).mock(
        side_effect=[
            httpx.Response(200, json=capped),
            httpx.Response(200, json=capped[:600]),
            httpx.Response(200, json=capped[599:]),  # the halves share their bound
        ]
    )
    respx.get(f"{ENTRIES}/current").mock(return_value=httpx.Response(200, content=b"null"))
    batch = make_connector(clock).fetch_changes(None)
    assert len(batch.items) == 1000 and route.call_count == 3
    windows = [(c.request.url.params["start_date"], c.request.url.params["end_date"]) for c in route.calls]
    assert windows == [
        ("2026-11-11T09:30:00Z", "2026-11-26T09:30:00Z"),
        ("2026-11-11T09:30:00Z", "2026-11-18T21:30:00Z"),
        ("2026-11-18T21:30:00Z", "2026-11-26T09:30:00Z"),
    ]


@respx.mock
def test_an_incremental_read_reports_deletions_and_falls_back_when_capped(clock) -> None:
    cursor = "toggl1:1795500000:"
    deleted = toggl_entry(2, server_deleted_at="2026-11-25T09:12:07+00:00", at="2026-11-25T09:12:07.03Z")
    route = respx.get(ENTRIES).mock(
        side_effect=[
            httpx.Response(200, json=[toggl_entry(1), deleted]),
            httpx.Response(200, json=[toggl_entry(n) for n in range(1000)]),
            httpx.Response(200, json=[toggl_entry(1)]),
        ]
    )
    respx.get(f"{ENTRIES}/current").mock(return_value=httpx.Response(200, content=b"null"))
    connector = make_connector(clock)
    batch = connector.fetch_changes(cursor)
    assert not batch.full and [r.remote_id for r in batch.items] == ["1"] and batch.deleted == ["2"]
    assert route.calls[0].request.url.params["since"] == "1795500000"
    fallback = connector.fetch_changes(cursor)
    assert fallback.full and [r.remote_id for r in fallback.items] == ["1"]
    assert "start_date" in route.calls[2].request.url.params


@respx.mock
def test_project_names_missing_from_meta_cost_one_projects_list(clock) -> None:
    respx.get(ENTRIES).mock(return_value=httpx.Response(200, json=[toggl_entry(1, project_id=77)]))
    respx.get(f"{ENTRIES}/current").mock(return_value=httpx.Response(200, content=b"null"))
    projects = respx.get(f"{BASE}/workspaces/{WS}/projects").mock(
        return_value=httpx.Response(200, json=[{"id": 77, "name": "Spring Launch"}])
    )
    connector = make_connector(clock)
    assert connector.fetch_changes(None).items[0].item.project == "spring launch"
    connector.fetch_changes(None)
    assert projects.call_count == 1


@respx.mock
def test_update_with_a_stale_version_conflicts_without_writing(clock) -> None:
    respx.get(f"{ENTRIES}/1").mock(
        return_value=httpx.Response(200, json=toggl_entry(1, at="2026-11-25T09:00:00Z"))
    )
    put = respx.put(f"{BASE}/workspaces/{WS}/time_entries/1")
    connector = make_connector(clock)
    item = to_time_entry(TogglTimeEntry.model_validate(toggl_entry(1)), DIRECTORY, {})
    with pytest.raises(Conflict, match="changed"):
        connector.update("1", item, if_version="2026-11-24T11:00:01.5Z")
    assert not put.called


@respx.mock
def test_archiving_an_entry_already_gone_is_done(clock) -> None:
    respx.delete(f"{BASE}/workspaces/{WS}/time_entries/1").mock(
        return_value=httpx.Response(404, json="Time entry not found")
    )
    make_connector(clock).archive("1")
    assert len(respx.calls) == 1


def test_the_connector_needs_a_token_and_a_toggl_workspace() -> None:
    workspace = load_workspace()
    with pytest.raises(ConfigError, match=r"toggl\.api_token .*OBM_HUB_TOGGL__API_TOKEN"):
        TogglConnector.from_settings(TogglSettings(), workspace)
    with pytest.raises(ConfigError, match=r"no \[toggl\] table"):
        TogglConnector.from_settings(
            TogglSettings(api_token="t"), workspace.model_copy(update={"toggl": None})
        )
