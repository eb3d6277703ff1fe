"""What the summary is computed from: one frozen value the engine fills from its store.

Nothing here reads a store or a service: the engine builds a `SummaryInput` (its tasks with their
links and history, the calendar, the team's time entries, the sync runs) and `build_summary` turns it
into a `Summary`. Every instant is timezone-aware; the workspace's zone decides what a day is.

Glossary
- task key: the hub's link id when the task is linked across services, else `"<service>:<remote id>"`.
- person key: a lower-case email address; project key: the case-folded project name.
- done_at: when the task became done: the hub's first sighting of it done, or the service's last edit
  of a task that was already done when the hub first read it. None while the task is not done.
- status_since: when the task entered its current status, by the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal

from sync.model import Event, Task, TimeEntry

Language = Literal["en", "fr"]
Relation = Literal["tasks", "agenda", "time"]
Outcome = Literal["ok", "failed", "partial", "refused", "dry_run"]
CredentialState = Literal["ok", "failing", "expiring"]


@dataclass(frozen=True)
class SummarySettings:
    """The `[workspaces.X.summary]` table's values the computation uses (config/hub_file.py documents
    them; the engine copies them over, see `SummarySettings.names()`)."""

    blocked_label: str = "Blocked"
    review_statuses: tuple[str, ...] = ("In review",)
    review_days: int = 3
    long_timer_hours: float = 8.0
    at_risk_working_days: int = 3
    credentials_warning_days: int = 7  # credentials expiring within this many days are "expiring"
    client_name: str | None = None

    @classmethod
    def names(cls) -> frozenset[str]:
        return frozenset(item.name for item in fields(cls))


@dataclass(frozen=True)
class PersonInfo:
    key: str  # lower-case email
    name: str
    role: str | None = None
    capacity_hours: float | None = None  # per week; None: utilisation is not computed for her


@dataclass(frozen=True)
class WorkspaceInfo:
    key: str
    name: str
    timezone: str  # IANA name
    language: Language = "en"
    people: tuple[PersonInfo, ...] = ()
    settings: SummarySettings = field(default_factory=SummarySettings)
    # The services the workspace uses ("trello", "notion", "google", "toggl"): without "toggl" there
    # are no hours to report, without "google" no meetings to check.
    services: frozenset[str] = frozenset({"trello", "notion", "google", "toggl"})


@dataclass(frozen=True)
class ProjectInfo:
    key: str  # case-folded name
    name: str
    billable: bool | None = None  # None: not known
    client: str | None = None  # the client business it is done for, when known


@dataclass(frozen=True)
class TaskView:
    key: str
    task: Task
    sources: dict[str, str] = field(default_factory=dict)  # service -> URL of that copy
    done_at: datetime | None = None
    status_since: datetime | None = None
    # When the task first existed (the service's creation time, else the hub's first sighting); None:
    # it existed before anything the summary looks at. Only the open-tasks trend uses it.
    created_at: datetime | None = None


@dataclass(frozen=True)
class EntryView:
    """A time entry of anyone in the team, attached by the engine to a task (`task_key`) or not.

    A deleted entry may be passed with `deleted=True` (the store keeps Toggl's deletions): it counts
    nothing. An edited entry is passed as it is now."""

    entry: TimeEntry
    task_key: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class ConflictRecord:
    """Two sides changed one field differently; the field's policy chose a winner."""

    item: str  # the task's title (or key) as people know it
    field: str
    left_service: str
    left_value: str
    right_service: str
    right_value: str
    winner: str  # the service whose value was kept


@dataclass(frozen=True)
class RefusedArchive:
    """A plan that would have archived too much, refused by the engine's safety rule."""

    service: str
    count: int  # items the plan would have archived
    reason: str


@dataclass(frozen=True)
class RunRecord:
    """One sync of one relation with one service it read or wrote."""

    relation: Relation
    service: str
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome
    created: int = 0
    updated: int = 0
    archived: int = 0
    conflicts: tuple[ConflictRecord, ...] = ()
    errors: tuple[str, ...] = ()  # user-facing lines, already redacted
    refused_archives: tuple[RefusedArchive, ...] = ()


@dataclass(frozen=True)
class ServiceStatus:
    """What the hub knows of one service's budget and credentials."""

    service: str
    requests_period: int = 0  # API requests in the summary's period
    requests_last_run: int = 0
    quota_remaining: int | None = None  # Toggl's hourly quota, when the service has one
    quota_resets_at: datetime | None = None
    credentials: CredentialState = "ok"
    credentials_expire_at: datetime | None = None
    credentials_message: str | None = None  # user-facing, already redacted


@dataclass(frozen=True)
class SummaryInput:
    workspace: WorkspaceInfo
    now: datetime
    tasks: tuple[TaskView, ...] = ()
    projects: dict[str, ProjectInfo] = field(default_factory=dict)  # project key -> info
    events: tuple[Event, ...] = ()
    entries: tuple[EntryView, ...] = ()
    runs: tuple[RunRecord, ...] = ()
    services: tuple[ServiceStatus, ...] = ()

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("SummaryInput.now must be timezone-aware")
