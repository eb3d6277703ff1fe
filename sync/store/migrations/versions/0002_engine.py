"""The sync engine's store: read snapshots with tombstones, links and their per-side bases, runs,
audit log, conflicts, leases and the connectors' memo. The items read so far become the snapshots.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "obm_hub_snapshots",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("service", sa.String(16), primary_key=True),
        sa.Column("remote_id", sa.String(255), primary_key=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("version", sa.Text),
        sa.Column("link_id", sa.String(64)),
        sa.Column("url", sa.Text),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("starts_at", Stamp),
        sa.Column("first_seen_at", Stamp, nullable=False),
        sa.Column("done_since", Stamp),
        sa.Column("status_since", Stamp),
        sa.Column("updated_at", Stamp, nullable=False),
    )
    op.execute(
        "INSERT INTO obm_hub_snapshots (workspace, service, remote_id, state, version, link_id, url,"
        " content_hash, data, first_seen_at, updated_at)"
        " SELECT workspace, service, remote_id, 'present', version, link_id, url, content_hash, data,"
        " updated_at, updated_at FROM obm_hub_items"
    )
    op.drop_table("obm_hub_items")
    op.drop_table("obm_hub_meta")
    _engine_tables()


def _engine_tables() -> None:
    op.create_table(
        "obm_hub_links",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("relation", sa.String(16), primary_key=True),
        sa.Column("link_id", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
    )
    op.create_table(
        "obm_hub_link_sides",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("relation", sa.String(16), primary_key=True),
        sa.Column("link_id", sa.String(64), primary_key=True),
        sa.Column("side", sa.String(16), primary_key=True),
        sa.Column("remote_id", sa.String(255)),
        sa.Column("base", sa.Text),
        sa.Column("base_hash", sa.String(64)),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.UniqueConstraint(
            "workspace", "relation", "side", "remote_id", name="uq_obm_hub_link_sides_remote"
        ),
    )
    op.create_table(
        "obm_hub_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("relation", sa.String(24), nullable=False),
        sa.Column("label", sa.String(255)),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("started_at", Stamp, nullable=False),
        sa.Column("finished_at", Stamp),
        sa.Column("outcome", sa.String(12)),
        sa.Column("created", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("archived", sa.Integer, nullable=False),
        sa.Column("conflicts", sa.Integer, nullable=False),
        sa.Column("details", sa.Text),
    )
    op.create_index("ix_obm_hub_runs_workspace_started", "obm_hub_runs", ["workspace", "started_at"])
    op.create_table(
        "obm_hub_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("link_id", sa.String(64)),
        sa.Column("service", sa.String(16), nullable=False),
        sa.Column("remote_id", sa.String(255)),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("fields", sa.Text),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", Stamp, nullable=False),
    )
    op.create_index("ix_obm_hub_audit_workspace_at", "obm_hub_audit", ["workspace", "at"])
    op.create_table(
        "obm_hub_conflicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("link_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("values", sa.Text, nullable=False),
        sa.Column("winner", sa.String(16), nullable=False),
        sa.Column("policy", sa.String(24), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("at", Stamp, nullable=False),
    )
    op.create_table(
        "obm_hub_leases",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("acquired_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
    )
    op.create_table(
        "obm_hub_memo",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("service", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("obm-hub does not downgrade its store; restore a backup instead")
