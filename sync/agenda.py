"""The agenda relation: every open task with a due date has a deadline event in the workspace's
calendar. Pure planning: task records and the calendar's snapshot in, a plan out.

    task                                  deadline event
    open, due on a date                   all-day on that date
    open, due at an instant               timed, ending at the due, `timed_minutes` long
    due moved                             the event moves
    done                                  kept with a check mark ("check") or removed ("remove")
    archived, deleted, or due removed     cancelled (deleted from the calendar)

The event's link id is the task's key; the calendar connector derives the event id from it and marks
the event with it, so an interrupted create is found again, never repeated. The rest (adoption, a
person's deletion respected until the task changes, orphans, the guard) is the one-way planner's
(`oneway.py`). With `two_way_dates`, moving the event moves the task's due (see `DueMove`), when the
task's due did not move too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sync.actions import Plan, Step, Write
from sync.model import Event, Task
from sync.oneway import OneWay, plan_one_way
from sync.policy import AGENDA, TASKS, ArchiveGuard
from sync.state import Link, Snapshot
from sync.views import TaskRecord

CALENDAR = "google"
# What the hub owns in a deadline event; whatever else people add (guests, a location) stays theirs.
OWNED = ("title", "description", "start", "end", "all_day", "status", "task_link")


@dataclass(frozen=True)
class AgendaPolicy:
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    done: Literal["check", "remove"] = "check"
    timed_minutes: int = 30
    prefix: str = "Due: "
    done_prefix: str = "✓ "
    two_way_dates: bool = False
    guard: ArchiveGuard = field(default_factory=ArchiveGuard)
    allow_mass_archive: bool = False


@dataclass(frozen=True)
class DueMove:
    """A deadline event a person moved: its task's due follows (two-way dates)."""

    key: str
    due: date | datetime
    title: str


@dataclass(frozen=True)
class AgendaPlan:
    plan: Plan[Event]
    due_moves: tuple[DueMove, ...] = ()


def deadline_event(record: TaskRecord, policy: AgendaPolicy) -> Event | None:
    """The event a task wants in the calendar, or None."""
    task = record.task
    if task.archived or task.due is None or (task.done and policy.done == "remove"):
        return None
    title = f"{policy.done_prefix if task.done else policy.prefix}{task.title}"
    description = "\n".join(f"{service}: {url}" for service, url in sorted(record.sources.items()))
    start: date | datetime
    end: date | datetime
    if isinstance(task.due, datetime):
        start, end, all_day = task.due - timedelta(minutes=policy.timed_minutes), task.due, False
    else:
        start, end, all_day = task.due, task.due + timedelta(days=1), True
    return Event(
        title=title,
        description=description,
        start=start,
        end=end,
        all_day=all_day,
        timezone=policy.zone.key,
        task_link=record.key,
    )


def due_of(event: Event) -> date | datetime:
    """The due an event stands for: its day (all-day), else its end."""
    return event.start if event.all_day else event.end


def plan_agenda(
    records: Sequence[TaskRecord],
    calendar: Snapshot[Event],
    links: Mapping[str, Link[Event]],
    represent: Callable[[Event], Event],
    policy: AgendaPolicy,
) -> AgendaPlan:
    moves: list[DueMove] = []

    def follow_the_event(key: str, wanted: Event, current: Event, base: Event) -> Event | None:
        """Two-way dates: the event moved and the task's due did not: the task follows the event."""
        if _dates(current) == _dates(base) or _dates(wanted) != _dates(base):
            return None
        moves.append(DueMove(key, due_of(current), wanted.title))
        return wanted.model_copy(
            update={"start": current.start, "end": current.end, "all_day": current.all_day}
        )

    spec = OneWay(
        relation=AGENDA,
        side=CALENDAR,
        owned=OWNED,
        represent=represent,
        noun="deadline events",
        owns=lambda event: event.task_link is not None,
        guard=policy.guard,
        allow_mass_archive=policy.allow_mass_archive,
        on_moved=follow_the_event if policy.two_way_dates else None,
    )
    wanted = {record.key: deadline_event(record, policy) for record in records}
    plan = plan_one_way(spec, wanted, calendar, links)
    return AgendaPlan(plan, tuple(moves))


def _dates(event: Event) -> tuple[object, object, bool]:
    return event.start, event.end, event.all_day


def due_moves_plan(moves: Sequence[DueMove], records: Sequence[TaskRecord]) -> Plan[Task]:
    """Two-way dates: each moved deadline event moves its task's due on every copy (a plan of task
    updates whose tasks-relation bases follow, so the tasks sync sends nothing back)."""
    by_key = {record.key: record for record in records}
    steps = []
    for move in moves:
        record = by_key.get(move.key)
        if record is None:
            continue
        writes = tuple(
            Write(
                service,
                "update",
                "its deadline event was moved in the calendar",
                seen.remote.remote_id,
                seen.remote.item.model_copy(update={"due": move.due}),
                frozenset({"due"}),
                {},
                seen.remote.version,
            )
            for service, seen in record.copies.items()
        )
        current = {service: seen.remote for service, seen in record.copies.items()}
        steps.append(Step(move.key, "sync", move.title, "due moved with its event", writes, current))
    return Plan(AGENDA, tuple(steps), linked=False, bases_of=TASKS)
