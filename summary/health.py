"""Can the OBM trust the syncs: per relation and service, the last run and the last good one, what
the runs of the period changed, the conflicts and what won, refused mass archives, and each
service's request budget and credentials."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from summary.inputs import RunRecord, ServiceStatus
from summary.result import RelationHealth, SyncHealth

RELATION_ORDER = ("tasks", "agenda", "time")


def sync_health(
    runs: Sequence[RunRecord],
    services: Sequence[ServiceStatus],
    start: datetime,
    end: datetime,
    now: datetime,
) -> SyncHealth:
    """`start`/`end`: the period, whose runs are summed; the last runs are the last up to `now`."""
    grouped: dict[tuple[str, str], list[RunRecord]] = defaultdict(list)
    for run in runs:
        if run.started_at <= now:
            grouped[(run.relation, run.service)].append(run)
    relations = [
        _relation(key, sorted(items, key=lambda run: run.started_at), start, end)
        for key, items in grouped.items()
    ]
    relations.sort(key=lambda item: (_order(item.relation), item.service))
    in_period = sorted(
        (run for run in runs if start <= run.started_at < end and run.started_at <= now),
        key=lambda run: run.started_at,
    )
    return SyncHealth(
        relations=tuple(relations),
        conflicts=tuple(conflict for run in in_period for conflict in run.conflicts),
        refused_archives=tuple(refusal for run in in_period for refusal in run.refused_archives),
        services=tuple(sorted(services, key=lambda status: status.service)),
    )


def _order(relation: str) -> int:
    return RELATION_ORDER.index(relation) if relation in RELATION_ORDER else len(RELATION_ORDER)


def _relation(key: tuple[str, str], runs: list[RunRecord], start: datetime, end: datetime) -> RelationHealth:
    last = runs[-1]
    good = [run for run in runs if run.outcome == "ok"]
    in_period = [run for run in runs if start <= run.started_at < end]
    return RelationHealth(
        relation=key[0],
        service=key[1],
        last_run_at=last.started_at,
        last_outcome=last.outcome,
        last_ok_at=good[-1].started_at if good else None,
        runs=len(in_period),
        created=sum(run.created for run in in_period),
        updated=sum(run.updated for run in in_period),
        archived=sum(run.archived for run in in_period),
        errors=last.errors,
    )
