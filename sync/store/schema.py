"""The store's tables (SQLAlchemy Core). Alembic migrations under `migrations/` create and alter them;
this module is the current shape, which the code reads and writes.

- snapshots: the last state read of every item of a workspace's service, with a tombstone when it was
  deleted or left the collection (a card moved to another board), so the planner can tell "gone" from
  "never seen". `done_since` / `status_since` record when the hub saw a task become done or enter its
  status: the summary's "done in the period" and "in review for N days".
- cursors: where the next incremental read of a service starts.
- links: one synced item across services (`relation` = tasks, agenda, time, ...), and link_sides: its
  copy on each side with the *base* of the three-way merge (the canonical record as that side held it
  when the hub last synced it). A side with no remote id is a pending create.
- runs, audit, conflicts: what each run did, every write (before, after, why), every conflict and
  what won.
- leases: one sync at a time per workspace. memo: what a connector may keep between runs (Notion's data
  source id and schema).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware instant, stored in UTC. SQLite keeps no offset (and SQLAlchemy would write the local
    wall time as is), so every value is converted on the way in and marked UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store keeps aware instants only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

Stamp = UtcDateTime()

snapshots = Table(
    "obm_hub_snapshots",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("service", String(16), primary_key=True),
    Column("remote_id", String(255), primary_key=True),
    Column("state", String(8), nullable=False),  # present | deleted | left
    Column("version", Text),
    Column("link_id", String(64)),
    Column("url", Text),
    Column("content_hash", String(64), nullable=False),
    Column("data", Text, nullable=False),  # the canonical record as JSON
    Column("starts_at", Stamp),  # the item's own instant (an entry's start), for window snapshots
    Column("first_seen_at", Stamp, nullable=False),
    Column("done_since", Stamp),
    Column("status_since", Stamp),
    Column("updated_at", Stamp, nullable=False),
)

cursors = Table(
    "obm_hub_cursors",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("service", String(16), primary_key=True),
    Column("cursor", Text, nullable=False),
    Column("updated_at", Stamp, nullable=False),
)

links = Table(
    "obm_hub_links",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("relation", String(16), primary_key=True),
    Column("link_id", String(64), primary_key=True),
    Column("state", String(12), nullable=False),  # active | archived | unlinked | dismissed
    Column("created_at", Stamp, nullable=False),
    Column("updated_at", Stamp, nullable=False),
)

link_sides = Table(
    "obm_hub_link_sides",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("relation", String(16), primary_key=True),
    Column("link_id", String(64), primary_key=True),
    Column("side", String(16), primary_key=True),
    Column("remote_id", String(255)),  # None: the create is pending (written before the remote create)
    Column("base", Text),  # the canonical record this side held at the last sync, as JSON
    Column("base_hash", String(64)),  # its content hash: a quiet link is told by two string compares
    Column("version", Text),  # the copy's version when its base was taken (migration 0003)
    Column("updated_at", Stamp, nullable=False),
    UniqueConstraint("workspace", "relation", "side", "remote_id", name="uq_obm_hub_link_sides_remote"),
)

runs = Table(
    "obm_hub_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace", String(64), nullable=False),
    Column("relation", String(24), nullable=False),  # tasks | agenda | time | read:<service> | summary
    Column("label", String(255)),  # the orchestrator's run name, for the reader
    Column("dry_run", Boolean, nullable=False),
    Column("started_at", Stamp, nullable=False),
    Column("finished_at", Stamp),
    Column("outcome", String(12)),  # ok | failed | partial | refused | dry_run
    Column("created", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("archived", Integer, nullable=False, default=0),
    Column("conflicts", Integer, nullable=False, default=0),
    Column("details", Text),  # JSON: errors, refusals, requests per service
    Index("ix_obm_hub_runs_workspace_started", "workspace", "started_at"),
)

audit = Table(
    "obm_hub_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer),
    Column("workspace", String(64), nullable=False),
    Column("relation", String(16), nullable=False),
    Column("link_id", String(64)),
    Column("service", String(16), nullable=False),
    Column("remote_id", String(255)),
    Column("action", String(12), nullable=False),  # create | update | archive | adopt
    Column("fields", Text),  # JSON list
    Column("before", Text),  # JSON of the written fields before
    Column("after", Text),  # JSON of the written fields after
    Column("reason", Text, nullable=False),
    Column("at", Stamp, nullable=False),
    Index("ix_obm_hub_audit_workspace_at", "workspace", "at"),
)

conflicts = Table(
    "obm_hub_conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer),
    Column("workspace", String(64), nullable=False),
    Column("relation", String(16), nullable=False),
    Column("link_id", String(64), nullable=False),
    Column("field", String(32), nullable=False),
    Column("values", Text, nullable=False),  # JSON: side -> value
    Column("winner", String(16), nullable=False),
    Column("policy", String(24), nullable=False),
    Column("title", Text),
    Column("at", Stamp, nullable=False),
)

leases = Table(
    "obm_hub_leases",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("holder", String(255), nullable=False),
    Column("acquired_at", Stamp, nullable=False),
    Column("expires_at", Stamp, nullable=False),
)

memo = Table(
    "obm_hub_memo",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("service", String(16), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", Stamp, nullable=False),
)
