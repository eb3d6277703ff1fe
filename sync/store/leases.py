"""One sync at a time per workspace: a lease row with an expiry.

Taking the lease is one atomic upsert that only succeeds over an expired lease or the holder's own, so
two runs starting together cannot both win, on SQLite or PostgreSQL. A run renews it while it works; a
run that was killed leaves a lease that expires on its own, or that a later run takes over at once when
it can tell the holder is gone (`take_over`: the caller decides, e.g. a process of this host that no
longer exists; the swap is conditional on the holder, so two runs cannot both take it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from sync.store.schema import leases


@dataclass(frozen=True)
class Lease:
    workspace: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


class LeaseHeld(Exception):
    """Another run holds the workspace's lease."""

    def __init__(self, lease: Lease) -> None:
        self.lease = lease
        super().__init__(
            f"another run ({lease.holder}) has been syncing workspace {lease.workspace!r} since "
            f"{lease.acquired_at:%Y-%m-%d %H:%M:%S} UTC; its lease expires at {lease.expires_at:%H:%M:%S} UTC"
        )


def acquire(connection: Connection, workspace: str, holder: str, ttl: timedelta, now: datetime) -> Lease:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    values = {"workspace": workspace, "holder": holder, "acquired_at": now, "expires_at": now + ttl}
    statement = dialect.insert(leases).values(**values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace"],
            set_={"holder": holder, "acquired_at": now, "expires_at": now + ttl},
            where=or_(leases.c.expires_at < now, leases.c.holder == holder),
        )
    )
    lease = current(connection, workspace)
    assert lease is not None
    if lease.holder != holder:
        raise LeaseHeld(lease)
    return lease


def take_over(
    connection: Connection, workspace: str, gone: str, holder: str, ttl: timedelta, now: datetime
) -> bool:
    """Take the lease from `gone`, a holder known to be dead; False when it is no longer the holder."""
    taken = connection.execute(
        leases.update()
        .where(leases.c.workspace == workspace, leases.c.holder == gone)
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
    )
    return taken.rowcount == 1


def renew(connection: Connection, workspace: str, holder: str, ttl: timedelta, now: datetime) -> None:
    connection.execute(
        leases.update()
        .where(leases.c.workspace == workspace, leases.c.holder == holder)
        .values(expires_at=now + ttl)
    )


def release(connection: Connection, workspace: str, holder: str) -> None:
    connection.execute(leases.delete().where(leases.c.workspace == workspace, leases.c.holder == holder))


def current(connection: Connection, workspace: str) -> Lease | None:
    row = connection.execute(select(leases).where(leases.c.workspace == workspace)).mappings().first()
    if row is None:
        return None
    return Lease(row["workspace"], row["holder"], row["acquired_at"], row["expires_at"])
