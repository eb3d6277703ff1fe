"""`obm-hub plan`: a dry run. It reads the services (each read is stored with its cursor, as any run's
is: the plan is made from the store), plans each relation, and writes nothing to any service. The plan
is printed as a table, or with `--json` as a list of actions for scripts (`[]`: nothing would change).

Like the `hub` flow's dry run, it holds the workspace's lease while it reads, and records a dry-run row
per relation in the store's journal. No Prefect: it answers in a second or two on a quiet workspace.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from config import Hub
from flows.context import runner_for
from flows.runner import RelationOutcome, WorkspaceRunner
from obm_hub import exit_codes
from obm_hub.progress import Bars
from obm_hub.workspaces import read_side_by_side, services, workspace_keys
from sync.store import LeaseHeld

COLUMNS = ("relation", "service", "action", "title", "fields", "reason")


@dataclass
class WorkspacePlan:
    workspace: str
    relations: list[RelationOutcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line per read that failed
    lease: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"workspace": self.workspace, **row} for relation in self.relations for row in relation.rows()
        ]

    def refusals(self) -> list[str]:
        return [
            f"{plan.relation}: {plan.refusal}" for r in self.relations for plan in r.plans if plan.refusal
        ]

    def problems(self) -> list[str]:
        return [f"{problem}" for r in self.relations for plan in r.plans for problem in plan.problems]

    @property
    def code(self) -> int:
        if self.lease:
            return exit_codes.LEASE_HELD
        if self.refusals():
            return exit_codes.REFUSED_FOR_SAFETY
        return exit_codes.FAILED if self.failures else exit_codes.OK


def plan_main(
    hub: Hub,
    workspace: str | None,
    relations: Sequence[str],
    *,
    as_json: bool = False,
    full_resync: bool = False,
) -> int:
    """Plan every workspace (or `workspace`), print the plans; the exit code says the worst."""
    plans = []
    with services(hub), Bars() as bars:
        for key in workspace_keys(hub, workspace):
            with runner_for(key, label="obm-hub plan") as runner:
                plans.append(_plan(runner, relations, full_resync, bars))
    if as_json:
        print(json.dumps([row for plan in plans for row in plan.rows()], indent=2, default=str))
    else:
        for plan in plans:
            _print(plan)
    for plan in plans:
        for line in [plan.lease] if plan.lease else [*plan.failures, *plan.refusals()]:
            print(f"obm-hub: {plan.workspace}: {line}", file=sys.stderr)
    return max((plan.code for plan in plans), default=exit_codes.OK)


def _plan(runner: WorkspaceRunner, relations: Sequence[str], full: bool, bars: Bars) -> WorkspacePlan:
    plan = WorkspacePlan(runner.key)
    wanted = runner.relations(relations)
    try:
        with runner.lease():
            on_read = bars.reads(runner.key, list(runner.needs(wanted)))
            reads = read_side_by_side(runner, wanted, full=full, on_read=on_read)
            plan.failures = [read.error for read in reads if read.error]
            for relation in wanted:
                planned = runner.plan(relation)
                plan.relations.append(runner.apply(planned, dry_run=True))
    except LeaseHeld as exc:
        plan.lease = str(exc)
    return plan


def _print(plan: WorkspacePlan) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    rows = plan.rows()
    if plan.lease:
        return
    if not rows:
        done = ", ".join(r.relation for r in plan.relations if r.outcome != "failed") or "no relation"
        console.print(f"[bold]{plan.workspace}[/bold]: nothing to change ({done} planned)")
    else:
        table = Table(title=f"{plan.workspace}: {len(rows)} writes (dry run: nothing was written)")
        for column in COLUMNS:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row[column]) for column in COLUMNS))
        console.print(table)
    for line in plan.problems():
        console.print(f"  {line}", markup=False, highlight=False)
    for relation in plan.relations:
        for line in relation.errors:
            if not line.startswith("refused: "):  # said once, on stderr, with the exit code
                console.print(f"  {relation.relation}: {line}", markup=False, highlight=False)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)
