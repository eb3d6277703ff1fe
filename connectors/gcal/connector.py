"""The Google Calendar connector: canonical `Event`s in and out of one calendar.

Reads (https://developers.google.com/calendar/api/guides/sync):
- `fetch_changes(None)` is a full read of the events that end after `now - LOOKBACK`; it returns
  `full=True` and the last page's `nextSyncToken` as the cursor;
- `fetch_changes(token)` is incremental: changed events, and the ids of deleted (cancelled) ones;
- an expired token (410 `fullSyncRequired`) falls back to a full read, which says `full=True`: only
  then may the caller take an absent event as gone.

Both reads send the same `singleEvents` (the API wants every parameter but the forbidden ones equal on
the full and the incremental reads). Pages may come back short or empty with a `nextPageToken`
(`maxResults`: "may be less than this value, or none at all"); the client walks them all. An event
listed twice in one read (it moved while the read went on) counts once, as its last listing.

Writes (the version of a copy is its etag):
- `create` inserts under an id derived from the link id, and never resends blindly: Google "cannot
  guarantee that ID collisions will be detected at event creation time" (`Event.id`), so a taken id
  may be answered 409, or 200 with the event already there (maybe deleted), or 500. After an insert
  that got no readable answer, it looks the event up by its link before inserting once more; whatever
  comes back is checked to be the hub's event for that link, and brought to the wanted content
  (restored if deleted) with an `If-Match` patch when it is not;
- `update` patches only the fields asked for, with `If-Match`; attendees are merged into the current
  guest list (read first), never replaced;
- `archive` deletes; already deleted (410) or gone for good (404) counts as done.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx

from config.hub_file import Workspace
from config.settings import GoogleSettings
from connectors.base import Closing, require_ready
from connectors.errors import BadData, Conflict, ConnectorError, CursorExpired, NotFound, Unavailable
from connectors.gcal.auth import GoogleAuth, HttpxRequest, build_credentials, may_invite
from connectors.gcal.client import EventListing, GoogleCalendarClient
from connectors.gcal.mapping import (
    LINK_PROPERTY,
    attendee_list,
    event_id_for_link,
    link_of,
    represent,
    to_body,
    to_remote,
    wire_keys,
)
from connectors.gcal.models import GoogleEvent
from connectors.http import CoreOptions, build_core
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import Event

logger = logging.getLogger(__name__)

# The hub reads expanded instances: a recurring meeting shows as its occurrences (each with its own
# id `{masterId}_{start}`, `recurringEventId` and `originalStartTime`), which is what a day's agenda
# and the morning summary need. Every read (full, incremental, by link) uses this same value.
SINGLE_EVENTS = True
# How far back a full read goes: events that ended before this are history, not work to sync. Two
# weeks: last week's summary (read as late as Sunday, 13 days after last Monday) needs all of last
# week's meetings, and the read costs the same request.
LOOKBACK = timedelta(days=14)


class GoogleCalendarConnector(Closing):
    """One calendar, as canonical events. Build it with `from_settings`."""

    service = "google"

    def __init__(
        self,
        client: GoogleCalendarClient,
        calendar_id: str,
        *,
        timezone: str,
        people: frozenset[str] = frozenset(),
        invites: bool = True,
        clock: Clock = utc_now,
        token_client: httpx.Client | None = None,
    ) -> None:
        self.client = client
        self.calendar_id = calendar_id
        self.timezone = timezone  # the calendar's zone; list responses update it
        self.people = people  # the workspace's people, lower-case emails: the attendees the hub syncs
        self.invites = invites  # whether the credentials may write attendees
        self._clock = clock
        self._token_client = token_client

    @classmethod
    def from_settings(
        cls,
        settings: GoogleSettings,
        workspace: Workspace,
        options: CoreOptions | None = None,
        *,
        clock: Clock = utc_now,
    ) -> GoogleCalendarConnector:
        require_ready("google", settings, workspace)
        assert workspace.google is not None
        options = options or CoreOptions()
        credentials = build_credentials(settings)
        # A plain client for the token endpoint: it is no Calendar API call (see auth.py).
        token_client = httpx.Client(transport=options.transport, timeout=options.timeout)
        token_request = HttpxRequest(token_client, options.stats, retry=options.retry, sleep=options.sleep)
        auth = GoogleAuth(credentials, token_request)
        # The limiter is per user: key it on who the token speaks for, never on a secret.
        who = getattr(credentials, "service_account_email", None) or settings.client_id
        core = build_core(
            "google", settings.base_url, credential=f"{who}|{settings.subject}", auth=auth, options=options
        )
        return cls(
            GoogleCalendarClient(core),
            workspace.google.calendar_id,
            timezone=workspace.timezone,
            people=frozenset(person.email.lower() for person in workspace.people),
            invites=may_invite(credentials, settings.subject),
            clock=clock,
            token_client=token_client,
        )

    def close(self) -> None:
        self.client.close()
        if self._token_client is not None:
            self._token_client.close()

    def represent(self, item: Event) -> Event:
        """The event as this calendar would hold it after a write and a read (pure)."""
        return represent(item, calendar_timezone=self.timezone, people=self.people, invites=self.invites)

    # -- reads ---------------------------------------------------------------------------------

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[Event]] | None = None
    ) -> ChangeBatch[Event]:
        """A full read when `cursor` is None or expired (`full=True`), else the changes since it."""
        if cursor is None:
            return self._full_read()
        try:
            listing = self.client.read_events(
                self.calendar_id, sync_token=cursor, single_events=SINGLE_EVENTS
            )
        except CursorExpired:
            logger.warning(
                "google sync token for calendar %s expired; reading the calendar in full instead "
                "(the batch is marked full: absent events count as gone only for this kind of batch)",
                self.calendar_id,
            )
            return self._full_read()
        return self._batch(listing, full=False)

    def find_by_link(self, link_id: str) -> list[Remote[Event]]:
        """The events (live or deleted) carrying `link_id`, found on the service: how a lost create
        answer or a lost link is repaired. Deleted ones have `status="cancelled"`."""
        found = []
        for raw in self._copies(link_id):
            try:
                found.append(self._remote(raw))
            except BadData as exc:
                logger.warning("google event carrying link %s cannot be read: %s", link_id, exc)
        return found

    def _copies(self, link_id: str) -> list[GoogleEvent]:
        listing = self.client.read_events(
            self.calendar_id,
            private_extended_property=[f"{LINK_PROPERTY}={link_id}"],
            single_events=SINGLE_EVENTS,
            show_deleted=True,
        )
        # A deleted event may be listed as a stub ("only the id field is guaranteed"); `events.get`
        # "always returns" it in full on the organizer's calendar.
        return [
            self.client.get_event(self.calendar_id, raw.id) if raw.cancelled and raw.start is None else raw
            for raw in listing.items
        ]

    def _full_read(self) -> ChangeBatch[Event]:
        since = self._clock() - LOOKBACK
        listing = self.client.read_events(self.calendar_id, time_min=since, single_events=SINGLE_EVENTS)
        return self._batch(listing, full=True)

    def _batch(self, listing: EventListing, *, full: bool) -> ChangeBatch[Event]:
        if listing.sync_token is None:
            raise BadData("google ended a read without a nextSyncToken", service=self.service)
        if listing.time_zone:
            self.timezone = listing.time_zone
        latest = {raw.id: raw for raw in listing.items}  # listed twice: the later listing wins
        items: list[Remote[Event]] = []
        deleted: list[str] = []
        skipped: list[str] = []
        for raw in latest.values():
            if raw.cancelled:
                # A deletion: "only the id field is guaranteed". A full read lists none.
                if not full:
                    deleted.append(raw.id)
                continue
            try:
                items.append(self._remote(raw))
            except BadData as exc:
                logger.warning("skipping google event: %s", exc)
                skipped.append(raw.id)
        return ChangeBatch(
            items=tuple(items),
            deleted=tuple(deleted),
            cursor=listing.sync_token,
            full=full,
            skipped=tuple(skipped),
        )

    # -- writes --------------------------------------------------------------------------------

    def create(self, item: Event, *, link_id: str) -> Remote[Event]:
        """Insert the event under the id derived from `link_id`; never a second copy (module docstring)."""
        body = self._body(item, event_id=event_id_for_link(link_id), link_id=link_id)
        return self._settle(self._insert(body, link_id), item, link_id)

    def update(
        self,
        remote_id: str,
        item: Event,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[Event]:
        """Patch `fields` of the event (all synced fields when None), and mark it with `link_id` when
        given; with `if_version` (an etag) a moved event raises `Conflict` (412)."""
        keys = wire_keys(fields)
        current = None
        if "attendees" in keys and self.invites:
            current = self.client.get_event(self.calendar_id, remote_id)  # the guest list to merge into
            if if_version is not None and current.etag != if_version:
                raise Conflict(
                    f"google event {remote_id} changed since version {if_version}",
                    service=self.service,
                    status=412,
                    code="conditionNotMet",
                )
        body = {k: v for k, v in self._body(item, current=current).items() if k in keys}
        if link_id is not None:  # merged key by key into the private properties: nothing else is lost
            body.setdefault("extendedProperties", {}).setdefault("private", {})[LINK_PROPERTY] = link_id
        etag = if_version or (current.etag if current is not None else None)
        return self._remote(self.client.patch_event(self.calendar_id, remote_id, body, etag=etag))

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Delete the event (it then reads as cancelled); already deleted or gone counts as done."""
        try:
            self.client.delete_event(self.calendar_id, remote_id, etag=if_version)
        except NotFound as exc:
            # 410 "deleted": a resent DELETE, or someone deleted it first. 404: deleted events
            # "will eventually disappear" (discovery `Event.status`), then they are simply not found.
            logger.info("google event %s was already deleted (%s)", remote_id, exc.status)

    def _insert(self, body: dict[str, Any], link_id: str) -> GoogleEvent:
        """The event the insert left under the id: inserted, or found already there."""
        try:
            return self._insert_once(body)
        except ConnectorError as exc:
            if not _unanswered(exc):
                raise
        logger.warning(
            "google insert for link %s got no answer; looking for it before inserting again", link_id
        )
        copies = self._copies(link_id)
        if copies:
            return next((raw for raw in copies if raw.id == body["id"]), copies[0])
        return self._insert_once(body)

    def _insert_once(self, body: dict[str, Any]) -> GoogleEvent:
        try:
            return self.client.insert_event(self.calendar_id, body)
        except Conflict as exc:
            if exc.code != "duplicate":
                raise
        return self.client.get_event(self.calendar_id, str(body["id"]))

    def _settle(self, raw: GoogleEvent, item: Event, link_id: str) -> Remote[Event]:
        """`raw` as the hub's copy of `item`: refused if it is another's, patched if it differs."""
        if link_of(raw) != link_id:
            raise Conflict(
                f"google event id {raw.id} is taken by an event the hub did not create for this link",
                service=self.service,
                code="duplicate",
            )
        if not raw.cancelled:
            held = self._remote(raw)
            if held.item.content_hash() == self.represent(item).content_hash():
                return held
        # Deleted earlier and wanted again (the id stays taken), or holding other content: bring it
        # to `item` in place, only if nobody changed it meanwhile.
        body = {k: v for k, v in self._body(item, link_id=link_id, current=raw).items() if k != "id"}
        logger.info("google event %s already existed for link %s; bringing it up to date", raw.id, link_id)
        return self._remote(self.client.patch_event(self.calendar_id, raw.id, body, etag=raw.etag))

    def _body(
        self,
        item: Event,
        *,
        event_id: str | None = None,
        link_id: str | None = None,
        current: GoogleEvent | None = None,
    ) -> dict[str, Any]:
        guests = None
        if self.invites and (item.attendees & self.people or (current is not None and current.attendees)):
            guests = attendee_list(item.attendees, self.people, (current.attendees or []) if current else [])
        return to_body(item, event_id=event_id, link_id=link_id, attendees=guests)

    def _remote(self, raw: GoogleEvent) -> Remote[Event]:
        return to_remote(raw, calendar_timezone=self.timezone, people=self.people)


def _unanswered(exc: ConnectorError) -> bool:
    """The request may have been applied but its answer is unknown: a server error, a timeout, a
    dropped connection (`Unavailable`), or a success whose body could not be read."""
    if isinstance(exc, Unavailable):
        return True
    return isinstance(exc, BadData) and exc.status is not None and exc.status < 400
