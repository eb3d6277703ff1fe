"""The time relation: the team's hours, from Toggl Track onto the tasks. Pure planning.

Which task an entry is for (`attach`), first rule that applies:
1. the entry carries the hub's link tag (`task_ref`), or a tag equal to a task's key;
2. its description names a task the way people do: the card's short URL or short link, or its
   number (`#17`);
3. its description is a task's title (case and spacing aside), when only one task has that title;
4. a tag equal to a label only one open task carries.
Otherwise the entry belongs only to its project (or to nothing).

Tracked hours per task are the stopped entries attached to it, all of them the hub has read (an entry
outside the read window keeps its last known state), edited entries as they are now, deleted ones not
at all; a running timer counts once it stops (counting it up to "now" would change the task at every
run). The total, rounded to the hundredth of an hour, is written to the task copy on the service that
holds it (Notion's number property) when it differs.

Projects: each project of the task service with no Toggl project of the same name gets one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sync.actions import Plan, Step, Write
from sync.model import Project, Task, TimeEntry
from sync.policy import TASKS, TIME
from sync.views import TaskRecord

_SHORT_URL = re.compile(r"trello\.com/c/([A-Za-z0-9]+)")
_TOKEN = re.compile(r"#\d+|[A-Za-z0-9]{6,}")


@dataclass(frozen=True)
class TaskIndex:
    """How entries name tasks: by key, by reference (#17, short link, short URL), by a unique label."""

    by_ref: Mapping[str, str] = field(default_factory=dict)
    by_label: Mapping[str, str] = field(default_factory=dict)
    by_title: Mapping[str, str] = field(default_factory=dict)
    keys: frozenset[str] = frozenset()

    @classmethod
    def of(cls, records: Sequence[TaskRecord]) -> TaskIndex:
        by_ref: dict[str, str] = {}
        labels: dict[str, set[str]] = defaultdict(set)
        titles: dict[str, set[str]] = defaultdict(set)
        for record in records:
            for ref in record.task.refs:
                by_ref[_norm_ref(ref)] = record.key
            if not record.task.archived:
                titles[_norm_title(record.task.title)].add(record.key)
            if not record.task.archived and not record.task.done:
                for label in record.task.labels:
                    labels[label.casefold()].add(record.key)
        return cls(by_ref, _unique(labels), _unique(titles), frozenset(record.key for record in records))


def attach(entry: TimeEntry, index: TaskIndex) -> str | None:
    """The key of the task an entry is for, or None: the first rule that names one (module docstring)."""
    for rule in RULES:
        if (key := rule(entry, index)) is not None:
            return key
    return None


def _by_link(entry: TimeEntry, index: TaskIndex) -> str | None:
    if entry.task_ref and entry.task_ref in index.keys:
        return entry.task_ref
    return next((tag for tag in entry.tags if tag in index.keys), None)


def _by_reference(entry: TimeEntry, index: TaskIndex) -> str | None:
    candidates = [*_SHORT_URL.findall(entry.description), *_TOKEN.findall(entry.description)]
    return next((key for ref in candidates if (key := index.by_ref.get(_norm_ref(ref))) is not None), None)


def _by_title(entry: TimeEntry, index: TaskIndex) -> str | None:
    return index.by_title.get(_norm_title(entry.description))


def _by_label(entry: TimeEntry, index: TaskIndex) -> str | None:
    return next(
        (key for tag in sorted(entry.tags) if (key := index.by_label.get(tag.casefold())) is not None), None
    )


RULES: tuple[Callable[[TimeEntry, TaskIndex], str | None], ...] = (
    _by_link,
    _by_reference,
    _by_title,
    _by_label,
)


def tracked_hours(entries: Sequence[TimeEntry], index: TaskIndex) -> dict[str, float]:
    """Hours per task key, over stopped entries, rounded to the hundredth."""
    seconds: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.running or entry.duration_seconds is None:
            continue
        key = attach(entry, index)
        if key is not None:
            seconds[key] += entry.duration_seconds
    return {key: round(total / 3600, 2) for key, total in seconds.items()}


def plan_hours(records: Sequence[TaskRecord], entries: Sequence[TimeEntry], holder: str) -> Plan[Task]:
    """Updates of `tracked_hours` on each task's copy held by `holder` (the service with the property)."""
    index = TaskIndex.of(records)
    hours = tracked_hours(entries, index)
    steps = []
    for record in records:
        seen = record.copies.get(holder)
        if seen is None or seen.remote.item.archived:
            continue
        wanted = hours.get(record.key, 0.0)
        current = seen.remote.item.tracked_hours
        if (current is not None and abs(current - wanted) < 0.005) or (current is None and wanted == 0):
            continue
        item = seen.remote.item.model_copy(update={"tracked_hours": wanted})
        reason = f"tracked hours {current if current is not None else 0:g} -> {wanted:g}"
        write = Write(
            holder,
            "update",
            reason,
            seen.remote.remote_id,
            item,
            frozenset({"tracked_hours"}),
            {},
            seen.remote.version,
        )
        steps.append(
            Step(
                record.key,
                "sync",
                record.task.title,
                reason,
                (write,),
                current={holder: seen.remote},
                bases={holder: None},
            )
        )
    return Plan(TIME, tuple(steps), linked=False, bases_of=TASKS)


def missing_projects(task_projects: Sequence[Project], time_projects: Sequence[Project]) -> list[Project]:
    """The task service's projects that have no time-tracking project of the same name."""
    known = {project.key for project in time_projects}
    return sorted((p for p in task_projects if p.key not in known), key=lambda project: project.key)


def _unique(groups: Mapping[str, set[str]]) -> dict[str, str]:
    return {name: next(iter(keys)) for name, keys in groups.items() if len(keys) == 1}


def _norm_title(text: str) -> str:
    return " ".join(text.split()).casefold()


def _norm_ref(ref: str) -> str:
    return ref.rstrip("/").rsplit("/", 1)[-1].casefold()
