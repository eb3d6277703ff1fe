"""Recording reads: each service's items as last read, with tombstones, and the read cursors.

A read is recorded together with its cursor, all or nothing: a crash repeats a read rather than losing
one. What a read may not do:
- forget an item it skipped (seen but unreadable): its last good state stands;
- turn an empty snapshot of a collection that held items into "everything was deleted": that is how a
  flaky read would make the engine archive the other side. It is refused (`SuspiciousRead`) unless the
  caller allows it explicitly;
- delete outside its window: a time-window snapshot (Toggl's last 14 days) says nothing about older
  entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from sync.connector import ChangeBatch, Remote
from sync.model import Event, Record, Task, TimeEntry
from sync.state import ItemState, Seen, Snapshot
from sync.store.schema import cursors, snapshots
from sync.store.sql import upsert

R = TypeVar("R", bound=Record)

_CHUNK = 500  # ids per IN (...) query


class SuspiciousRead(Exception):
    """A read that would erase a collection the hub knew to hold items: refused, nothing recorded."""


@dataclass(frozen=True)
class ReadResult:
    full: bool
    changed: int
    deleted: int
    left: int
    skipped: int

    def __str__(self) -> str:
        kind = "full snapshot" if self.full else "incremental"
        return (
            f"{kind}, {self.changed} changed, {self.deleted} deleted, {self.left} left, "
            f"{self.skipped} skipped"
        )


def record_read(
    connection: Connection,
    workspace: str,
    service: str,
    batch: ChangeBatch[Any],
    now: datetime,
    *,
    allow_empty: bool = False,
) -> ReadResult:
    """Record `batch` and move the cursor, in the caller's transaction."""
    known = _known_rows(connection, workspace, service, None if batch.full else _batch_ids(batch))
    gone: dict[str, ItemState] = {remote_id: "deleted" for remote_id in batch.deleted}
    gone.update({remote_id: "left" for remote_id in batch.left})
    if batch.full:
        gone.update(_absent_from_snapshot(batch, known))
        _refuse_empty(batch, known, service, allow_empty)
    for remote in batch.items:
        upsert(connection, snapshots, _row(workspace, service, remote, known.get(remote.remote_id), now))
    for remote_id, state in gone.items():
        if remote_id in known and known[remote_id]["state"] != state:
            connection.execute(
                snapshots.update()
                .where(*_key(workspace, service), snapshots.c.remote_id == remote_id)
                .values(state=state, updated_at=now)
            )
    if batch.cursor is not None:
        set_cursor(connection, workspace, service, batch.cursor, now)
    deleted = sum(1 for state in gone.values() if state == "deleted")
    return ReadResult(batch.full, len(batch.items), deleted, len(gone) - deleted, len(batch.skipped))


def _absent_from_snapshot(batch: ChangeBatch[Any], known: dict[str, Any]) -> dict[str, ItemState]:
    """Present items a snapshot did not list: deleted, unless skipped or outside the read's window."""
    listed = {remote.remote_id for remote in batch.items} | set(batch.skipped)
    absent: dict[str, ItemState] = {}
    for remote_id, row in known.items():
        if row["state"] != "present" or remote_id in listed:
            continue
        if batch.window_start is not None and (
            row["starts_at"] is None or row["starts_at"] < batch.window_start
        ):
            continue
        absent[remote_id] = "deleted"
    return absent


def _refuse_empty(batch: ChangeBatch[Any], known: dict[str, Any], service: str, allow_empty: bool) -> None:
    if allow_empty or batch.items or batch.skipped:
        return
    held = [
        remote_id
        for remote_id, row in known.items()
        if row["state"] == "present"
        and (batch.window_start is None or (row["starts_at"] and row["starts_at"] >= batch.window_start))
    ]
    if held:
        raise SuspiciousRead(
            f"{service} returned an empty snapshot where the hub knew {len(held)} items; refusing to "
            "record that everything was deleted (a failed or filtered read looks like this). If the "
            "collection really is empty now, run again allowing it (--allow-mass-archive)."
        )


def _batch_ids(batch: ChangeBatch[Any]) -> list[str]:
    return [remote.remote_id for remote in batch.items] + list(batch.deleted) + list(batch.left)


def _known_rows(
    connection: Connection, workspace: str, service: str, ids: Sequence[str] | None
) -> dict[str, Any]:
    columns = [
        snapshots.c.remote_id,
        snapshots.c.state,
        snapshots.c.data,
        snapshots.c.starts_at,
        snapshots.c.first_seen_at,
        snapshots.c.done_since,
        snapshots.c.status_since,
    ]
    query = select(*columns).where(*_key(workspace, service))
    if ids is None:
        return {row["remote_id"]: row for row in connection.execute(query).mappings()}
    found: dict[str, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = connection.execute(query.where(snapshots.c.remote_id.in_(chunk))).mappings()
        found.update({row["remote_id"]: row for row in rows})
    return found


def _row(
    workspace: str, service: str, remote: Remote[Any], before: Any | None, now: datetime
) -> dict[str, Any]:
    item = remote.item
    first_seen = before["first_seen_at"] if before is not None else now
    done_since, status_since = _milestones(item, before, now)
    return {
        "workspace": workspace,
        "service": service,
        "remote_id": remote.remote_id,
        "state": "present",
        "version": remote.version,
        "link_id": remote.link_id,
        "url": remote.url,
        "content_hash": item.content_hash(),
        "data": item.model_dump_json(),
        "starts_at": _starts_at(item),
        "first_seen_at": first_seen,
        "done_since": done_since,
        "status_since": status_since,
        "updated_at": now,
    }


def _milestones(item: Record, before: Any | None, now: datetime) -> tuple[datetime | None, datetime | None]:
    """When a task became done and entered its status: when the hub first saw it so; for a task seen
    for the first time, the service's last edit stands in (the hub cannot know better)."""
    if not isinstance(item, Task):
        return None, None
    if before is None:
        first = item.edited_at or now
        return (first if item.done else None), first
    previous = json.loads(before["data"])
    done_since = before["done_since"] if previous.get("done") else now
    status_since = before["status_since"] if previous.get("status") == item.status else now
    return (done_since if item.done else None), status_since or now


def _starts_at(item: Record) -> datetime | None:
    if isinstance(item, TimeEntry):
        return item.start
    if isinstance(item, Event):
        start = item.start
        return start if isinstance(start, datetime) else datetime.combine(start, time(0), UTC)
    return None


def load_snapshot(connection: Connection, workspace: str, service: str, model: type[R]) -> Snapshot[R]:
    query = select(snapshots).where(*_key(workspace, service)).order_by(snapshots.c.remote_id)
    items = {}
    for row in connection.execute(query).mappings():
        remote = Remote(
            row["remote_id"],
            row["version"],
            model.model_validate_json(row["data"]),
            row["link_id"],
            row["url"],
        )
        items[row["remote_id"]] = Seen(
            remote,
            row["state"],
            row["first_seen_at"],
            row["done_since"],
            row["status_since"],
            row["content_hash"],
        )
    return Snapshot(service, items)


def note_written(
    connection: Connection, workspace: str, service: str, remote: Remote[Any], now: datetime
) -> None:
    """After a write: the store's copy becomes what the service answered, so the next plan (and the
    next read of the hub's own write) see no change."""
    before = _known_rows(connection, workspace, service, [remote.remote_id]).get(remote.remote_id)
    upsert(connection, snapshots, _row(workspace, service, remote, before, now))


def note_archived(
    connection: Connection, workspace: str, service: str, remote_id: str, now: datetime
) -> None:
    connection.execute(
        snapshots.update()
        .where(*_key(workspace, service), snapshots.c.remote_id == remote_id)
        .values(state="deleted", updated_at=now)
    )


def get_cursor(connection: Connection, workspace: str, service: str) -> str | None:
    query = select(cursors.c.cursor).where(cursors.c.workspace == workspace, cursors.c.service == service)
    return connection.execute(query).scalar()


def set_cursor(
    connection: Connection, workspace: str, service: str, cursor: str | None, now: datetime
) -> None:
    if cursor is None:
        connection.execute(
            cursors.delete().where(cursors.c.workspace == workspace, cursors.c.service == service)
        )
        return
    row = {"workspace": workspace, "service": service, "cursor": cursor, "updated_at": now}
    upsert(connection, cursors, row)


def _key(workspace: str, service: str) -> Iterable[Any]:
    return (snapshots.c.workspace == workspace, snapshots.c.service == service)
