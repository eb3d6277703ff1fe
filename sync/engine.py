"""The engine's entry points, as the flows and the CLI call them: read a service into the store, plan
a relation from the store, apply a plan and record the run. I/O goes only through the connectors
handed in (the `sync.connector.Connector` protocol) and the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sync.actions import Plan
from sync.agenda import AgendaPlan, AgendaPolicy, plan_agenda
from sync.apply import ApplyReport, Progress, apply_plan
from sync.connector import ChangeBatch, Connector, ProjectCatalog, Remote
from sync.hours import missing_projects, plan_hours
from sync.journal import Outcome, WriteRecord
from sync.meetings import TIME_SERVICE, MeetingPolicy, meeting_entries, plan_meetings
from sync.model import Event, Project, Record, Task, TimeEntry
from sync.plan import SideSpec, plan_two_way
from sync.policy import AGENDA, MEETINGS, TASKS, TIME, RelationPolicy
from sync.store import ReadResult, Store, journal
from sync.views import TaskRecord, task_records

T = TypeVar("T", bound=Record)


class KnownCopies(Mapping[str, Remote[T]]):
    """The store's copies of one service's collection by remote id (present ones: as last read or
    written), loaded on first use: a read that needs none of them (no change) costs no query."""

    def __init__(self, store: Store, workspace: str, service: str, model: type[T]) -> None:
        self._load = lambda: {r.remote_id: r for r in store.load_items(workspace, service, model)}
        self._items: dict[str, Remote[T]] | None = None

    def _loaded(self) -> dict[str, Remote[T]]:
        if self._items is None:
            self._items = self._load()
        return self._items

    def __getitem__(self, remote_id: str) -> Remote[T]:
        return self._loaded()[remote_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def fetch_changes(
    store: Store, workspace: str, connector: Connector[T], cursor: str | None, model: type[T] | None
) -> ChangeBatch[T]:
    """The connector's read from `cursor`; an incremental one is told what the store holds (with the
    collection's `model`), so it need not read the hub's own writes back."""
    if cursor is None or model is None:
        return connector.fetch_changes(cursor)
    return connector.fetch_changes(cursor, known=KnownCopies(store, workspace, connector.service, model))


def read_into_store(
    store: Store,
    workspace: str,
    connector: Connector[Any],
    *,
    allow_empty: bool = False,
    model: type[Record] | None = None,
) -> ReadResult:
    """One read of a service (incremental when a cursor is stored), recorded with its cursor. With the
    collection's `model` (its record type), an incremental read knows what the store holds."""
    batch = fetch_changes(store, workspace, connector, store.get_cursor(workspace, connector.service), model)
    return store.record_read(workspace, connector.service, batch, allow_empty=allow_empty)


def plan_tasks(
    store: Store, workspace: str, sides: tuple[Connector[Task], Connector[Task]], policy: RelationPolicy
) -> Plan[Task]:
    """The tasks relation's plan from what the store holds (pure once loaded)."""
    a, b = (SideSpec(connector.service, connector.represent) for connector in sides)
    snapshots = {spec.name: store.snapshot(workspace, spec.name, Task) for spec in (a, b)}
    return plan_two_way(TASKS, a, b, snapshots, store.links(workspace, TASKS, Task), policy, Task)


def load_task_records(store: Store, workspace: str, services: Sequence[str]) -> list[TaskRecord]:
    """The workspace's tasks, one record per task whichever services hold it (see views.py)."""
    snapshots = {service: store.snapshot(workspace, service, Task) for service in services}
    links = store.links(workspace, TASKS, Task) if len(services) > 1 else {}
    return task_records(services, snapshots, links)


def plan_deadlines(
    store: Store,
    workspace: str,
    task_services: Sequence[str],
    calendar: Connector[Event],
    policy: AgendaPolicy,
) -> tuple[AgendaPlan, list[TaskRecord]]:
    """The agenda relation's plan, and the task records it was made from (for two-way dates)."""
    records = load_task_records(store, workspace, task_services)
    snapshot = store.snapshot(workspace, calendar.service, Event)
    links = store.links(workspace, AGENDA, Event)
    return plan_agenda(records, snapshot, links, calendar.represent, policy), records


def plan_tracked_hours(store: Store, workspace: str, task_services: Sequence[str], holder: str) -> Plan[Task]:
    """Tracked hours per task, from every time entry the store holds, onto `holder`'s copies."""
    records = load_task_records(store, workspace, task_services)
    entries = [remote.item for remote in store.load_items(workspace, TIME_SERVICE, TimeEntry)]
    return plan_hours(records, entries, holder)


def ensure_projects(
    store: Store, workspace: str, source: ProjectCatalog, target: ProjectCatalog, *, dry_run: bool = False
) -> list[Project]:
    """Create on `target` (Toggl) the projects `source` (Notion) has and it lacks; returns them."""
    missing = missing_projects(source.list_projects(), target.list_projects())
    if dry_run:
        return missing
    created = []
    for project in missing:
        made = target.create_project(project.name)
        created.append(made)
        write = WriteRecord(
            service=target.service,
            action="create",
            reason=f"a {source.service} project with no {target.service} project",
            remote_id=made.key,
            fields=("name",),
            after={"name": made.name},
            at=store.now(),
        )
        with store.transaction() as connection:
            journal.add_write(connection, None, workspace, TIME, write)
    return created


def plan_meeting_entries(
    store: Store,
    workspace: str,
    calendar_service: str,
    time_entries: Connector[TimeEntry],
    policy: MeetingPolicy,
    *,
    since: datetime,
) -> Plan[TimeEntry]:
    """Meetings that ended become time entries for the configured people who attended."""
    events = store.load_items(workspace, calendar_service, Event)
    links = store.links(workspace, MEETINGS, TimeEntry)
    wanted = meeting_entries(events, policy, now=store.now(), since=since, linked=set(links))
    snapshot = store.snapshot(workspace, time_entries.service, TimeEntry)
    return plan_meetings(wanted, snapshot, links, time_entries.represent, policy)


@dataclass(frozen=True)
class RelationRun:
    plan: Plan[Any]
    report: ApplyReport | None  # None for a dry run
    outcome: Outcome


def apply_and_record(
    store: Store,
    workspace: str,
    plan: Plan[T],
    connectors: Mapping[str, Connector[T]],
    model: type[T],
    *,
    dry_run: bool = False,
    label: str | None = None,
    on_progress: Progress | None = None,
    requests: Callable[[], Mapping[str, int]] | None = None,
) -> RelationRun:
    """Apply the plan (unless dry), with a run row recording its outcome; a refused plan writes
    nothing and is recorded as refused. Returns what happened; never raises for an item's failure.
    `requests` tells, once the writes are done, the API requests they cost per service."""
    with store.transaction() as connection:
        run_id = journal.start_run(
            connection, workspace, plan.relation, label=label, dry_run=dry_run, now=store.now()
        )
    if dry_run or plan.refusal:
        outcome: Outcome = "dry_run" if dry_run else "refused"
        with store.transaction() as connection:
            journal.finish_run(
                connection,
                run_id,
                outcome,
                store.now(),
                refused=(plan.refusal,) if plan.refusal and not dry_run else (),
                errors=plan.problems,
            )
        return RelationRun(plan, None, outcome)
    report = apply_plan(
        plan, connectors, store, workspace=workspace, model=model, run_id=run_id, on_progress=on_progress
    )
    outcome = "failed" if report.stopped else ("partial" if report.failures else "ok")
    stopped = (f"stopped: {report.stopped}",) if report.stopped else ()
    with store.transaction() as connection:
        journal.finish_run(
            connection,
            run_id,
            outcome,
            store.now(),
            created=report.created,
            updated=report.updated,
            archived=report.archived,
            conflicts_count=len(report.conflicts),
            errors=(*plan.problems, *report.failures, *stopped),
            requests=dict(requests()) if requests else {},
        )
    return RelationRun(plan, report, outcome)
