"""The Calendar connector's writes over HTTP (respx): fields-only patches, attendees merged into the
guest list, creates that never rest on the 409 alone, and the three rate-limit answers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from pydantic import SecretStr

from config.settings import GoogleSettings
from connectors.errors import Conflict
from connectors.gcal import GoogleCalendarConnector, event_id_for_link
from connectors.http import CoreOptions
from sandbox.business import load_workspace
from sync.model import Event
from tests.connectors.gcal.conftest import (
    CALENDAR,
    EVENTS_URL,
    NOW,
    SA_EMAIL,
    TOKEN_URI,
    body,
    event_url,
    google_error,
    service_account_json,
    timed,
    token_answer,
)
from tests.connectors.gcal.test_client import canonical, linked

CLIENT = {"email": "nadia@client.example", "displayName": "Nadia Haddad", "responseStatus": "accepted"}
CAMILLE = {"email": "Camille@brightpath.coach", "responseStatus": "accepted", "comment": "on my way"}
SOPHIE = {"email": "sophie@brightpath.coach", "responseStatus": "declined"}


@pytest.fixture(autouse=True)
def token_endpoint(respx_mock: respx.MockRouter) -> respx.Route:
    return respx_mock.post(TOKEN_URI).mock(return_value=token_answer("ya29.FAKE-test-token"))


def with_guests(*guests: str) -> Event:
    return canonical().model_copy(update={"attendees": frozenset(guests)})


# -- update: only the fields asked for -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        ({"title"}, {"summary"}),
        ({"start"}, {"start", "end"}),  # the bounds travel together
        ({"timezone", "description"}, {"start", "end", "description"}),
        ({"task_link"}, {"extendedProperties"}),
        ({"status", "url"}, {"status"}),  # the url is the copy's, never written
    ],
)
def test_update_patches_only_the_fields_asked(connector, respx_mock, fields, keys):
    route = respx_mock.patch(event_url("fffff1")).mock(return_value=httpx.Response(200, json=timed("fffff1")))
    connector.update("fffff1", canonical("Renamed"), if_version='"4"', fields=frozenset(fields))
    sent = body(route.calls.last)
    assert set(sent) == keys and route.calls.last.request.headers["If-Match"] == '"4"'
    if "summary" in keys:
        assert sent["summary"] == "Renamed"
    if "extendedProperties" in keys:
        assert sent["extendedProperties"] == {"private": {"obmHubTask": "lnk-task-017"}}


def test_update_marks_a_copy_met_at_first_contact_with_the_link(connector, respx_mock):
    route = respx_mock.patch(event_url("fffff2")).mock(return_value=httpx.Response(200, json=timed("fffff2")))
    connector.update("fffff2", canonical("Renamed"), fields=frozenset({"title"}), link_id="lnk-30")
    assert body(route.calls.last) == {
        "summary": "Renamed",
        "extendedProperties": {"private": {"obmHubLink": "lnk-30"}},
    }
    connector.update("fffff2", canonical(), fields=frozenset({"task_link"}), link_id="lnk-30")
    assert body(route.calls.last) == {
        "extendedProperties": {"private": {"obmHubLink": "lnk-30", "obmHubTask": "lnk-task-017"}}
    }


def test_update_refuses_names_that_are_no_event_fields(connector):
    with pytest.raises(ValueError, match="colour"):
        connector.update("fffff1", canonical(), fields=frozenset({"colour"}))


def test_attendees_are_merged_into_the_guest_list(connector, respx_mock):
    current = timed("ggggg1", etag='"7"', attendees=[CLIENT, CAMILLE, SOPHIE])
    respx_mock.get(event_url("ggggg1")).mock(return_value=httpx.Response(200, json=current))
    route = respx_mock.patch(event_url("ggggg1")).mock(return_value=httpx.Response(200, json=current))
    wanted = with_guests("camille@brightpath.coach", "lea@brightpath.coach", "stranger@elsewhere.example")
    connector.update("ggggg1", wanted, fields=frozenset({"attendees"}))
    # The client and Camille's answer stay; Sophie leaves; Léa is invited; a stranger is never invited.
    assert body(route.calls.last) == {"attendees": [CLIENT, CAMILLE, {"email": "lea@brightpath.coach"}]}
    assert route.calls.last.request.headers["If-Match"] == '"7"'  # the list it merged into


def test_a_guest_list_that_moved_is_a_conflict_before_any_write(connector, respx_mock):
    respx_mock.get(event_url("ggggg2")).mock(
        return_value=httpx.Response(200, json=timed("ggggg2", etag='"8"'))
    )
    patch = respx_mock.patch(event_url("ggggg2"))
    with pytest.raises(Conflict) as caught:
        connector.update("ggggg2", with_guests("lea@brightpath.coach"), if_version='"5"')
    assert caught.value.status == 412 and patch.call_count == 0


def test_attendees_read_are_the_workspaces_people_only(connector, respx_mock):
    listed = timed("ggggg3", attendees=[CLIENT, CAMILLE, SOPHIE])
    respx_mock.get(event_url("ggggg3")).mock(return_value=httpx.Response(200, json=listed))
    respx_mock.patch(event_url("ggggg3")).mock(return_value=httpx.Response(200, json=listed))
    remote = connector.update("ggggg3", canonical(), fields=frozenset({"title"}))
    assert remote.item.attendees == {"camille@brightpath.coach", "sophie@brightpath.coach"}


# -- create: whatever the insert answers, one event, the hub's, holding the item ---------------------


def test_an_insert_answered_with_someone_elses_event_is_a_conflict(connector, respx_mock):
    event_id = event_id_for_link("lnk-20")
    respx_mock.post(EVENTS_URL).mock(return_value=httpx.Response(200, json=timed(event_id)))
    patch = respx_mock.patch(event_url(event_id))
    with pytest.raises(Conflict, match="did not create"):
        connector.create(canonical(), link_id="lnk-20")
    assert patch.call_count == 0


def test_an_insert_answered_with_the_deleted_event_restores_it(connector, respx_mock):
    event_id = event_id_for_link("lnk-21")
    gone = linked(event_id, "lnk-21", status="cancelled", etag='"3"')
    respx_mock.post(EVENTS_URL).mock(return_value=httpx.Response(200, json=gone))
    patch = respx_mock.patch(event_url(event_id)).mock(
        return_value=httpx.Response(200, json={**gone, "status": "confirmed", "etag": '"4"'})
    )
    remote = connector.create(canonical(), link_id="lnk-21")
    assert patch.calls.last.request.headers["If-Match"] == '"3"'
    assert body(patch.calls.last)["status"] == "confirmed" and "id" not in body(patch.calls.last)
    assert remote.item.status == "confirmed" and remote.version == '"4"'


def test_an_insert_answered_with_older_content_brings_it_up_to_date(connector, respx_mock):
    event_id = event_id_for_link("lnk-22")
    older = {**linked(event_id, "lnk-22", etag='"5"'), "summary": "Old title"}
    respx_mock.post(EVENTS_URL).mock(return_value=httpx.Response(200, json=older))
    patch = respx_mock.patch(event_url(event_id)).mock(
        return_value=httpx.Response(200, json=linked(event_id, "lnk-22", etag='"6"'))
    )
    remote = connector.create(canonical(), link_id="lnk-22")
    assert body(patch.calls.last)["summary"] == "Send invoice to Nadia Haddad"
    assert remote.item.title == "Send invoice to Nadia Haddad"


def test_an_insert_answered_500_that_had_landed_is_found(connector, respx_mock):
    event_id = event_id_for_link("lnk-23")
    insert = respx_mock.post(EVENTS_URL).mock(return_value=google_error(500, "backendError", "Backend Error"))
    respx_mock.get(EVENTS_URL).mock(
        return_value=httpx.Response(
            200, json={"kind": "calendar#events", "items": [linked(event_id, "lnk-23")], "nextSyncToken": "s"}
        )
    )
    assert connector.create(canonical(), link_id="lnk-23").remote_id == event_id
    assert insert.call_count == 1


# -- the three rate-limit answers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (403, "userRateLimitExceeded", "User Rate Limit Exceeded"),
        (403, "rateLimitExceeded", "Rate Limit Exceeded"),
        (429, "rateLimitExceeded", "Rate Limit Exceeded"),
    ],
)
def test_each_rate_limit_answer_is_waited_out(connector, clock, respx_mock, status, reason, message):
    route = respx_mock.get(event_url("jjjjj3")).mock(
        side_effect=[
            google_error(status, reason, message, domain="usageLimits"),
            httpx.Response(200, json=timed("jjjjj3")),
        ]
    )
    assert connector.client.get_event(CALENDAR, "jjjjj3").id == "jjjjj3"
    assert route.call_count == 2 and clock.sleeps


# -- a service account without delegation never writes attendees -----------------------------------


@pytest.fixture
def undelegated(private_key_pem, options: CoreOptions) -> Iterator[GoogleCalendarConnector]:
    settings = GoogleSettings(service_account_json=SecretStr(service_account_json(private_key_pem)))
    with GoogleCalendarConnector.from_settings(
        settings, load_workspace(), options, clock=lambda: NOW
    ) as built:
        yield built


def test_a_service_account_without_delegation_leaves_attendees_alone(undelegated, respx_mock):
    assert SA_EMAIL and undelegated.invites is False
    event_id = event_id_for_link("lnk-24")
    route = respx_mock.post(EVENTS_URL).mock(
        return_value=httpx.Response(200, json=linked(event_id, "lnk-24"))
    )
    undelegated.create(with_guests("lea@brightpath.coach"), link_id="lnk-24")
    assert "attendees" not in body(route.calls.last)
    assert undelegated.represent(with_guests("lea@brightpath.coach")).attendees == frozenset()
    patch = respx_mock.patch(event_url(event_id)).mock(
        return_value=httpx.Response(200, json=linked(event_id, "x"))
    )
    undelegated.update(
        event_id, with_guests("lea@brightpath.coach"), fields=frozenset({"attendees", "title"})
    )
    assert body(patch.calls.last) == {"summary": "Send invoice to Nadia Haddad"}
