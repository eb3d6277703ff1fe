"""The hub's durable state: SQLite by default, PostgreSQL by URL; schema changes by Alembic migrations.

- snapshots and cursors (`snapshots.py`): what each read returned, recorded with its cursor in one
  transaction (a crash repeats a read, never loses one);
- links (`links.py`): which copies belong together, and each side's merge base;
- the journal (`journal.py`): runs, every write, every conflict;
- leases (`leases.py`): one sync at a time per workspace;
- the memo (`memo.py`): what connectors keep between runs.

`Store` is the public face; the engine's applier also composes the modules' functions inside one
`transaction()` so that a write's link, snapshot and audit rows land together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from sync.connector import ChangeBatch, Remote, utc_now
from sync.journal import ConflictRecord, RunRecord, WriteRecord
from sync.model import Record
from sync.state import Link, Snapshot
from sync.store import journal, leases, links, snapshots
from sync.store.leases import Lease, LeaseHeld
from sync.store.memo import StoreMemo
from sync.store.migrate import SchemaError, upgrade
from sync.store.snapshots import ReadResult, SuspiciousRead

R = TypeVar("R", bound=Record)

__all__ = [
    "Lease",
    "LeaseHeld",
    "ReadResult",
    "Store",
    "StoreError",
    "SuspiciousRead",
    "default_url",
]


class StoreError(Exception):
    """The database cannot be used as the hub's store."""


def default_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'hub.db'}"


@dataclass
class Store:
    engine: Engine
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def open(cls, url: str, *, clock: Callable[[], datetime] = utc_now) -> Store:
        """Connect and bring the schema up to date (under a lock); StoreError when that fails."""
        try:
            engine = _engine(url)
            upgrade(engine)
        except SchemaError as exc:
            raise StoreError(str(exc)) from None
        except (ArgumentError, SQLAlchemyError) as exc:
            raise StoreError(f"cannot open the store: {type(exc).__name__}: {exc}".splitlines()[0]) from None
        return cls(engine, clock)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def now(self) -> datetime:
        return self.clock()

    # -- reads ---------------------------------------------------------------------------------

    def record_read(
        self, workspace: str, service: str, batch: ChangeBatch[Any], *, allow_empty: bool = False
    ) -> ReadResult:
        """Record what a read returned and move the cursor, all or nothing (see snapshots.py)."""
        with self.transaction() as connection:
            return snapshots.record_read(
                connection, workspace, service, batch, self.now(), allow_empty=allow_empty
            )

    def snapshot(self, workspace: str, service: str, model: type[R]) -> Snapshot[R]:
        with self.engine.connect() as connection:
            return snapshots.load_snapshot(connection, workspace, service, model)

    def load_items(self, workspace: str, service: str, model: type[R]) -> list[Remote[R]]:
        """The items of `service` present as last read, as canonical records."""
        return self.snapshot(workspace, service, model).present()

    def get_cursor(self, workspace: str, service: str) -> str | None:
        with self.engine.connect() as connection:
            return snapshots.get_cursor(connection, workspace, service)

    def set_cursor(self, workspace: str, service: str, cursor: str | None) -> None:
        """Store (or, with None, forget) where the next read of `service` starts."""
        with self.transaction() as connection:
            snapshots.set_cursor(connection, workspace, service, cursor, self.now())

    # -- links and journal ---------------------------------------------------------------------

    def links(self, workspace: str, relation: str, model: type[R]) -> dict[str, Link[R]]:
        with self.engine.connect() as connection:
            return links.load_links(connection, workspace, relation, model)

    def runs(self, workspace: str, since: datetime | None = None) -> list[RunRecord]:
        with self.engine.connect() as connection:
            return journal.load_runs(connection, workspace, since)

    def writes(self, workspace: str, since: datetime | None = None) -> list[WriteRecord]:
        with self.engine.connect() as connection:
            return journal.load_writes(connection, workspace, since)

    def conflicts(self, workspace: str, since: datetime | None = None) -> list[ConflictRecord]:
        with self.engine.connect() as connection:
            return journal.load_conflicts(connection, workspace, since)

    # -- one sync at a time --------------------------------------------------------------------

    def acquire_lease(
        self, workspace: str, holder: str, ttl: timedelta, *, gone: Callable[[str], bool] | None = None
    ) -> Lease:
        """Take the workspace's lease, or raise LeaseHeld naming who holds it and since when. A lease
        whose holder `gone(holder)` says is dead (a killed run) is taken over at once."""
        try:
            with self.transaction() as connection:
                return leases.acquire(connection, workspace, holder, ttl, self.now())
        except LeaseHeld as held:
            if gone is None or not gone(held.lease.holder):
                raise
            with self.transaction() as connection:
                if not leases.take_over(connection, workspace, held.lease.holder, holder, ttl, self.now()):
                    raise held from None  # someone else took it first
                lease = leases.current(connection, workspace)
            assert lease is not None
            return lease

    def renew_lease(self, workspace: str, holder: str, ttl: timedelta) -> None:
        with self.transaction() as connection:
            leases.renew(connection, workspace, holder, ttl, self.now())

    def release_lease(self, workspace: str, holder: str) -> None:
        with self.transaction() as connection:
            leases.release(connection, workspace, holder)

    def memo(self, workspace: str, service: str) -> StoreMemo:
        return StoreMemo(self.engine, workspace, service)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # Several processes share the file (a scheduled run, a manual one): wait for locks rather
        # than fail, and let readers work beside the writer (WAL).
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
