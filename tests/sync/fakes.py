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
from sync.model import Event, Task

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
        return Remote(
            remote_id, str(copy.version), copy.task.model_copy(update={"url": url}), copy.link_id, url
        )

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
