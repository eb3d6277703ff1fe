"""The Google Calendar client and connector over HTTP (respx): pages, sync tokens, errors and writes."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
import respx

from connectors.errors import BadData, Conflict, CursorExpired, RateLimited
from connectors.gcal import LINK_PROPERTY, GoogleCalendarConnector, event_id_for_link
from sync.model import Event
from tests.connectors.gcal.conftest import (
    CALENDAR,
    EVENTS_URL,
    NOW,
    TOKEN_URI,
    body,
    event_url,
    google_error,
    page,
    timed,
    token_answer,
)

# The real 410 body (NOTES.md §2.3, recorded 2023-02-02), shared with the emulator's tests.
FULL_SYNC_REQUIRED = json.loads((Path(__file__).parent / "errors" / "full_sync_required.json").read_text())


@pytest.fixture(autouse=True)
def token_endpoint(respx_mock: respx.MockRouter) -> respx.Route:
    return respx_mock.post(TOKEN_URI).mock(return_value=token_answer("ya29.FAKE-test-token"))


def by_page_token(pages: dict[str | None, httpx.Response]):
    def answer(request: httpx.Request) -> httpx.Response:
        return pages[request.url.params.get("pageToken")]

    return answer


def test_pages_are_walked_and_the_sync_token_is_taken_from_the_last(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    route = respx_mock.get(EVENTS_URL).mock(
        side_effect=by_page_token(
            {
                None: page([timed("aaaaa1"), timed("aaaaa2")], next_page="p2"),
                "p2": page([timed("aaaaa3")], next_page="p3"),
                "p3": page([timed("aaaaa4")], sync="sync-after-p3"),
            }
        )
    )
    batch = connector.fetch_changes(None)
    assert [r.remote_id for r in batch.items] == ["aaaaa1", "aaaaa2", "aaaaa3", "aaaaa4"]
    assert batch.full is True and batch.cursor == "sync-after-p3"
    params = [call.request.url.params for call in route.calls]
    assert [p.get("pageToken") for p in params] == [None, "p2", "p3"]
    # Every page repeats the same query: the lookback and the singleEvents choice.
    assert {p["timeMin"] for p in params} == {"2026-11-11T09:30:00+00:00"}  # 14 days back
    assert {p["singleEvents"] for p in params} == {"true"}
    assert all("syncToken" not in p for p in params)


def test_an_empty_page_with_a_next_page_token_is_walked_through(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    route = respx_mock.get(EVENTS_URL).mock(
        side_effect=by_page_token(
            {None: page([], next_page="p2"), "p2": page([timed("bbbbb1")], sync="sync-2")}
        )
    )
    batch = connector.fetch_changes(None)
    assert [r.remote_id for r in batch.items] == ["bbbbb1"]
    assert batch.cursor == "sync-2" and route.call_count == 2


def test_a_repeated_page_token_fails_loudly(connector: GoogleCalendarConnector, respx_mock: respx.MockRouter):
    route = respx_mock.get(EVENTS_URL).mock(
        side_effect=by_page_token(
            {
                None: page([timed("ccccc1")], next_page="again"),
                "again": page([timed("ccccc2")], next_page="again"),
            }
        )
    )
    with pytest.raises(BadData, match="same page cursor twice"):
        connector.fetch_changes(None)
    assert route.call_count == 2


def test_a_read_that_ends_without_a_sync_token_is_bad_data(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    respx_mock.get(EVENTS_URL).mock(return_value=page([timed("ddddd1")]))
    with pytest.raises(BadData, match="nextSyncToken"):
        connector.fetch_changes(None)


def test_an_incremental_read_returns_changes_and_deletions(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    cancelled = {
        "kind": "calendar#event",
        "etag": '"3486201447318000"',
        "id": "eeeee2",
        "status": "cancelled",
    }
    route = respx_mock.get(EVENTS_URL).mock(return_value=page([timed("eeeee1"), cancelled], sync="sync-next"))
    batch = connector.fetch_changes("sync-previous")
    assert batch.full is False and batch.cursor == "sync-next"
    assert [r.remote_id for r in batch.items] == ["eeeee1"] and list(batch.deleted) == ["eeeee2"]
    params = route.calls.last.request.url.params
    assert params["syncToken"] == "sync-previous" and params["singleEvents"] == "true"
    assert "timeMin" not in params  # refused by the API with a syncToken


def test_an_unmappable_event_is_skipped_and_reported(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    broken = timed("fffff2", start={"dateTime": "2026-11-26T10:00:00+01:00", "timeZone": "Mars/Olympus"})
    respx_mock.get(EVENTS_URL).mock(return_value=page([timed("fffff1"), broken], sync="s"))
    batch = connector.fetch_changes("s0")
    assert [r.remote_id for r in batch.items] == ["fffff1"] and list(batch.skipped) == ["fffff2"]


def test_410_is_cursor_expired(connector: GoogleCalendarConnector, respx_mock: respx.MockRouter):
    respx_mock.get(EVENTS_URL).mock(return_value=httpx.Response(410, json=FULL_SYNC_REQUIRED))
    with pytest.raises(CursorExpired) as caught:
        connector.client.read_events(CALENDAR, sync_token="old", single_events=True)
    assert caught.value.code == "fullSyncRequired" and caught.value.status == 410


def test_an_expired_sync_token_falls_back_to_a_full_read(
    connector: GoogleCalendarConnector, caplog, respx_mock: respx.MockRouter
):
    def answer(request: httpx.Request) -> httpx.Response:
        if "syncToken" in request.url.params:
            return httpx.Response(410, json=FULL_SYNC_REQUIRED)
        return page([timed("ggggg1")], sync="fresh")

    route = respx_mock.get(EVENTS_URL).mock(side_effect=answer)
    with caplog.at_level(logging.WARNING, logger="connectors.gcal.connector"):
        batch = connector.fetch_changes("expired-token")
    assert batch.full is True and batch.cursor == "fresh"
    assert [r.remote_id for r in batch.items] == ["ggggg1"]
    assert route.call_count == 2 and "timeMin" in route.calls.last.request.url.params
    assert "reading the calendar in full" in caplog.text


def test_the_sync_token_cannot_be_combined_with_refused_parameters(connector: GoogleCalendarConnector):
    with pytest.raises(ValueError, match="syncToken"):
        connector.client.list_events(CALENDAR, sync_token="s", time_min=NOW)


# -- writes --------------------------------------------------------------------------------------


def canonical(title: str = "Send invoice to Nadia Haddad") -> Event:
    return Event(
        title=title,
        start=NOW,
        end=NOW.replace(hour=10),
        all_day=False,
        timezone="Europe/Paris",
        task_link="lnk-task-017",
    )


def test_create_chooses_the_event_id_from_the_link(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    event_id = event_id_for_link("lnk-1")
    route = respx_mock.post(EVENTS_URL).mock(
        side_effect=lambda request: httpx.Response(200, json={**body_of(request), "etag": '"1"'})
    )
    remote = connector.create(canonical(), link_id="lnk-1")
    sent = body(route.calls.last)
    assert sent["id"] == event_id == remote.remote_id
    assert sent["extendedProperties"] == {"private": {LINK_PROPERTY: "lnk-1", "obmHubTask": "lnk-task-017"}}
    assert remote.link_id == "lnk-1" and remote.version == '"1"'


def body_of(request: httpx.Request) -> dict:
    return json.loads(request.content)


def test_an_insert_answered_503_is_looked_up_before_it_is_sent_again(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    insert = respx_mock.post(EVENTS_URL).mock(
        side_effect=[
            google_error(503, "backendError", "Backend Error"),
            httpx.Response(200, json=linked(event_id_for_link("lnk-2"), "lnk-2")),
        ]
    )
    lookup = respx_mock.get(EVENTS_URL).mock(return_value=page([], sync="s"))
    connector.create(canonical(), link_id="lnk-2")
    assert insert.call_count == 2 and lookup.call_count == 1  # not there: inserted once more
    params = lookup.calls.last.request.url.params
    assert params.get_list("privateExtendedProperty") == [f"{LINK_PROPERTY}=lnk-2"]
    assert params["showDeleted"] == "true"


def test_an_insert_that_landed_without_an_answer_is_found_not_resent(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    event_id = event_id_for_link("lnk-2b")
    insert = respx_mock.post(EVENTS_URL).mock(return_value=httpx.Response(200, content=b'{"kind": "calen'))
    respx_mock.get(EVENTS_URL).mock(return_value=page([linked(event_id, "lnk-2b")], sync="s"))
    remote = connector.create(canonical(), link_id="lnk-2b")
    assert insert.call_count == 1 and remote.remote_id == event_id and remote.link_id == "lnk-2b"


def linked(event_id: str, link_id: str, **extra: object) -> dict:
    """The hub's event for `link_id` as Google answers it, holding `canonical()`."""
    return timed(
        event_id,
        "Send invoice to Nadia Haddad",
        description="",
        start={"dateTime": "2026-11-25T10:30:00+01:00", "timeZone": "Europe/Paris"},
        end={"dateTime": "2026-11-25T11:30:00+01:00", "timeZone": "Europe/Paris"},
        extendedProperties={"private": {LINK_PROPERTY: link_id, "obmHubTask": "lnk-task-017"}},
        **extra,
    )


def test_a_duplicate_insert_returns_the_event_already_there(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    event_id = event_id_for_link("lnk-3")
    respx_mock.post(EVENTS_URL).mock(
        return_value=google_error(409, "duplicate", "The requested identifier already exists.")
    )
    get = respx_mock.get(event_url(event_id)).mock(
        return_value=httpx.Response(200, json=linked(event_id, "lnk-3"))
    )
    remote = connector.create(canonical(), link_id="lnk-3")
    assert remote.remote_id == event_id and get.call_count == 1  # the same content: nothing to patch


def test_a_duplicate_id_held_by_another_event_is_a_conflict(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    event_id = event_id_for_link("lnk-4")
    respx_mock.post(EVENTS_URL).mock(
        return_value=google_error(409, "duplicate", "The requested identifier already exists.")
    )
    respx_mock.get(event_url(event_id)).mock(return_value=httpx.Response(200, json=timed(event_id)))
    with pytest.raises(Conflict, match="did not create"):
        connector.create(canonical(), link_id="lnk-4")


def test_a_duplicate_that_was_deleted_is_brought_back(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    event_id = event_id_for_link("lnk-5")
    respx_mock.post(EVENTS_URL).mock(
        return_value=google_error(409, "duplicate", "The requested identifier already exists.")
    )
    gone = timed(
        event_id, status="cancelled", etag='"7"', extendedProperties={"private": {LINK_PROPERTY: "lnk-5"}}
    )
    respx_mock.get(event_url(event_id)).mock(return_value=httpx.Response(200, json=gone))
    patch = respx_mock.patch(event_url(event_id)).mock(
        return_value=httpx.Response(200, json={**gone, "status": "confirmed"})
    )
    remote = connector.create(canonical(), link_id="lnk-5")
    assert patch.calls.last.request.headers["If-Match"] == '"7"'
    assert body(patch.calls.last)["status"] == "confirmed" and "id" not in body(patch.calls.last)
    assert remote.item.status == "confirmed"


def test_update_sends_if_match_and_a_412_is_a_conflict(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    respx_mock.get(event_url("hhhhh1")).mock(
        return_value=httpx.Response(200, json=timed("hhhhh1", etag='"111"'))
    )
    route = respx_mock.patch(event_url("hhhhh1")).mock(
        return_value=google_error(412, "conditionNotMet", "Precondition Failed")
    )
    with pytest.raises(Conflict) as caught:
        connector.update("hhhhh1", canonical("Moved"), if_version='"111"')
    assert route.calls.last.request.headers["If-Match"] == '"111"'
    assert caught.value.status == 412 and route.call_count == 1  # a PATCH is never resent blindly
    assert body(route.calls.last)["summary"] == "Moved"


def test_archive_deletes_and_an_already_deleted_event_counts_as_done(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    first = respx_mock.delete(event_url("iiiii1")).mock(return_value=httpx.Response(204))
    connector.archive("iiiii1", if_version='"5"')
    assert first.calls.last.request.headers["If-Match"] == '"5"'
    respx_mock.delete(event_url("iiiii2")).mock(
        return_value=google_error(410, "deleted", "Resource has been deleted")
    )
    connector.archive("iiiii2")
    # Deleted events "will eventually disappear" (discovery `Event.status`): then 404, also done.
    gone = respx_mock.delete(event_url("iiiii3")).mock(
        return_value=google_error(404, "notFound", "Not Found")
    )
    connector.archive("iiiii3")
    assert gone.call_count == 1


def test_user_rate_limit_is_waited_out(
    connector: GoogleCalendarConnector, clock, respx_mock: respx.MockRouter
):
    route = respx_mock.get(event_url("jjjjj1")).mock(
        side_effect=[
            google_error(403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits"),
            httpx.Response(200, json=timed("jjjjj1")),
        ]
    )
    assert connector.client.get_event(CALENDAR, "jjjjj1").id == "jjjjj1"
    assert route.call_count == 2 and clock.sleeps  # backed off (no Retry-After is documented)


def test_rate_limit_that_persists_is_rate_limited(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    respx_mock.get(event_url("jjjjj2")).mock(
        return_value=google_error(
            403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits"
        )
    )
    with pytest.raises(RateLimited):
        connector.client.get_event(CALENDAR, "jjjjj2")


def test_find_by_link_filters_on_the_private_property(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    found = timed("kkkkk1", extendedProperties={"private": {LINK_PROPERTY: "lnk-6"}})
    route = respx_mock.get(EVENTS_URL).mock(return_value=page([found], sync="s"))
    [remote] = connector.find_by_link("lnk-6")
    assert remote.remote_id == "kkkkk1" and remote.link_id == "lnk-6"
    params = route.calls.last.request.url.params
    assert params.get_list("privateExtendedProperty") == [f"{LINK_PROPERTY}=lnk-6"]
    route.mock(return_value=page([], sync="s"))
    assert connector.find_by_link("lnk-unknown") == []


def test_find_by_link_reads_deleted_copies_in_full(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    stub = {"kind": "calendar#event", "etag": '"9"', "id": "kkkkk2", "status": "cancelled"}
    respx_mock.get(EVENTS_URL).mock(return_value=page([stub], sync="s"))
    whole = timed("kkkkk2", status="cancelled", extendedProperties={"private": {LINK_PROPERTY: "lnk-7"}})
    get = respx_mock.get(event_url("kkkkk2")).mock(return_value=httpx.Response(200, json=whole))
    [remote] = connector.find_by_link("lnk-7")
    assert remote.item.status == "cancelled" and remote.link_id == "lnk-7" and get.call_count == 1
