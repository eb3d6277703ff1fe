"""The hub's durable state: SQLite by default, PostgreSQL by URL.

For now it holds the read cursors (where each service's next incremental read starts, per
workspace); the link store of the sync engine lives in the same database. The schema is versioned: a
database written by a newer hub is refused rather than misread.

Cursors are committed only after the batch they follow has been handled, so a crash halfway through
a run repeats work instead of losing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "obm_hub_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

cursors = Table(
    "obm_hub_cursors",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("service", String(16), primary_key=True),
    Column("cursor", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class StoreError(Exception):
    """The database cannot be used as the hub's store."""


def default_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'hub.db'}"


@dataclass
class Store:
    engine: Engine

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect, create the tables if missing, and check the schema version."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        store = cls(create_engine(url, future=True))
        store._migrate()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def _migrate(self) -> None:
        metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            found = connection.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
            if found is None:
                connection.execute(meta.insert().values(key="schema_version", value=SCHEMA_VERSION))
            elif found > SCHEMA_VERSION:
                raise StoreError(
                    f"the database was written by a newer obm-hub "
                    f"(schema {found}, this one knows {SCHEMA_VERSION})"
                )

    def get_cursor(self, workspace: str, service: str) -> str | None:
        with self.engine.connect() as connection:
            key = (cursors.c.workspace == workspace, cursors.c.service == service)
            return connection.execute(select(cursors.c.cursor).where(*key)).scalar()

    def set_cursor(self, workspace: str, service: str, cursor: str | None) -> None:
        """Store (or, with None, forget) where the next read of `service` starts."""
        with self.engine.begin() as connection:
            if cursor is None:
                connection.execute(
                    cursors.delete().where(cursors.c.workspace == workspace, cursors.c.service == service)
                )
                return
            now = datetime.now(UTC)
            values = {"workspace": workspace, "service": service, "cursor": cursor, "updated_at": now}
            dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(cursors).values(**values)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[cursors.c.workspace, cursors.c.service],
                    set_={"cursor": cursor, "updated_at": now},
                )
            )
