"""The Prefect flows: `sync-tasks`, `sync-agenda`, `sync-time`, `operations-summary`, and `hub`, which
runs a workspace's syncs in order and then its summary. Wiring only: each step is a call into
`flows.runner` wrapped in a Prefect task at a useful grain (a service's read, a relation's plan, its
apply, the summary), never one per HTTP request.

One retry layer: the HTTP core retries what waiting can fix within a run; Prefect never retries a task
(`retries=0`): what reaches it is either not fixable by waiting (credentials, bad data) or a wait
longer than a run should sit through, and the next scheduled run is the retry (its cursor did not move).

A failed read or relation does not hide the others: `hub` runs what it can and then reports each
relation's state, failing only at the end. An overlapping run of the same workspace (the engine's
lease) ends Cancelled, saying which run holds the lease and since when.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Cancelled, Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from connectors.accounting import STATS
from flows import publish
from flows.context import runner_for
from flows.params import (
    RELATIONS,
    HubParams,
    PeriodName,
    Relation,
    SummaryParams,
    SummaryPeriod,
    SyncParams,
)
from flows.runner import ReadOutcome, RelationOutcome, SummaryOutputs, WorkspaceRunner
from sync.policy import AGENDA, TASKS, TIME
from sync.store import LeaseHeld

# Reads run side by side, four at most (one per service); typed loosely: Prefect's generics do not meet.
THREADS: Any = ThreadPoolTaskRunner(max_workers=4)

# The hub runs every 15 minutes: its summary's Notion page is replaced at most hourly (the daily and
# weekly `operations-summary` runs always replace theirs).
HUB_NOTION_EVERY = timedelta(hours=1)


@dataclass
class HubRun:
    """What a run did, for the command line and the state's data (Prefect keeps no results)."""

    workspace: str
    reads: list[ReadOutcome] = field(default_factory=list)
    relations: list[RelationOutcome] = field(default_factory=list)
    summary: SummaryOutputs | None = None
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    requests: dict[str, int] = field(default_factory=dict)
    lease: str | None = None  # why nothing ran: another run holds the lease

    @property
    def outcome(self) -> str:
        if self.lease:
            return "lease_held"
        outcomes = [relation.outcome for relation in self.relations]
        if "refused" in outcomes:
            return "refused"
        if any(not read.ok for read in self.reads) or any(o in ("failed", "partial") for o in outcomes):
            return "failed"
        return "ok"

    def lines(self) -> list[str]:
        """One line per read that failed and per relation, for the run's state and the terminal."""
        lines = [read.error for read in self.reads if read.error]
        for relation in self.relations:
            counts = relation.counts()
            shown = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "no change"
            lines.append(f"{relation.relation}: {relation.outcome} ({shown})")
            lines += [f"  {line}" for line in relation.errors]
        return lines


def _run_name() -> str:
    workspace = (flow_run.parameters or {}).get("workspace", "workspace")
    return f"{flow_run.flow_name}-{workspace}-{datetime.now(UTC):%Y%m%d-%H%M}"


# -- tasks: the grain the UI shows --------------------------------------------------------------


@task(cache_policy=NO_CACHE, retries=0, task_run_name="read-{service}")
def read_service(runner: WorkspaceRunner, service: str, full: bool) -> ReadOutcome:
    """One read of one service; a failure is an outcome with one line saying what to fix."""
    outcome = runner.read(service, full=full)  # type: ignore[arg-type]
    logger = get_run_logger()
    if outcome.ok:
        logger.info("%s: %s", service, outcome.result)
    else:
        logger.error("%s", outcome.error)
    return outcome


@task(cache_policy=NO_CACHE, retries=0, task_run_name="plan-{relation}")
def plan_relation(runner: WorkspaceRunner, relation: str, allow_mass_archive: bool) -> RelationOutcome:
    planned = runner.plan(relation, allow_mass_archive=allow_mass_archive)
    logger = get_run_logger()
    for plan in planned.plans:
        logger.info("%s: %d steps, writes %s", plan.relation, len(plan.steps), plan.counts())
        for problem in plan.problems:
            logger.warning("%s: %s", plan.relation, problem)
        if plan.refusal:
            logger.error("%s: %s", plan.relation, plan.refusal)
    return planned


@task(cache_policy=NO_CACHE, retries=0, task_run_name="apply-{planned.relation}")
def apply_relation(runner: WorkspaceRunner, planned: RelationOutcome, dry_run: bool) -> RelationOutcome:
    done = runner.apply(planned, dry_run=dry_run, on_progress=publish.progress(runner.key, planned.relation))
    for line in done.errors:
        get_run_logger().warning("%s: %s", done.relation, line)
    return done


@task(cache_policy=NO_CACHE, retries=0, task_run_name="check-credentials")
def check_credentials(runner: WorkspaceRunner) -> list[str]:
    """When the credentials that expire do (at most a request a day); a check that failed is a warning."""
    lines = runner.check_credentials()
    for line in lines:
        get_run_logger().warning("credentials: %s", line)
    return lines


@task(cache_policy=NO_CACHE, retries=0, task_run_name="summary")
def summarize(
    runner: WorkspaceRunner, params: SummaryParams, notion_every: timedelta | None = None
) -> SummaryOutputs:
    period = params.summary.resolve(runner.workspace.timezone, runner.store.now())
    outputs = runner.summarize(period, publish=params.publish, notion_every=notion_every)
    for line in outputs.errors:
        get_run_logger().warning("summary: %s", line)
    return outputs


# -- flows -------------------------------------------------------------------------------------


@flow(name="hub", flow_run_name=_run_name, task_runner=THREADS)
def hub(
    workspace: str,
    dry_run: bool = False,
    full_resync: bool = False,
    allow_mass_archive: bool = False,
    relations: list[Relation] | None = None,
    period: PeriodName = "this-week",
    first: date | None = None,
    last: date | None = None,
) -> HubRun | State:
    """A workspace's syncs in order (tasks, agenda, time), then its operations summary.

    Flat parameters (`--param dry_run=true` sets one), checked again as a whole by `HubParams`."""
    params = HubParams(
        workspace=workspace,
        dry_run=dry_run,
        full_resync=full_resync,
        allow_mass_archive=allow_mass_archive,
        relations=list(RELATIONS) if relations is None else relations,
        summary=SummaryPeriod(period=period, first=first, last=last),
    )
    summary = SummaryParams(workspace=params.workspace, summary=params.summary, publish=not params.dry_run)
    return _run(params, params.relations, summary)


@flow(name="sync-tasks", flow_run_name=_run_name, task_runner=THREADS)
def sync_tasks(
    workspace: str, dry_run: bool = False, full_resync: bool = False, allow_mass_archive: bool = False
) -> HubRun | State:
    """Tasks, both ways: the Trello board and the Notion data source."""
    return _run(SyncParams(**_sync_values(locals())), [TASKS], None)


@flow(name="sync-agenda", flow_run_name=_run_name, task_runner=THREADS)
def sync_agenda(
    workspace: str, dry_run: bool = False, full_resync: bool = False, allow_mass_archive: bool = False
) -> HubRun | State:
    """Deadline events in the calendar for open tasks with a due date."""
    return _run(SyncParams(**_sync_values(locals())), [AGENDA], None)


@flow(name="sync-time", flow_run_name=_run_name, task_runner=THREADS)
def sync_time(
    workspace: str, dry_run: bool = False, full_resync: bool = False, allow_mass_archive: bool = False
) -> HubRun | State:
    """The team's hours from Toggl Track onto the tasks."""
    return _run(SyncParams(**_sync_values(locals())), [TIME], None)


@flow(name="operations-summary", flow_run_name=_run_name)
def operations_summary(
    workspace: str,
    period: PeriodName = "yesterday",
    first: date | None = None,
    last: date | None = None,
    publish: bool = True,
) -> HubRun | State:
    """The operations summary for a period, from what the store holds (no service is read)."""
    params = SummaryParams(
        workspace=workspace, summary=SummaryPeriod(period=period, first=first, last=last), publish=publish
    )
    run = HubRun(params.workspace)
    started = time.perf_counter()
    with runner_for(params.workspace, label=_label()) as runner:
        run.summary = summarize(runner, params)
    run.timings["summary"] = time.perf_counter() - started
    _summary_artifacts(params.workspace, run.summary)  # `publish` is a parameter here
    return Completed(message=_files_line(run), data=run)


def _summary_artifacts(workspace: str, outputs: SummaryOutputs) -> None:
    publish.summary_artifacts(workspace, outputs)


def _sync_values(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in ("workspace", "dry_run", "full_resync", "allow_mass_archive")}


def _run(params: SyncParams, relations: Sequence[str], summary: SummaryParams | None) -> HubRun | State:
    logger = get_run_logger()
    run, before = HubRun(params.workspace), STATS.snapshot()
    with runner_for(params.workspace, label=_label()) as runner:
        try:
            with runner.lease():
                _sync(runner, run, params, relations)
                if summary is not None:
                    with _timed(run, "summary"):
                        check_credentials(runner)  # with the summary, never with the sync's reads
                        run.summary = summarize(runner, summary, HUB_NOTION_EVERY)
        except LeaseHeld as exc:
            logger.warning("%s", exc)
            run.lease = str(exc)
            return Cancelled(message=str(exc), data=run)
    run.requests = STATS.since(before).by_service()
    _publish(params, run, STATS.since(before).rows())
    logger.info(
        "time split: %s", ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in run.timings.items())
    )
    message = "\n".join(run.lines())
    if run.outcome == "ok":
        return Completed(message=message or "nothing to do", data=run)
    return Failed(message=message, data=run)


def _sync(runner: WorkspaceRunner, run: HubRun, params: SyncParams, relations: Sequence[str]) -> None:
    wanted = runner.relations(relations)
    with _timed(run, "reads"):
        futures = [
            read_service.submit(runner, service, params.full_resync) for service in runner.needs(wanted)
        ]
        run.reads = [future.result() for future in futures]
    for relation in wanted:
        with _timed(run, "plan"):
            planned = plan_relation(runner, relation, params.allow_mass_archive)
        publish.plan_artifact(params.workspace, planned, dry_run=params.dry_run)
        with _timed(run, "apply"):
            run.relations.append(apply_relation(runner, planned, params.dry_run))


def _publish(params: SyncParams, run: HubRun, requests: list[dict[str, object]]) -> None:
    publish.emit_read_events(params.workspace, run.reads)
    for relation in run.relations:
        publish.changes_artifacts(params.workspace, relation)
        publish.emit_relation_events(params.workspace, relation)
    if run.summary is not None:
        publish.summary_artifacts(params.workspace, run.summary)
    publish.requests_artifact(params.workspace, requests)


@contextmanager
def _timed(run: HubRun, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        run.timings[phase] = run.timings.get(phase, 0.0) + time.perf_counter() - started


def _label() -> str | None:
    return flow_run.name


def _files_line(run: HubRun) -> str:
    if run.summary is None:
        return "no summary"
    paths = ", ".join(str(path) for path in run.summary.files.values())
    return f"summary written: {paths}" if paths else "summary computed"
