"""What a run shows in the Prefect UI: artifacts (the plan, the changes, the conflicts, the summary, the
requests, a progress bar during a long apply) and events an automation can act on (conflicts, refused
mass archives, credentials refused).

Artifact keys are `obm-hub-<kind>-<workspace slug>` (Prefect allows lowercase letters, digits and
dashes only): a keyed artifact is versioned, so the UI shows each workspace's latest plan and summary
and their history. Events are `obm-hub.sync.conflict`, `obm-hub.sync.refused` and
`obm-hub.auth.failed`, on the resource `obm-hub.workspace.<key>`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.events import emit_event

from config.slug import slug
from flows.runner import ReadOutcome, RelationOutcome, SummaryOutputs
from summary.render.tables import tables


def artifact_key(kind: str, workspace_key: str) -> str:
    """`obm-hub-plan-tasks-my-client`: Prefect accepts only lowercase letters, digits and dashes."""
    return f"obm-hub-{slug(kind)}-{slug(workspace_key)}"


def plan_artifact(workspace: str, relation: RelationOutcome, *, dry_run: bool) -> None:
    rows = relation.rows()
    what = "would be written (dry run)" if dry_run else "to write"
    if rows:
        create_table_artifact(
            rows,
            key=artifact_key(f"plan-{relation.relation}", workspace),
            description=f"{relation.relation}: {len(rows)} {what}",
        )
    else:
        create_markdown_artifact(
            f"**{relation.relation}**: nothing to change.",
            key=artifact_key(f"plan-{relation.relation}", workspace),
        )


def changes_artifacts(workspace: str, relation: RelationOutcome) -> None:
    """The writes done and the conflicts settled, as tables."""
    writes = [
        {
            "service": write.service,
            "action": write.action,
            "item": write.remote_id,
            "fields": ", ".join(write.fields),
            "reason": write.reason,
        }
        for run in relation.runs
        if run.report
        for write in run.report.writes
    ]
    if writes:
        create_table_artifact(writes, key=artifact_key(f"changes-{relation.relation}", workspace))
    conflicts = [
        {
            "task": c.title,
            "field": c.field,
            **{side: str(value) for side, value in c.values.items()},
            "kept": c.winner,
            "rule": c.policy,
        }
        for run in relation.runs
        if run.report
        for c in run.report.conflicts
    ]
    if conflicts:
        create_table_artifact(conflicts, key=artifact_key(f"conflicts-{relation.relation}", workspace))


def progress(workspace: str, relation: str) -> Callable[[int, int], None]:
    """A progress artifact that moves while a plan is applied (updated in place, not versioned)."""
    state: dict[str, Any] = {"id": None, "shown": -1}

    def report(done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 100
        if state["id"] is None:
            state["id"] = create_progress_artifact(
                percent,
                key=artifact_key(f"progress-{relation}", workspace),
                description=f"applying {relation}",
            )
        elif percent >= state["shown"] + 5 or done == total:
            update_progress_artifact(state["id"], percent)
        state["shown"] = percent

    return report


def summary_artifacts(workspace: str, outputs: SummaryOutputs) -> None:
    create_markdown_artifact(
        outputs.markdown(), key=artifact_key("summary", workspace), description=outputs.summary.workspace_name
    )
    for name, rows in tables(outputs.summary).items():
        if rows:
            create_table_artifact(rows, key=artifact_key(f"summary-{name}", workspace))


def requests_artifact(workspace: str, rows: Sequence[dict[str, object]]) -> None:
    if rows:
        create_table_artifact(
            list(rows), key=artifact_key("requests", workspace), description="API requests this run"
        )


# -- events ----------------------------------------------------------------------------------------


def _resource(workspace: str) -> dict[str, str]:
    return {"prefect.resource.id": f"obm-hub.workspace.{workspace}", "prefect.resource.name": workspace}


def emit_relation_events(workspace: str, relation: RelationOutcome) -> None:
    for run in relation.runs:
        for conflict in run.report.conflicts if run.report else ():
            emit_event(
                event="obm-hub.sync.conflict",
                resource=_resource(workspace),
                payload={
                    "relation": relation.relation,
                    "task": conflict.title,
                    "field": conflict.field,
                    "values": {side: str(value) for side, value in conflict.values.items()},
                    "kept": conflict.winner,
                    "rule": conflict.policy,
                },
            )
        if run.plan.refusal and run.outcome == "refused":
            emit_event(
                event="obm-hub.sync.refused",
                resource=_resource(workspace),
                payload={"relation": relation.relation, "reason": run.plan.refusal},
            )


def emit_read_events(workspace: str, reads: Sequence[ReadOutcome]) -> None:
    for read in reads:
        if read.failure == "auth":
            emit_event(
                event="obm-hub.auth.failed",
                resource=_resource(workspace),
                payload={"service": read.service, "message": read.error},
            )
