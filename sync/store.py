"""The hub's durable state: SQLite by default, PostgreSQL by URL.

It holds, per workspace and service, the last state the hub read of every item (canonical JSON,
version, link id, content hash) and the read cursor: where the next incremental read starts. A batch
and its cursor are written in one transaction, so a crash halfway through a run repeats a read
instead of losing one. The sync engine's links live in the same database. The schema is versioned: a
database written by a newer hub is refused rather than misread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    Connection,
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

from sync.connector import ChangeBatch, Remote
from sync.model import Record

R = TypeVar("R", bound=Record)

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "obm_hub_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

items = Table(
    "obm_hub_items",
    metadata,
    Column("workspace", String(64), primary_key=True),
    Column("service", String(16), primary_key=True),
    Column("remote_id", String(255), primary_key=True),
    Column("version", Text),
    Column("link_id", String(64)),
    Column("url", Text),
    Column("content_hash", String(64), nullable=False),
    Column("data", Text, nullable=False),  # the canonical record as JSON
    Column("updated_at", DateTime(timezone=True), nullable=False),
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
            self._upsert(
                connection,
                cursors,
                {"workspace": workspace, "service": service, "cursor": cursor, "updated_at": now},
            )

    def apply_batch(self, workspace: str, service: str, batch: ChangeBatch[Any]) -> None:
        """Record what a read returned and move the cursor, all or nothing.

        A full batch replaces everything known of the service; an incremental one upserts the changed
        items and forgets the deleted ones.
        """
        now = datetime.now(UTC)
        key = (items.c.workspace == workspace, items.c.service == service)
        with self.engine.begin() as connection:
            if batch.full:
                connection.execute(items.delete().where(*key))
            elif batch.deleted:
                connection.execute(items.delete().where(*key, items.c.remote_id.in_(list(batch.deleted))))
            for remote in batch.items:
                self._upsert(connection, items, _item_row(workspace, service, remote, now))
            if batch.cursor is not None:
                self._upsert(
                    connection,
                    cursors,
                    {"workspace": workspace, "service": service, "cursor": batch.cursor, "updated_at": now},
                )

    def load_items(self, workspace: str, service: str, model: type[R]) -> list[Remote[R]]:
        """The last state read of every item of `service`, as canonical records."""
        query = select(items).where(items.c.workspace == workspace, items.c.service == service)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(items.c.remote_id)).mappings().all()
        return [
            Remote(
                row["remote_id"],
                row["version"],
                model.model_validate_json(row["data"]),
                row["link_id"],
                row["url"],
            )
            for row in rows
        ]

    def _upsert(self, connection: Connection, table: Table, values: dict[str, Any]) -> None:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        keys = [column for column in table.primary_key.columns]
        statement = dialect.insert(table).values(**values)
        update = {name: value for name, value in values.items() if name not in {c.name for c in keys}}
        connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=update))


def _item_row(workspace: str, service: str, remote: Remote[Any], now: datetime) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "service": service,
        "remote_id": remote.remote_id,
        "version": remote.version,
        "link_id": remote.link_id,
        "url": remote.url,
        "content_hash": remote.item.content_hash(),
        "data": remote.item.model_dump_json(),
        "updated_at": now,
    }
