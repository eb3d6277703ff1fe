"""The Toggl Track connector: the hub's time entries in one Toggl workspace, the whole team's.

Reads (`team.py`): a snapshot of every member's entries over a window (the last 14 days plus today by
default; `window_days` in the hub file's `[toggl]` table) through the Reports API, plus the token
owner's running timer and the other members' running timers (the workspace dashboard). A teammate's
running timer comes without tags, billable flag or entry id (the dashboard has none): it is attached
to a task by its description only, counts as not billable, and carries the synthetic id
`running:<user id>:<start epoch>` until it stops and the Reports API lists it with its real id; it
cannot be written (`update` and `archive` refuse its id).

The token must belong to a workspace admin: anyone else's reports hold only her own time, and such a
snapshot would say the team's entries were deleted. So a token that is not an admin is an
`AuthError` naming the fix, or, with `non_admin = "own_entries"`, a warning and the owner's own
entries through v9 (`own.py`, incremental with `since`).

Writes (each 1 request, plus a project list the first time a name is not known):
- `create`: `POST .../time_entries`, tagged `obm-hub:<link id>`, as the entry's person when the
  directory knows her Toggl user (a workspace admin may write a member's entries);
- `update(fields=, link_id=)`: `PUT` of those fields only (Toggl's update is partial), the link tag
  added when `link_id` is given; with `if_version`, or when tags are written and the entry's link tag
  is not known from a read, one re-read first;
- `archive`: `DELETE` (Toggl keeps no archive of entries); already gone is done.
Toggl has no preconditions: with `if_version` the connector re-reads the entry (through the Reports
API, or v9 for the owner's running or older entries) and raises `Conflict` when its `at` moved.

A version is the entry's `at`: microseconds from v9, whole seconds from the Reports API; versions are
compared at the precision both have.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from config.hub_file import Workspace
from config.settings import TogglSettings
from connectors.base import Closing, require_ready
from connectors.directory import Directory
from connectors.errors import AuthError, BadData, Conflict, NotFound
from connectors.http import CoreOptions
from connectors.toggl.client import TogglClient, TogglQuota
from connectors.toggl.mapping import (
    is_running_id,
    link_id_of,
    link_tag,
    represent,
    same_version,
    to_payload,
    to_remote,
)
from connectors.toggl.me import TokenUser
from connectors.toggl.models import SERVICE, TogglReportQuery, TogglReportRow, TogglTimeEntry
from connectors.toggl.own import OwnEntries
from connectors.toggl.projects import ProjectBook
from connectors.toggl.team import NOT_ADMIN, TeamSnapshot, Window
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import Project, TimeEntry

logger = logging.getLogger(__name__)

WINDOW_DAYS = 14  # the team snapshot: the last two weeks plus today
LOOKUP_DAYS = 365  # find_by_link looks a year back, the Reports API's longest range
NonAdmin = Literal["error", "own_entries"]


class TogglConnector(Closing):
    """Time entries of a Toggl workspace's team, as canonical `TimeEntry` records."""

    service = SERVICE

    def __init__(
        self,
        client: TogglClient,
        workspace_id: int,
        directory: Directory,
        *,
        zone: str = "UTC",
        window_days: int = WINDOW_DAYS,
        non_admin: NonAdmin = "error",
        clock: Clock = utc_now,
        memo: MutableMapping[str, str] | None = None,
    ) -> None:
        self._client = client
        self._workspace_id = workspace_id
        self._directory = directory
        self._zone = ZoneInfo(zone)
        self._days = window_days
        self._non_admin = non_admin
        self._clock = clock
        self._projects = ProjectBook(client, workspace_id)
        self._team = TeamSnapshot(client, workspace_id, directory, self._projects)
        self._me = TokenUser(client, workspace_id, memo if memo is not None else {}, clock)
        self._own = OwnEntries(client, workspace_id, timedelta(days=window_days), clock, self._remote)
        self._links: dict[str, str | None] = {}  # remote id -> link id, from what was read or written

    @classmethod
    def from_settings(
        cls,
        settings: TogglSettings,
        workspace: Workspace,
        options: CoreOptions | None = None,
        *,
        clock: Clock = utc_now,
        memo: MutableMapping[str, str] | None = None,
    ) -> TogglConnector:
        require_ready(SERVICE, settings, workspace)
        assert workspace.toggl is not None and settings.api_token is not None
        token = settings.api_token.get_secret_value()
        client = TogglClient.build(
            settings.base_url, token, reports_url=settings.reports_base_url, options=options
        )
        return cls(
            client,
            workspace.toggl.workspace_id,
            Directory.from_workspace(workspace),
            zone=workspace.timezone,
            window_days=workspace.toggl.window_days,
            non_admin=workspace.toggl.non_admin,
            clock=clock,
            memo=memo,
        )

    def close(self) -> None:
        self._client.close()

    @property
    def client(self) -> TogglClient:
        """The API client (for `connectors.diagnose`: the checks `obm-hub doctor` makes)."""
        return self._client

    @property
    def quota(self) -> TogglQuota:
        """The hourly quotas as last reported by Toggl (remaining requests, seconds to reset)."""
        return self._client.quota

    # -- reads --------------------------------------------------------------------------------

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[TimeEntry]] | None = None
    ) -> ChangeBatch[TimeEntry]:
        """The team's snapshot over the window (the cursor plays no part); the owner's entries only,
        incrementally, for a token that is not an admin when the hub file allows it. The admin check
        is remembered for a day, and made again when the rows look like a demoted token's, or when
        there is no `known` to compare them with (`me.py`)."""
        # Without the store's copies (a first or full read) nothing could tell a demoted token's
        # report from the team's: the admin check is then made, unless this connector just made it.
        fresh = known is None and not self._me.checked_now
        if not (self._me.recheck() if fresh else self._me.admin()):
            return self._not_admin(cursor)
        window = Window.ending(self._clock(), self._days, self._zone)
        rows = self._team.rows(window)
        if known is not None and not self._me.checked_now and self._looks_demoted(rows, window, known):
            logger.info("toggl: the report holds one member's entries only; is the token still an admin's?")
            if not self._me.recheck():
                return self._not_admin(cursor)
        # The rows first: they name the projects the running timer (read without meta) may carry.
        batch = self._team.read(window, rows, self._me.user_id, self._current, self._remote)
        self._links.update((remote.remote_id, remote.link_id) for remote in batch.items)
        return batch

    def _not_admin(self, cursor: str | None) -> ChangeBatch[TimeEntry]:
        if self._non_admin == "error":
            raise AuthError(
                f"toggl: the token's user is not an admin of workspace {self._workspace_id}: {NOT_ADMIN} "
                '(or set non_admin = "own_entries" in the workspace\'s [toggl] table to read only hers)',
                service=SERVICE,
            )
        logger.warning("toggl: %s; reading only the token owner's entries", NOT_ADMIN)
        return self._own.fetch(cursor)

    def _looks_demoted(
        self, rows: list[TogglReportRow], window: Window, known: Mapping[str, Remote[TimeEntry]]
    ) -> bool:
        """Whether the rows hold one member's entries only (or none) while the store holds another
        member's stopped entry in the window that the rows leave out: what a token demoted from
        admin would read (reports then hold only her own time)."""
        users = {row.user_id for row in rows}
        if len(users) > 1:
            return False
        only = self._directory.by_toggl_user(next(iter(users))) if users else None
        listed = {str(entry.id) for row in rows for entry in row.time_entries}
        return any(
            remote_id not in listed
            and not is_running_id(remote_id)
            and not remote.item.running
            and remote.item.start >= window.start
            and (only is None or remote.item.person != only)
            for remote_id, remote in known.items()
        )

    def _current(self) -> TogglTimeEntry | None:
        entry = self._client.get_current_time_entry()
        if entry is not None:
            self._me.learn(entry.user_id)
        return entry

    def find_by_link(self, link_id: str) -> list[Remote[TimeEntry]]:
        """The stopped entries tagged with the link id over the last year (2 requests: the workspace's
        tags, then the search by tag; none when no entry ever had the tag). The hub's creates are
        stopped entries (meetings that ended); a running one would not be found until it stops."""
        tag = next(
            (t for t in self._client.list_tags(self._workspace_id) if t.name == link_tag(link_id)), None
        )
        if tag is None:
            return []
        today = self._clock().astimezone(self._zone).date()
        query = TogglReportQuery(
            start_date=(today - timedelta(days=LOOKUP_DAYS)).isoformat(),
            end_date=(today + timedelta(days=1)).isoformat(),
            tag_ids=[tag.id],
        )
        found, _ = self._team.remotes(self._client.reports.rows(self._workspace_id, query))
        return [remote for remote in found if remote.link_id == link_id]

    def represent(self, item: TimeEntry) -> TimeEntry:
        return represent(item)

    # -- writes -------------------------------------------------------------------------------

    def create(self, item: TimeEntry, *, link_id: str) -> Remote[TimeEntry]:
        """Create the entry, tagged with the link id, as its person's when she has a Toggl user."""
        payload = to_payload(
            item,
            link_id=link_id,
            project_id=self._projects.require(item.project),
            user_id=self._user_id(item),
        )
        return self._remote(self._client.create_time_entry(self._workspace_id, payload))

    def update(
        self,
        remote_id: str,
        item: TimeEntry,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[TimeEntry]:
        """Write `fields` of the entry (all when None), keeping its link tag, or tagging it with
        `link_id` when given; Conflict if its `at` moved past `if_version`."""
        entry_id = _entry_id(remote_id)
        writes_tags = fields is None or "tags" in fields
        known = self._links.get(remote_id)
        if if_version is not None or (writes_tags and link_id is None and remote_id not in self._links):
            known = self._reread(entry_id, item, if_version)
        wants_project = fields is None or "project" in fields
        payload = to_payload(
            item,
            link_id=link_id or known,
            project_id=self._projects.require(item.project) if wants_project else None,
            user_id=self._user_id(item),
            fields=fields,
            mark=link_id is not None,
        )
        return self._remote(self._client.update_time_entry(self._workspace_id, entry_id, payload))

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Delete the entry (Toggl keeps no archive of entries). An entry already gone is fine."""
        entry_id = _entry_id(remote_id)
        try:
            if if_version is not None:
                self._reread(entry_id, None, if_version)
            self._client.delete_time_entry(self._workspace_id, entry_id)
        except NotFound:
            logger.info("toggl: entry %s was already deleted", entry_id)
        self._links.pop(remote_id, None)

    # -- projects -----------------------------------------------------------------------------

    def list_projects(self) -> list[Project]:
        """The workspace's projects, archived ones too (1 request per 200, once per connector)."""
        return self._projects.list()

    def create_project(self, name: str) -> Project:
        """The project named `name`, created if the workspace has none by that name (Toggl keeps names
        unique). Workspaces may let only admins create projects: a 403 is then an AuthError."""
        return self._projects.create(name)

    # -- helpers ------------------------------------------------------------------------------

    def _reread(self, entry_id: int, item: TimeEntry | None, if_version: str | None) -> str | None:
        """The entry's link id as Toggl holds it now; Conflict when its `at` moved past `if_version`."""
        at, tags = self._lookup(entry_id, item)
        if if_version is not None and not same_version(if_version, at):
            raise Conflict(
                f"toggl time entry {entry_id} changed (version {if_version}, now {at})",
                service=SERVICE,
                path="/workspace/{workspace_id}/search/time_entries",
            )
        return link_id_of(tags)

    def _lookup(self, entry_id: int, item: TimeEntry | None) -> tuple[str, list[str]]:
        """(`at`, tag names) of an entry: through the Reports API (anyone's stopped entries in the
        window, or around the item's start), else v9 (the owner's own, running ones included)."""
        today = self._clock().astimezone(self._zone).date()
        first = today - timedelta(days=self._days + 1)
        if item is not None:
            first = min(first, item.start.astimezone(self._zone).date() - timedelta(days=1))
        query = TogglReportQuery(
            start_date=first.isoformat(),
            end_date=(today + timedelta(days=1)).isoformat(),
            time_entry_ids=[entry_id],
        )
        for row in self._client.reports.rows(self._workspace_id, query):
            for entry in row.time_entries:
                if entry.id == entry_id:
                    return entry.at, list(row.tag_names or [])
        current = self._client.get_time_entry(entry_id)  # 404 (NotFound) when deleted or another's
        if current.deleted:
            raise NotFound(f"toggl time entry {entry_id} is deleted", service=SERVICE)
        return current.at, list(current.tags or [])

    def _remote(self, entry: TogglTimeEntry) -> Remote[TimeEntry]:
        self._projects.learn([(entry.project_id, entry.project_name)])
        remote = to_remote(entry, self._directory, self._projects.names)
        self._links[remote.remote_id] = remote.link_id
        return remote

    def _user_id(self, item: TimeEntry) -> int | None:
        return self._directory.toggl_user(item.person) if item.person else None


def _entry_id(remote_id: str) -> int:
    if is_running_id(remote_id):
        raise BadData(
            f"{remote_id!r} is a teammate's running timer seen on Toggl's dashboard: it has no entry id "
            "to write to until it stops",
            service=SERVICE,
        )
    try:
        return int(remote_id)
    except ValueError:
        raise BadData(f"{remote_id!r} is not a Toggl time entry id", service=SERVICE) from None
