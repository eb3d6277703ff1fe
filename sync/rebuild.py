"""Rebuilding a workspace's links from the link ids the copies carry (`obm-hub links rebuild`): after
the store was lost, or when its links are in doubt. Nothing is written to any service.

The planners already relink such copies at first contact (the surest rule: a card and a page carrying
the same link id, a deadline event or a time entry carrying its key). A rebuild forgets the stored
links, lets the planners run over full reads, and records the links of those steps only:

    the step                                     ->  recorded
    relinks copies that agree (no write)             the link, each side's base its current copy
                                                     (what the applier would record)
    relinks copies that differ (writes planned)      the link with no base: the next sync merges them
                                                     as at first contact (the conflict policy, recorded)
    creates a derived item (a deadline event)        looked up by its link id (the read covers a
                                                     window: an older event is not in it); one copy
                                                     found: stored as read, and linked with no base
    anything else (title matches, creates, ...)      nothing: the next sync plans it as usual

Links a person made meaningful by deleting a copy (a dismissed deadline event) are forgotten with the
rest: the next sync may create such a copy again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from sync.actions import Plan, Step
from sync.connector import ChangeBatch, Connector, Remote
from sync.store import Store
from sync.store import links as stored_links
from sync.store.schema import links as links_table

RELINKING = ("link", "adopt")  # the step kinds a planner gives a copy found by its link id


@dataclass
class Relinked:
    """What a rebuild recorded for one relation."""

    relation: str
    linked: int = 0  # links recorded
    to_settle: int = 0  # of which without bases (the copies differ: the next sync merges them)
    looked_up: int = 0  # of which found by a lookup of their link id, outside the read's window


def forget_links(store: Store, workspace: str, relations: Iterable[str]) -> int:
    """Drop every link of these relations; how many there were."""
    relations = tuple(relations)
    with store.transaction() as connection:
        count = connection.execute(
            select(func.count())
            .select_from(links_table)
            .where(links_table.c.workspace == workspace, links_table.c.relation.in_(relations))
        ).scalar_one()
        for relation in relations:
            stored_links.drop_relation(connection, workspace, relation)
    return int(count)


def relinks(plan: Plan[Any]) -> list[Step[Any]]:
    """The plan's steps that link copies by the link id every one of them carries."""
    return [
        step
        for step in plan.steps
        if step.kind in RELINKING
        and step.current
        and all(remote.link_id == step.link_id for remote in step.current.values())
        and not any(write.kind == "create" for write in step.writes)
    ]


def lookups(plan: Plan[Any]) -> list[Step[Any]]:
    """The plan's creates of a derived item, to look up by link id first (one-way plans only)."""
    return [
        step
        for step in plan.steps
        if step.kind == "create"
        and not step.current
        and len(step.writes) == 1
        and step.writes[0].kind == "create"
    ]


def record_relinks(
    store: Store, workspace: str, plan: Plan[Any], finders: Mapping[str, Connector[Any]] | None = None
) -> Relinked:
    """Record the links of the plan's relinking steps (see the module docstring). The only service
    calls are `find_by_link` reads, on `finders`' services, for the derived items the plan creates."""
    done = Relinked(plan.relation)
    if not plan.linked:
        return done
    _record_found(store, workspace, plan, finders or {}, done)
    now = store.now()
    with store.transaction() as connection:
        for step in relinks(plan):
            agreed = not step.writes
            bases = step.bases_after({}, frozenset()) if agreed else {}
            stored_links.put_link(connection, workspace, plan.relation, step.link_id, "active", now)
            for side, remote in step.current.items():
                stored_links.put_side(
                    connection,
                    workspace,
                    plan.relation,
                    step.link_id,
                    side,
                    remote.remote_id,
                    bases.get(side),
                    now,
                    remote.version,
                )
            done.linked += 1
            done.to_settle += 0 if agreed else 1
    return done


def _record_found(
    store: Store, workspace: str, plan: Plan[Any], finders: Mapping[str, Connector[Any]], done: Relinked
) -> None:
    found: dict[str, list[tuple[str, Remote[Any]]]] = {}
    for step in lookups(plan):
        side = step.writes[0].side
        if side not in finders:
            continue
        copies = [remote for remote in finders[side].find_by_link(step.link_id) if not remote.item.retired]
        if len(copies) == 1:
            found.setdefault(side, []).append((step.link_id, copies[0]))
    for side, pairs in found.items():
        # Stored as read (the cursor stays where it is), so the next sync sees the copy and compares it.
        batch = ChangeBatch(items=[remote for _, remote in pairs], cursor=store.get_cursor(workspace, side))
        store.record_read(workspace, side, batch)
        now = store.now()
        with store.transaction() as connection:
            for link_id, remote in pairs:
                stored_links.put_link(connection, workspace, plan.relation, link_id, "active", now)
                stored_links.put_side(
                    connection,
                    workspace,
                    plan.relation,
                    link_id,
                    side,
                    remote.remote_id,
                    None,
                    now,
                    remote.version,
                )
        done.linked += len(pairs)
        done.to_settle += len(pairs)
        done.looked_up += len(pairs)
