"""Tests of the contract-checking library against the four official specs, with real-shaped data."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .schema import SchemaSet
from .spec import ApiSpec, Service, load_spec, service_for_url, spec_name

TRELLO = "https://api.trello.com/1"
GCAL = "https://www.googleapis.com/calendar/v3"
TOGGL = "https://api.track.toggl.com/api/v9"
NOTION = "https://api.notion.com"
BOARD = "5f1a2b3c4d5e6f7a8b9c0d1e"
CARD = "607f1effc75bf07772e3d825"
UUID = "2600ce2a-1234-4bcd-8123-0123456789ab"


@pytest.fixture(scope="module")
def specs() -> dict[Service, ApiSpec]:
    loaded: dict[Service, ApiSpec] = {}
    for service in ("trello", "gcal", "toggl", "toggl_reports", "notion"):
        started = time.perf_counter()
        loaded[service] = load_spec(service)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"load_spec({service!r}): {elapsed:.1f} ms, {len(loaded[service].operations)} ops")
    return loaded


def only(problems: list[str], *needles: str) -> None:
    """Exactly one problem, mentioning every needle."""
    assert len(problems) == 1, problems
    assert all(n in problems[0] for n in needles), problems


# -- real-shaped bodies (fields as in NOTES.md and recorded responses) ------------------------

TRELLO_CARD: dict[str, Any] = {
    "id": CARD,
    "badges": {
        "votes": 0,
        "fogbugz": "",
        "checkItemsEarliestDue": None,
        "due": None,
        "dueComplete": False,
        "start": None,
        "attachmentsByType": {"trello": {"board": 0, "card": 0}},
    },
    "checkItemStates": None,
    "closed": False,
    "dueComplete": False,
    "dateLastActivity": "2021-05-25T19:30:32.923Z",
    "desc": "",
    "descData": None,
    "due": "2020-04-26T12:56:00.000Z",
    "dueReminder": None,
    "idBoard": BOARD,
    "idList": CARD,
    "idChecklists": [],
    "idMembers": [],
    "idMembersVoted": [],
    "idShort": 1,
    "idAttachmentCover": None,
    "idLabels": [BOARD],
    "manualCoverAttachment": False,
    "labels": [{"id": BOARD, "idBoard": BOARD, "name": "Urgent", "color": "green_dark"}],
    "name": "first item",
    "pos": 65535,
    "shortLink": "rkSfwrYU",
    "isTemplate": False,
    "cardRole": None,
    "start": None,
    "subscribed": False,
    "url": "https://trello.com/c/rkSfwrYU",
    "cover": {
        "idAttachment": None,
        "color": None,
        "idUploadedBackground": None,
        "size": "normal",
        "brightness": "dark",
        "idPlugin": None,
    },
}

GCAL_EVENT: dict[str, Any] = {
    "kind": "calendar#event",
    "etag": '"3485816051818142"',
    "id": "5hni4sj3ql1669otmjg7sn1mok_20250325T130000Z",
    "status": "confirmed",
    "created": "2025-03-01T10:00:00.000Z",
    "updated": "2025-03-20T09:00:00.000Z",
    "summary": "Standup",
    "creator": {"email": "a@example.com", "self": True},
    "start": {"dateTime": "2025-03-25T14:00:00+01:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2025-03-25T14:15:00+01:00", "timeZone": "Europe/Berlin"},
    "recurringEventId": "5hni4sj3ql1669otmjg7sn1mok",
    "sequence": 0,
    "reminders": {"useDefault": True},
    "eventType": "default",
    "extendedProperties": {"private": {"obm_link": "trello:5f1"}},
}
GCAL_EVENTS: dict[str, Any] = {
    "kind": "calendar#events",
    "etag": '"p33c"',
    "summary": "a@example.com",
    "timeZone": "Europe/Berlin",
    "accessRole": "owner",
    "defaultReminders": [{"method": "popup", "minutes": 10}],
    "nextSyncToken": "CPDAlvWDx70CEPDAlvWDx70CGAU=",
    "items": [GCAL_EVENT, {"kind": "calendar#event", "etag": '"1"', "id": "abc", "status": "cancelled"}],
}

TOGGL_ENTRY: dict[str, Any] = {
    "id": 3730303299,
    "workspace_id": 7,
    "project_id": None,
    "task_id": None,
    "billable": False,
    "start": "2024-12-16T01:30:00+00:00",
    "stop": None,
    "duration": -1,
    "description": "obm",
    "tags": None,
    "tag_ids": None,
    "duronly": True,
    "at": "2024-12-16T01:38:02.034497Z",
    "server_deleted_at": None,
    "user_id": 9,
    "uid": 9,
    "wid": 7,
    "pid": None,
}

NOTION_PAGE: dict[str, Any] = {
    "object": "page",
    "id": UUID,
    "created_time": "2026-07-04T09:09:00.000Z",
    "last_edited_time": "2026-07-04T09:09:00.000Z",
    "cover": None,
    "icon": None,
    "parent": {"type": "data_source_id", "data_source_id": UUID, "database_id": UUID},
    "archived": False,
    "in_trash": False,
    "url": "https://www.notion.so/x",
    "public_url": None,
    "properties": {"Name": {"id": "title", "type": "title", "title": []}},
}
NOTION_PAGES: dict[str, Any] = {
    "object": "list",
    "results": [NOTION_PAGE],
    "next_cursor": None,
    "has_more": False,
    "type": "page_or_data_source",
    "page_or_data_source": {},
}


# -- loading, matching, service_for_url -------------------------------------------------------


def test_load_spec_is_cached_and_operations_hash_by_identity(specs: dict[Service, ApiSpec]) -> None:
    assert load_spec("trello") is specs["trello"]
    op = specs["trello"].match("GET", f"{TRELLO}/boards/{BOARD}/cards/all")
    assert op is not None and op == specs["trello"].get("GET", "/boards/{id}/cards/{filter}")
    assert (op.service, op.method, op.template) == ("trello", "GET", "/boards/{id}/cards/{filter}")
    assert len({op, specs["trello"].get("GET", "/boards/{id}/cards/{filter}")}) == 1


@pytest.mark.parametrize(
    ("service", "method", "url", "template"),
    [
        ("trello", "GET", f"{TRELLO}/boards/{BOARD}/cards/all", "/boards/{id}/cards/{filter}"),
        # literal segments win over templates: not /boards/{id}/{field}, /cards/{id}/{field}
        ("trello", "GET", f"{TRELLO}/boards/{BOARD}/cards", "/boards/{id}/cards"),
        ("trello", "GET", f"{TRELLO}/cards/{CARD}/actions", "/cards/{id}/actions"),
        ("trello", "GET", f"{TRELLO}/members/me", "/members/{id}"),
        ("trello", "POST", "http://127.0.0.1:8765/1/webhooks", "/webhooks/"),
        (
            "gcal",
            "POST",
            f"{GCAL}/calendars/primary/events/quickAdd",
            "/calendars/{calendarId}/events/quickAdd",
        ),
        (
            "gcal",
            "GET",
            f"{GCAL}/calendars/en.usa%23holiday%40group.v.calendar.google.com/events",
            "/calendars/{calendarId}/events",
        ),
        (
            "toggl",
            "PATCH",
            f"{TOGGL}/workspaces/1/time_entries/5/stop",
            "/workspaces/{workspace_id}/time_entries/{time_entry_id}/stop",
        ),
        # same shape, told apart by method: bulk JSON-patch vs single update
        (
            "toggl",
            "PATCH",
            f"{TOGGL}/workspaces/1/time_entries/5,6",
            "/workspaces/{workspace_id}/time_entries/{time_entry_ids}",
        ),
        (
            "toggl",
            "PUT",
            f"{TOGGL}/workspaces/1/time_entries/5",
            "/workspaces/{workspace_id}/time_entries/{time_entry_id}",
        ),
        ("notion", "GET", f"{NOTION}/v1/users/me", "/v1/users/me"),
        ("notion", "GET", f"http://127.0.0.1:9000/v1/users/{UUID}", "/v1/users/{user_id}"),
    ],
)
def test_template_for(
    specs: dict[Service, ApiSpec], service: Service, method: str, url: str, template: str
) -> None:
    assert specs[service].template_for(method, url) == template


def test_no_match_wrong_method_and_wrong_base(specs: dict[Service, ApiSpec]) -> None:
    trello = specs["trello"]
    only(trello.check_request("GET", f"{TRELLO}/nonexistent/thing"), "no path template")
    only(trello.check_request("PATCH", f"{TRELLO}/cards/{CARD}"), "PATCH not allowed", "GET, PUT")
    only(trello.check_request("GET", f"https://api.trello.com/2/cards/{CARD}"), "base path /1")
    assert trello.match("PATCH", f"{TRELLO}/cards/{CARD}") is None
    only(
        specs["notion"].check_request("POST", f"{NOTION}/v1/databases/{UUID}/query", body={}),
        "no path template",
    )
    assert specs["notion"].check_response("POST", f"{NOTION}/v1/databases/{UUID}/query", 200, {})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{TRELLO}/cards", "trello"),
        (f"{GCAL}/calendars/primary/events", "gcal"),
        (f"{TOGGL}/me", "toggl"),
        ("https://api.notion.com/v1/pages", "notion"),
        ("http://127.0.0.1:8001/1/cards", None),  # emulators are the caller's business
        ("https://api.track.toggl.com/reports/api/v3/workspace/1/search/time_entries", "toggl_reports"),
        ("https://api.track.toggl.com/webhooks/api/v1/status", None),
        ("https://www.googleapis.com/drive/v3/files", None),
        ("https://trello.com/1/cards", None),
    ],
)
def test_service_for_url(url: str, expected: Service | None) -> None:
    assert service_for_url(url) == expected


# -- Trello -----------------------------------------------------------------------------------


def test_trello_requests(specs: dict[Service, ApiSpec]) -> None:
    t = specs["trello"]
    auth = "key=k&token=t"
    assert t.check_request("GET", f"{TRELLO}/boards/{BOARD}/cards/all?{auth}") == []
    only(t.check_request("GET", f"{TRELLO}/boards/{BOARD}/cards/bogus"), "'filter'", "allowed values")
    actions = f"{TRELLO}/boards/{BOARD}/actions?since=2024-01-01T00:00:00Z&limit=1000&{auth}"
    assert t.check_request("GET", actions + "&filter=createCard,updateCard") == []
    only(t.check_request("GET", f"{TRELLO}/boards/{BOARD}/actions?limit=lots"), "'limit'", "number")
    only(t.check_request("GET", f"{TRELLO}/cards/{CARD}?bogus=1"), "unknown query parameter 'bogus'")
    # enum params take `all` or a comma-separated list
    assert t.check_request("GET", f"{TRELLO}/boards/{BOARD}/lists?filter=open&cards=all") == []
    only(t.check_request("GET", f"{TRELLO}/boards/{BOARD}/lists?cards=open,sideways"), "'cards'")


def test_trello_json_body_replaces_query_parameters(specs: dict[Service, ApiSpec]) -> None:
    t = specs["trello"]
    assert t.check_request("POST", f"{TRELLO}/cards", body={"idList": CARD, "name": "x"}) == []
    assert t.check_request("POST", f"{TRELLO}/cards?idList={CARD}", body={"name": "x"}) == []
    only(t.check_request("POST", f"{TRELLO}/cards", body={"name": "x"}), "missing", "'idList'")
    only(
        t.check_request("PUT", f"{TRELLO}/cards/{CARD}", body={"closed": True, "nonsense": 1}),
        "unknown body field 'nonsense'",
    )
    assert t.check_request("PUT", f"{TRELLO}/cards/{CARD}", body={"due": None, "idLabels": "a,b"}) == []


def test_trello_responses(specs: dict[Service, ApiSpec]) -> None:
    t = specs["trello"]
    assert t.check_response("GET", f"{TRELLO}/cards/{CARD}", 200, TRELLO_CARD) == []
    assert t.check_response("GET", f"{TRELLO}/boards/{BOARD}/cards/all", 200, [TRELLO_CARD]) == []
    bad = {**TRELLO_CARD, "closed": "false", "labels": {"a": 1}, "pos": "1"}
    problems = t.check_response("PUT", f"{TRELLO}/cards/{CARD}", 200, bad)
    assert [p.split(": ")[1] for p in problems] == ["$.closed", "$.labels", "$.pos"], problems
    only(t.check_response("GET", f"{TRELLO}/boards/{BOARD}/cards", 200, {"cards": []}), "$: expected array")
    no_id = {k: v for k, v in TRELLO_CARD.items() if k != "id"}
    only(t.check_response("GET", f"{TRELLO}/cards/{CARD}", 200, no_id), "'id' is a required")
    rate_limited = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    assert t.check_response("GET", f"{TRELLO}/cards/{CARD}", 429, rate_limited) == []


# -- Google Calendar --------------------------------------------------------------------------


def test_gcal_requests(specs: dict[Service, ApiSpec]) -> None:
    g = specs["gcal"]
    events = f"{GCAL}/calendars/primary/events"
    ok = "?syncToken=abc&singleEvents=true&privateExtendedProperty=obm_link%3D1&privateExtendedProperty=x%3Dy"
    assert g.check_request("GET", events + ok) == []
    assert (
        g.check_request("GET", events + "?eventTypes=default&eventTypes=focusTime&key=k&prettyPrint=false")
        == []
    )
    only(g.check_request("GET", events + "?orderBy=bad"), "'orderBy'", "allowed values")
    only(g.check_request("GET", events + "?q=a&q=b"), "'q' given 2 times")
    only(g.check_request("GET", events + "?maxResults=ten"), "'maxResults'", "integer")
    only(g.check_request("GET", events + "?alt=media"), "'alt'")  # a standard param, enum ["json"]


def test_gcal_request_bodies(specs: dict[Service, ApiSpec]) -> None:
    g = specs["gcal"]
    events = f"{GCAL}/calendars/primary/events"
    body = {
        "summary": "x",
        "start": {"dateTime": "2025-01-01T10:00:00Z"},
        "end": {"dateTime": "2025-01-01T11:00:00Z"},
        "extendedProperties": {"private": {"obm": "1"}},
    }
    assert g.check_request("POST", events + "?sendUpdates=none", body=body) == []
    only(
        g.check_request("POST", events, body={**body, "bogusField": 1}),
        "unknown body field 'bogusField'",
    )
    # Event.end is annotated required for calendar.events.insert, not for patch
    only(g.check_request("POST", events, body={"summary": "x", "start": body["start"]}), "'end'")
    assert g.check_request("PATCH", f"{events}/abc", body={"summary": "y"}) == []
    only(g.check_request("PATCH", f"{events}/abc"), "requires a request body")
    assert g.check_request("DELETE", f"{events}/abc?sendUpdates=all") == []


def test_gcal_responses(specs: dict[Service, ApiSpec]) -> None:
    g = specs["gcal"]
    events = f"{GCAL}/calendars/primary/events"
    assert g.check_response("GET", events, 200, GCAL_EVENTS) == []
    only(
        g.check_response("GET", events, 200, {**GCAL_EVENTS, "items": {"a": GCAL_EVENT}}),
        "$.items",
        "expected array, got object",
    )
    bad_event = {**GCAL_EVENT, "extendedProperties": {"private": {"n": 1}}, "sequence": "0"}
    assert len(g.check_response("GET", f"{events}/abc", 200, bad_event)) == 2
    no_id = {"items": [{"summary": "partial"}]}
    only(g.check_response("GET", events, 200, no_id), "'id' is a required")
    assert g.check_response("GET", events + "?fields=items(summary)", 200, no_id) == []
    assert g.check_response("DELETE", f"{events}/abc", 204, None) == []


# -- Toggl ------------------------------------------------------------------------------------


def test_toggl_requests(specs: dict[Service, ApiSpec]) -> None:
    t = specs["toggl"]
    assert t.check_request("GET", f"{TOGGL}/me/time_entries?since=1700000000") == []
    only(t.check_request("GET", f"{TOGGL}/me/time_entries?since=2024-01-01"), "'since'", "integer")
    assert t.check_request("GET", f"{TOGGL}/workspaces/1/projects?active=both&user_ids=1,2") == []
    only(t.check_request("GET", f"{TOGGL}/workspaces/1/projects?client_ids=1,x"), "'client_ids'")
    assert t.check_request("PATCH", f"{TOGGL}/workspaces/1/time_entries/5/stop") == []
    assert t.check_request("GET", f"{TOGGL}/me/tags?since=1700000000") == []


def test_toggl_request_bodies(specs: dict[Service, ApiSpec]) -> None:
    t = specs["toggl"]
    create = f"{TOGGL}/workspaces/123/time_entries"
    body = {
        "created_with": "obm-hub",
        "workspace_id": 123,
        "start": "2024-12-16T01:30:00Z",
        "duration": -1,
    }
    assert t.check_request("POST", create, body=body) == []
    only(
        t.check_request("POST", create, body={**body, "projectId": 5}),
        "unknown body field 'projectId'",
    )
    assert len(t.check_request("POST", create, body={"description": "x"})) == 3  # created_with...
    only(t.check_request("POST", create), "requires a request body")
    assert t.check_request("PUT", f"{create}/5", body={"description": "y", "tags": ["a"]}) == []
    patch = [{"op": "replace", "path": "/description", "value": "x"}]
    assert t.check_request("PATCH", f"{create}/5,6", body=patch) == []


def test_toggl_responses(specs: dict[Service, ApiSpec]) -> None:
    t = specs["toggl"]
    entries = f"{TOGGL}/me/time_entries"
    assert (
        t.check_response(
            "GET",
            entries,
            200,
            [TOGGL_ENTRY, {**TOGGL_ENTRY, "stop": "2024-12-16T02:00:00Z", "duration": 1800, "tags": []}],
        )
        == []
    )
    only(
        t.check_response("GET", entries, 200, [{**TOGGL_ENTRY, "duration": "1800"}]),
        "$[0].duration",
        "got string",
    )
    only(t.check_response("GET", entries, 200, {"0": TOGGL_ENTRY}), "$: expected array")
    assert t.check_response("GET", f"{entries}/current", 200, None) == []  # JSON null: nothing running
    assert t.check_response("GET", f"{TOGGL}/me/time_entries/current", 200, TOGGL_ENTRY) == []
    only(
        t.check_response("GET", f"{TOGGL}/workspaces/7/tags", 200, [{"id": 1, "name": 2, "workspace_id": 7}]),
        "$[0].name",
    )


REPORTS = "https://api.track.toggl.com/reports/api/v3"

# A row of the detailed search as recorded from the real API (NOTES.md §3.3).
REPORT_ROW: dict[str, Any] = {
    "user_id": 11238397,
    "username": "Sandbox Tester",
    "project_id": None,
    "task_id": None,
    "billable": False,
    "description": "something else",
    "tag_ids": [],
    "billable_amount_in_cents": None,
    "hourly_rate_in_cents": None,
    "currency": "USD",
    "time_entries": [
        {
            "id": 3587874298,
            "seconds": 3600,
            "start": "2024-09-02T07:00:00+02:00",
            "stop": "2024-09-02T08:00:00+02:00",
            "at": "2024-09-02T08:25:48+00:00",
            "at_tz": "2024-09-02T10:25:48+02:00",
        }
    ],
    "row_number": 1,
}


def test_toggl_reports_detailed_search(specs: dict[Service, ApiSpec]) -> None:
    r = specs["toggl_reports"]
    search = f"{REPORTS}/workspace/7/search/time_entries"
    body = {"start_date": "2026-11-10", "end_date": "2026-11-25", "page_size": 50, "first_row_number": 51}
    assert r.check_request("POST", search, body=body) == []
    only(r.check_request("POST", search, body={**body, "since": "2026-11-10"}), "unknown body field 'since'")
    only(r.check_request("GET", search), "GET not allowed")
    assert r.check_response("POST", search, 200, [REPORT_ROW]) == []
    only(r.check_response("POST", search, 200, [{**REPORT_ROW, "time_entries": {}}]), "$[0].time_entries")
    assert r.check_response("POST", search, 402, "Workspace needs to have this feature enabled") == []
    assert spec_name("toggl", search) == "toggl_reports" and spec_name("toggl", f"{TOGGL}/me") == "toggl"


# -- Notion -----------------------------------------------------------------------------------


def test_notion_requests(specs: dict[Service, ApiSpec]) -> None:
    n = specs["notion"]
    query = f"{NOTION}/v1/data_sources/{UUID}/query"
    body = {
        "filter": {
            "timestamp": "last_edited_time",
            "last_edited_time": {"on_or_after": "2024-02-07T00:00:00Z"},
        },
        "sorts": [{"timestamp": "last_edited_time", "direction": "ascending"}],
        "start_cursor": UUID,
        "page_size": 100,
    }
    assert n.check_request("POST", query, body=body) == []
    assert n.check_request("POST", query + "?filter_properties=title&filter_properties[]=abc", body={}) == []
    only(n.check_request("POST", query, body={"filters": {}}), "unknown body field 'filters'")
    assert n.check_request("GET", f"{NOTION}/v1/databases/{UUID}") == []
    assert n.check_request("GET", f"{NOTION}/v1/data_sources/{UUID}") == []
    children = {"children": [{"object": "block", "type": "paragraph", "paragraph": {"rich_text": []}}]}
    assert n.check_request("PATCH", f"{NOTION}/v1/blocks/{UUID}/children", body=children) == []
    only(n.check_request("PATCH", f"{NOTION}/v1/blocks/{UUID}/children", body={}), "'children'")
    only(n.check_request("POST", f"{NOTION}/v1/pages", body={"properties": {}}), "'parent'")
    only(n.check_request("GET", f"{NOTION}/v1/users?page_size=abc"), "'page_size'", "integer")


def test_notion_responses(specs: dict[Service, ApiSpec]) -> None:
    n = specs["notion"]
    query = f"{NOTION}/v1/data_sources/{UUID}/query"
    assert n.check_response("POST", query, 200, NOTION_PAGES) == []
    assert n.check_response("GET", f"{NOTION}/v1/pages/{UUID}", 200, NOTION_PAGE) == []
    problems = n.check_response("POST", query, 200, {"object": "list", "results": {"a": 1}, "has_more": "no"})
    assert len(problems) == 3 and "next_cursor" in problems[0], problems
    only(
        n.check_response("PATCH", f"{NOTION}/v1/pages/{UUID}", 200, [NOTION_PAGE]),
        "expected object",
    )
    error = {"object": "error", "status": 400, "code": "validation_error", "message": "x"}
    assert n.check_response("POST", query, 400, error) == []
    only(n.check_response("POST", query, 400, {**error, "status": "400"}), "$.status")


# -- endpoints the connectors need ------------------------------------------------------------

NEEDED = [
    ("trello", "GET", "/boards/{id}/cards/{filter}"),
    ("trello", "GET", "/boards/{boardId}/actions"),
    ("trello", "GET", "/boards/{id}/lists"),
    ("trello", "GET", "/boards/{id}/labels"),
    ("trello", "GET", "/boards/{id}/members"),
    ("trello", "POST", "/cards"),
    ("trello", "PUT", "/cards/{id}"),
    ("trello", "GET", "/cards/{id}"),
    ("trello", "GET", "/tokens/{token}"),
    *(
        ("gcal", m, "/calendars/{calendarId}/events" + p)
        for m, p in [
            ("GET", ""),
            ("POST", ""),
            ("GET", "/{eventId}"),
            ("PATCH", "/{eventId}"),
            ("PUT", "/{eventId}"),
            ("DELETE", "/{eventId}"),
        ]
    ),
    ("toggl", "GET", "/me"),
    ("toggl", "GET", "/me/time_entries"),
    ("toggl", "GET", "/me/time_entries/current"),
    ("toggl", "POST", "/workspaces/{workspace_id}/time_entries"),
    ("toggl", "PUT", "/workspaces/{workspace_id}/time_entries/{time_entry_id}"),
    ("toggl", "DELETE", "/workspaces/{workspace_id}/time_entries/{time_entry_id}"),
    ("toggl", "PATCH", "/workspaces/{workspace_id}/time_entries/{time_entry_id}/stop"),
    ("toggl", "GET", "/workspaces/{workspace_id}/projects"),
    ("toggl", "GET", "/workspaces/{workspace_id}/tags"),
    ("toggl", "GET", "/workspaces/{workspace_id}/users"),
    ("toggl", "GET", "/workspaces/{workspace_id}/dashboard/all_activity"),
    ("toggl", "POST", "/workspaces/{workspace_id}/projects"),
    ("toggl", "GET", "/me/workspaces"),
    ("toggl_reports", "POST", "/reports/api/v3/workspace/{workspace_id}/search/time_entries"),
    ("notion", "GET", "/v1/databases/{database_id}"),
    ("notion", "GET", "/v1/data_sources/{data_source_id}"),
    ("notion", "POST", "/v1/data_sources/{data_source_id}/query"),
    ("notion", "POST", "/v1/pages"),
    ("notion", "PATCH", "/v1/pages/{page_id}"),
    ("notion", "PATCH", "/v1/blocks/{block_id}/children"),
    ("notion", "GET", "/v1/users"),
]


@pytest.mark.parametrize(("service", "method", "template"), NEEDED)
def test_needed_endpoint_is_in_spec(
    specs: dict[Service, ApiSpec], service: Service, method: str, template: str
) -> None:
    assert specs[service].get(method, template) is not None


def test_response_validators_are_cached(specs: dict[Service, ApiSpec]) -> None:
    op = specs["toggl"].get("GET", "/me/time_entries")
    assert op is not None and op.responses["200"] is not None
    schema = op.responses["200"]
    assert specs["toggl"].schemas.validator(schema) is specs["toggl"].schemas.validator(schema)


# -- dialect conversion (schema.py) -----------------------------------------------------------


def test_conversion_oas30_nullable_and_ref_siblings() -> None:
    defs = {
        "Color": {"type": "string", "enum": ["red"], "nullable": True},
        "Id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
    }
    s = SchemaSet(defs, "oas30")
    # siblings of $ref are ignored in OpenAPI 3.0 (Trello: {"type": "string", "$ref": Color})
    label = {
        "type": "object",
        "properties": {
            "color": {"type": "string", "$ref": "#/components/schemas/Color"},
            "name": {"type": "string", "nullable": True},
            "id": {"$ref": "#/components/schemas/Id"},
        },
    }
    assert s.problems(label, {"color": None, "name": None, "id": "not-hex"}) == []  # no enum/pattern
    assert s.problems(label, {"color": "green_dark", "extra": 1}) == []  # enum lags; extras fine
    only(s.problems(label, {"name": 5}), "$.name", "expected string or null")
    assert s.problems({"oneOf": [{"type": "string"}, {"type": "string", "format": "date"}]}, "x") == []


def test_conversion_swagger_and_discovery() -> None:
    toggl = SchemaSet(
        {
            "TE": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer"},
                    "project_id": {"type": "integer", "x-nullable": True},
                },
            }
        },
        "swagger2",
    )
    schema = {"type": "array", "items": {"$ref": "#/definitions/TE"}}
    assert toggl.problems(schema, [{"id": 1, "project_id": None}]) == []
    assert len(toggl.problems(schema, [{"project_id": "1"}])) == 2  # required id, wrong type
    gcal = SchemaSet(
        {
            "Event": {
                "id": "Event",
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "int64"},
                    "any": {"type": "any"},
                    "private": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
        "discovery",
    )
    assert (
        gcal.problems({"$ref": "Event"}, {"id": "9007199254740993", "any": [1], "private": {"a": "b"}}) == []
    )
    only(gcal.problems({"$ref": "Event"}, {"private": {"a": 1}}), "$.private.a", "expected string")
    assert gcal.top_level({"$ref": "Event"}) == (frozenset({"id", "any", "private"}), frozenset())
