"""The suite-wide contract check itself: a request outside the official spec is caught and named."""

from __future__ import annotations

import httpx
import respx

from connectors.http import build_core
from tests.conftest import fast_options


@respx.mock
def test_an_endpoint_the_spec_lacks_is_caught(contract_check):
    # The 2022-06-28 query endpoint: gone from the 2025-09-03 spec the connectors target.
    respx.post("https://api.notion.com/v1/databases/d1/query").mock(return_value=httpx.Response(200, json={}))
    core = build_core("notion", "https://api.notion.com/v1", credential="t", options=fast_options())
    core.request("POST", "/databases/{id}/query", path={"id": "d1"}, json={"page_size": 10})
    assert len(contract_check) == 1 and contract_check[0].startswith("notion POST /v1/databases/d1/query: ")
    contract_check.clear()  # this test is about the check; do not fail it


@respx.mock
def test_an_unknown_parameter_and_a_missing_required_field_are_caught(contract_check):
    respx.get(url__startswith="https://api.track.toggl.com/").mock(return_value=httpx.Response(200, json=[]))
    respx.post(url__startswith="https://api.trello.com/").mock(return_value=httpx.Response(200, json={}))
    toggl = build_core("toggl", "https://api.track.toggl.com/api/v9", credential="t", options=fast_options())
    toggl.request("GET", "/me/time_entries", params={"since": 1700000000, "updated_after": "x"})
    trello = build_core("trello", "https://api.trello.com/1", credential="t", options=fast_options())
    trello.request("POST", "/cards", json={"name": "no list"})
    assert any("updated_after" in problem for problem in contract_check)
    assert any("idList" in problem for problem in contract_check)
    contract_check.clear()


@respx.mock
def test_conforming_requests_pass(contract_check):
    respx.get(url__startswith="https://www.googleapis.com/").mock(return_value=httpx.Response(200, json={}))
    google = build_core(
        "google", "https://www.googleapis.com/calendar/v3", credential="t", options=fast_options()
    )
    google.request(
        "GET",
        "/calendars/{calendarId}/events",
        path={"calendarId": "team@group.calendar.google.com"},
        params=[("singleEvents", "true"), ("privateExtendedProperty", "obmHubLink=abc")],
    )
    assert contract_check == []
