"""The token owner's own entries through v9 `GET /me/time_entries`: what the connector reads when the
token is not a workspace admin and the hub file allows it (`non_admin = "own_entries"`).

Requests, each costing a second of pacing and a slice of the `/me` hourly quota (30 on every plan):
- full read: 2 (`GET /me/time_entries` over the window by start time, and `/me/time_entries/current`
  for a timer started before it), with `meta=true`, whose `project_name` saves the projects call. The
  window's bounds go as RFC 3339 instants up to a day past now: a bare `end_date=YYYY-MM-DD` would
  mean 00:00 of that day and drop the day's entries;
- incremental read: 1 (`?since=`, deleted entries included).

Toggl caps the list at 1000 entries: a full read that hits the cap halves its window until it does
not; an incremental read that hits it falls back on a full read. Toggl refuses `since` further back
than about three months (see `sandbox/toggl/routes.py`); its own mobile team never asks for more than
two months ("Never ask for more than two months of history with `since` parameters",
toggl/mobileapp#405), and neither does this: an older cursor means a full read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from connectors.errors import BadData
from connectors.toggl.client import ENTRY_LIMIT, TogglClient
from connectors.toggl.cursor import TogglCursor
from connectors.toggl.models import SERVICE, TogglTimeEntry
from sync.connector import ChangeBatch, Clock, Remote
from sync.model import TimeEntry

logger = logging.getLogger(__name__)

MIN_SPLIT = timedelta(hours=1)  # a window this short with 1000 entries is not a time sheet
MAX_CURSOR_AGE = timedelta(days=60)  # toggl/mobileapp#405; Toggl refuses past ~3 months

ToRemote = Callable[[TogglTimeEntry], Remote[TimeEntry]]


class OwnEntries:
    """Reads of the token owner's entries in one workspace, turned into batches by `to_remote`."""

    def __init__(
        self, client: TogglClient, workspace_id: int, window: timedelta, clock: Clock, to_remote: ToRemote
    ) -> None:
        self._client = client
        self._workspace_id = workspace_id
        self._window = window
        self._clock = clock
        self._to_remote = to_remote

    def fetch(self, cursor: str | None) -> ChangeBatch[TimeEntry]:
        """Entries changed since `cursor` (deleted ones as `deleted`); a full read without one."""
        position = self._usable(cursor)
        if position is None:
            return self.full_read()
        entries = self._client.list_time_entries(since=position.since)
        if len(entries) >= ENTRY_LIMIT:
            logger.warning(
                "toggl: %d changes since the cursor (the API's cap); reading in full", len(entries)
            )
            return self.full_read()
        fresh = [entry for entry in entries if position.is_new(entry)]
        return self._batch(fresh, position.advance(entries), full=False)

    def full_read(self) -> ChangeBatch[TimeEntry]:
        read_at = self._clock()
        entries = self._read_window(read_at - self._window, read_at + timedelta(days=1))
        current = self._client.get_current_time_entry()
        if current is not None and all(entry.id != current.id for entry in entries):
            entries.append(current)  # a timer left running since before the window
        cursor = TogglCursor.after(entries, read_at=read_at)
        return self._batch([entry for entry in entries if not entry.deleted], cursor, full=True)

    def _usable(self, cursor: str | None) -> TogglCursor | None:
        if cursor is None:
            return None
        try:
            position = TogglCursor.decode(cursor)
        except ValueError:
            logger.info("toggl: the stored cursor is not a /me cursor; reading in full")
            return None
        if position.since < (self._clock() - MAX_CURSOR_AGE).timestamp():
            logger.info("toggl: the cursor is older than %s; reading in full", MAX_CURSOR_AGE)
            return None
        return position

    def _read_window(self, start: datetime, end: datetime) -> list[TogglTimeEntry]:
        """Entries that started in [start, end]; halves the window while Toggl's cap cuts it short."""
        entries = self._client.list_time_entries(start_date=start, end_date=end)
        if len(entries) < ENTRY_LIMIT:
            return entries
        if end - start <= MIN_SPLIT:
            raise BadData(f"toggl has {ENTRY_LIMIT}+ entries starting within {end - start}", service=SERVICE)
        middle = start + (end - start) / 2
        halves = self._read_window(start, middle) + self._read_window(middle, end)
        return list({entry.id: entry for entry in halves}.values())  # the bounds are inclusive

    def _batch(
        self, entries: list[TogglTimeEntry], cursor: TogglCursor, *, full: bool
    ) -> ChangeBatch[TimeEntry]:
        items: list[Remote[TimeEntry]] = []
        deleted: list[str] = []
        skipped: list[str] = []
        for entry in entries:
            if entry.deleted or entry.workspace_id != self._workspace_id:
                # Gone, or moved out of the hub's workspace: gone as far as the hub is concerned.
                deleted.append(str(entry.id))
                continue
            try:
                items.append(self._to_remote(entry))
            except BadData as exc:
                logger.warning("toggl: entry %s skipped: %s", entry.id, exc)
                skipped.append(str(entry.id))
        if full:
            deleted = []  # a snapshot lists what exists; the absent are gone anyway
        return ChangeBatch(items, deleted, cursor.encode(), full, tuple(skipped))
