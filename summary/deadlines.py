"""Coming deadlines, from the tasks and from the calendar's deadline events, each counted once.

A deadline event carries the link id of its task (`Event.task_link`): when the hub holds that task,
the task stands for both (its own due wins over a moved event, and a done or archived task's event is
no coming deadline); an event whose task the hub does not hold is listed on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from summary.clock import deadline, due_day, local_date
from summary.inputs import TaskView
from summary.result import Deadline, Deadlines
from summary.tasks import open_at, task_ref
from sync.model import Event

NEAR_DAYS = 7
FAR_DAYS = 14


def upcoming(tasks: Sequence[TaskView], events: Iterable[Event], now: datetime, zone: ZoneInfo) -> Deadlines:
    """Deadlines not yet passed, due within 7 days (today included), then within 8 to 14 days."""
    today = local_date(now, zone)
    found = [_from_task(view, today, zone) for view in tasks if _coming(view, now, zone)]
    known = {view.key for view in tasks}
    found += [
        _from_event(event, today, zone)
        for event in events
        if event.task_link is not None
        and event.task_link not in known
        and event.status != "cancelled"
        and now < deadline(_event_due(event), zone)
    ]
    found = [item for item in found if item.days_left <= FAR_DAYS]
    found.sort(key=lambda item: (deadline(item.due, zone), item.title))
    return Deadlines(
        tuple(item for item in found if item.days_left <= NEAR_DAYS),
        tuple(item for item in found if item.days_left > NEAR_DAYS),
    )


def _coming(view: TaskView, now: datetime, zone: ZoneInfo) -> bool:
    due = view.task.due
    return due is not None and open_at(view, now) and now < deadline(due, zone)


def _from_task(view: TaskView, today: date, zone: ZoneInfo) -> Deadline:
    due = view.task.due
    assert due is not None  # filtered by _coming
    ref = task_ref(view)
    return Deadline(ref.title, due, (due_day(due, zone) - today).days, ref, ref.url)


def _event_due(event: Event) -> date | datetime:
    """A deadline event's due: its start (an all-day event's first day)."""
    return event.start


def _from_event(event: Event, today: date, zone: ZoneInfo) -> Deadline:
    due = _event_due(event)
    return Deadline(event.title, due, (due_day(due, zone) - today).days, None, event.url)
