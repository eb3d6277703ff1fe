"""Toggl time entries <-> canonical `TimeEntry`: pure functions, no I/O.

- Running: any negative `duration`. Toggl writes -1 for timers started through the API and minus the
  start epoch for timers started in its apps (both seen in real answers); `stop` is null either way.
  A stopped entry whose `stop` is null (created with a duration only) stops at start + duration.
- Times: `+00:00` in lists, `Z` in the answers to writes, `at` with up to six fractional digits;
  all become aware UTC datetimes. Writes send whole seconds with `Z`, the format the API documents.
- Person: the entry's `user_id` through the directory (None for someone the hub file does not name).
- Project: the project's name, case-folded (the canonical project key); the name comes from the
  entry's `project_name` (meta=true) or from the workspace's project list.
- Link: the hub's link id rides as a tag `obm-hub:<link id>`. A tag rather than a marker in the
  description because descriptions are what people type, read in reports and group by; a tag is
  a separate field that nobody edits by accident. The tag is stripped from the canonical tags, and
  `task_ref` carries the link id when there is one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from connectors.directory import Directory
from connectors.errors import BadData
from connectors.toggl.models import (
    TogglActivity,
    TogglReportEntry,
    TogglReportRow,
    TogglTimeEntry,
    TogglTimeEntryPayload,
)
from sync.connector import LINK_MARKER, Remote
from sync.model import Project, TimeEntry

SERVICE = "toggl"


def parse_time(value: str) -> datetime:
    """A Toggl timestamp as an aware UTC datetime ('Z', '+00:00', 0 to 6 fractional digits)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadData(f"toggl sent a timestamp that is not RFC 3339: {value!r}", service=SERVICE) from None
    if parsed.tzinfo is None:
        raise BadData(f"toggl sent a timestamp without an offset: {value!r}", service=SERVICE)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """The write format Toggl documents: whole seconds, UTC, 'Z' ("2006-01-02T15:04:05Z")."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def same_version(seen: str, current: str) -> bool:
    """Whether two `at` values name the same revision, compared as instants. The Reports API gives
    `at` in whole seconds where v9 gives microseconds: when either has no fraction, the whole
    seconds are compared (two edits within one second then look alike)."""
    first, second = parse_time(seen), parse_time(current)
    if first.microsecond == 0 or second.microsecond == 0:
        return first.replace(microsecond=0) == second.replace(microsecond=0)
    return first == second


def link_tag(link_id: str) -> str:
    return f"{LINK_MARKER}{link_id}"


def link_id_of(tags: Iterable[str] | None) -> str | None:
    """The hub link id an entry carries in its tags (the first, should there be several)."""
    links = sorted(tag.removeprefix(LINK_MARKER) for tag in tags or () if tag.startswith(LINK_MARKER))
    return links[0] if links else None


def user_tags(tags: Iterable[str] | None) -> frozenset[str]:
    """The tags people set: everything but the hub's link tags."""
    return frozenset(tag for tag in tags or () if not tag.startswith(LINK_MARKER))


def project_key(name: str) -> str:
    return Project.named(name).key


def project_name(raw: TogglTimeEntry, projects: Mapping[int, str]) -> str | None:
    """The entry's project name, from its meta fields or the known projects; None without a project."""
    if raw.project_id is None:
        return None
    name = raw.project_name or projects.get(raw.project_id)
    if name is None:
        raise BadData(
            f"toggl entry {raw.id} names project {raw.project_id}, unknown in the workspace", service=SERVICE
        )
    return name


def to_time_entry(raw: TogglTimeEntry, directory: Directory, projects: Mapping[int, str]) -> TimeEntry:
    """The canonical entry; BadData when Toggl's data cannot make one (the caller skips it)."""
    start = parse_time(raw.start)
    stop, duration = _stop_and_duration(raw, start)
    name = project_name(raw, projects)
    try:
        return TimeEntry(
            person=directory.by_toggl_user(raw.user_id),
            project=project_key(name) if name else None,
            task_ref=link_id_of(raw.tags),
            description=raw.description or "",
            start=start,
            stop=stop,
            duration_seconds=duration,
            billable=raw.billable,
            tags=user_tags(raw.tags),
        )
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise BadData(f"toggl entry {raw.id} is not a valid time entry: {problem}", service=SERVICE) from None


def _stop_and_duration(raw: TogglTimeEntry, start: datetime) -> tuple[datetime | None, int | None]:
    if raw.running:
        return None, None
    if raw.stop is None:
        return start + timedelta(seconds=raw.duration), raw.duration
    return parse_time(raw.stop), raw.duration


def to_remote(raw: TogglTimeEntry, directory: Directory, projects: Mapping[int, str]) -> Remote[TimeEntry]:
    """The entry as the connector hands it over: id, version (`at`), link and content."""
    return Remote(
        remote_id=str(raw.id),
        version=raw.at,
        item=to_time_entry(raw, directory, projects),
        link_id=link_id_of(raw.tags),
    )


# The canonical fields a payload can write; `task_ref` is read from the link tag, never written apart.
WRITABLE = frozenset(
    {"person", "project", "description", "start", "stop", "duration_seconds", "billable", "tags"}
)
TIMING = frozenset({"start", "stop", "duration_seconds"})


def to_payload(
    item: TimeEntry,
    *,
    link_id: str | None,
    project_id: int | None,
    user_id: int | None = None,
    fields: frozenset[str] | None = None,
    mark: bool = False,
) -> TogglTimeEntryPayload:
    """The create/update body for a canonical entry: the `fields` given (all when None), nothing else.

    Toggl's update is partial ("send only the fields that have changed"): an absent field is left
    alone, `project_id: null` removes a project, `tags` replaces the names (so the link tag is always
    sent with them). Timing goes as a whole: a stopped entry sends start and stop and lets Toggl
    compute the duration (it refuses a duration that disagrees); a running one sends `duration: -1`.
    The person goes as `user_id` (a workspace admin may write a member's entries) when the directory
    knows her Toggl user. With `mark` and no tags to write, the link tag is added to whatever tags the
    entry has (`tag_action: "add"`): a copy matched at first contact gets the hub's mark, nothing else.
    """
    wanted = WRITABLE if fields is None else fields & WRITABLE
    payload = TogglTimeEntryPayload()
    if "description" in wanted:
        payload.description = item.description
    if "project" in wanted:
        payload.project_id = project_id
    if "billable" in wanted:
        payload.billable = item.billable
    link = [link_tag(link_id)] if link_id is not None else []
    if "tags" in wanted:
        payload.tags = sorted(item.tags) + link
    elif mark and link:
        payload.tags, payload.tag_action = link, "add"
    if "person" in wanted and user_id is not None:
        payload.user_id = user_id
    if wanted & TIMING:
        payload.start = format_time(item.start)
        if item.stop is None:
            payload.duration = -1
        else:
            payload.stop = format_time(item.stop)
    return payload


def represent(item: TimeEntry) -> TimeEntry:
    """The entry as Toggl holds it after a write and a read: start and stop in whole seconds (the
    duration follows from them), the hub's link tags apart from the people's tags."""
    start = item.start.astimezone(UTC).replace(microsecond=0)
    stop = item.stop.astimezone(UTC).replace(microsecond=0) if item.stop is not None else None
    duration = int((stop - start).total_seconds()) if stop is not None else None
    return item.model_copy(
        update={"start": start, "stop": stop, "duration_seconds": duration, "tags": user_tags(item.tags)}
    )


def report_remotes(
    row: TogglReportRow, directory: Directory, projects: Mapping[int, str]
) -> list[Remote[TimeEntry]]:
    """The entries of one detailed-report row (one, or a group sharing the row's fields).
    BadData when Toggl's data cannot make them (the caller skips the row's entries)."""
    name = row.project_name or (projects.get(row.project_id) if row.project_id is not None else None)
    if row.project_id is not None and name is None:
        raise BadData(
            f"toggl report row names project {row.project_id}, unknown in the workspace", service=SERVICE
        )
    tags = row.tag_names or []
    return [
        Remote(
            remote_id=str(entry.id),
            version=entry.at,
            item=_report_entry(row, entry, directory, name, tags),
            link_id=link_id_of(tags),
        )
        for entry in row.time_entries
    ]


def _report_entry(
    row: TogglReportRow, entry: TogglReportEntry, directory: Directory, project: str | None, tags: list[str]
) -> TimeEntry:
    try:
        return TimeEntry(
            person=directory.by_toggl_user(row.user_id),
            project=project_key(project) if project else None,
            task_ref=link_id_of(tags),
            description=row.description or "",
            start=parse_time(entry.start),
            stop=parse_time(entry.stop),
            duration_seconds=entry.seconds,
            billable=row.billable,
            tags=user_tags(tags),
        )
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise BadData(
            f"toggl entry {entry.id} is not a valid time entry: {problem}", service=SERVICE
        ) from None


RUNNING_PREFIX = "running:"


def running_id(user_id: int, start: datetime) -> str:
    """The stable id of a teammate's running timer seen on the dashboard, which gives no entry id:
    `running:<user id>:<start epoch>`. The same timer keeps it from read to read; once it stops, the
    Reports API lists it under its real id and this one is absent from the next snapshot."""
    return f"{RUNNING_PREFIX}{user_id}:{int(start.timestamp())}"


def is_running_id(remote_id: str) -> bool:
    return remote_id.startswith(RUNNING_PREFIX)


def activity_remote(
    activity: TogglActivity, directory: Directory, projects: Mapping[int, str]
) -> Remote[TimeEntry]:
    """A running dashboard activity as a running entry: person, project, description and start; no
    tags and no link (the dashboard has neither), no version (it has no `at`). BadData when its
    start is not one."""
    start = activity.started
    if start is None:
        raise BadData(
            f"toggl's dashboard activity of user {activity.user_id} is no running timer with a start",
            service=SERVICE,
        )
    project_id = activity.project_id or None  # 0: no project
    name = projects.get(project_id) if project_id is not None else None
    if project_id is not None and name is None:
        raise BadData(f"toggl activity names project {project_id}, unknown in the workspace", service=SERVICE)
    try:
        item = TimeEntry(
            person=directory.by_toggl_user(activity.user_id),
            project=project_key(name) if name else None,
            description=activity.description or "",
            start=start,
            stop=None,
            duration_seconds=None,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise BadData(
            f"toggl activity of user {activity.user_id} is not a valid time entry: {problem}", service=SERVICE
        ) from None
    return Remote(remote_id=running_id(activity.user_id, start), version=None, item=item)
