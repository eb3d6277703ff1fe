"""Time-entry writes with Toggl's rules (NOTES.md §3.2), on `timeentry.Payload` bodies.

- Create needs `created_with` and `start`; `duration` < 0 starts a timer (stopping the user's running
  one, as in the recorded traffic), `stop` fixes the duration, `duration` alone fixes the stop, and
  "if stop and duration are provided, values must be consistent". A workspace admin may create (and
  move) entries for another member with `user_id` (see `owner`).
- Update is partial ("send only the fields that have changed"); `tags` replaces the names unless
  `tag_action` says add or delete; `project_id: null` removes the project.
- Stop sets stop and duration, and turns null tags into []; stopping a stopped entry is a 409.
- Delete keeps the entry with `server_deleted_at` (for `since` reads), stopping it if it runs.
Start and stop are kept in whole seconds; `at` moves on every write, to the microsecond.

Error texts other than the documented ones ("Time entry already stopped", "Time entry not found",
"User does not have access to this resource.") are our own wording.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.emulator import ApiError
from sandbox.toggl.store import NO_ACCESS, Entry, TogglStore, User, Workspace


def create_entry(store: TogglStore, user: User, workspace: Workspace, body: Any, now: datetime) -> Entry:
    body = _object(body)
    if not isinstance(body.get("created_with"), str) or not body["created_with"].strip():
        raise ApiError(400, "created_with needs to be provided and be a valid string")
    if body.get("workspace_id", workspace.id) != workspace.id:
        raise ApiError(400, "workspace_id in the body does not match the path")
    if "start" not in body:
        raise ApiError(400, "start is required")
    entry = Entry(
        id=store.new_id(),
        workspace_id=workspace.id,
        user_id=owner(store, user, workspace, body, user.id),
        start=_time(body, "start"),
        duration=0,
        at=now,
        created_with=body["created_with"],
    )
    _apply_fields(store, user, entry, body, now)
    _apply_timing(entry, body, creating=True)
    if entry.running:
        running = store.running_entry(entry.user_id)
        if running is not None:
            stop_entry(running, now)
    store.entries[entry.id] = entry
    return entry


def owner(store: TogglStore, user: User, workspace: Workspace, body: dict[str, Any], current: int) -> int:
    """Whose entry it is: `user_id` ("Time Entry creator ID, if omitted will use the requester user
    ID"). Naming someone else takes a workspace admin, who may "see, edit and delete all time entries
    in the workspace" (support.toggl.com access rights); she must be a member of the workspace."""
    wanted = _typed(body, "user_id", (int,)) if body.get("user_id") is not None else current
    if wanted == current:
        return current
    if user.id not in workspace.admins:
        raise ApiError(403, NO_ACCESS)
    if wanted not in workspace.members:
        raise ApiError(400, "user_id is not a member of the workspace")
    return int(wanted)


def update_entry(
    store: TogglStore, user: User, workspace: Workspace, entry: Entry, body: Any, now: datetime
) -> Entry:
    body = _object(body)
    if body.get("workspace_id", entry.workspace_id) != entry.workspace_id:
        raise ApiError(400, "moving an entry to another workspace is not supported here")
    updated = entry.model_copy(deep=True)
    updated.user_id = owner(store, user, workspace, body, entry.user_id)
    _apply_fields(store, user, updated, body, now)
    _apply_timing(updated, body, creating=False)
    updated.at = now
    store.entries[entry.id] = updated
    return updated


def stop_entry(entry: Entry, now: datetime) -> Entry:
    if not entry.running:
        raise ApiError(409, "Time entry already stopped")
    entry.stop = max(now.replace(microsecond=0), entry.start)
    entry.duration = int((entry.stop - entry.start).total_seconds())
    entry.tags = entry.tags if entry.tags is not None else []
    entry.tag_ids = entry.tag_ids if entry.tag_ids is not None else []
    entry.at = now
    return entry


def delete_entry(entry: Entry, now: datetime) -> None:
    if entry.running:
        stop_entry(entry, now)
    entry.tags = entry.tags if entry.tags is not None else []
    entry.tag_ids = entry.tag_ids if entry.tag_ids is not None else []
    entry.server_deleted_at = now.replace(microsecond=0)
    entry.at = now


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid JSON input")
    return body


def _apply_fields(store: TogglStore, user: User, entry: Entry, body: dict[str, Any], now: datetime) -> None:
    """Description, billable, project and tags, as given."""
    if "description" in body:
        entry.description = _typed(body, "description", (str, type(None)))
    if "billable" in body:
        entry.billable = _typed(body, "billable", (bool,))
    if "project_id" in body:
        project_id = _typed(body, "project_id", (int, type(None)))
        project = store.projects.get(project_id) if project_id is not None else None
        if project_id is not None and (project is None or project.workspace_id != entry.workspace_id):
            raise ApiError(400, "Invalid project_id")
        entry.project_id = project_id
    if body.get("tags") is not None:
        _apply_tags(store, user, entry, body, now)


def _apply_tags(store: TogglStore, user: User, entry: Entry, body: dict[str, Any], now: datetime) -> None:
    names = body["tags"]
    if not isinstance(names, list) or not all(isinstance(name, str) and name.strip() for name in names):
        raise ApiError(400, "tags must be a list of tag names")
    current = list(entry.tags or [])
    action = body.get("tag_action")
    if action == "add":
        names = current + [name for name in names if name not in current]
    elif action == "delete":
        names = [name for name in current if name not in names]
    elif action is not None:
        raise ApiError(400, "tag_action must be 'add' or 'delete'")
    entry.tags = list(dict.fromkeys(names))
    entry.tag_ids = store.tag_ids(entry.workspace_id, entry.tags, user.id, now)


def _apply_timing(entry: Entry, body: dict[str, Any], *, creating: bool) -> None:
    """Start, stop and duration, kept consistent the way Toggl keeps them."""
    was_running, old_start = entry.running and not creating, entry.start
    if "start" in body:
        entry.start = _time(body, "start")
    stop = _time(body, "stop") if body.get("stop") is not None else None
    duration = _typed(body, "duration", (int,)) if body.get("duration") is not None else None
    if duration is not None and duration < 0:
        entry.stop, entry.duration = None, duration
    elif stop is not None:
        _check_consistent(entry.start, stop, duration)
        entry.stop, entry.duration = stop, int((stop - entry.start).total_seconds())
    elif duration is not None:
        entry.stop, entry.duration = entry.start + timedelta(seconds=duration), duration
    elif was_running:
        # A new start on a timer started by the apps moves its minus-epoch duration along.
        if entry.duration < -1 and entry.start != old_start:
            entry.duration = -int(entry.start.timestamp())
    elif entry.stop is not None:
        _check_consistent(entry.start, entry.stop, None)
        entry.duration = int((entry.stop - entry.start).total_seconds())
    else:
        entry.stop = entry.start + timedelta(seconds=max(entry.duration, 0))


def _check_consistent(start: datetime, stop: datetime, duration: int | None) -> None:
    if stop < start:
        raise ApiError(400, "stop can not be before start")
    if duration is not None and int((stop - start).total_seconds()) != duration:
        raise ApiError(400, "start, stop and duration must be consistent")


def _typed(body: dict[str, Any], name: str, types: tuple[type, ...]) -> Any:
    value = body[name]
    # JSON true is an int to Python, not an id or a duration to Toggl.
    if isinstance(value, types) and (bool in types or not isinstance(value, bool)):
        return value
    raise ApiError(400, f"{name} has the wrong type")


def _time(body: dict[str, Any], name: str) -> datetime:
    value = body[name]
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ApiError(400, f"{name} must be an RFC 3339 time, e.g. 2006-01-02T15:04:05Z")
    return parsed.astimezone(UTC).replace(microsecond=0)
