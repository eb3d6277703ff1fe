"""Time entries counted the way a person counts them.

- An entry counts only its part inside the window asked for (a period, a day): one across midnight
  or across the period's edge is split there.
- A running timer counts up to `now`; nothing counts after `now`.
- A deleted entry counts nothing; an edited one counts as it is now (the input holds its current state).
- An entry's project is its own, else the project of the task it is attached to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from summary.clock import overlap_seconds, seconds_between
from summary.inputs import EntryView, TaskView


@dataclass(frozen=True)
class Tracked:
    """One live entry, resolved: whose, which project and task, and when it ran (stop capped at now)."""

    person: str | None
    project: str | None
    task_key: str | None
    own_project: bool  # the project is the entry's own (not inherited from its task)
    description: str
    billable: bool
    start: datetime
    stop: datetime
    running: bool

    @property
    def seconds(self) -> int:
        return seconds_between(self.start, self.stop)

    def seconds_in(self, lower: datetime, upper: datetime) -> int:
        return overlap_seconds(self.start, self.stop, lower, upper)


def resolve(entries: Iterable[EntryView], tasks: Iterable[TaskView], now: datetime) -> tuple[Tracked, ...]:
    """The live entries (deleted ones dropped, future parts cut at `now`), in start order."""
    project_of_task = {view.key: view.task.project for view in tasks}
    resolved = []
    for view in entries:
        entry = view.entry
        if view.deleted or entry.start >= now:
            continue
        stop = now if entry.stop is None else min(entry.stop, now)
        task_project = project_of_task.get(view.task_key) if view.task_key else None
        resolved.append(
            Tracked(
                person=entry.person,
                project=entry.project or task_project,
                task_key=view.task_key,
                own_project=entry.project is not None,
                description=entry.description,
                billable=entry.billable,
                start=entry.start,
                stop=stop,
                running=entry.stop is None,
            )
        )
    return tuple(sorted(resolved, key=lambda item: (item.start, item.person or "", item.description)))


def seconds_by_task(tracked: Iterable[Tracked], until: datetime | None = None) -> dict[str, int]:
    """All time tracked on each task (up to `until` when given)."""
    totals: dict[str, int] = defaultdict(int)
    for item in tracked:
        if item.task_key is None:
            continue
        stop = item.stop if until is None else min(item.stop, until)
        totals[item.task_key] += seconds_between(item.start, stop) if stop > item.start else 0
    return dict(totals)


def tracked_seconds(view: TaskView, by_task: dict[str, int]) -> int:
    """A task's tracked time: its attached entries; with none, the hours the task itself carries
    (e.g. tracked before the hub read Toggl, or written by hand in Notion)."""
    if view.key in by_task:
        return by_task[view.key]
    return round((view.task.tracked_hours or 0) * 3600)
