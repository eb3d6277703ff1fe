"""The Calendar emulator's endpoints: events list/get/insert/patch/update/delete, and `POST /token`.

Paths and parameters are the discovery document's (`resources.events.methods`); pagination and sync
follow https://developers.google.com/calendar/api/guides/sync (tokens: `paging.py`):
- `maxResults` (default 250, at most 2500) cuts pages, which the `short_pages` fault may shorten or
  empty; `nextPageToken` on every page but the last, `nextSyncToken` on the last only;
- a sync token carries the change number reached when the read began, the sync epoch, its issue time
  and the `singleEvents` it was issued for. It answers 410 `fullSyncRequired` (NOTES.md body) once
  `expire_sync_tokens()` was called or after `SYNC_TOKEN_MAX_AGE`. The real API does not publish a
  lifetime; ours is a sandbox choice, long enough for daily runs and short enough to be met;
- the parameters the API refuses with `syncToken` answer 400, and so (a sandbox strictness: the API
  calls it "undefined behavior") does a `singleEvents` different from the one the token was issued for.
Wording of the 400 messages that NOTES.md does not record is ours.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import QueryParams

from sandbox.emulator import ApiError
from sandbox.gcal.listing import Query, list_events
from sandbox.gcal.paging import PagePosition, SyncToken, cut
from sandbox.gcal.quirks import DUPLICATE_FORMS, answer_collision, check_inviter
from sandbox.gcal.store import CalendarStore, bad_request

if TYPE_CHECKING:
    from sandbox.gcal.emulator import GoogleCalendarEmulator

TOKEN_PATH = "/token"
DEFAULT_PAGE_SIZE = 250
MAX_PAGE_SIZE = 2500
SYNC_TOKEN_MAX_AGE = timedelta(days=7)
NOT_WITH_SYNC_TOKEN = (
    "iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin", "timeMax",
    "updatedMin",
)  # fmt: skip
EVENTS = "/calendars/{calendarId}/events"
EVENT = "/calendars/{calendarId}/events/{eventId}"


def register(router: APIRouter, emulator: GoogleCalendarEmulator) -> None:
    """Add the Calendar routes under the router's prefix."""
    _register_reads(router, emulator)
    _register_writes(router, emulator)


def register_token(router: APIRouter, emulator: GoogleCalendarEmulator) -> None:
    """The OAuth token endpoint, at the root: the token URI is https://oauth2.googleapis.com/token."""

    async def token(request: Request) -> Response:
        # Form-encoded (RFC 6749 §4.1.3); parsed here, python-multipart is not a dependency.
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        failure = emulator.issuer.take_failure()
        if failure in ("unavailable", "rate_limited"):
            return _token_failure(failure, {})
        status, body = emulator.issuer.exchange(form, emulator.now())
        if failure == "truncated":  # the grant went through; its answer did not
            return _token_failure(failure, body)
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    router.add_api_route(TOKEN_PATH, token, methods=["POST"])


def _token_failure(form: str, answer: dict[str, Any]) -> Response:
    """A token endpoint failure that is not the grant's fault (`oauth.TOKEN_FAILURES`)."""
    headers = {"Cache-Control": "no-store"}
    if form == "unavailable":
        body = {"error": "internal_failure", "error_description": "Backend Error"}
        return JSONResponse(body, status_code=503, headers=headers)
    if form == "rate_limited":
        body = {"error": "rate_limit_exceeded", "error_description": "Rate Limit Exceeded"}
        return JSONResponse(body, status_code=429, headers=headers)
    text = json.dumps(answer)  # truncated: the real answer, cut in the middle
    return Response(text[: len(text) // 2], status_code=200, media_type="application/json", headers=headers)


def _register_reads(router: APIRouter, emulator: GoogleCalendarEmulator) -> None:
    @router.get(EVENTS)
    async def list_(calendarId: str, request: Request) -> Response:
        store, faults = emulator.calendar(calendarId), emulator.faults
        shorten = faults.applies_to("GET", request.url.path)
        page_length = faults.page_length if shorten else _whole
        return JSONResponse(events_page(store, request.query_params, emulator.now(), page_length))

    @router.get(EVENT)
    async def get(calendarId: str, eventId: str) -> Response:
        return JSONResponse(emulator.calendar(calendarId).get(eventId))


def _register_writes(router: APIRouter, emulator: GoogleCalendarEmulator) -> None:
    @router.post(EVENTS)
    async def insert(calendarId: str, request: Request) -> Response:
        store, body = emulator.calendar(calendarId), await _json(request)
        creator = emulator.identify(request) or store.owner
        check_inviter(creator, body)
        form = _undetected_collision(emulator, request, store, body)
        if form is not None:
            return JSONResponse(answer_collision(store, body, emulator.now(), form))
        return JSONResponse(store.insert(body, emulator.now(), creator))

    @router.patch(EVENT)
    async def patch(calendarId: str, eventId: str, request: Request) -> Response:
        store, body = emulator.calendar(calendarId), await _json(request)
        check_inviter(emulator.identify(request) or store.owner, body)
        if_match = request.headers.get("If-Match")
        return JSONResponse(store.patch(eventId, body, if_match, emulator.now()))

    @router.put(EVENT)
    async def update(calendarId: str, eventId: str, request: Request) -> Response:
        store, body = emulator.calendar(calendarId), await _json(request)
        check_inviter(emulator.identify(request) or store.owner, body)
        if_match = request.headers.get("If-Match")
        return JSONResponse(store.update(eventId, body, if_match, emulator.now()))

    @router.delete(EVENT)
    async def delete(calendarId: str, eventId: str, request: Request) -> Response:
        store = emulator.calendar(calendarId)
        store.delete(eventId, request.headers.get("If-Match"), emulator.now())
        return Response(status_code=204)


def events_page(
    store: CalendarStore, params: QueryParams, now: datetime, page_length: Callable[[int], int]
) -> dict[str, Any]:
    """One page of `events.list` for these query parameters; `page_length` may shorten it."""
    query, single = _query(store, params, now)
    size = min(_integer(params, "maxResults", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    token = params.get("pageToken")
    position = PagePosition.decode(token, query.order) if token else PagePosition(query.order, store.seq)
    rows, following = cut(list_events(store, query), position, size, page_length)
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"p{store.seq:012d}"',
        "summary": store.summary,
        "updated": max((e["updated"] for e in store.events.values()), default=None),
        "timeZone": store.time_zone,
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "items": [row.resource for row in rows],
    }
    if following is not None:
        body["nextPageToken"] = following.encode()
    else:
        sync = SyncToken(store.sync_epoch, position.snapshot, int(now.timestamp()), single)
        body["nextSyncToken"] = sync.encode()
    return {key: value for key, value in body.items() if value is not None}


def _query(store: CalendarStore, params: QueryParams, now: datetime) -> tuple[Query, bool]:
    single = _boolean(params, "singleEvents", False)
    show_deleted = _boolean(params, "showDeleted", False)
    if "syncToken" in params:
        return Query(single_events=single, since=_since(store, params, now, single)), single
    time_min, time_max = _time(params, "timeMin"), _time(params, "timeMax")
    if time_min is not None and time_max is not None and time_max <= time_min:
        raise bad_request(
            "The specified time range is empty.", "timeRangeEmpty",
            domain="calendar", location="timeMax", locationType="parameter",
        )  # fmt: skip
    order_by = params.get("orderBy")
    if order_by not in (None, "startTime", "updated"):
        raise bad_request(f"Invalid value for: orderBy = {order_by}", location="orderBy")
    if order_by == "startTime" and not single:
        raise bad_request("The requested ordering is not available for the particular query.", "badRequest")
    query = Query(
        single_events=single,
        show_deleted=show_deleted,
        time_min=time_min,
        time_max=time_max,
        order_by=order_by,
        private=tuple(_property(value) for value in params.getlist("privateExtendedProperty")),
        updated_min=_time(params, "updatedMin"),
    )
    return query, single


def _since(store: CalendarStore, params: QueryParams, now: datetime, single: bool) -> int:
    refused = [name for name in NOT_WITH_SYNC_TOKEN if name in params]
    if refused or params.get("showDeleted") == "false":
        names = ", ".join(refused) or "showDeleted=false"
        raise bad_request(f"The sync token cannot be used with other requested query parameters ({names}).")
    token = SyncToken.decode(params["syncToken"])
    too_old = now.timestamp() - token.issued > SYNC_TOKEN_MAX_AGE.total_seconds()
    if token.epoch != store.sync_epoch or too_old:
        raise ApiError(
            410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired",
            domain="calendar", locationType="parameter", location="syncToken",
        )  # fmt: skip
    if token.single_events != single:
        raise bad_request(
            "singleEvents differs from the read that issued the sync token.", location="syncToken"
        )
    return token.seq


def _whole(count: int) -> int:
    return count


def _undetected_collision(
    emulator: GoogleCalendarEmulator, request: Request, store: CalendarStore, body: dict[str, Any]
) -> str | None:
    """The form in which this insert's id collision goes undetected, or None (the usual 409)."""
    faults = emulator.faults
    taken = isinstance(body.get("id"), str) and body["id"] in store.events
    if not taken or not faults.applies_to("POST", request.url.path):
        return None
    if not faults.chance(faults.silent_duplicates):
        return None
    return faults.choose(faults.duplicate_forms or DUPLICATE_FORMS)


def _boolean(params: QueryParams, name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise bad_request(f"Invalid boolean value: {value}", location=name, locationType="parameter")
    return value == "true"


def _integer(params: QueryParams, name: str, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise bad_request(f"Invalid value for: {name} = {value}", location=name, locationType="parameter")
    return int(value)


def _time(params: QueryParams, name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if (
        moment is None or moment.tzinfo is None
    ):  # "Must be an RFC3339 timestamp with mandatory time zone offset"
        raise bad_request("Bad Request", location=name, locationType="parameter")
    return moment


def _property(value: str) -> tuple[str, str]:
    name, equals, wanted = value.partition("=")
    if not equals or not name:
        raise bad_request(
            f"Invalid value for: privateExtendedProperty = {value}", location="privateExtendedProperty"
        )
    return name, wanted


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "Parse Error", "parseError", domain="global")
    return body
