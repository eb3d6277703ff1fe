"""What runs did, as plain values: each write (the audit log), each conflict and how it was settled,
and each run's outcome. The applier produces them, the store keeps them, the summary reports them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Outcome = Literal["ok", "failed", "partial", "refused", "dry_run", "skipped"]
WriteKind = Literal["create", "update", "archive", "adopt"]


@dataclass(frozen=True)
class WriteRecord:
    """One write to a service (or an adoption of an existing copy), with before/after of its fields."""

    service: str
    action: WriteKind
    reason: str
    link_id: str | None = None
    remote_id: str | None = None
    fields: tuple[str, ...] = ()
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    run_id: int | None = None


@dataclass(frozen=True)
class ConflictRecord:
    """Both sides changed a field differently since the last sync; `winner` says which value stands."""

    link_id: str
    field: str
    values: Mapping[str, Any]  # side -> value
    winner: str
    policy: str
    title: str | None = None
    at: datetime | None = None
    run_id: int | None = None


@dataclass(frozen=True)
class RunRecord:
    workspace: str
    relation: str
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome | None
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    archived: int = 0
    conflicts: int = 0
    errors: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    requests: Mapping[str, int] = field(default_factory=dict)
    label: str | None = None
    id: int | None = None
    # For a service's read (relation "read:<service>"): what kind of failure it was (auth,
    # rate_limited, unavailable, bad_data, refused, other), and the quota the service reported.
    failure: str | None = None
    quota: Mapping[str, Any] = field(default_factory=dict)


def plain(value: Any) -> Any:
    """A field value as JSON can hold it, for the audit log and conflict records."""
    if isinstance(value, frozenset | set):
        return sorted(value, key=str)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
