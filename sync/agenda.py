"""The agenda relation: every open task with a due date has a deadline event in the workspace's
calendar. Pure planning: task records and the calendar's snapshot in, a plan out.

    task                                  deadline event
    open, due on a date                   all-day on that date
    open, due at an instant               timed, ending at the due, `timed_minutes` long
    due moved                             the event moves
    done                                  kept with a check mark ("check") or removed ("remove")
    archived, deleted, or due removed     cancelled (deleted from the calendar)

The event's link id is the task's key; the calendar connector derives the event id from it and marks
the event with it, so an interrupted create is found again, never repeated. A deadline event a
person deleted stays deleted until its task changes again. With `two_way_dates`, moving the event
moves the task's due (see `DueMove`), when the task's due did not move too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sync.actions import Plan, Step, Write
from sync.connector import Remote
from sync.model import Event
from sync.policy import AGENDA, ArchiveGuard
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
    planner = _AgendaPlanner(calendar, links, represent, policy)
    wanted = {record.key: deadline_event(record, policy) for record in records}
    steps = [step for key in sorted(wanted) if (step := planner.for_task(key, wanted[key]))]
    steps += planner.retire(set(key for key, event in wanted.items() if event is not None))
    plan = Plan(AGENDA, tuple(steps), tuple(planner.problems))
    return AgendaPlan(_guarded(plan, links, policy), tuple(planner.due_moves))


class _AgendaPlanner:
    def __init__(
        self,
        calendar: Snapshot[Event],
        links: Mapping[str, Link[Event]],
        represent: Callable[[Event], Event],
        policy: AgendaPolicy,
    ) -> None:
        self.calendar, self.links, self.represent, self.policy = calendar, links, represent, policy
        self.problems: list[str] = []
        self.due_moves: list[DueMove] = []
        claimed = {
            side.remote_id for link in links.values() if (side := link.side(CALENDAR)) and side.remote_id
        }
        self.carrying = {
            seen.remote.link_id: seen.remote
            for seen in calendar.items.values()
            if seen.present and seen.remote.link_id and seen.remote.remote_id not in claimed
        }

    def for_task(self, key: str, event: Event | None) -> Step[Event] | None:
        link = self.links.get(key)
        side = link.side(CALENDAR) if link else None
        if event is None:
            return None  # retire() handles the events of tasks that want none
        if side is None or side.remote_id is None:
            return self._place(key, event, pending=side is not None)
        seen = self.calendar.get(side.remote_id)
        if seen is None:
            self.problems.append(
                f"agenda: the event {side.remote_id} of task {key} was never read; left as is"
            )
            return None
        if not seen.present or seen.remote.item.retired:
            return self._deleted_by_a_person(key, event, link, side.base)
        return self._follow(key, event, seen.remote, side.base, link.state if link else "active")

    def retire(self, wanted: set[str]) -> list[Step[Event]]:
        """Cancel the deadline events of tasks that no longer want one (and hub-made orphans)."""
        steps = []
        for key in sorted(set(self.links) - wanted):
            link = self.links[key]
            side = link.side(CALENDAR)
            seen = self.calendar.get(side.remote_id if side else None)
            if seen is not None and seen.present and not seen.remote.item.retired:
                steps.append(
                    self._cancel(
                        key,
                        seen.remote,
                        side.base if side else None,
                        "its task is done, archived or has no due",
                    )
                )
            elif link.state not in ("archived", "dismissed"):
                steps.append(Step(key, "archive", key, "no deadline event to keep", state="archived"))
        for key in sorted(set(self.carrying) - wanted - set(self.links)):
            remote = self.carrying[key]
            if remote.item.task_link is not None and not remote.item.retired:
                steps.append(self._cancel(key, remote, None, "a deadline event whose task is gone"))
        return steps

    def _place(self, key: str, event: Event, *, pending: bool) -> Step[Event]:
        found = self.carrying.get(key)
        if found is not None and not found.item.retired:
            step = self._follow(key, event, found, None, "active")
            assert step is not None  # an adopted event always records its side
            return step
        create: Write[Event] = Write(
            CALENDAR, "create", "an open task with a due date", item=self.represent(event)
        )
        return Step(
            key,
            "recover" if pending else "create",
            event.title,
            "create its deadline event" if not pending else "finish an interrupted create",
            (create,),
            recover=CALENDAR if pending else None,
            new_link=not pending,
        )

    def _follow(
        self, key: str, event: Event, remote: Remote[Event], base: Event | None, state: str
    ) -> Step[Event] | None:
        wanted = self.represent(event)
        current = remote.item
        if (
            self.policy.two_way_dates
            and base is not None
            and _dates(current) != _dates(base)
            and _dates(wanted) == _dates(base)
        ):
            self.due_moves.append(DueMove(key, due_of(current), event.title))
            wanted = wanted.model_copy(
                update={"start": current.start, "end": current.end, "all_day": current.all_day}
            )
        fields = frozenset(name for name in OWNED if getattr(wanted, name) != getattr(current, name))
        if (
            not fields
            and base is not None
            and base.content_hash() == current.content_hash()
            and state == "active"
        ):
            return None
        writes: tuple[Write[Event], ...] = ()
        if fields:
            item = current.model_copy(update={name: getattr(wanted, name) for name in fields})
            reason = "the task changed: " + ", ".join(sorted(fields))
            writes = (
                Write(
                    CALENDAR,
                    "update",
                    reason,
                    remote.remote_id,
                    item,
                    fields,
                    {},
                    remote.version,
                    remote.link_id != key,
                ),
            )
        return Step(
            key,
            "sync" if base is not None else "adopt",
            event.title,
            writes[0].reason if writes else "the calendar agrees; base moves",
            writes,
            current={CALENDAR: remote},
            bases={CALENDAR: base},
        )

    def _deleted_by_a_person(
        self, key: str, event: Event, link: Link[Event] | None, base: Event | None
    ) -> Step[Event] | None:
        if base is not None and _owned(self.represent(event)) == _owned(base):
            if link is not None and link.state == "dismissed":
                return None
            return Step(
                key,
                "unlink",
                event.title,
                "its deadline event was deleted by a person; not recreated until the task changes",
                state="dismissed",
            )
        create: Write[Event] = Write(
            CALENDAR, "create", "the task changed since its event was deleted", item=self.represent(event)
        )
        return Step(key, "create", event.title, "recreate its deadline event", (create,))

    def _cancel(self, key: str, remote: Remote[Event], base: Event | None, why: str) -> Step[Event]:
        write: Write[Event] = Write(CALENDAR, "archive", why, remote.remote_id, if_version=remote.version)
        return Step(
            key,
            "archive",
            remote.item.title,
            why,
            (write,),
            current={CALENDAR: remote},
            bases={CALENDAR: base},
            state="archived",
        )


def _dates(event: Event) -> tuple[object, object, bool]:
    return event.start, event.end, event.all_day


def _owned(event: Event) -> tuple[object, ...]:
    return tuple(getattr(event, name) for name in OWNED)


def _guarded(plan: Plan[Event], links: Mapping[str, Link[Event]], policy: AgendaPolicy) -> Plan[Event]:
    if policy.allow_mass_archive:
        return plan
    linked = sum(1 for link in links.values() if link.state == "active")
    archives = sum(1 for _, write in plan.writes if write.kind == "archive")
    limit = policy.guard.limit(linked)
    if archives <= limit:
        return plan
    refusal = (
        f"the plan would cancel {archives} of {linked} deadline events (the limit is {limit}); refused. "
        "Check the task services' last reads, then run again allowing it (--allow-mass-archive)."
    )
    return Plan(plan.relation, plan.steps, plan.problems, refusal)
