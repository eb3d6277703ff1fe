"""The Calendar emulator over raw HTTP: official response shapes, list semantics, writes and errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.gcal import oauth
from sandbox.gcal.seed import event_id
from tests.conftest import FIXED_NOW_ISO
from tests.contract.spec import load_spec

CALENDAR = "c_brightpath.team@group.calendar.google.com"
EVENTS = "/calendars/c_brightpath.team%40group.calendar.google.com/events"
MASTER = event_id("event-team-sync")


REFRESH_FORM = {
    "grant_type": "refresh_token",
    "client_id": oauth.CLIENT_ID,
    "client_secret": oauth.CLIENT_SECRET,
    "refresh_token": oauth.REFRESH_TOKEN,
}


@contextmanager
def api_client(sandbox) -> Iterator[httpx.Client]:
    """A raw client of the sandbox's Calendar API, holding a fresh access token."""
    with httpx.Client(base_url=sandbox.base_url("google"), timeout=5) as client:
        token = client.post(sandbox.root_url("google") + "/token", data=REFRESH_FORM).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def conforms(response: httpx.Response) -> httpx.Response:
    """The response, after checking its body against the official discovery document."""
    body = response.json() if response.content else None
    problems = load_spec("gcal").check_response(
        response.request.method, str(response.request.url), response.status_code, body
    )
    assert problems == []
    return response


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()["error"]
    assert error["code"] == response.status_code and error["errors"][0]["message"] == error["message"]
    return response.status_code, error["errors"][0]["reason"], error["message"]


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


@pytest.fixture
def api(sandbox) -> Iterator[httpx.Client]:
    with api_client(sandbox) as client:
        yield client


def shared_sandbox() -> Sandbox:
    """A sandbox for the tests of one module that change nothing (refused writes, reads)."""
    return Sandbox(now=datetime.fromisoformat(FIXED_NOW_ISO), services=("google",), rate_limits=False)


@pytest.fixture(scope="module")
def reader() -> Iterator[httpx.Client]:
    with shared_sandbox() as shared, api_client(shared) as client:
        yield client


def listed(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = conforms(api.get(EVENTS, params={"maxResults": 2500, **params}))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def timed(event_id: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {
        "summary": "Kickoff call",
        "start": {"dateTime": "2026-11-27T14:00:00+01:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-11-27T14:30:00+01:00", "timeZone": "Europe/Paris"},
        **extra,
    }
    return {"id": event_id, **body} if event_id else body


def test_list_pages_conform_and_only_the_last_carries_the_sync_token(reader):
    api = reader
    everything = listed(api, singleEvents="true", timeMin="2026-11-18T09:30:00Z")
    seen, token, pages = [], None, 0
    while True:
        params = {"singleEvents": "true", "timeMin": "2026-11-18T09:30:00Z", "maxResults": 30}
        body = conforms(api.get(EVENTS, params={**params, **({"pageToken": token} if token else {})})).json()
        pages += 1
        seen += [item["id"] for item in body["items"]]
        assert ("nextPageToken" in body) != ("nextSyncToken" in body)
        token = body.get("nextPageToken")
        if token is None:
            break
    assert pages == 3 and seen == [item["id"] for item in everything] and len(seen) == 70
    assert body["kind"] == "calendar#events" and body["timeZone"] == "Europe/Paris"
    assert body["summary"] == "Bright Path Coaching — Team"


def test_every_write_answers_the_official_shape(api):
    created = conforms(api.post(EVENTS, json=timed("kickoff0001", description="Agenda to follow")))
    assert created.status_code == 200
    event = created.json()
    assert re.fullmatch(r'"\d{16}"', event["etag"]) and event["iCalUID"] == "kickoff0001@google.com"
    assert event["htmlLink"].startswith("https://www.google.com/calendar/event?eid=")
    assert conforms(api.get(f"{EVENTS}/kickoff0001")).json() == event
    patched = conforms(
        api.patch(
            f"{EVENTS}/kickoff0001", json={"summary": "Kickoff (moved)"}, headers={"If-Match": event["etag"]}
        )
    )
    assert patched.json()["summary"] == "Kickoff (moved)" and patched.json()["etag"] != event["etag"]
    assert patched.json()["description"] == "Agenda to follow" and patched.json()["sequence"] == 0
    replaced = conforms(
        api.put(
            f"{EVENTS}/kickoff0001",
            json=timed(summary="Kickoff", start={"date": "2026-11-28"}, end={"date": "2026-11-29"}),
        )
    )
    assert "description" not in replaced.json()  # update replaces: what is not sent is cleared
    assert replaced.json()["created"] == event["created"] and replaced.json()["sequence"] == 1
    deleted = api.delete(f"{EVENTS}/kickoff0001")
    assert deleted.status_code == 204 and deleted.content == b""
    assert conforms(api.get(f"{EVENTS}/kickoff0001")).json()["status"] == "cancelled"  # get still answers


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (
            timed("kickoff0002", start={"dateTime": "2026-11-27T14:00:00"}),
            400,
            "required",
        ),  # no offset, no zone
        (timed("kickoff0003", end={"dateTime": "2026-11-27T13:00:00+01:00"}), 400, "timeRangeEmpty"),
        (timed("kickoff0004", end=None), 400, "required"),
        (timed("Kickoff-0005"), 400, "invalid"),  # ids are base32hex: lower case a-v and digits
        (timed("kick"), 400, "invalid"),  # at least 5 characters
        (timed("kickoff0006", start={"date": "2026-11-27"}), 400, "invalid"),  # a date and a dateTime
        (
            timed(
                "kickoff0007",
                recurrence=["RRULE:FREQ=WEEKLY"],
                start={"dateTime": "2026-11-27T14:00:00+01:00"},
            ),
            400,
            "required",
        ),
        (timed("kickoff0008", recurrence=["WEEKLY PLEASE"]), 400, "invalid"),
        (timed(MASTER), 409, "duplicate"),
        (timed(f"{MASTER}_20261207T083000Z"), 400, "invalid"),  # instance ids are the server's to give
    ],
)
def test_insert_refuses_what_the_api_refuses(reader, body, status, reason):
    response = reader.post(EVENTS, json={k: v for k, v in body.items() if v is not None})
    assert error_of(response)[:2] == (status, reason)


def test_requests_for_unknown_things_get_google_errors(api):
    assert error_of(api.get(f"{EVENTS}/nosuchevent0"))[:2] == (404, "notFound")
    assert error_of(api.get("/calendars/someone%40example.com/events"))[:2] == (404, "notFound")
    assert error_of(api.post(EVENTS, content=b"{not json", headers={"Content-Type": "application/json"}))[
        :2
    ] == (
        400,
        "parseError",
    )
    stale = api.patch(f"{EVENTS}/{MASTER}", json={"summary": "x"}, headers={"If-Match": '"1"'})
    assert error_of(stale) == (412, "conditionNotMet", "Precondition Failed")
    assert stale.json()["error"]["errors"][0]["location"] == "If-Match"
    assert api.delete(f"{EVENTS}/{MASTER}").status_code == 204
    assert error_of(api.delete(f"{EVENTS}/{MASTER}")) == (410, "deleted", "Resource has been deleted")


def review_id(api) -> str:
    reviews = [e for e in listed(api) if e["summary"] == "Weekly review with Camille"]
    return str(min(reviews, key=lambda e: e["start"]["dateTime"])["id"])  # Fri 27 Nov 16:00-17:00 Paris


@pytest.mark.parametrize(
    ("params", "included"),
    [
        ({"timeMin": "2026-11-27T15:59:59Z"}, True),  # timeMin bounds the END: 16:00Z > 15:59:59Z
        ({"timeMin": "2026-11-27T16:00:00Z"}, False),  # ...exclusively
        ({"timeMax": "2026-11-27T15:00:01Z"}, True),  # timeMax bounds the START: 15:00Z < 15:00:01Z
        ({"timeMax": "2026-11-27T15:00:00Z"}, False),
        ({"timeMin": "2026-11-27T17:30:00+01:00", "timeMax": "2026-11-27T17:31:00+01:00"}, False),
    ],
)
def test_time_bounds_apply_to_the_end_and_the_start(reader, params, included):
    wanted = review_id(reader)
    assert (wanted in {e["id"] for e in listed(reader, **params)}) is included


def test_query_parameter_errors(reader):
    api = reader
    empty = api.get(EVENTS, params={"timeMin": "2026-11-27T10:00:00Z", "timeMax": "2026-11-27T10:00:00Z"})
    assert error_of(empty) == (400, "timeRangeEmpty", "The specified time range is empty.")
    assert empty.json()["error"]["errors"][0]["location"] == "timeMax"
    assert error_of(api.get(EVENTS, params={"orderBy": "startTime"}))[:2] == (400, "badRequest")
    assert api.get(EVENTS, params={"timeMin": "2026-11-27T10:00:00"}).status_code == 400  # offset required
    assert api.get(EVENTS, params={"maxResults": "0"}).status_code == 400
    assert api.get(EVENTS, params={"privateExtendedProperty": "no-equals-sign"}).status_code == 400
    assert api.get(EVENTS, params={"pageToken": "forged"}).status_code == 400


def test_order_by_start_time_needs_single_events(reader):
    api = reader
    items = listed(api, singleEvents="true", orderBy="startTime", timeMin="2026-11-18T00:00:00Z")
    starts = [e["start"].get("dateTime") or e["start"]["date"] + "T00:00:00+01:00" for e in items]
    instants = [datetime.fromisoformat(s) for s in starts]
    assert instants == sorted(instants)
    updated = [e["updated"] for e in listed(api, orderBy="updated")]
    assert updated == sorted(updated)


def test_single_events_expands_series_around_their_exceptions(api):
    window = {"timeMin": "2026-11-23T00:00:00+01:00", "timeMax": "2026-12-08T00:00:00+01:00"}
    collapsed = [e for e in listed(api, **window) if e["summary"] == "Team sync"]
    assert [(e["id"], "recurrence" in e) for e in collapsed] == [
        (MASTER, True),
        (f"{MASTER}_20261130T083000Z", False),  # the moved instance, an exception of its own
    ]
    expanded = [e for e in listed(api, singleEvents="true", **window) if e["summary"] == "Team sync"]
    assert [(e["id"].removeprefix(MASTER), e["start"]["dateTime"]) for e in expanded] == [
        ("_20261123T083000Z", "2026-11-23T09:30:00+01:00"),
        ("_20261130T083000Z", "2026-12-01T10:00:00+01:00"),
        ("_20261207T083000Z", "2026-12-07T09:30:00+01:00"),
    ]
    assert all(e["recurringEventId"] == MASTER and "recurrence" not in e for e in expanded)
    assert expanded[1]["originalStartTime"] == {
        "dateTime": "2026-11-30T09:30:00+01:00",
        "timeZone": "Europe/Paris",
    }


def test_a_series_keeps_its_local_time_across_dst_and_honours_exdate(api):
    series = timed(
        "nightshift01",
        summary="Night shift",
        start={"dateTime": "2026-10-18T09:00:00+02:00", "timeZone": "Europe/Paris"},
        end={"dateTime": "2026-10-18T10:00:00+02:00", "timeZone": "Europe/Paris"},
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Europe/Paris:20261101T090000"],
    )
    assert conforms(api.post(EVENTS, json=series)).status_code == 200
    items = [
        e
        for e in listed(api, singleEvents="true", timeMin="2026-10-01T00:00:00Z")
        if e["summary"] == "Night shift"
    ]
    assert [(e["id"], e["start"]["dateTime"], e["end"]["dateTime"]) for e in items] == [
        ("nightshift01_20261018T070000Z", "2026-10-18T09:00:00+02:00", "2026-10-18T10:00:00+02:00"),
        ("nightshift01_20261025T080000Z", "2026-10-25T09:00:00+01:00", "2026-10-25T10:00:00+01:00"),
        ("nightshift01_20261108T080000Z", "2026-11-08T09:00:00+01:00", "2026-11-08T10:00:00+01:00"),
    ]


def test_an_all_day_series_names_its_instances_by_date(api):
    series = timed(
        "launchdate01",
        start={"date": "2026-12-14"},
        end={"date": "2026-12-15"},
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
    )
    assert api.post(EVENTS, json=series).status_code == 200
    items = [e for e in listed(api, singleEvents="true") if e.get("recurringEventId") == "launchdate01"]
    assert [(e["id"], e["start"], e["end"]) for e in items] == [
        (f"launchdate01_2026121{d}", {"date": f"2026-12-1{d}"}, {"date": f"2026-12-1{d + 1}"})
        for d in (4, 5, 6)
    ]


def test_writing_to_an_instance_makes_an_exception(api):
    instance = f"{MASTER}_20261207T083000Z"
    patched = conforms(api.patch(f"{EVENTS}/{instance}", json={"summary": "Team sync (short)"})).json()
    assert patched["recurringEventId"] == MASTER and patched["id"] == instance
    removed = f"{MASTER}_20261214T083000Z"
    assert api.delete(f"{EVENTS}/{removed}").status_code == 204
    window = {"timeMin": "2026-12-06T00:00:00Z", "timeMax": "2026-12-20T00:00:00Z", "singleEvents": "true"}
    assert [e["id"] for e in listed(api, **window) if "Team sync" in e["summary"]] == [instance]
    with_deleted = [e for e in listed(api, showDeleted="true", **window) if e["id"] == removed]
    assert with_deleted == [
        {
            "kind": "calendar#event",
            "etag": with_deleted[0]["etag"],
            "id": removed,
            "status": "cancelled",
            "recurringEventId": MASTER,
            "originalStartTime": {"dateTime": "2026-12-14T09:30:00+01:00", "timeZone": "Europe/Paris"},
        }
    ]


def test_private_extended_properties_filter_and_are_anded(api):
    both = timed("tagged00001", extendedProperties={"private": {"obmHubLink": "l1", "kind": "call"}})
    one = timed("tagged00002", extendedProperties={"private": {"obmHubLink": "l2", "kind": "call"}})
    for body in (both, one):
        assert api.post(EVENTS, json=body).status_code == 200
    assert {e["id"] for e in listed(api, privateExtendedProperty="kind=call")} == {
        "tagged00001",
        "tagged00002",
    }
    anded = api.get(
        EVENTS,
        params=[("privateExtendedProperty", "kind=call"), ("privateExtendedProperty", "obmHubLink=l1")],
    )
    assert [e["id"] for e in conforms(anded).json()["items"]] == ["tagged00001"]
    patched = api.patch(
        f"{EVENTS}/tagged00001", json={"extendedProperties": {"private": {"obmHubTask": "t9"}}}
    )
    assert patched.json()["extendedProperties"]["private"] == {
        "obmHubLink": "l1",
        "kind": "call",
        "obmHubTask": "t9",
    }


def test_updated_min_lists_recent_changes_and_deletions(api, sandbox):
    latest_seed = max(e["updated"] for e in sandbox.emulators["google"].store.events.values())
    review = review_id(api)
    assert api.post(EVENTS, json=timed("recent00001")).status_code == 200
    assert api.delete(f"{EVENTS}/{review}").status_code == 204
    after = listed(api, updatedMin=latest_seed.replace(".000Z", ".001Z"))  # just after the seed
    assert sorted((e["id"], e["status"]) for e in after) == sorted(
        [("recent00001", "confirmed"), (review, "cancelled")]
    )
