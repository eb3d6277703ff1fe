"""The `Summary` value: everything the renderers show, computed once by `build_summary`.

Durations tracked are whole seconds (renderers turn them into hours); estimates are hours, as the
services hold them. People and projects are referred to by key; `Summary.person_name` and
`Summary.project_name` give what to show. Instants are aware, in the workspace's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from summary.inputs import (
    ConflictRecord,
    Language,
    PersonInfo,
    ProjectInfo,
    RefusedArchive,
    ServiceStatus,
    SummarySettings,
)
from summary.period import Period

Level = Literal["green", "amber", "red"]
RiskReason = Literal["no_time", "no_assignee", "over_estimate"]


@dataclass(frozen=True)
class Reason:
    """One line of the headline: `code` names what (the labels say it), `count` how many."""

    level: Level
    code: str
    count: int


@dataclass(frozen=True)
class Headline:
    level: Level
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class TaskRef:
    key: str
    title: str
    url: str | None
    project: str | None  # project key
    assignees: tuple[str, ...]  # person keys, sorted
    status: str | None


@dataclass(frozen=True)
class DoneTask:
    task: TaskRef
    done_at: datetime
    people: tuple[str, ...]  # who did it: the assignees, else whoever tracked time on it
    tracked_seconds: int  # all time tracked on it


@dataclass(frozen=True)
class ProjectDone:
    project: str | None
    tasks: tuple[DoneTask, ...]


@dataclass(frozen=True)
class OverdueTask:
    task: TaskRef
    due: date | datetime
    days_late: int  # calendar days in the workspace's zone
    tracked_seconds: int
    estimate_hours: float | None


@dataclass(frozen=True)
class AtRiskTask:
    task: TaskRef
    due: date | datetime
    reasons: tuple[RiskReason, ...]
    tracked_seconds: int
    estimate_hours: float | None


@dataclass(frozen=True)
class Deadline:
    """A coming deadline: a task's due, or a deadline event whose task the hub does not hold."""

    title: str
    due: date | datetime
    days_left: int  # calendar days from today
    task: TaskRef | None
    url: str | None


@dataclass(frozen=True)
class Deadlines:
    within_7: tuple[Deadline, ...]  # today to 7 days ahead
    within_14: tuple[Deadline, ...]  # 8 to 14 days ahead


@dataclass(frozen=True)
class StuckTask:
    """A task carrying the blocked label, or sitting in a review status too long."""

    task: TaskRef
    since: datetime | None  # when it entered its status, when known
    days: int | None  # calendar days since then


@dataclass(frozen=True)
class Blockers:
    blocked: tuple[StuckTask, ...]
    in_review: tuple[StuckTask, ...]


@dataclass(frozen=True)
class ProjectSeconds:
    project: str | None
    seconds: int


@dataclass(frozen=True)
class PersonHours:
    person: str | None  # key; None for entries with no person
    seconds: int
    billable_seconds: int
    by_project: tuple[ProjectSeconds, ...]
    capacity_hours: float | None  # weekly capacity prorated to the period's working days
    utilisation: float | None  # seconds / capacity; None without a capacity or working days


@dataclass(frozen=True)
class ProjectHours:
    project: str | None
    seconds: int  # in the period
    billable_seconds: int
    # Burn: all time tracked on the project's estimated tasks in play against their estimates.
    estimate_hours: float | None
    tracked_on_estimates_seconds: int
    burn: float | None


@dataclass(frozen=True)
class DayHours:
    day: date
    person: str | None
    project: str | None
    seconds: int


@dataclass(frozen=True)
class LooseEntry:
    """An entry of the period with no task or no project."""

    person: str | None
    description: str
    start: datetime
    seconds: int  # inside the period
    project: str | None
    task_key: str | None


@dataclass(frozen=True)
class LongTimer:
    person: str | None
    description: str
    start: datetime
    seconds: int  # its whole length (a running one up to now)
    running: bool


@dataclass(frozen=True)
class UntrackedMeeting:
    title: str
    start: datetime
    end: datetime
    people: tuple[str, ...]  # attendees who tracked nothing during it


@dataclass(frozen=True)
class Hours:
    seconds: int
    billable_seconds: int
    working_days: int
    people: tuple[PersonHours, ...]
    projects: tuple[ProjectHours, ...]
    daily: tuple[DayHours, ...]
    without_task: tuple[LooseEntry, ...]
    without_project: tuple[LooseEntry, ...]
    long_timers: tuple[LongTimer, ...]
    untracked_meetings: tuple[UntrackedMeeting, ...] | None  # None: the workspace has no calendar


@dataclass(frozen=True)
class TrendPoint:
    """Open and overdue tasks at the end of a day of the period (or now, for today)."""

    day: date
    at: datetime
    open: int
    overdue: int


@dataclass(frozen=True)
class Delta:
    current: float
    previous: float

    @property
    def change(self) -> float:
        return self.current - self.previous


@dataclass(frozen=True)
class Deltas:
    done: Delta
    overdue: Delta
    hours_seconds: Delta | None  # None: the workspace tracks no time


@dataclass(frozen=True)
class RelationHealth:
    relation: str
    service: str
    last_run_at: datetime
    last_outcome: str
    last_ok_at: datetime | None
    runs: int  # in the period
    created: int
    updated: int
    archived: int
    errors: tuple[str, ...]  # of the last run


@dataclass(frozen=True)
class SyncHealth:
    relations: tuple[RelationHealth, ...]
    conflicts: tuple[ConflictRecord, ...]
    refused_archives: tuple[RefusedArchive, ...]
    services: tuple[ServiceStatus, ...]


@dataclass(frozen=True)
class Summary:
    workspace_key: str
    workspace_name: str
    timezone: str
    language: Language
    settings: SummarySettings  # the thresholds the sections used
    period: Period
    now: datetime
    people: tuple[PersonInfo, ...]
    projects: tuple[ProjectInfo, ...]
    headline: Headline
    done: tuple[ProjectDone, ...]
    overdue: tuple[OverdueTask, ...]
    at_risk: tuple[AtRiskTask, ...]
    deadlines: Deadlines
    blockers: Blockers
    hours: Hours | None  # None: the workspace tracks no time
    trend: tuple[TrendPoint, ...]
    deltas: Deltas
    health: SyncHealth

    def person_name(self, key: str | None) -> str | None:
        """The person's name; her key when she is not in the workspace; None for no person."""
        if key is None:
            return None
        return next((person.name for person in self.people if person.key == key), key)

    def project_name(self, key: str | None) -> str | None:
        if key is None:
            return None
        return next((project.name for project in self.projects if project.key == key), key)

    @property
    def done_count(self) -> int:
        return sum(len(group.tasks) for group in self.done)


@dataclass(frozen=True)
class ClientWork:
    title: str
    done_at: datetime


@dataclass(frozen=True)
class ClientProject:
    project: str | None
    name: str | None
    seconds: int
    billable_seconds: int
    done: tuple[ClientWork, ...]


@dataclass(frozen=True)
class ClientReport:
    """What a client may read: hours by project and the work done; nothing about people or syncs."""

    workspace_name: str
    client: str | None
    timezone: str
    language: Language
    period: Period
    now: datetime
    projects: tuple[ClientProject, ...]
    seconds: int
    billable_seconds: int
