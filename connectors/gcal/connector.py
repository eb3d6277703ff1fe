"""The Google Calendar connector: canonical `Event`s in and out of one calendar.

Reads (https://developers.google.com/calendar/api/guides/sync):
- `fetch_changes(None)` is a full read of the events that end after `now - LOOKBACK`; it returns
  `full=True` and the last page's `nextSyncToken` as the cursor;
- `fetch_changes(token)` is incremental: changed events, and the ids of deleted (cancelled) ones;
- an expired token (410 `fullSyncRequired`) falls back to a full read, which says `full=True`: only
  then may the caller take an absent event as gone.

Both reads send the same `singleEvents` (the API wants every parameter but the forbidden ones equal on
the full and the incremental reads). Writes: `create` inserts with an id derived from the link id, so a
resent insert cannot duplicate; `update` patches with `If-Match`; `archive` deletes. The version of a
copy is its etag.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx

from config.hub_file import Workspace
from config.settings import GoogleSettings
from connectors.base import Closing, require_ready
from connectors.errors import BadData, Conflict, CursorExpired, NotFound
from connectors.gcal.auth import GoogleAuth, HttpxRequest, build_credentials
from connectors.gcal.client import EventListing, GoogleCalendarClient
from connectors.gcal.mapping import LINK_PROPERTY, event_id_for_link, link_of, to_body, to_remote
from connectors.gcal.models import GoogleEvent
from connectors.http import CoreOptions, build_core
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import Event

logger = logging.getLogger(__name__)

# The hub reads expanded instances: a recurring meeting shows as its occurrences (each with its own
# id `{masterId}_{start}`, `recurringEventId` and `originalStartTime`), which is what a day's agenda
# and the morning summary need. Every read (full, incremental, by link) uses this same value.
SINGLE_EVENTS = True
# How far back a full read goes: events that ended before this are history, not work to sync.
LOOKBACK = timedelta(days=7)


class GoogleCalendarConnector(Closing):
    """One calendar, as canonical events. Build it with `from_settings`."""

    service = "google"

    def __init__(
        self,
        client: GoogleCalendarClient,
        calendar_id: str,
        *,
        timezone: str,
        clock: Clock = utc_now,
        token_client: httpx.Client | None = None,
    ) -> None:
        self.client = client
        self.calendar_id = calendar_id
        self.timezone = timezone  # the calendar's zone; list responses update it
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
        auth = GoogleAuth(credentials, HttpxRequest(token_client, options.stats))
        # The limiter is per user: key it on who the token speaks for, never on a secret.
        who = getattr(credentials, "service_account_email", None) or settings.client_id
        core = build_core(
            "google", settings.base_url, credential=f"{who}|{settings.subject}", auth=auth, options=options
        )
        return cls(
            GoogleCalendarClient(core),
            workspace.google.calendar_id,
            timezone=workspace.timezone,
            clock=clock,
            token_client=token_client,
        )

    def close(self) -> None:
        self.client.close()
        if self._token_client is not None:
            self._token_client.close()

    # -- reads ---------------------------------------------------------------------------------

    def fetch_changes(self, cursor: str | None) -> ChangeBatch[Event]:
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

    def find_by_link(self, link_id: str) -> Remote[Event] | None:
        """The live event carrying `link_id`, found on the service (to rebuild lost links)."""
        listing = self.client.read_events(
            self.calendar_id,
            private_extended_property=[f"{LINK_PROPERTY}={link_id}"],
            single_events=SINGLE_EVENTS,
        )
        live = [raw for raw in listing.items if not raw.cancelled]
        return self._remote(live[0]) if live else None

    def _full_read(self) -> ChangeBatch[Event]:
        since = self._clock() - LOOKBACK
        listing = self.client.read_events(self.calendar_id, time_min=since, single_events=SINGLE_EVENTS)
        return self._batch(listing, full=True)

    def _batch(self, listing: EventListing, *, full: bool) -> ChangeBatch[Event]:
        if listing.sync_token is None:
            raise BadData("google ended a read without a nextSyncToken", service=self.service)
        if listing.time_zone:
            self.timezone = listing.time_zone
        items: list[Remote[Event]] = []
        deleted: list[str] = []
        skipped: list[str] = []
        for raw in listing.items:
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
        """Insert the event under the id derived from `link_id`; a resent insert finds the first one."""
        event_id = event_id_for_link(link_id)
        body = to_body(item, event_id=event_id, link_id=link_id)
        try:
            return self._remote(self.client.insert_event(self.calendar_id, body))
        except Conflict as exc:
            if exc.code != "duplicate":
                raise
        existing = self.client.get_event(self.calendar_id, event_id)
        if link_of(existing) != link_id:
            raise Conflict(
                f"google event id {event_id} is taken by an event the hub did not create for this link",
                service=self.service,
                code="duplicate",
            )
        if existing.cancelled:
            # Archived earlier and wanted again: the id stays taken, so bring that event back.
            body.pop("id")
            existing = self.client.patch_event(self.calendar_id, event_id, body, etag=existing.etag)
        logger.info("google event %s already existed for link %s; using it", event_id, link_id)
        return self._remote(existing)

    def update(self, remote_id: str, item: Event, *, if_version: str | None = None) -> Remote[Event]:
        """Patch the synced fields; with `if_version` (an etag) a moved event raises `Conflict` (412)."""
        raw = self.client.patch_event(self.calendar_id, remote_id, to_body(item), etag=if_version)
        return self._remote(raw)

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Delete the event (it then reads as cancelled); already deleted counts as done."""
        try:
            self.client.delete_event(self.calendar_id, remote_id, etag=if_version)
        except NotFound as exc:
            if exc.status != 410:  # 410 "deleted": a resent DELETE, or someone deleted it first
                raise

    def _remote(self, raw: GoogleEvent) -> Remote[Event]:
        return to_remote(raw, calendar_timezone=self.timezone)
