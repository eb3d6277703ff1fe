"""The summary's input, read from the engine's store through its public interface: the tasks as one
list (`sync.views`), the calendar, the team's time entries attached to tasks by the engine's own rule
(`sync.hours.attach`, so the summary and the tracked-hours property never disagree), and the runs.

Nothing here computes a figure: `build_summary` does, from the value this returns. It does say how
each service's credentials stand: failing when the last read was refused them, expiring when they
expire within `credentials_warning_days` (as the hub last read their expiry, into the store's memo).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from config.hub_file import Workspace
from summary.inputs import (
    ConflictRecord,
    CredentialState,
    EntryView,
    PersonInfo,
    ProjectInfo,
    RefusedArchive,
    RunRecord,
    ServiceStatus,
    SummaryInput,
    SummarySettings,
    TaskView,
    WorkspaceInfo,
)
from sync.hours import TaskIndex, attach
from sync.journal import ConflictRecord as EngineConflict
from sync.journal import RunRecord as EngineRun
from sync.journal import WriteRecord
from sync.model import Event, Project, Task, TimeEntry
from sync.policy import AGENDA, MEETINGS, TASKS, TIME
from sync.store import Store
from sync.store.memo import credentials_expiry
from sync.views import TaskRecord, task_records

TASK_SERVICES = ("trello", "notion")
# What to do about credentials that expire, per service whose expiry the hub reads.
RENEWAL = {
    "trello": (
        "the Trello token",
        "create a new one at https://trello.com/app-key and set OBM_HUB_TRELLO__TOKEN",
    ),
}
# Which services each relation reads and writes, for the health table.
RELATION_SERVICES = {
    TASKS: TASK_SERVICES,
    AGENDA: ("google",),
    TIME: ("toggl", "notion"),
    MEETINGS: ("toggl",),
}


def summary_input(
    store: Store,
    key: str,
    workspace: Workspace,
    *,
    now: datetime,
    since: datetime | None = None,
    period_start: datetime | None = None,
    live: Mapping[str, ServiceStatus] | None = None,
) -> SummaryInput:
    """Everything the summary needs for workspace `key`; `since` bounds the runs read (the previous
    period's start, for the deltas), `period_start` the runs whose requests count as the period's,
    `live` adds what only a running hub knows (Toggl's quota as last reported)."""
    services = workspace.services()
    task_services = [service for service in TASK_SERVICES if service in services]
    records, first_reads = _records(store, key, task_services)
    runs = store.runs(key, since)
    expiries = {service: credentials_expiry(store.memo(key, service)) for service in services}
    credentials = Credentials(now, workspace.summary.credentials_warning_days, ZoneInfo(workspace.timezone))
    return SummaryInput(
        workspace=workspace_info(key, workspace),
        now=now,
        tasks=tuple(_task_view(record, ZoneInfo(workspace.timezone), first_reads) for record in records),
        projects=_projects(workspace, records),
        events=tuple(remote.item for remote in store.load_items(key, "google", Event))
        if "google" in services
        else (),
        entries=_entries(store, key, records) if "toggl" in services else (),
        runs=tuple(_runs(runs, store.writes(key, since), store.conflicts(key, since), services)),
        services=tuple(
            _service_statuses(runs, services, live or {}, period_start, credentials.judge(expiries))
        ),
    )


def workspace_info(key: str, workspace: Workspace) -> WorkspaceInfo:
    return WorkspaceInfo(
        key=key,
        name=workspace.name,
        timezone=workspace.timezone,
        language=workspace.language,
        people=tuple(
            PersonInfo(person.email, person.name, person.role, person.capacity_hours)
            for person in workspace.people
        ),
        settings=SummarySettings(**workspace.summary.model_dump(include=set(SummarySettings.names()))),
        services=frozenset(workspace.services()),
    )


def _records(
    store: Store, key: str, task_services: Sequence[str]
) -> tuple[list[TaskRecord], dict[str, datetime]]:
    """The tasks, and when each service's first read happened: the earliest sighting in its snapshot
    (tombstones included; one read stamps everything it saw with one instant)."""
    snapshots = {service: store.snapshot(key, service, Task) for service in task_services}
    links = store.links(key, TASKS, Task) if len(task_services) > 1 else {}
    first_reads = {
        service: min(stamps)
        for service, snapshot in snapshots.items()
        if (stamps := [seen.first_seen_at for seen in snapshot.items.values() if seen.first_seen_at])
    }
    return task_records(task_services, snapshots, links), first_reads


def _task_view(record: TaskRecord, zone: ZoneInfo, first_reads: Mapping[str, datetime]) -> TaskView:
    return TaskView(
        key=record.key,
        task=_all_day(record, zone),
        sources=record.sources,
        done_at=record.done_since if record.task.done else None,
        status_since=record.status_since,
        created_at=_created_at(record, first_reads),
    )


def _created_at(record: TaskRecord, first_reads: Mapping[str, datetime]) -> datetime | None:
    """When the task came to be, as far as the hub knows: a task its service's first read found
    existed before (None: the hub cannot know since when); a later one from its first sighting."""
    found_at_first_read = any(
        seen.first_seen_at is not None and seen.first_seen_at == first_reads.get(service)
        for service, seen in record.copies.items()
    )
    return None if found_at_first_read else record.first_seen


def _all_day(record: TaskRecord, zone: ZoneInfo) -> Task:
    """The task, with its due all-day when one copy holds just a day and the others an instant on that
    day: Trello has no all-day dues, so it shows a Notion date at an hour of that day (the end of the
    working day); the task is still due that day, and late only from the next."""
    task = record.task
    days = {seen.remote.item.due for seen in record.copies.values() if _is_day(seen.remote.item.due)}
    if len(days) != 1 or task.due is None:
        return task
    (day,) = days
    instants = [seen.remote.item.due for seen in record.copies.values() if not _is_day(seen.remote.item.due)]
    if all(isinstance(due, datetime) and due.astimezone(zone).date() == day for due in instants):
        return task.model_copy(update={"due": day})
    return task


def _is_day(due: object) -> bool:
    return isinstance(due, date) and not isinstance(due, datetime)


def _projects(workspace: Workspace, records: Iterable[TaskRecord]) -> dict[str, ProjectInfo]:
    names = {}
    if workspace.trello is not None:
        names.update({Project.named(name).key: name for name in workspace.trello.project_labels.values()})
    for record in records:
        if record.task.project and record.task.project not in names:
            names[record.task.project] = record.task.project
    return {project_key: ProjectInfo(project_key, name) for project_key, name in sorted(names.items())}


def _entries(store: Store, key: str, records: Sequence[TaskRecord]) -> tuple[EntryView, ...]:
    index = TaskIndex.of(records)
    views = []
    for seen in store.snapshot(key, "toggl", TimeEntry).items.values():
        entry = seen.remote.item
        views.append(EntryView(entry, attach(entry, index), deleted=not seen.present))
    return tuple(views)


def _runs(
    runs: Sequence[EngineRun],
    writes: Sequence[WriteRecord],
    conflicts: Sequence[EngineConflict],
    services: Sequence[str],
) -> list[RunRecord]:
    """One record per relation run and service it touched (the health table's rows)."""
    written: dict[tuple[int | None, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for write in writes:
        written[(write.run_id, write.service)][write.action] += 1
    settled = defaultdict(list)
    for conflict in conflicts:
        settled[conflict.run_id].append(conflict)
    records = []
    for run in runs:
        relation = TIME if run.relation == MEETINGS else run.relation
        if relation not in (TASKS, AGENDA, TIME) or run.outcome is None:
            continue
        touched = [s for s in RELATION_SERVICES[run.relation] if s in services]
        for service in touched:
            counts = written[(run.id, service)]
            records.append(
                RunRecord(
                    relation=relation,  # type: ignore[arg-type]
                    service=service,
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                    outcome="ok" if run.outcome == "skipped" else run.outcome,
                    created=counts["create"],
                    updated=counts["update"],
                    archived=counts["archive"],
                    # A conflict is between two services: reported once, with the relation's first.
                    conflicts=tuple(_conflict(c) for c in settled[run.id]) if service == touched[0] else (),
                    errors=run.errors,
                    refused_archives=tuple(RefusedArchive(service, 0, reason) for reason in run.refused),
                )
            )
    return records


def _conflict(conflict: EngineConflict) -> ConflictRecord:
    (left, left_value), (right, right_value) = sorted(conflict.values.items())
    return ConflictRecord(
        item=conflict.title or conflict.link_id,
        field=conflict.field,
        left_service=left,
        left_value=str(left_value),
        right_service=right,
        right_value=str(right_value),
        winner=conflict.winner,
    )


def _service_statuses(
    runs: Sequence[EngineRun],
    services: Sequence[str],
    live: Mapping[str, ServiceStatus],
    period_start: datetime | None,
    expiring: Mapping[str, Expiry],
) -> list[ServiceStatus]:
    statuses = []
    in_period = [run for run in runs if period_start is None or run.started_at >= period_start]
    last_label = runs[-1].label if runs else None
    for service in services:
        if service in live:
            statuses.append(live[service])
            continue
        reads = [run for run in runs if run.relation == f"read:{service}" and run.outcome is not None]
        last = reads[-1] if reads else None
        failing = last is not None and last.failure == "auth"
        quota = last.quota if last is not None else {}
        expiry = expiring.get(service, Expiry())
        statuses.append(
            ServiceStatus(
                service=service,
                requests_period=sum(run.requests.get(service, 0) for run in in_period),
                requests_last_run=sum(
                    run.requests.get(service, 0) for run in runs if run.label == last_label
                ),
                quota_remaining=quota.get("remaining"),
                quota_resets_at=datetime.fromisoformat(quota["resets_at"])
                if quota.get("resets_at")
                else None,
                credentials="failing" if failing else expiry.state,
                credentials_expire_at=expiry.expire_at,
                credentials_message=last.errors[0]
                if failing and last and last.errors
                else (None if failing else expiry.message),
            )
        )
    return statuses


@dataclass(frozen=True)
class Expiry:
    """How a service's credentials stand by their expiry alone."""

    state: CredentialState = "ok"
    expire_at: datetime | None = None  # None: they never expire, or it is not known
    message: str | None = None


@dataclass(frozen=True)
class Credentials:
    """Judges expiries at `now`: within `warning_days` they are expiring, past it failing."""

    now: datetime
    warning_days: int
    zone: ZoneInfo

    def judge(self, expiries: Mapping[str, datetime | None]) -> dict[str, Expiry]:
        return {service: self.expiry(service, at) for service, at in expiries.items() if at is not None}

    def expiry(self, service: str, expire_at: datetime) -> Expiry:
        expire_at = expire_at.astimezone(self.zone)  # the summary's instants are in the workspace's zone
        if expire_at - self.now > timedelta(days=self.warning_days):
            return Expiry("ok", expire_at)
        what, fix = RENEWAL.get(service, (f"the {service} token", "create a new one"))
        day = expire_at.date().isoformat()
        if expire_at <= self.now:
            return Expiry("failing", expire_at, f"{what} expired on {day}: {fix}")
        return Expiry("expiring", expire_at, f"{what} expires on {day}: {fix}")
