"""The Toggl client over respx: auth, quota buckets, errors, request shapes and counts.

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
from connectors.errors import AuthError, BadData, Conflict, RateLimited
from connectors.http import CoreOptions, RetryPolicy
from connectors.ratelimit import RATE_LIMITS, SlidingWindowLimiter
from connectors.toggl import TogglClient, TogglConnector, TogglTimeEntryPayload
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
    assert client.quota.me.remaining == 0 and client.quota.me.resets_in == pytest.approx(1800, abs=1)
    with pytest.raises(RateLimited) as caught:
        client.get_current_time_entry()
    assert caught.value.retry_after == pytest.approx(1800, abs=1) and "not sent" in str(caught.value)
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
    assert (error.status, error.code) == (402, "quota_exceeded")
    assert error.retry_after == pytest.approx(1800, abs=1)
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
    with pytest.raises(BadData, match=r"does not match list\[TogglTimeEntry\]: \[0\]\.id: int_parsing"):
        make_client(clock).list_time_entries()


def test_the_connector_needs_a_token_and_a_toggl_workspace() -> None:
    workspace = load_workspace()
    with pytest.raises(ConfigError, match=r"toggl\.api_token .*OBM_HUB_TOGGL__API_TOKEN"):
        TogglConnector.from_settings(TogglSettings(), workspace)
    with pytest.raises(ConfigError, match=r"no \[toggl\] table"):
        TogglConnector.from_settings(
            TogglSettings(api_token="t"), workspace.model_copy(update={"toggl": None})
        )


# -- the Reports API and the shared quota -------------------------------------------------------

REPORTS = "https://api.track.toggl.com/reports/api/v3"
SEARCH = f"{REPORTS}/workspace/{WS}/search/time_entries"


def report_row(entry_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "user_id": 9100003,
        "username": "Léa Dubois",
        "project_id": None,
        "task_id": None,
        "billable": False,
        "description": f"entry {entry_id}",
        "tag_ids": [],
        "billable_amount_in_cents": None,
        "hourly_rate_in_cents": None,
        "currency": "EUR",
        "time_entries": [
            {
                "id": entry_id,
                "seconds": 1800,
                "start": "2026-11-24T10:00:00+01:00",
                "stop": "2026-11-24T10:30:00+01:00",
                "at": "2026-11-24T09:31:02+00:00",
                "at_tz": "2026-11-24T10:31:02+01:00",
            }
        ],
        "row_number": entry_id,
        **changes,
    }


@respx.mock
def test_the_detailed_search_is_paged_by_the_next_row_headers(clock) -> None:
    from connectors.toggl import TogglReportQuery

    route = respx.post(SEARCH).mock(
        side_effect=[
            httpx.Response(
                200,
                json=[report_row(n) for n in range(1, 51)],
                headers={"X-Next-ID": "51", "X-Next-Row-Number": "51"},
            ),
            httpx.Response(200, json=[report_row(51)]),
        ]
    )
    client = make_client(clock)
    query = TogglReportQuery(start_date="2026-11-10", end_date="2026-11-26")
    rows = list(client.reports.rows(WS, query))
    assert [row.time_entries[0].id for row in rows] == list(range(1, 52))
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert bodies[0] == {
        "start_date": "2026-11-10",
        "end_date": "2026-11-26",
        "enrich_response": True,
        "order_by": "date",
        "order_dir": "ASC",
        "page_size": 50,
    }
    assert bodies[1] == {**bodies[0], "first_id": 51, "first_row_number": 51}
    assert clock.sleeps == [pytest.approx(1.0)]  # one pace for v9 and the Reports API


@respx.mock
def test_the_quota_is_shared_by_every_client_of_one_token(clock) -> None:
    """A retry or the next connector (a new client) continues from what the last answer said."""
    spent = {"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "1200"}
    respx.get(f"{BASE}/workspaces/{WS}/tags").mock(return_value=httpx.Response(200, json=[], headers=spent))
    search = respx.post(SEARCH).mock(return_value=httpx.Response(200, json=[]))
    me = respx.get(f"{BASE}/me").mock(return_value=httpx.Response(200, json={"id": 1, "email": "s@x.co"}))
    from connectors.toggl import TogglReportQuery

    query = TogglReportQuery(start_date="2026-11-10", end_date="2026-11-26")
    make_client(clock).list_tags(WS)
    later = make_client(clock)  # another workspace's connector, or a retry, on the same token
    with pytest.raises(RateLimited, match="not sent"):
        later.reports.search_time_entries(WS, query)
    assert not search.called  # the Reports API spends the same workspace bucket
    assert later.get_me().id == 1 and me.called  # the /me bucket is another
    other = TogglClient.build(BASE, "another-token-00000000000000000", options=CoreOptions(sleep=clock.sleep))
    other.reports.search_time_entries(WS, query)
    assert search.called  # another token, another quota


def test_the_reports_api_lives_beside_v9() -> None:
    from connectors.toggl.client import reports_url_for

    assert reports_url_for(BASE) == REPORTS
    assert reports_url_for("http://127.0.0.1:8123/api/v9/") == "http://127.0.0.1:8123/reports/api/v3"
    with pytest.raises(ValueError, match="reports_base_url"):
        reports_url_for("https://proxy.example/toggl")


@respx.mock
def test_workspaces_and_project_creation(clock) -> None:
    respx.get(f"{BASE}/me/workspaces").mock(
        return_value=httpx.Response(200, json=[{"id": WS, "role": "admin"}, {"id": 5, "admin": False}])
    )
    create = respx.post(f"{BASE}/workspaces/{WS}/projects").mock(
        return_value=httpx.Response(200, json={"id": 77, "name": "Podcast", "workspace_id": WS})
    )
    client = make_client(clock)
    assert [(w.id, w.administered) for w in client.list_my_workspaces()] == [(WS, True), (5, False)]
    assert client.create_project(WS, "Podcast").id == 77
    assert json.loads(create.calls.last.request.content) == {"name": "Podcast", "active": True}
