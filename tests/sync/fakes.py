"""In-memory task services that behave like the real ones where the engine's correctness depends on it.

`FakeTasks` holds copies with versions that move on every write, edit times (rounded down to the minute
for a Notion-like service, as Notion rounds `last_edited_time`), an incremental read from a change
counter (changes, deletions and departures since the cursor), archived copies that stay readable,
link ids carried by each copy, and fields it cannot hold dropped (`represent`). People act on it with
`user_*` methods; the engine through the `Connector` protocol. Every write is counted.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sync.connector import ChangeBatch, Remote
from sync.errors import ItemConflict, ItemGone
from sync.model import Event, Project, Task, TimeEntry

PARIS = ZoneInfo("Europe/Paris")


class Crash(BaseException):
    """A process killed at this point: nothing after it runs (not an Exception: nothing catches it)."""


@dataclass
class _Copy:
    task: Task
    link_id: str | None
    version: int = 1
    state: str = "present"  # present | deleted | left
    changed: int = 0  # the change counter when it last changed


@dataclass
class FakeTasks:
    service: str
    clock: Callable[[], datetime]
    holds_estimate: bool = True
    date_only_due_time: time | None = None  # Trello has no date-only dues: 17:00 in the zone
    minute_edits: bool = False  # Notion rounds edit times down to the minute
    short_links: bool = False  # copies carry a short link people name them by in time entries (Trello)
    copies: dict[str, _Copy] = field(default_factory=dict)
    writes: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)  # (action, id, fields)
    crash_after_write: int | None = None  # crash right after the n-th write from now (0: the next one)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _counter: int = 0

    # -- what people do ------------------------------------------------------------------------

    def user_add(self, title: str, **fields: Any) -> str:
        remote_id = f"{self.service}-{next(self._ids)}"
        link_id = fields.pop("link_id", None)
        self.copies[remote_id] = _Copy(self._stamp(self.represent(Task(title=title, **fields))), link_id)
        self._touch(remote_id)
        return remote_id

    def user_edit(self, remote_id: str, **fields: Any) -> None:
        copy = self.copies[remote_id]
        copy.task = self._stamp(self.represent(copy.task.model_copy(update=fields)))
        copy.version += 1
        self._touch(remote_id)

    def user_delete(self, remote_id: str) -> None:
        self.copies[remote_id].state = "deleted"
        self._touch(remote_id)

    def user_move_out(self, remote_id: str) -> None:
        self.copies[remote_id].state = "left"
        self._touch(remote_id)

    # -- what the engine does (the Connector protocol) -----------------------------------------

    def represent(self, item: Task) -> Task:
        updates: dict[str, Any] = {}
        if not self.holds_estimate:
            updates.update(estimate_hours=None, tracked_hours=None)
        due = item.due
        if self.date_only_due_time is not None and isinstance(due, date) and not isinstance(due, datetime):
            due = datetime.combine(due, self.date_only_due_time, PARIS).astimezone(UTC)
        if isinstance(due, datetime):
            due = due.astimezone(UTC).replace(microsecond=due.microsecond // 1000 * 1000)
        updates["due"] = due
        return item.model_copy(update=updates)

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[Task]] | None = None
    ) -> ChangeBatch[Task]:
        if cursor is None:
            items = [self._remote(rid) for rid, copy in self.copies.items() if copy.state == "present"]
            return ChangeBatch(items, cursor=str(self._counter), full=True)
        since = int(cursor)
        changed = [rid for rid, copy in self.copies.items() if copy.changed > since]
        return ChangeBatch(
            [self._remote(rid) for rid in changed if self.copies[rid].state == "present"],
            deleted=[rid for rid in changed if self.copies[rid].state == "deleted"],
            left=[rid for rid in changed if self.copies[rid].state == "left"],
            cursor=str(self._counter),
        )

    def create(self, item: Task, *, link_id: str) -> Remote[Task]:
        remote_id = f"{self.service}-{next(self._ids)}"
        self.copies[remote_id] = _Copy(self._stamp(self.represent(item)), link_id)
        self._touch(remote_id)
        return self._wrote("create", remote_id, frozenset())

    def update(
        self,
        remote_id: str,
        item: Task,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[Task]:
        copy = self._live(remote_id, if_version)
        names = fields if fields is not None else frozenset(Task.model_fields) - Task.UNSYNCED
        copy.task = self._stamp(
            self.represent(copy.task.model_copy(update={n: getattr(item, n) for n in names}))
        )
        copy.link_id = link_id or copy.link_id
        copy.version += 1
        self._touch(remote_id)
        return self._wrote("update", remote_id, frozenset(names))

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        copy = self.copies.get(remote_id)
        if copy is None or copy.state != "present" or copy.task.archived:
            return
        self._live(remote_id, if_version)
        copy.task = self._stamp(copy.task.model_copy(update={"archived": True}))
        copy.version += 1
        self._touch(remote_id)
        self._wrote("archive", remote_id, frozenset({"archived"}))

    def find_by_link(self, link_id: str) -> list[Remote[Task]]:
        return [
            self._remote(rid)
            for rid, c in self.copies.items()
            if c.link_id == link_id and c.state == "present"
        ]

    def close(self) -> None:
        pass

    # -- inspection ----------------------------------------------------------------------------

    def live(self) -> dict[str, Task]:
        return {rid: c.task for rid, c in self.copies.items() if c.state == "present" and not c.task.archived}

    def link_of(self, remote_id: str) -> str | None:
        return self.copies[remote_id].link_id

    @staticmethod
    def short_link(remote_id: str) -> str:
        """The short link a copy carries with `short_links` (as a card's does): how people name it."""
        return f"Sl{remote_id.rsplit('-', 1)[-1]:0>6}"

    # -- internals -----------------------------------------------------------------------------

    def _live(self, remote_id: str, if_version: str | None) -> _Copy:
        copy = self.copies.get(remote_id)
        if copy is None or copy.state != "present":
            raise ItemGone(f"{self.service} {remote_id} is gone")
        if if_version is not None and str(copy.version) != if_version:
            raise ItemConflict(
                f"{self.service} {remote_id} changed (version {copy.version}, expected {if_version})"
            )
        return copy

    def _stamp(self, task: Task) -> Task:
        edited = self.clock()
        if self.minute_edits:
            edited = edited.replace(second=0, microsecond=0)
        return task.model_copy(update={"edited_at": edited})

    def _touch(self, remote_id: str) -> None:
        self._counter = next(self._seq)
        self.copies[remote_id].changed = self._counter

    def _remote(self, remote_id: str) -> Remote[Task]:
        copy = self.copies[remote_id]
        url = f"https://{self.service}.example/{remote_id}"
        updates: dict[str, Any] = {"url": url}
        if self.short_links:
            updates["refs"] = frozenset({self.short_link(remote_id)})
        return Remote(remote_id, str(copy.version), copy.task.model_copy(update=updates), copy.link_id, url)

    def _wrote(self, action: str, remote_id: str, names: frozenset[str]) -> Remote[Task]:
        self.writes.append((action, remote_id, names))
        if self.crash_after_write is not None:
            if self.crash_after_write == 0:
                self.crash_after_write = None
                raise Crash(f"killed after {action} {remote_id}")
            self.crash_after_write -= 1
        return self._remote(remote_id)


class TickingClock:
    """Moves on by `step` at every reading: edits get distinct, ordered times."""

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=7)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


@dataclass
class _Event:
    event: Event
    link_id: str | None
    version: int = 1
    changed: int = 0


@dataclass
class FakeCalendar:
    """A calendar like Google's where it matters: ids derived from the link id (so re-inserting an id
    whose event was deleted brings that event back), deletion as cancellation (an incremental read
    lists it as deleted, a full one omits it), etags that move on every write."""

    clock: Callable[[], datetime]
    service: str = "google"
    events: dict[str, _Event] = field(default_factory=dict)
    writes: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    crash_after_write: int | None = None
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _counter: int = 0

    def user_add(self, event: Event) -> str:
        """A person's own event (a meeting): no link id."""
        event_id = f"mtg{next(self._seq)}"
        self.events[event_id] = _Event(event, None)
        self._touch(event_id)
        return event_id

    def user_move(self, event_id: str, start: Any, end: Any) -> None:
        copy = self.events[event_id]
        copy.event = copy.event.model_copy(update={"start": start, "end": end})
        copy.version += 1
        self._touch(event_id)

    def user_delete(self, event_id: str) -> None:
        copy = self.events[event_id]
        copy.event = copy.event.model_copy(update={"status": "cancelled"})
        self._touch(event_id)

    def live(self) -> dict[str, Event]:
        return {eid: c.event for eid, c in self.events.items() if c.event.status != "cancelled"}

    def represent(self, item: Event) -> Event:
        return item

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[Event]] | None = None
    ) -> ChangeBatch[Event]:
        if cursor is None:
            return ChangeBatch([self._remote(e) for e in self.live()], cursor=str(self._counter), full=True)
        changed = [eid for eid, c in self.events.items() if c.changed > int(cursor)]
        live = self.live()
        return ChangeBatch(
            [self._remote(e) for e in changed if e in live],
            deleted=[e for e in changed if e not in live],
            cursor=str(self._counter),
        )

    def create(self, item: Event, *, link_id: str) -> Remote[Event]:
        event_id = f"ev{abs(hash(link_id)) % 10**8}"
        self.events[event_id] = _Event(item.model_copy(update={"status": "confirmed"}), link_id)
        self._touch(event_id)
        return self._wrote("create", event_id, frozenset())

    def update(
        self,
        remote_id: str,
        item: Event,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[Event]:
        copy = self.events.get(remote_id)
        if copy is None or copy.event.status == "cancelled":
            raise ItemGone(f"event {remote_id} is gone")
        if if_version is not None and str(copy.version) != if_version:
            raise ItemConflict(f"event {remote_id} changed")
        names = fields if fields is not None else frozenset(Event.model_fields) - Event.UNSYNCED
        copy.event = copy.event.model_copy(update={name: getattr(item, name) for name in names})
        copy.link_id = link_id or copy.link_id
        copy.version += 1
        self._touch(remote_id)
        return self._wrote("update", remote_id, frozenset(names))

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        copy = self.events.get(remote_id)
        if copy is None or copy.event.status == "cancelled":
            return
        copy.event = copy.event.model_copy(update={"status": "cancelled"})
        copy.version += 1
        self._touch(remote_id)
        self._wrote("archive", remote_id, frozenset({"status"}))

    def find_by_link(self, link_id: str) -> list[Remote[Event]]:
        return [self._remote(eid) for eid, c in self.events.items() if c.link_id == link_id]

    def close(self) -> None:
        pass

    def _touch(self, event_id: str) -> None:
        self._counter = next(self._seq)
        self.events[event_id].changed = self._counter

    def _remote(self, event_id: str) -> Remote[Event]:
        copy = self.events[event_id]
        return Remote(
            event_id, str(copy.version), copy.event, copy.link_id, f"https://calendar.example/{event_id}"
        )

    def _wrote(self, action: str, event_id: str, names: frozenset[str]) -> Remote[Event]:
        self.writes.append((action, event_id, names))
        if self.crash_after_write is not None:
            if self.crash_after_write == 0:
                self.crash_after_write = None
                raise Crash(f"killed after {action} {event_id}")
            self.crash_after_write -= 1
        return self._remote(event_id)


@dataclass
class _Entry:
    entry: TimeEntry
    link_id: str | None
    version: int = 1
    deleted: bool = False


@dataclass
class FakeEntries:
    """A time tracker like Toggl where it matters: each read is a snapshot of the team's entries (the
    Reports API's window; the cursor plays no part), start and stop in whole seconds, deletion for
    good (an entry has no archive), the hub's link id carried as a tag apart from people's tags."""

    clock: Callable[[], datetime]
    service: str = "toggl"
    entries: dict[str, _Entry] = field(default_factory=dict)
    writes: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    crash_after_write: int | None = None
    # The next read answers what the previous one did (the Reports API lags behind the writes): the
    # hub's own creates since are missing from it, and only `find_by_link` finds them.
    lagging: bool = False
    _last_read: list[Remote[TimeEntry]] | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- what people do ------------------------------------------------------------------------

    def user_add(self, entry: TimeEntry) -> str:
        entry_id = f"te{next(self._ids)}"
        self.entries[entry_id] = _Entry(self.represent(entry), None)
        return entry_id

    def user_edit(self, entry_id: str, **fields: Any) -> None:
        copy = self.entries[entry_id]
        copy.entry = self.represent(copy.entry.model_copy(update=fields))
        copy.version += 1

    def user_delete(self, entry_id: str) -> None:
        self.entries[entry_id].deleted = True

    def live(self) -> dict[str, TimeEntry]:
        return {eid: c.entry for eid, c in self.entries.items() if not c.deleted}

    def link_of(self, entry_id: str) -> str | None:
        return self.entries[entry_id].link_id

    # -- the Connector protocol ----------------------------------------------------------------

    def represent(self, item: TimeEntry) -> TimeEntry:
        start = item.start.astimezone(UTC).replace(microsecond=0)
        stop = item.stop.astimezone(UTC).replace(microsecond=0) if item.stop is not None else None
        duration = int((stop - start).total_seconds()) if stop is not None else None
        return item.model_copy(update={"start": start, "stop": stop, "duration_seconds": duration})

    def fetch_changes(self, cursor: str | None) -> ChangeBatch[TimeEntry]:
        if self.lagging and self._last_read is not None:
            self.lagging = False
            return ChangeBatch(self._last_read, cursor="window", full=True)
        self._last_read = [self._remote(eid) for eid in self.live()]
        return ChangeBatch(self._last_read, cursor="window", full=True)

    def create(self, item: TimeEntry, *, link_id: str) -> Remote[TimeEntry]:
        entry_id = f"te{next(self._ids)}"
        self.entries[entry_id] = _Entry(self.represent(item), link_id)
        return self._wrote("create", entry_id, frozenset())

    def update(
        self,
        remote_id: str,
        item: TimeEntry,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[TimeEntry]:
        copy = self.entries.get(remote_id)
        if copy is None or copy.deleted:
            raise ItemGone(f"time entry {remote_id} is gone")
        if if_version is not None and str(copy.version) != if_version:
            raise ItemConflict(f"time entry {remote_id} changed")
        names = fields if fields is not None else frozenset(TimeEntry.model_fields)
        copy.entry = self.represent(copy.entry.model_copy(update={n: getattr(item, n) for n in names}))
        copy.link_id = link_id or copy.link_id
        copy.version += 1
        return self._wrote("update", remote_id, frozenset(names))

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        copy = self.entries.get(remote_id)
        if copy is None or copy.deleted:
            return  # already gone: nothing to do
        if if_version is not None and str(copy.version) != if_version:
            raise ItemConflict(f"time entry {remote_id} changed")
        copy.deleted = True
        self._wrote("archive", remote_id, frozenset())

    def find_by_link(self, link_id: str) -> list[Remote[TimeEntry]]:
        found = [eid for eid, c in self.entries.items() if c.link_id == link_id and not c.deleted]
        return [self._remote(eid) for eid in found]

    def close(self) -> None:
        pass

    def _remote(self, entry_id: str) -> Remote[TimeEntry]:
        copy = self.entries[entry_id]
        return Remote(entry_id, str(copy.version), copy.entry, copy.link_id)

    def _wrote(self, action: str, entry_id: str, names: frozenset[str]) -> Remote[TimeEntry]:
        self.writes.append((action, entry_id, names))
        if self.crash_after_write is not None:
            if self.crash_after_write == 0:
                self.crash_after_write = None
                raise Crash(f"killed after {action} {entry_id}")
            self.crash_after_write -= 1
        return self._remote(entry_id)


@dataclass
class FakeCatalog:
    """A service's projects (the `ProjectCatalog` protocol): Notion's project pages, Toggl's projects."""

    service: str
    projects: list[Project] = field(default_factory=list)
    created: list[Project] = field(default_factory=list)

    def list_projects(self) -> list[Project]:
        return list(self.projects)

    def create_project(self, name: str) -> Project:
        project = Project.named(name)
        self.projects.append(project)
        self.created.append(project)
        return project


def assert_no_task_twice(sides: Mapping[str, FakeTasks]) -> None:
    """No side holds two live copies of one link, nor two of one task (each task's `project` names
    where it was first made: the state machines' way to tell a duplicate create)."""
    for name, side in sides.items():
        carried = [side.link_of(rid) for rid in side.live() if side.link_of(rid)]
        assert len(carried) == len(set(carried)), (name, carried)
        origins = [task.project for task in side.live().values()]
        assert len(origins) == len(set(origins)), (name, sorted(map(str, origins)))
