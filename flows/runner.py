"""A workspace's run as plain functions, without Prefect: open its connectors, read, plan each relation,
apply, build the summary. The Prefect flows (`flows/hub.py`) wrap these calls in tasks and publish what
they return; the command line's `plan` and `summary` call them directly (no orchestrator to start).

Wiring only: the rules live in the engine (`sync/`), the services' ways in `connectors/`, the figures
in `summary/`. What this module decides is what runs for a workspace and in which order:

    relation   needs                        writes
    tasks      trello and notion            cards and pages
    agenda     google and a task service    deadline events (and, with two-way dates, dues)
    time       toggl and notion             tracked hours on pages, missing Toggl projects,
                                            meetings as entries (when configured)

A relation whose read failed is not planned (its state says which read failed); the others go on.

Credentials that expire: `check_credentials()` reads when the Trello token expires, at most once a
day per workspace (1 request, journaled as the run `credentials:trello` so the summary counts it),
into the store's memo, where the summary's loader finds it. The `hub` flow calls it with the summary,
after the syncs, never with the reads: a quiet sync still costs its minimum.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config import SERVICES, HubSettings, Service, Workspace
from config.policies import agenda_policy, meeting_policy, tasks_policy
from connectors.accounting import STATS, RequestStats
from connectors.errors import AuthError, ConnectorError, RateLimited, Unavailable
from connectors.http import CoreOptions
from connectors.registry import RECORDS, connect
from flows.failures import EXPECTED, failure_line
from summary import Period, Summary, build_summary
from summary.files import write_reports
from summary.format import Formatter
from summary.load import summary_input
from summary.render.markdown import render_markdown
from summary.render.notion import notion_blocks
from sync.actions import Plan
from sync.agenda import due_moves_plan
from sync.connector import Connector
from sync.engine import (
    RelationRun,
    apply_and_record,
    ensure_projects,
    fetch_changes,
    plan_deadlines,
    plan_meeting_entries,
    plan_tasks,
    plan_tracked_hours,
)
from sync.journal import Outcome
from sync.model import Event, Task, TimeEntry
from sync.policy import AGENDA, TASKS, TIME
from sync.store import ReadResult, Store, SuspiciousRead, journal
from sync.store.memo import credentials_checked_at, record_credentials_check

RELATIONS = (TASKS, AGENDA, TIME)
TASK_SERVICES: tuple[Service, ...] = ("trello", "notion")
# Services whose connector tells when its credentials expire (`token_expiry()`), and how often to ask.
EXPIRING: tuple[Service, ...] = ("trello",)
CREDENTIALS_EVERY = timedelta(days=1)
LEASE_TTL = timedelta(minutes=30)
LEASE_RENEW_EVERY = 25  # applied steps: well within the TTL at any service's pace


# Who holds a workspace's lease: the machine, the process and the run, so an overlapping run (a
# scheduled one during a manual one, two triggers at once) is told exactly who.
def _pid_namespace() -> str:
    """This process's pid namespace (two containers may share a hostname, never a pid namespace)."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "?"


PROCESS = f"{socket.gethostname()}:{os.getpid()}@{_pid_namespace()}"
# (workspace, relation) -> an apply's `on_progress(done, total)`: the terminal's bars, for one.
ProgressFactory = Callable[[str, str], Callable[[int, int], None]]


@dataclass
class SummaryOutputs:
    summary: Summary
    files: dict[str, Path] = field(default_factory=dict)  # format -> file written
    notion_url: str | None = None
    errors: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        return render_markdown(self.summary)


@dataclass(frozen=True)
class ReadOutcome:
    service: Service
    result: ReadResult | None = None
    error: str | None = None  # one line saying what to fix, for a read that failed
    failure: str | None = None  # auth, rate_limited, unavailable, refused, other

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass
class RelationOutcome:
    """What one relation did in one run: its plans and, unless dry, what applying them did."""

    relation: str
    outcome: str = "ok"  # ok, partial, failed, refused, dry_run, skipped
    plans: list[Plan[Any]] = field(default_factory=list)
    runs: list[RelationRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created_projects: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return [row for plan in self.plans for row in plan.rows()]

    def counts(self) -> dict[str, int]:
        totals = {"created": 0, "updated": 0, "archived": 0, "conflicts": 0}
        for run in self.runs:
            if run.report is not None:
                totals["created"] += run.report.created
                totals["updated"] += run.report.updated
                totals["archived"] += run.report.archived
                totals["conflicts"] += len(run.report.conflicts)
        totals["created"] += len(self.created_projects)
        return totals


class WorkspaceRunner:
    """One workspace's connectors, store and policies for one run. Close it (or use `with`)."""

    def __init__(
        self,
        key: str,
        workspace: Workspace,
        settings: HubSettings,
        store: Store,
        *,
        options: CoreOptions | None = None,
        label: str | None = None,
        progress: ProgressFactory | None = None,
    ) -> None:
        self.key, self.workspace, self.settings, self.store = key, workspace, settings, store
        self.options, self.label, self.progress = options, label, progress
        # Unique per runner, readable for the person told that another run holds the lease.
        self.holder = f"{label or 'a run'} on {PROCESS} [{uuid.uuid4().hex[:8]}]"
        self.services: list[Service] = [s for s in SERVICES if s in workspace.services()]
        self._connectors: dict[str, Connector[Any]] = {}
        self.reads: dict[str, ReadOutcome] = {}

    def __enter__(self) -> WorkspaceRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for connector in self._connectors.values():
            connector.close()
        self._connectors.clear()

    def connector(self, service: str) -> Connector[Any]:
        if service not in self._connectors:
            memo = self.store.memo(self.key, service)
            self._connectors[service] = connect(
                service,  # type: ignore[arg-type]
                self.settings,
                self.workspace,
                self.options,
                clock=self.store.now,  # one clock for the run: the read windows and the store's stamps
                memo=memo,
            )
        return self._connectors[service]

    @contextmanager
    def lease(self) -> Iterator[None]:
        """The workspace's lease for this process (LeaseHeld if another run holds it)."""
        self.store.acquire_lease(self.key, self.holder, LEASE_TTL, gone=holder_is_gone)
        try:
            yield
        finally:
            self.store.release_lease(self.key, self.holder)

    # -- what runs -----------------------------------------------------------------------------

    def relations(self, wanted: Sequence[str] = RELATIONS) -> list[str]:
        """The relations this workspace has (its services allow them), in the order they run."""
        has = set(self.services)
        available = {
            TASKS: {"trello", "notion"} <= has,
            AGENDA: "google" in has and bool(has & set(TASK_SERVICES)) and self.workspace.agenda.enabled,
            TIME: "toggl" in has and "notion" in has,
        }
        return [relation for relation in RELATIONS if relation in wanted and available[relation]]

    def needs(self, relations: Sequence[str]) -> list[Service]:
        """The services to read for these relations (each read once per run)."""
        wanted: set[str] = set()
        for relation in relations:
            if relation == TASKS:
                wanted |= set(TASK_SERVICES)
            elif relation == AGENDA:
                wanted |= {"google", *self._task_services()}
            elif relation == TIME:
                wanted |= {"toggl", "notion"} | ({"google"} if self._meetings() else set())
        return [service for service in self.services if service in wanted]

    # -- reads ---------------------------------------------------------------------------------

    def read(self, service: Service, *, full: bool = False, allow_empty: bool = False) -> ReadOutcome:
        """One read, recorded with its cursor; its outcome (and requests) also go to the journal."""
        started, before = self.store.now(), STATS.snapshot()
        try:
            connector = self.connector(service)
            cursor = None if full else self.store.get_cursor(self.key, service)
            batch = fetch_changes(self.store, self.key, connector, cursor, RECORDS[service])
            outcome = ReadOutcome(
                service, self.store.record_read(self.key, service, batch, allow_empty=allow_empty)
            )
        except EXPECTED as exc:
            outcome = ReadOutcome(
                service, error=failure_line(service, exc, self.settings), failure=_kind(exc)
            )
        # Reads run side by side: the window's count of other services is theirs, not this read's.
        requests = STATS.since(before).by_service()
        self._journal_read(outcome, started, {service: requests.get(service, 0)})
        self.reads[service] = outcome
        return outcome

    def _journal_read(self, outcome: ReadOutcome, started: datetime, requests: dict[str, int]) -> None:
        self._journal(
            f"read:{outcome.service}",
            started,
            outcome.error,
            requests=requests,
            failure=outcome.failure,
            quota=self._quota(outcome.service),
        )

    def _journal(self, relation: str, started: datetime, error: str | None, **details: Any) -> None:
        """One journal row for a step that is not a relation's plan and apply (a read, a check)."""
        with self.store.transaction() as connection:
            run_id = journal.start_run(
                connection, self.key, relation, label=self.label, dry_run=False, now=started
            )
            errors = (error,) if error else ()
            outcome: Outcome = "failed" if error else "ok"
            journal.finish_run(connection, run_id, outcome, self.store.now(), errors=errors, **details)

    def _quota(self, service: str) -> dict[str, Any]:
        """Toggl's hourly quota as its last answer reported it."""
        connector = self._connectors.get(service)
        quota = getattr(connector, "quota", None)
        remaining = getattr(quota, "remaining", None)
        resets_in = getattr(quota, "resets_in", None)
        seconds = resets_in() if callable(resets_in) else None
        if remaining is None:
            return {}
        resets_at = (
            (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat() if seconds is not None else None
        )
        return {"remaining": remaining, "resets_at": resets_at}

    def failed_reads(self, relation: str) -> list[str]:
        """The failure lines of the reads a relation needs (it does not run on stale halves)."""
        return [
            outcome.error or f"{service}: not read"
            for service in self.needs([relation])
            if not (outcome := self.reads.get(service, ReadOutcome(service, error=f"{service}: not read"))).ok
        ]

    # -- credentials ---------------------------------------------------------------------------

    def check_credentials(self) -> list[str]:
        """Read when each expiring credential expires, if not read in the last day; one line per
        check that could not be made (the next run tries again a day later: the expiry read before
        stays). A service whose read failed in this run is not asked: its credentials are known bad."""
        lines = []
        for service in EXPIRING:
            outcome = self.reads.get(service)
            if service in self.services and (outcome is None or outcome.ok):
                line = self._check_expiry(service)
                if line is not None:
                    lines.append(line)
        return lines

    def _check_expiry(self, service: Service) -> str | None:
        memo = self.store.memo(self.key, service)
        now = self.store.now()
        checked = credentials_checked_at(memo)
        if checked is not None and now - checked < CREDENTIALS_EVERY:
            return None
        before, expire_at, error, failure = STATS.snapshot(), None, None, None
        try:
            connector: Any = self.connector(service)
            expire_at = connector.token_expiry()
        except EXPECTED as exc:
            error, failure = failure_line(service, exc, self.settings), _kind(exc)
        record_credentials_check(memo, now, expire_at, answered=error is None)
        requests = STATS.since(before).by_service()
        self._journal(
            f"credentials:{service}",
            now,
            error,
            requests={service: requests.get(service, 0)},
            failure=failure,
        )
        return error

    # -- plans ---------------------------------------------------------------------------------

    def plan(self, relation: str, *, allow_mass_archive: bool = False) -> RelationOutcome:
        """The relation's plans, from what the store holds (after this run's reads)."""
        outcome = RelationOutcome(relation)
        failed = self.failed_reads(relation)
        if failed:
            outcome.outcome, outcome.errors = "failed", [f"not planned: {line}" for line in failed]
            return outcome
        if relation == TASKS:
            sides = (self.connector("trello"), self.connector("notion"))
            outcome.plans = [
                plan_tasks(
                    self.store,
                    self.key,
                    sides,
                    tasks_policy(self.workspace, allow_mass_archive=allow_mass_archive),
                )
            ]
        elif relation == AGENDA:
            policy = agenda_policy(self.workspace, allow_mass_archive=allow_mass_archive)
            agenda, records = plan_deadlines(
                self.store, self.key, self._task_services(), self.connector("google"), policy
            )
            outcome.plans = [agenda.plan, due_moves_plan(agenda.due_moves, records)]
        else:
            outcome.plans = [plan_tracked_hours(self.store, self.key, self._task_services(), "notion")]
            if self._meetings():
                since = self.store.now() - timedelta(days=7)
                meetings = meeting_policy(self.workspace, allow_mass_archive=allow_mass_archive)
                outcome.plans.append(
                    plan_meeting_entries(
                        self.store, self.key, "google", self.connector("toggl"), meetings, since=since
                    )
                )
        return outcome

    def apply(
        self, planned: RelationOutcome, *, dry_run: bool = False, on_progress: Any = None
    ) -> RelationOutcome:
        """Apply each plan of the relation (a refused one writes nothing); the outcome says what happened."""
        if planned.outcome == "failed":
            self._journal_skipped(planned)
            return planned
        if planned.relation == TIME and not dry_run:
            planned.created_projects = self._projects(planned)
        models = {TASKS: (Task,), AGENDA: (Event, Task), TIME: (Task, TimeEntry)}[planned.relation]
        connectors: dict[str, Connector[Any]] = {s: self.connector(s) for s in self.needs([planned.relation])}
        on_progress = self._renewing(on_progress, planned.relation)
        for index, (plan, model) in enumerate(zip(planned.plans, models, strict=False)):
            if index > 0 and not plan.steps and not plan.refusal:
                continue  # an empty follow-up plan (no due moved, no meeting): no run to record
            requests = functools.partial(_requests_since, STATS.snapshot())
            run = apply_and_record(
                self.store,
                self.key,
                plan,
                connectors,
                model,
                dry_run=dry_run,
                label=self.label,
                on_progress=on_progress,
                requests=requests,
            )
            planned.runs.append(run)
        planned.outcome = (
            _worst(run.outcome for run in planned.runs) if planned.runs else ("dry_run" if dry_run else "ok")
        )
        planned.errors += [line for run in planned.runs if run.report for line in run.report.failures]
        planned.errors += [f"refused: {plan.refusal}" for plan in planned.plans if plan.refusal]
        planned.errors += [
            f"stopped: {run.report.stopped}" for run in planned.runs if run.report and run.report.stopped
        ]
        return planned

    def _renewing(self, on_progress: Any, relation: str) -> Any:
        """Progress that also renews the lease now and then (a long first sync outlives its TTL) and
        moves the process's own bars, if it has any."""
        bars = self.progress(self.key, relation) if self.progress is not None else None

        def report(done: int, total: int) -> None:
            if done % LEASE_RENEW_EVERY == 0:
                self.store.renew_lease(self.key, self.holder, LEASE_TTL)
            if on_progress is not None:
                on_progress(done, total)
            if bars is not None:
                bars(done, total)

        return report

    def _projects(self, planned: RelationOutcome) -> list[str]:
        """Toggl projects for the Notion projects that lack one."""
        try:
            created = ensure_projects(self.store, self.key, self.connector("notion"), self.connector("toggl"))  # type: ignore[arg-type]
        except (ConnectorError, AttributeError) as exc:
            planned.errors.append(f"toggl projects: {exc}")
            return []
        return [project.name for project in created]

    def _journal_skipped(self, planned: RelationOutcome) -> None:
        with self.store.transaction() as connection:
            run_id = journal.start_run(
                connection, self.key, planned.relation, label=self.label, dry_run=False, now=self.store.now()
            )
            journal.finish_run(connection, run_id, "failed", self.store.now(), errors=tuple(planned.errors))

    # -- the summary ---------------------------------------------------------------------------

    def summarize(
        self, period: Period, *, publish: bool = True, notion_every: timedelta | None = None
    ) -> SummaryOutputs:
        """The operations summary for `period`: computed from the store, written to files and, when a
        parent page is configured, published to Notion (one page per period, replaced in place).

        Replacing a page costs a request per block (about 70 for the demo), so a caller that runs
        every 15 minutes passes `notion_every`: the page is then replaced at most that often."""
        zone = ZoneInfo(self.workspace.timezone)
        now = self.store.now()
        source = summary_input(
            self.store,
            self.key,
            self.workspace,
            now=now,
            since=period.previous().start(zone),
            period_start=period.start(zone),
        )
        summary = build_summary(source, period)
        outputs = SummaryOutputs(summary)
        if not publish:
            return outputs
        folder = self.workspace.summary.reports_dir or self.settings.var_dir / "reports"
        outputs.files = write_reports(summary, folder)
        parent = self.workspace.summary.notion_parent_page_id
        if (
            parent
            and "notion" in self.services
            and self._due(f"summary-page:{period.slug}", notion_every, now)
        ):
            title = (
                f"{summary.workspace_name} · {Formatter(summary.language, summary.timezone).period(period)}"
            )
            try:
                notion: Any = self.connector("notion")
                outputs.notion_url = notion.publish_page(parent, title, notion_blocks(summary))
                self.store.memo(self.key, "notion")[f"summary-page:{period.slug}"] = now.isoformat()
            except EXPECTED as exc:
                outputs.errors.append(failure_line("notion", exc, self.settings))
        return outputs

    def _due(self, key: str, every: timedelta | None, now: datetime) -> bool:
        last = self.store.memo(self.key, "notion").get(key)
        return every is None or last is None or now - datetime.fromisoformat(last) >= every

    # -- helpers -------------------------------------------------------------------------------

    def _task_services(self) -> list[str]:
        return [service for service in TASK_SERVICES if service in self.services]

    def _meetings(self) -> bool:
        return self.workspace.time.meetings_to_toggl and "google" in self.services


def holder_is_gone(holder: str) -> bool:
    """A lease holder that was a process of this host which no longer exists (a killed run): its lease
    need not wait 30 minutes. Another host's holder, or a pid that is alive (or reused), is respected."""
    found = re.search(r" on (?P<host>[^\s:]+):(?P<pid>\d+)@(?P<ns>\d+) \[", holder)
    here = (socket.gethostname(), _pid_namespace())
    if found is None or (found["host"], found["ns"]) != here or int(found["pid"]) == os.getpid():
        return False
    try:
        os.kill(int(found["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _requests_since(before: RequestStats) -> dict[str, int]:
    return STATS.since(before).by_service()


def _kind(error: BaseException) -> str:
    if isinstance(error, AuthError):
        return "auth"
    if isinstance(error, RateLimited):
        return "rate_limited"
    if isinstance(error, Unavailable):
        return "unavailable"
    if isinstance(error, SuspiciousRead):
        return "refused"
    return "other"


_SEVERITY = ("ok", "dry_run", "skipped", "partial", "refused", "failed")


def _worst(outcomes: Any) -> str:
    return max(outcomes, key=_SEVERITY.index, default="ok")


def today_in(workspace: Workspace, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(workspace.timezone)).date()
