"""Each link side keeps the version of the copy its base was taken from (the service's own version:
Trello's dateLastActivity, Notion's last edit, Google's etag, Toggl's `at`), beside its id, base and
content hash: what the hub last saw of that copy is then in one row.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("obm_hub_link_sides") as batch:  # batch: SQLite cannot ALTER in place
        batch.add_column(sa.Column("version", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("obm_hub_link_sides") as batch:
        batch.drop_column("version")
