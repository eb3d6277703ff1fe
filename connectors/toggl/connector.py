"""The Toggl Track connector: the hub's time entries in one Toggl workspace.

Whose entries: the v9 API reads time entries only as their owner (`GET /me/time_entries`); it has
no workspace-wide read (that is the Reports API). So the connector sees the entries of the person
whose API token it holds, filtered to the hub's workspace.

Requests, since each costs a second of pacing and a slice of an hourly quota (see `client.py`):
- full read: 2 (`GET /me/time_entries` over a window of `window_days` by start time, and
  `GET /me/time_entries/current` for a timer started before the window); the entries come with
  `meta=true`, whose `project_name` saves the projects call. The window's bounds are sent as RFC 3339
  instants, up to a day past now: a bare `end_date=YYYY-MM-DD` would mean 00:00 of that day and
  drop the day's entries;
- incremental read: 1 (`GET /me/time_entries?since=`, deleted entries included);
- create: 1 (`POST`), plus one projects list the first time a write names a project no read showed;
- update: 1 (`PUT`), plus 1 re-read (`GET /me/time_entries/{id}`) with `if_version` or when the
  entry's link tag is not known from an earlier read (the tag list is replaced on update);
- archive: 1 (`DELETE`), plus 1 re-read with `if_version`.

Toggl has no preconditions: `update`/`archive` with `if_version` re-read the entry and raise
`Conflict` when its `at` moved. Toggl caps the list at 1000 entries: a full read that hits the cap
splits its window in two until it does not; an incremental read that hits it falls back on a full
read, since the missing changes cannot be told apart.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from config.hub_file import Workspace
from config.settings import TogglSettings
from connectors.base import Closing, require_ready
from connectors.directory import Directory
from connectors.errors import BadData, Conflict, NotFound
from connectors.http import CoreOptions
from connectors.toggl.client import ENTRY_LIMIT, SERVICE, TogglClient, TogglQuota
from connectors.toggl.cursor import TogglCursor
from connectors.toggl.mapping import (
    link_id_of,
    project_key,
    same_version,
    to_payload,
    to_remote,
)
from connectors.toggl.models import TogglTimeEntry
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import TimeEntry

logger = logging.getLogger(__name__)

WINDOW_DAYS = 14  # a full read covers entries that started in the last two weeks
MIN_SPLIT = timedelta(hours=1)  # a window this short with 1000 entries is not a time sheet
MAX_CURSOR_AGE = timedelta(days=90)  # `since` is reported capped at ~3 months (unverified)


class TogglConnector(Closing):
    """Time entries of the token's user in one workspace, as canonical `TimeEntry` records."""

    service = SERVICE

    def __init__(
        self,
        client: TogglClient,
        workspace_id: int,
        directory: Directory,
        *,
        window_days: int = WINDOW_DAYS,
        clock: Clock = utc_now,
    ) -> None:
        self._client = client
        self._workspace_id = workspace_id
        self._directory = directory
        self._window = timedelta(days=window_days)
        self._clock = clock
        self._projects: dict[int, str] = {}  # id -> name, from meta fields and the projects list
        self._projects_listed = False
        self._links: dict[str, str | None] = {}  # remote id -> link id, from what was read or written

    @classmethod
    def from_settings(
        cls,
        settings: TogglSettings,
        workspace: Workspace,
        options: CoreOptions | None = None,
        *,
        clock: Clock = utc_now,
    ) -> TogglConnector:
        require_ready(SERVICE, settings, workspace)
        assert workspace.toggl is not None and settings.api_token is not None
        client = TogglClient.build(settings.base_url, settings.api_token.get_secret_value(), options=options)
        return cls(client, workspace.toggl.workspace_id, Directory.from_workspace(workspace), clock=clock)

    def close(self) -> None:
        self._client.close()

    @property
    def quota(self) -> TogglQuota:
        """The hourly quotas as last reported by Toggl (remaining requests, seconds to reset)."""
        return self._client.quota

    # -- reads --------------------------------------------------------------------------------

    def fetch_changes(self, cursor: str | None) -> ChangeBatch[TimeEntry]:
        """Entries changed since `cursor` (deleted ones as `deleted`); a full read without one."""
        position = self._usable(cursor)
        if position is None:
            return self._full_read()
        entries = self._client.list_time_entries(since=position.since)
        if len(entries) >= ENTRY_LIMIT:
            logger.warning(
                "toggl: %d changes since the cursor (the API's cap); reading in full", len(entries)
            )
            return self._full_read()
        fresh = [entry for entry in entries if position.is_new(entry)]
        return self._batch(fresh, position.advance(entries), full=False)

    def _usable(self, cursor: str | None) -> TogglCursor | None:
        if cursor is None:
            return None
        try:
            position = TogglCursor.decode(cursor)
        except ValueError:
            logger.warning("toggl: the stored cursor is unreadable; reading in full")
            return None
        if position.since < (self._clock() - MAX_CURSOR_AGE).timestamp():
            logger.info("toggl: the cursor is older than %s; reading in full", MAX_CURSOR_AGE)
            return None
        return position

    def _full_read(self) -> ChangeBatch[TimeEntry]:
        read_at = self._clock()
        entries = self._read_window(read_at - self._window, read_at + timedelta(days=1))
        current = self._client.get_current_time_entry()
        if current is not None and all(entry.id != current.id for entry in entries):
            entries.append(current)  # a timer left running since before the window
        cursor = TogglCursor.after(entries, read_at=read_at)
        return self._batch([entry for entry in entries if not entry.deleted], cursor, full=True)

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
        self._learn_projects(entries)
        items: list[Remote[TimeEntry]] = []
        deleted: list[str] = []
        skipped: list[str] = []
        for entry in entries:
            if entry.deleted or entry.workspace_id != self._workspace_id:
                # Gone, or moved out of the hub's workspace: gone as far as the hub is concerned.
                deleted.append(str(entry.id))
                continue
            try:
                items.append(self._remote(entry))
            except BadData as exc:
                logger.warning("toggl: entry %s skipped: %s", entry.id, exc)
                skipped.append(str(entry.id))
        if full:
            deleted = []  # a snapshot lists what exists; the absent are gone anyway
        return ChangeBatch(items, deleted, cursor.encode(), full, tuple(skipped))

    # -- writes -------------------------------------------------------------------------------

    def create(self, item: TimeEntry, *, link_id: str) -> Remote[TimeEntry]:
        """Create the entry, tagged with the link id."""
        payload = to_payload(item, link_id=link_id, project_id=self._project_id(item.project))
        return self._remote(self._client.create_time_entry(self._workspace_id, payload))

    def update(self, remote_id: str, item: TimeEntry, *, if_version: str | None = None) -> Remote[TimeEntry]:
        """Write the whole entry, keeping its link tag; Conflict if its `at` moved past `if_version`."""
        entry_id = _entry_id(remote_id)
        if if_version is not None or remote_id not in self._links:
            link_id = link_id_of(self._reread(entry_id, if_version).tags)
        else:
            link_id = self._links[remote_id]
        payload = to_payload(item, link_id=link_id, project_id=self._project_id(item.project))
        return self._remote(self._client.update_time_entry(self._workspace_id, entry_id, payload))

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Delete the entry (Toggl keeps no archive of entries). An entry already gone is fine."""
        entry_id = _entry_id(remote_id)
        try:
            if if_version is not None:
                self._reread(entry_id, if_version)
            self._client.delete_time_entry(self._workspace_id, entry_id)
        except NotFound:
            logger.info("toggl: entry %s was already deleted", entry_id)
        self._links.pop(remote_id, None)

    def _reread(self, entry_id: int, if_version: str | None) -> TogglTimeEntry:
        current = self._client.get_time_entry(entry_id)
        if current.deleted:
            raise NotFound(f"toggl time entry {entry_id} is deleted", service=SERVICE)
        if if_version is not None and not same_version(if_version, current.at):
            raise Conflict(
                f"toggl time entry {entry_id} changed (version {if_version}, now {current.at})",
                service=SERVICE,
                path="/me/time_entries/{time_entry_id}",
            )
        return current

    # -- helpers ------------------------------------------------------------------------------

    def _remote(self, entry: TogglTimeEntry) -> Remote[TimeEntry]:
        self._learn_projects([entry])
        remote = to_remote(entry, self._directory, self._projects)
        self._links[remote.remote_id] = remote.link_id
        return remote

    def _learn_projects(self, entries: Iterable[TogglTimeEntry]) -> None:
        """Project names from the entries' meta fields; the projects list when one is missing."""
        missing = False
        for entry in entries:
            if entry.project_id is not None and entry.project_name:
                self._projects[entry.project_id] = entry.project_name
            elif entry.project_id is not None and entry.project_id not in self._projects:
                missing = missing or entry.workspace_id == self._workspace_id
        if missing:
            self._list_projects()

    def _list_projects(self) -> None:
        if self._projects_listed:
            return
        for project in self._client.list_projects(self._workspace_id):
            self._projects[project.id] = project.name
        self._projects_listed = True

    def _project_id(self, key: str | None) -> int | None:
        """The workspace's project for a canonical project key; the projects list on a miss."""
        if key is None:
            return None
        found = self._find_project(key)
        if found is None and not self._projects_listed:
            self._list_projects()
            found = self._find_project(key)
        if found is None:
            raise BadData(
                f"toggl workspace {self._workspace_id} has no project named {key!r}", service=SERVICE
            )
        return found

    def _find_project(self, key: str) -> int | None:
        # Toggl keeps project names unique in a workspace; min() only makes a clash deterministic.
        matches = [project_id for project_id, name in self._projects.items() if project_key(name) == key]
        return min(matches, default=None)


def _entry_id(remote_id: str) -> int:
    try:
        return int(remote_id)
    except ValueError:
        raise BadData(f"{remote_id!r} is not a Toggl time entry id", service=SERVICE) from None
