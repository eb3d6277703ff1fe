"""The whole team's entries in one workspace: a snapshot over a window of days, through the Reports
API's detailed search, which only a workspace admin's token sees entirely.

What a snapshot holds, and what the engine may conclude from it:
- every member's stopped entries that started in the window (the last `window_days` days plus
  today, in the workspace's time zone), edited ones with their new `at` as version; the batch says
  `full=True, window_start=<midnight at the window's start>`: inside the window an entry absent from
  the snapshot is gone (deleted in Toggl, or moved out of the window), older ones keep their last
  known state. The request asks for a day more on each side, so that a token owner whose Toggl
  profile has another time zone than the workspace (reports count days in hers) still covers it;
- the token owner's running timer, from `GET /me/time_entries/current`: reports leave running
  entries out until they stop ("the Reports API ... excludes the currently running activity",
  beauraines/toggl-cli#149), and v9 shows a timer only to its owner;
- the other members' running timers, from the dashboard (`GET /workspaces/{id}/dashboard/all_activity`,
  each member's latest activity, a running one with minus its start epoch as duration). The dashboard
  gives no entry id, no tags, no billable flag and no `at`: such a timer is a running entry with the
  synthetic id `running:<user id>:<start epoch>` (`mapping.running_id`), no version, no tags (so no
  link tag and no label rule: the hub attaches it to a task by its description or not at all),
  not billable, until it stops. Then the Reports API lists it under its real id, with its tags, and
  the synthetic one is absent from the snapshot, so deleted: it never counts twice. A timer whose
  start is older than the window is left out (its synthetic copy would outlive it: absence outside
  the window proves nothing);
- rows are read oldest first, so entries created during the read land on the last page; an entry
  deleted during a read shifts the later rows up by one (pages are row positions) and can hide one
  entry from that snapshot only: it counts as gone for one run and comes back on the next.

Requests of a quiet run: one search per 50 entries in the window (workspace bucket), the dashboard
(workspace bucket), and `GET /me/time_entries/current` (`/me` bucket) only when the dashboard shows
the token owner running a timer (her user id and the admin check are remembered: `me.py`; the admin
check, `GET /me?with_related_data=true`, once a day); the projects list once when a timer names a
project the rows did not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from connectors.directory import Directory
from connectors.errors import AuthError, BadData
from connectors.toggl.client import TogglClient
from connectors.toggl.mapping import activity_remote, report_remotes, running_id
from connectors.toggl.models import (
    SERVICE,
    TogglActivity,
    TogglReportQuery,
    TogglReportRow,
    TogglTimeEntry,
    TogglWorkspace,
)
from connectors.toggl.projects import ProjectBook
from sync.connector import ChangeBatch, Remote
from sync.model import TimeEntry

logger = logging.getLogger(__name__)

TEAM_CURSOR = "toggl-team1"
NOT_ADMIN = "the Toggl token must belong to a workspace admin to read the team's hours"


@dataclass(frozen=True)
class Window:
    """The days a snapshot is complete for, and the (wider) range it asks the Reports API for."""

    start: datetime  # midnight, workspace time: the batch's window_start
    first_day: date  # the search's start_date
    last_day: date  # the search's end_date

    @classmethod
    def ending(cls, now: datetime, days: int, zone: ZoneInfo) -> Window:
        today = now.astimezone(zone).date()
        first = today - timedelta(days=days)
        return cls(
            datetime.combine(first, time(0), zone), first - timedelta(days=1), today + timedelta(days=1)
        )


def admin_of(workspaces: Iterable[TogglWorkspace], workspace_id: int) -> bool:
    """Whether the token's user administers the workspace, by her workspaces as Toggl lists them
    (`GET /me/workspaces`, or `GET /me?with_related_data=true`); AuthError when she is not in it."""
    workspace = next((w for w in workspaces if w.id == workspace_id), None)
    if workspace is None:
        raise AuthError(
            f"toggl: the token's user is not a member of workspace {workspace_id}; {NOT_ADMIN}",
            service=SERVICE,
        )
    return workspace.administered


class TeamSnapshot:
    """Reads the team's entries into a windowed snapshot."""

    def __init__(self, client: TogglClient, workspace_id: int, directory: Directory, projects: ProjectBook):
        self._client = client
        self._workspace_id = workspace_id
        self._directory = directory
        self._projects = projects

    def rows(self, window: Window) -> list[TogglReportRow]:
        """Every member's stopped entries in the window's range (one search per 50 entries)."""
        query = TogglReportQuery(
            start_date=window.first_day.isoformat(), end_date=window.last_day.isoformat()
        )
        return list(self._client.reports.rows(self._workspace_id, query))

    def read(
        self,
        window: Window,
        rows: list[TogglReportRow],
        owner_id: int | None,
        current: Callable[[], TogglTimeEntry | None],
        to_remote: Callable[[TogglTimeEntry], Remote[TimeEntry]],
    ) -> ChangeBatch[TimeEntry]:
        """The window's rows (`rows`), then the dashboard: the other members' running timers, and
        the owner's (`current`, made a Remote by `to_remote`) when the dashboard shows her
        (`owner_id`) running one, or always when her id is not known."""
        items, skipped = self.remotes(rows)
        activities = self._client.list_all_activity(self._workspace_id)
        running = owner_id is None or any(a.user_id == owner_id and a.running for a in activities)
        owner = running_in(current(), self._workspace_id) if running else None
        if owner is not None and all(item.remote_id != str(owner.id) for item in items):
            items.append(to_remote(owner))
        timers, unreadable = self.teammates_timers(window, activities, owner)
        items += timers
        skipped += unreadable
        cursor = f"{TEAM_CURSOR}:{int(window.start.timestamp())}"
        return ChangeBatch(items, (), cursor, full=True, skipped=tuple(skipped), window_start=window.start)

    def teammates_timers(
        self, window: Window, activities: Iterable[TogglActivity], owner: TogglTimeEntry | None
    ) -> tuple[list[Remote[TimeEntry]], list[str]]:
        """The running timers on the dashboard but the owner's (hers came with its real id) that
        started in the window, and the ids of those that could not be mapped (their last state stands)."""
        activities = [a for a in activities if a.running and (owner is None or a.user_id != owner.user_id)]
        self._projects.learn((a.project_id or None, None) for a in activities)
        found: list[Remote[TimeEntry]] = []
        skipped: list[str] = []
        for activity in activities:
            start = activity.started
            if start is not None and start < window.start:
                continue
            try:
                found.append(activity_remote(activity, self._directory, self._projects.names))
            except BadData as exc:
                logger.warning("toggl: a running timer on the dashboard skipped: %s", exc)
                if start is not None:
                    skipped.append(running_id(activity.user_id, start))
        return found, skipped

    def remotes(self, rows: Iterable[TogglReportRow]) -> tuple[list[Remote[TimeEntry]], list[str]]:
        """The rows' entries, and the ids of those that could not be mapped (their last state stands)."""
        rows = list(rows)
        self._projects.learn((row.project_id, row.project_name) for row in rows)
        items: dict[str, Remote[TimeEntry]] = {}
        skipped: list[str] = []
        for row in rows:
            try:
                found = report_remotes(row, self._directory, self._projects.names)
            except BadData:
                skipped += [str(entry.id) for entry in row.time_entries]
                continue
            items.update((remote.remote_id, remote) for remote in found)  # a row read twice counts once
        return list(items.values()), skipped


def running_in(entry: TogglTimeEntry | None, workspace_id: int) -> TogglTimeEntry | None:
    return entry if entry is not None and entry.workspace_id == workspace_id and entry.running else None
