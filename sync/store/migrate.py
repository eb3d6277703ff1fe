"""Bring a database to the store's current schema with Alembic, one process at a time.

Several processes may open an empty database at once (a scheduler starting four workspaces, two
workers): without a lock, two of them create the same tables and one fails (on PostgreSQL with a
duplicate-type error). PostgreSQL serialises on a transaction-level advisory lock; SQLite on an
exclusive file lock beside the database file.

A database from obm-hub 0.1 (versioned by its own `obm_hub_meta` table, before Alembic) is adopted as
revision 0001 and upgraded. A database whose revision this hub does not know was written by a newer
obm-hub: refused, never guessed at.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

SCRIPTS = Path(__file__).with_name("migrations")
# Any constant shared by every obm-hub process: the advisory lock's key.
_PG_LOCK_KEY = 0x0B_4B_5A_10


class SchemaError(Exception):
    """The database cannot be brought to this hub's schema."""


def upgrade(engine: Engine) -> None:
    """Migrate to the newest revision if needed; a no-op (one query) when already there."""
    config = _config()
    head = ScriptDirectory.from_config(config).get_current_head()
    if _current(engine) == head:
        return
    with _file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None and _is_legacy(connection):
            command.stamp(_config(connection), "0001")
            current = "0001"
        if current is not None and not _known(config, current):
            raise SchemaError(
                f"the database was written by a newer obm-hub (schema revision {current}, "
                f"this one knows up to {head}); upgrade obm-hub or point it at another database"
            )
        command.upgrade(_config(connection), "head")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _known(config: Config, revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown revisions
        return False


def _is_legacy(connection: Connection) -> bool:
    """obm-hub 0.1's store: versioned by `obm_hub_meta`; a version above 1 is a newer hub's."""
    if "obm_hub_meta" not in inspect(connection).get_table_names():
        return False
    version = connection.execute(text("SELECT value FROM obm_hub_meta WHERE key = 'schema_version'")).scalar()
    if version is not None and int(version) > 1:
        raise SchemaError(f"the database was written by a newer obm-hub (schema {version})")
    return True


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(Path(database).with_name(Path(database).name + ".migrate-lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
