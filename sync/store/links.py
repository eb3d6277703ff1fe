"""Links and their sides: which copies of an item belong together, and each side's merge base."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from sync.model import Record
from sync.state import Link, LinkState, Side
from sync.store.schema import link_sides, links
from sync.store.sql import upsert

R = TypeVar("R", bound=Record)


def load_links(connection: Connection, workspace: str, relation: str, model: type[R]) -> dict[str, Link[R]]:
    """Every link of a relation with its sides, in two queries."""
    sides: dict[str, dict[str, Side[R]]] = defaultdict(dict)
    side_rows = connection.execute(
        select(
            link_sides.c.link_id,
            link_sides.c.side,
            link_sides.c.remote_id,
            link_sides.c.base,
            link_sides.c.base_hash,
            link_sides.c.version,
        ).where(link_sides.c.workspace == workspace, link_sides.c.relation == relation)
    )
    for link_id, side, remote_id, base, base_hash, version in side_rows:
        record = model.model_validate_json(base) if base else None
        sides[link_id][side] = Side(remote_id, record, base_hash, version)
    link_rows = connection.execute(
        select(links.c.link_id, links.c.state).where(
            links.c.workspace == workspace, links.c.relation == relation
        )
    )
    return {link_id: Link(link_id, state, sides.get(link_id, {})) for link_id, state in link_rows}


def put_link(
    connection: Connection, workspace: str, relation: str, link_id: str, state: LinkState, now: datetime
) -> None:
    existing = connection.execute(
        select(links.c.created_at).where(*_key(workspace, relation, link_id))
    ).scalar()
    row = {
        "workspace": workspace,
        "relation": relation,
        "link_id": link_id,
        "state": state,
        "created_at": existing or now,
        "updated_at": now,
    }
    upsert(connection, links, row)


def put_side(
    connection: Connection,
    workspace: str,
    relation: str,
    link_id: str,
    side: str,
    remote_id: str | None,
    base: Record | None,
    now: datetime,
    version: str | None = None,
) -> None:
    row: dict[str, Any] = {
        "workspace": workspace,
        "relation": relation,
        "link_id": link_id,
        "side": side,
        "remote_id": remote_id,
        "base": base.model_dump_json() if base is not None else None,
        "base_hash": base.content_hash() if base is not None else None,
        "version": version,
        "updated_at": now,
    }
    upsert(connection, link_sides, row)


def drop_side(connection: Connection, workspace: str, relation: str, link_id: str, side: str) -> None:
    connection.execute(
        link_sides.delete().where(*_side_key(workspace, relation, link_id), link_sides.c.side == side)
    )


def drop_link(connection: Connection, workspace: str, relation: str, link_id: str) -> None:
    connection.execute(link_sides.delete().where(*_side_key(workspace, relation, link_id)))
    connection.execute(links.delete().where(*_key(workspace, relation, link_id)))


def drop_relation(connection: Connection, workspace: str, relation: str) -> None:
    """Forget every link of a relation (before rebuilding them from the services)."""
    connection.execute(
        link_sides.delete().where(link_sides.c.workspace == workspace, link_sides.c.relation == relation)
    )
    connection.execute(links.delete().where(links.c.workspace == workspace, links.c.relation == relation))


def _key(workspace: str, relation: str, link_id: str) -> tuple[Any, ...]:
    return (links.c.workspace == workspace, links.c.relation == relation, links.c.link_id == link_id)


def _side_key(workspace: str, relation: str, link_id: str) -> tuple[Any, ...]:
    return (
        link_sides.c.workspace == workspace,
        link_sides.c.relation == relation,
        link_sides.c.link_id == link_id,
    )
