"""Where the real Calendar API is strict or surprising, the emulator is too (issue 8, Google items):
undetected id collisions, stable page tokens, short and empty pages, cancelled instances of an
unexpanded series, the three rate-limit answers, faults kept off the token endpoint, attendees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.sandbox.test_gcal_api import (
    EVENTS,
    MASTER,
    REFRESH_FORM,
    api_client,
    conforms,
    error_of,
    listed,
    timed,
)
from tests.sandbox.test_gcal_auth import jwt, sa_claims

WINDOW = {"singleEvents": "true", "timeMin": "2026-11-18T09:30:00Z"}


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


@pytest.fixture
def api(sandbox) -> Iterator[httpx.Client]:
    with api_client(sandbox) as client:
        yield client


def read_pages(api: httpx.Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of one read, as returned (the last one carries the sync token)."""
    pages, token = [], None
    while True:
        page = conforms(api.get(EVENTS, params={**params, **({"pageToken": token} if token else {})})).json()
        pages.append(page)
        assert ("nextPageToken" in page) != ("nextSyncToken" in page)
        token = page.get("nextPageToken")
        if token is None:
            return pages


def ids(pages: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for page in pages for item in page["items"]]


# -- 1. client-chosen ids: a collision that goes undetected -----------------------------------------


@pytest.fixture
def taken(api) -> dict[str, Any]:
    return conforms(api.post(EVENTS, json=timed("collide0001", summary="First write"))).json()


def test_a_taken_id_is_refused_with_409_by_default(api, taken):
    assert error_of(api.post(EVENTS, json=timed("collide0001", summary="Second write")))[:2] == (
        409,
        "duplicate",
    )


def test_undetected_collision_answers_with_the_event_already_there(api, sandbox, taken):
    sandbox.set_faults("google", silent_duplicates=1.0, duplicate_forms=["existing"])
    answer = conforms(api.post(EVENTS, json=timed("collide0001", summary="Second write")))
    assert answer.status_code == 200 and answer.json() == taken  # not what was sent
    assert api.get(f"{EVENTS}/collide0001").json()["summary"] == "First write"


def test_undetected_collision_answers_with_a_deleted_event(api, sandbox, taken):
    api.delete(f"{EVENTS}/collide0001")
    sandbox.set_faults("google", silent_duplicates=1.0, duplicate_forms=["existing"])
    answer = conforms(api.post(EVENTS, json=timed("collide0001", summary="Second write"))).json()
    assert answer["status"] == "cancelled" and answer["summary"] == "First write"


def test_undetected_collision_overwrites_the_event(api, sandbox, taken):
    sandbox.set_faults("google", silent_duplicates=1.0, duplicate_forms=["overwrite"])
    answer = conforms(api.post(EVENTS, json=timed("collide0001", summary="Second write"))).json()
    assert answer["summary"] == "Second write" and answer["etag"] != taken["etag"]
    assert answer["created"] == taken["created"]  # still one event: ids are unique per calendar
    assert [e["id"] for e in listed(api)].count("collide0001") == 1


def test_undetected_collision_fails_late_with_a_backend_error(api, sandbox, taken):
    sandbox.set_faults("google", silent_duplicates=1.0, duplicate_forms=["backendError"])
    assert error_of(api.post(EVENTS, json=timed("collide0001", summary="Second write")))[:2] == (
        500,
        "backendError",
    )
    assert api.get(f"{EVENTS}/collide0001").json()["etag"] == taken["etag"]


def test_collision_forms_are_drawn_at_random_and_only_for_taken_ids(api, sandbox, taken):
    sandbox.set_faults("google", silent_duplicates=1.0, seed=3)
    statuses = {api.post(EVENTS, json=timed("collide0001")).status_code for _ in range(12)}
    assert statuses == {200, 500}
    assert api.post(EVENTS, json=timed("freshid0001")).status_code == 200  # a free id is just inserted


# -- 4. page tokens are a stable position --------------------------------------------------------


def test_deleting_an_event_between_pages_skips_no_other_event(api):
    everything = [e["id"] for e in listed(api, **WINDOW)]
    first = conforms(api.get(EVENTS, params={**WINDOW, "maxResults": 5})).json()
    single = next(e for e in first["items"] if "recurringEventId" not in e)
    assert api.delete(f"{EVENTS}/{single['id']}").status_code == 204
    rest = read_pages(api, {**WINDOW, "maxResults": 5, "pageToken": first["nextPageToken"]})
    assert [e["id"] for e in first["items"]] + ids(rest) == everything


def test_an_event_added_before_the_position_repeats_no_event(api):
    everything = [e["id"] for e in listed(api, **WINDOW)]
    first = conforms(api.get(EVENTS, params={**WINDOW, "maxResults": 5})).json()
    early = timed(
        "firstone001",
        start={"dateTime": "2026-11-18T11:00:00+01:00"},
        end={"dateTime": "2026-11-18T11:30:00+01:00"},
    )
    assert api.post(EVENTS, json=early).status_code == 200
    rest = read_pages(api, {**WINDOW, "maxResults": 5, "pageToken": first["nextPageToken"]})
    assert [e["id"] for e in first["items"]] + ids(rest) == everything  # the newcomer waits for the sync


def test_a_page_token_is_only_for_the_query_that_issued_it(api):
    token = conforms(api.get(EVENTS, params={**WINDOW, "maxResults": 5})).json()["nextPageToken"]
    assert error_of(api.get(EVENTS, params={"orderBy": "updated", "pageToken": token}))[:2] == (
        400,
        "invalid",
    )
    assert error_of(api.get(EVENTS, params={"pageToken": "PGbm90LWEtdG9rZW4"}))[:2] == (400, "invalid")


# -- 6. short and empty pages --------------------------------------------------------------------


def test_short_and_empty_pages_still_cover_the_whole_listing(api, sandbox):
    everything = [e["id"] for e in listed(api, **WINDOW)]
    sandbox.set_faults("google", short_pages=0.5, seed=7)
    pages = read_pages(api, {**WINDOW, "maxResults": 10})
    sizes = [len(page["items"]) for page in pages]
    assert ids(pages) == everything
    assert 0 in sizes[:-1] and any(0 < size < 10 for size in sizes[:-1])  # emptied, shortened
    tokens = [page["nextPageToken"] for page in pages[:-1]]
    assert len(set(tokens)) == len(tokens)  # an empty page still moves the token on


def test_incremental_pages_can_be_short_too(api, sandbox):
    token = read_pages(api, WINDOW)[-1]["nextSyncToken"]
    for number in range(12):
        api.post(EVENTS, json=timed(f"shortpage{number:03d}"))
    sandbox.set_faults("google", short_pages=0.5, seed=7)
    pages = read_pages(api, {"singleEvents": "true", "syncToken": token, "maxResults": 5})
    assert ids(pages) == [f"shortpage{number:03d}" for number in range(12)]
    assert len(pages) > 3


# -- 5. cancelled instances of a series listed unexpanded ----------------------------------------


def test_cancelled_instances_are_listed_with_the_series_unless_expanded(api):
    removed = f"{MASTER}_20261214T083000Z"
    assert api.delete(f"{EVENTS}/{removed}").status_code == 204
    window = {"timeMin": "2026-12-06T00:00:00Z", "timeMax": "2026-12-20T00:00:00Z"}
    unexpanded = {e["id"]: e for e in listed(api, **window)}
    assert unexpanded[removed] == {
        "kind": "calendar#event",
        "etag": unexpanded[removed]["etag"],
        "id": removed,
        "status": "cancelled",
        "recurringEventId": MASTER,
        "originalStartTime": {"dateTime": "2026-12-14T09:30:00+01:00", "timeZone": "Europe/Paris"},
    }
    assert unexpanded[MASTER]["status"] == "confirmed"
    assert removed not in {e["id"] for e in listed(api, singleEvents="true", **window)}
    assert api.delete(f"{EVENTS}/{MASTER}").status_code == 204  # the whole series goes
    assert {MASTER, removed} & {e["id"] for e in listed(api, **window)} == set()


# -- 7. the three rate-limit answers; the token endpoint is never faulted ---------------------------


@pytest.mark.parametrize(
    ("form", "status", "reason", "message"),
    [
        ("403 userRateLimitExceeded", 403, "userRateLimitExceeded", "User Rate Limit Exceeded"),
        ("403 rateLimitExceeded", 403, "rateLimitExceeded", "Rate Limit Exceeded"),
        ("429 rateLimitExceeded", 429, "rateLimitExceeded", "Rate Limit Exceeded"),
    ],
)
def test_a_storm_answers_in_the_form_asked(api, sandbox, form, status, reason, message):
    sandbox.set_faults("google", storm=1, storm_forms=[form])
    response = api.get(EVENTS)
    assert error_of(response) == (status, reason, message)
    assert response.json()["error"]["errors"][0]["domain"] == "usageLimits"
    assert "Retry-After" not in response.headers  # none is documented
    assert api.get(EVENTS).status_code == 200


def test_a_storm_draws_all_three_forms(api, sandbox):
    sandbox.set_faults("google", storm=30, seed=1)
    answers = {error_of(api.get(EVENTS))[:2] for _ in range(30)}
    assert answers == {(403, "userRateLimitExceeded"), (403, "rateLimitExceeded"), (429, "rateLimitExceeded")}


def test_forms_the_calendar_does_not_have_are_refused(sandbox):
    root = sandbox.root_url("google")
    refused = httpx.post(root + "/_sandbox/faults", json={"storm_forms": ["418 teapot"]})
    assert refused.status_code == 400 and "storm_forms" in refused.json()["error"]
    assert httpx.post(root + "/_sandbox/faults", json={"duplicate_forms": ["twice"]}).status_code == 400


def test_faults_never_reach_the_token_endpoint(api, sandbox):
    sandbox.set_faults("google", error_rate=1.0, kinds=["503"], storm=2)
    root = sandbox.root_url("google")
    for _ in range(3):
        granted = httpx.post(root + "/token", data=REFRESH_FORM)
        assert granted.status_code == 200 and "access_token" in granted.json()
    assert api.get(EVENTS).status_code in (403, 429)  # the storm hits the API only
    assert api.get(EVENTS).status_code in (403, 429)
    assert error_of(api.get(EVENTS))[:2] == (503, "backendError")


# -- attendees, and event times to the second -----------------------------------------------------


def test_attendees_need_an_email_and_start_with_needs_action(api):
    created = api.post(EVENTS, json=timed("guests00001", attendees=[{"email": "nadia@example.com"}])).json()
    assert created["attendees"] == [{"email": "nadia@example.com", "responseStatus": "needsAction"}]
    refused = api.post(EVENTS, json=timed("guests00002", attendees=[{"displayName": "Nadia"}]))
    assert error_of(refused)[:2] == (400, "invalid")


def test_a_service_account_without_delegation_cannot_invite(sandbox):
    grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": jwt(**sa_claims())}
    access = httpx.post(sandbox.root_url("google") + "/token", data=grant).json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    with httpx.Client(base_url=sandbox.base_url("google"), headers=headers) as account:
        invite = timed("guests00003", attendees=[{"email": "nadia@example.com"}])
        response = account.post(EVENTS, json=invite)
        assert error_of(response) == (
            403,
            "forbiddenForServiceAccounts",
            "Service accounts cannot invite attendees without Domain-Wide Delegation of Authority.",
        )
        assert response.json()["error"]["errors"][0]["domain"] == "calendar"
        assert account.post(EVENTS, json=timed("guests00003")).status_code == 200  # no attendees: fine


def test_event_times_are_kept_to_the_second(api):
    body = timed(
        "seconds0001",
        start={"dateTime": "2026-11-27T14:00:05.250+01:00"},
        end={"dateTime": "2026-11-27T14:30:00.999999+01:00"},
    )
    created = api.post(EVENTS, json=body).json()
    assert (created["start"]["dateTime"], created["end"]["dateTime"]) == (
        "2026-11-27T14:00:05+01:00",
        "2026-11-27T14:30:00+01:00",
    )


# -- deleted events eventually disappear ------------------------------------------------------------


def test_purged_events_answer_404_and_old_sync_tokens_410(api, sandbox):
    token = read_pages(api, WINDOW)[-1]["nextSyncToken"]
    api.post(EVENTS, json=timed("purged00001"))
    api.delete(f"{EVENTS}/purged00001")
    removed = f"{MASTER}_20261214T083000Z"
    api.delete(f"{EVENTS}/{removed}")  # a cancelled instance of a live series is kept
    purged = httpx.post(sandbox.root_url("google") + "/_sandbox/actions/purge_deleted").json()
    assert purged == {"action": "purge_deleted", "result": ["purged00001"]}
    assert error_of(api.get(f"{EVENTS}/purged00001"))[:2] == (404, "notFound")
    assert error_of(api.delete(f"{EVENTS}/purged00001"))[:2] == (404, "notFound")
    assert api.get(f"{EVENTS}/{removed}").json()["status"] == "cancelled"
    assert error_of(api.get(EVENTS, params={"singleEvents": "true", "syncToken": token}))[:2] == (
        410,
        "fullSyncRequired",
    )
