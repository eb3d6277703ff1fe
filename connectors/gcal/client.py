"""A small typed client for the Google Calendar v3 events resource, over the shared HTTP core.

Each method builds the path, query and body of one API call and returns raw models; retries,
throttling, error mapping (a 412 is `Conflict`, a 410 `fullSyncRequired` is `CursorExpired`) and
logging are the core's. Reference: https://developers.google.com/calendar/api/v3/reference/events
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.gcal.models import GoogleEvent, GoogleEventList
from connectors.http import HttpCore
from connectors.pagination import Page, iterate_pages
from connectors.parsing import parse

SERVICE = "google"
EVENTS = "/calendars/{calendarId}/events"
EVENT = "/calendars/{calendarId}/events/{eventId}"
# The API refuses these together with syncToken (discovery, `syncToken` description).
NOT_WITH_SYNC_TOKEN = ("time_min", "private_extended_property")


@dataclass(frozen=True)
class EventQuery:
    """The query of one `events.list` read, the same on every page."""

    sync_token: str | None = None
    time_min: datetime | None = None
    single_events: bool | None = None
    show_deleted: bool | None = None
    private_extended_property: Sequence[str] = field(default_factory=tuple)
    max_results: int | None = None

    def __post_init__(self) -> None:
        if self.sync_token is not None and (self.time_min is not None or self.private_extended_property):
            raise ValueError(
                f"events.list does not accept {' or '.join(NOT_WITH_SYNC_TOKEN)} with a syncToken"
            )
        if self.time_min is not None and self.time_min.utcoffset() is None:
            raise ValueError("timeMin must be timezone-aware (RFC 3339 with an offset)")

    def params(self, page_token: str | None) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if self.sync_token is not None:
            params.append(("syncToken", self.sync_token))
        if self.time_min is not None:
            params.append(("timeMin", self.time_min.isoformat(timespec="seconds")))
        for name, flag in (("singleEvents", self.single_events), ("showDeleted", self.show_deleted)):
            if flag is not None:
                params.append((name, "true" if flag else "false"))
        params += [("privateExtendedProperty", value) for value in self.private_extended_property]
        if self.max_results is not None:
            params.append(("maxResults", str(self.max_results)))
        if page_token is not None:
            params.append(("pageToken", page_token))
        return params


@dataclass(frozen=True)
class EventListing:
    """Every page of one read: the items, the calendar's zone, and the LAST page's `nextSyncToken`."""

    items: list[GoogleEvent]
    sync_token: str | None
    time_zone: str | None


class GoogleCalendarClient:
    """Calls on one Google account's calendars; build it over a core from `build_core("google", ...)`."""

    def __init__(self, core: HttpCore) -> None:
        self.core = core

    def close(self) -> None:
        self.core.close()

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        page_token: str | None = None,
        time_min: datetime | None = None,
        single_events: bool | None = None,
        show_deleted: bool | None = None,
        private_extended_property: Sequence[str] = (),
        max_results: int | None = None,
    ) -> GoogleEventList:
        """One page of events.
        https://developers.google.com/calendar/api/v3/reference/events/list

        `private_extended_property` holds `name=value` filters (ANDed). `time_min` bounds the events'
        END (exclusive). With `sync_token`, only changes since the token come back, deleted ones as
        `status: cancelled` stubs; `time_min` and the property filters are then refused.
        """
        query = EventQuery(
            sync_token, time_min, single_events, show_deleted, tuple(private_extended_property), max_results
        )
        return self._page(calendar_id, query, page_token)

    def read_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        time_min: datetime | None = None,
        single_events: bool | None = None,
        show_deleted: bool | None = None,
        private_extended_property: Sequence[str] = (),
        max_results: int | None = None,
    ) -> EventListing:
        """Every page of `list_events` with these parameters.

        The sync token is taken from the last page only (the API puts it there and nowhere else); a
        page token seen twice fails loudly (`BadData`) instead of looping.
        """
        query = EventQuery(
            sync_token, time_min, single_events, show_deleted, tuple(private_extended_property), max_results
        )
        pages: list[GoogleEventList] = []

        def fetch(page_token: str | None) -> Page[GoogleEvent]:
            page = self._page(calendar_id, query, page_token)
            pages.append(page)
            return Page(page.items, page.next_page_token)

        items = [item for page in iterate_pages(fetch, service=SERVICE) for item in page.items]
        last = pages[-1]
        return EventListing(items, last.next_sync_token, last.time_zone)

    def get_event(self, calendar_id: str, event_id: str) -> GoogleEvent:
        """One event; cancelled events are returned too (status `cancelled`).
        https://developers.google.com/calendar/api/v3/reference/events/get
        """
        data = self.core.request_json("GET", EVENT, path={"calendarId": calendar_id, "eventId": event_id})
        return parse(GoogleEvent, data, service=SERVICE, method="GET", path=EVENT)

    def insert_event(self, calendar_id: str, body: dict[str, Any]) -> GoogleEvent:
        """Create an event; `body["id"]` may be chosen by the client (base32hex, 5-1024 characters).
        https://developers.google.com/calendar/api/v3/reference/events/insert

        Never resent by the core, even with a chosen id: Google "cannot guarantee that ID collisions
        will be detected at event creation time" (discovery `Event.id`), so a resent insert may be
        answered with another event, or overwrite one, instead of 409 `duplicate`. The connector
        looks before it inserts again.
        """
        data = self.core.request_json("POST", EVENTS, path={"calendarId": calendar_id}, json=body)
        return parse(GoogleEvent, data, service=SERVICE, method="POST", path=EVENTS)

    def patch_event(
        self, calendar_id: str, event_id: str, body: dict[str, Any], *, etag: str | None = None
    ) -> GoogleEvent:
        """Change the given fields only; with `etag`, only if the event still has it (else 412, `Conflict`).
        https://developers.google.com/calendar/api/v3/reference/events/patch
        """
        return self._write("PATCH", calendar_id, event_id, body, etag)

    def update_event(
        self, calendar_id: str, event_id: str, body: dict[str, Any], *, etag: str | None = None
    ) -> GoogleEvent:
        """Replace the event (fields left out are cleared); `etag` as for `patch_event`.
        https://developers.google.com/calendar/api/v3/reference/events/update
        """
        return self._write("PUT", calendar_id, event_id, body, etag)

    def delete_event(self, calendar_id: str, event_id: str, *, etag: str | None = None) -> None:
        """Delete the event: it then reads as `status: cancelled`, and incremental reads list it.
        https://developers.google.com/calendar/api/v3/reference/events/delete
        """
        self.core.request(
            "DELETE", EVENT, path={"calendarId": calendar_id, "eventId": event_id}, headers=_if_match(etag)
        )

    def _page(self, calendar_id: str, query: EventQuery, page_token: str | None) -> GoogleEventList:
        data = self.core.request_json(
            "GET", EVENTS, path={"calendarId": calendar_id}, params=query.params(page_token)
        )
        return parse(GoogleEventList, data, service=SERVICE, method="GET", path=EVENTS)

    def _write(
        self, method: str, calendar_id: str, event_id: str, body: dict[str, Any], etag: str | None
    ) -> GoogleEvent:
        data = self.core.request_json(
            method,
            EVENT,
            path={"calendarId": calendar_id, "eventId": event_id},
            json=body,
            headers=_if_match(etag),
        )
        return parse(GoogleEvent, data, service=SERVICE, method=method, path=EVENT)


def _if_match(etag: str | None) -> dict[str, str] | None:
    return {"If-Match": etag} if etag else None
