"""The summary's input, read from the engine's store through its public interface: the tasks as one
list (`sync.views`), the calendar, the team's time entries attached to tasks by the engine's own rule
(`sync.hours.attach`, so the summary and the tracked-hours property never disagree), and the runs.

Nothing here computes a figure: `build_summary` does, from the value this returns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from config.hub_file import Workspace
from summary.inputs import (
    ConflictRecord,
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
from sync.views import TaskRecord, task_records

TASK_SERVICES = ("trello", "notion")
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
    live: Mapping[str, ServiceStatus] | None = None,
) -> SummaryInput:
    """Everything the summary needs for workspace `key`; `since` bounds the runs read (the previous
    period's start), `live` adds what only a running hub knows (Toggl's quota as last reported)."""
    services = workspace.services()
    task_services = [service for service in TASK_SERVICES if service in services]
    records, first_reads = _records(store, key, task_services)
    runs = store.runs(key, since)
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
        services=tuple(_service_statuses(runs, services, live or {})),
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
    runs: Sequence[EngineRun], services: Sequence[str], live: Mapping[str, ServiceStatus]
) -> list[ServiceStatus]:
    statuses = []
    last_label = runs[-1].label if runs else None
    for service in services:
        if service in live:
            statuses.append(live[service])
            continue
        reads = [run for run in runs if run.relation == f"read:{service}" and run.outcome is not None]
        last = reads[-1] if reads else None
        failing = last is not None and last.failure == "auth"
        quota = last.quota if last is not None else {}
        statuses.append(
            ServiceStatus(
                service=service,
                requests_period=sum(run.requests.get(service, 0) for run in runs),
                requests_last_run=sum(
                    run.requests.get(service, 0) for run in runs if run.label == last_label
                ),
                quota_remaining=quota.get("remaining"),
                quota_resets_at=datetime.fromisoformat(quota["resets_at"])
                if quota.get("resets_at")
                else None,
                credentials="failing" if failing else "ok",
                credentials_message=last.errors[0] if failing and last and last.errors else None,
            )
        )
    return statuses
