"""The runs, the audit log of every write, and the conflicts, as rows."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from sync.journal import ConflictRecord, Outcome, RunRecord, WriteRecord
from sync.store.schema import audit, conflicts, runs


def start_run(
    connection: Connection, workspace: str, relation: str, *, label: str | None, dry_run: bool, now: datetime
) -> int:
    result = connection.execute(
        runs.insert().values(
            workspace=workspace,
            relation=relation,
            label=label,
            dry_run=dry_run,
            started_at=now,
            created=0,
            updated=0,
            archived=0,
            conflicts=0,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_run(
    connection: Connection,
    run_id: int,
    outcome: Outcome,
    now: datetime,
    *,
    created: int = 0,
    updated: int = 0,
    archived: int = 0,
    conflicts_count: int = 0,
    errors: tuple[str, ...] = (),
    refused: tuple[str, ...] = (),
    requests: dict[str, int] | None = None,
    failure: str | None = None,
    quota: dict[str, Any] | None = None,
) -> None:
    details = {
        "errors": list(errors),
        "refused": list(refused),
        "requests": requests or {},
        "failure": failure,
        "quota": quota or {},
    }
    connection.execute(
        runs.update()
        .where(runs.c.id == run_id)
        .values(
            finished_at=now,
            outcome=outcome,
            created=created,
            updated=updated,
            archived=archived,
            conflicts=conflicts_count,
            details=json.dumps(details, sort_keys=True),
        )
    )


def add_write(
    connection: Connection, run_id: int | None, workspace: str, relation: str, write: WriteRecord
) -> None:
    connection.execute(
        audit.insert().values(
            run_id=run_id,
            workspace=workspace,
            relation=relation,
            link_id=write.link_id,
            service=write.service,
            remote_id=write.remote_id,
            action=write.action,
            fields=json.dumps(list(write.fields)),
            before=_json(write.before),
            after=_json(write.after),
            reason=write.reason,
            at=write.at,
        )
    )


def add_conflict(
    connection: Connection, run_id: int | None, workspace: str, relation: str, conflict: ConflictRecord
) -> None:
    connection.execute(
        conflicts.insert().values(
            run_id=run_id,
            workspace=workspace,
            relation=relation,
            link_id=conflict.link_id,
            field=conflict.field,
            values=_json(conflict.values),
            winner=conflict.winner,
            policy=conflict.policy,
            title=conflict.title,
            at=conflict.at,
        )
    )


def load_runs(connection: Connection, workspace: str, since: datetime | None = None) -> list[RunRecord]:
    query = select(runs).where(runs.c.workspace == workspace)
    if since is not None:
        query = query.where(runs.c.started_at >= since)
    records = []
    for row in connection.execute(query.order_by(runs.c.started_at, runs.c.id)).mappings():
        details = json.loads(row["details"]) if row["details"] else {}
        records.append(
            RunRecord(
                workspace=row["workspace"],
                relation=row["relation"],
                started_at=row["started_at"],
                finished_at=row["finished_at"],
                outcome=row["outcome"],
                dry_run=row["dry_run"],
                created=row["created"],
                updated=row["updated"],
                archived=row["archived"],
                conflicts=row["conflicts"],
                errors=tuple(details.get("errors", ())),
                refused=tuple(details.get("refused", ())),
                requests=details.get("requests", {}),
                label=row["label"],
                id=row["id"],
                failure=details.get("failure"),
                quota=details.get("quota") or {},
            )
        )
    return records


def load_writes(connection: Connection, workspace: str, since: datetime | None = None) -> list[WriteRecord]:
    query = select(audit).where(audit.c.workspace == workspace)
    if since is not None:
        query = query.where(audit.c.at >= since)
    return [
        WriteRecord(
            service=row["service"],
            action=row["action"],
            reason=row["reason"],
            link_id=row["link_id"],
            remote_id=row["remote_id"],
            fields=tuple(json.loads(row["fields"] or "[]")),
            before=json.loads(row["before"] or "{}"),
            after=json.loads(row["after"] or "{}"),
            at=row["at"],
            run_id=row["run_id"],
        )
        for row in connection.execute(query.order_by(audit.c.id)).mappings()
    ]


def load_conflicts(
    connection: Connection, workspace: str, since: datetime | None = None
) -> list[ConflictRecord]:
    query = select(conflicts).where(conflicts.c.workspace == workspace)
    if since is not None:
        query = query.where(conflicts.c.at >= since)
    return [
        ConflictRecord(
            link_id=row["link_id"],
            field=row["field"],
            values=json.loads(row["values"]),
            winner=row["winner"],
            policy=row["policy"],
            title=row["title"],
            at=row["at"],
            run_id=row["run_id"],
        )
        for row in connection.execute(query.order_by(conflicts.c.id)).mappings()
    ]


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
