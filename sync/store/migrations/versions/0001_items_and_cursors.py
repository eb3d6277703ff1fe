"""The first store: the items read and the read cursors (obm-hub 0.1, versioned by obm_hub_meta).

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "obm_hub_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.create_table(
        "obm_hub_items",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("service", sa.String(16), primary_key=True),
        sa.Column("remote_id", sa.String(255), primary_key=True),
        sa.Column("version", sa.Text),
        sa.Column("link_id", sa.String(64)),
        sa.Column("url", sa.Text),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
    )
    op.create_table(
        "obm_hub_cursors",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("service", sa.String(16), primary_key=True),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
    )


def downgrade() -> None:
    for table in ("obm_hub_cursors", "obm_hub_items", "obm_hub_meta"):
        op.drop_table(table)
