"""The planner of a one-way relation: items the hub derives (deadline events from tasks, time entries
from meetings) kept in one service. Pure: what the hub wants, the service's snapshot and the links in;
a plan out.

    wanted   link / copy                       ->  step
    item     none, no copy carries the key         create (pending first: never repeated)
    item     none, a copy carries the key          adopt it (a lost database), update what differs
    item     pending create                        adopt what the read saw, else look it up, then create
    item     copy present                          update the owned fields that differ
    item     copy deleted by a person              leave it deleted ("dismissed") until the wanted
                                                   item changes; then look it up by its link id (a
                                                   read that lagged), else create it again
    none     copy present                          archive it (cancel, delete)
    none     pending, a copy carries the key       archive it (an interrupted create made it)
    none     a copy the hub made, no link          archive it (an orphan of a lost database)

Only the `owned` fields are compared and written: what people add to the hub's items (guests, a
location, tags) stays theirs. A plan archiving too many of the links is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from sync.actions import Plan, Step, Write
from sync.connector import Remote
from sync.model import Record
from sync.policy import ArchiveGuard
from sync.state import Link, LinkState, Snapshot

T = TypeVar("T", bound=Record)

# (key, wanted, current, base) -> the item to want instead (a moved event moving its task), or None.
OnMoved = Callable[[str, T, T, T], T | None]


@dataclass(frozen=True)
class OneWay(Generic[T]):
    relation: str
    side: str
    owned: tuple[str, ...]
    represent: Callable[[T], T]
    noun: str  # "deadline events": for messages
    owns: Callable[[T], bool]  # whether a copy with no link is one the hub made
    guard: ArchiveGuard = field(default_factory=ArchiveGuard)
    allow_mass_archive: bool = False
    on_moved: OnMoved[T] | None = None


def plan_one_way(
    spec: OneWay[T], wanted: Mapping[str, T | None], snapshot: Snapshot[T], links: Mapping[str, Link[T]]
) -> Plan[T]:
    planner = _Planner(spec, snapshot, links)
    steps = [
        step
        for key in sorted(wanted)
        if (item := wanted[key]) is not None and (step := planner.keep(key, item))
    ]
    steps += planner.retire({key for key, item in wanted.items() if item is not None})
    return _guarded(spec, Plan(spec.relation, tuple(steps), tuple(planner.problems)), links)


class _Planner(Generic[T]):
    def __init__(self, spec: OneWay[T], snapshot: Snapshot[T], links: Mapping[str, Link[T]]) -> None:
        self.spec, self.snapshot, self.links = spec, snapshot, links
        self.problems: list[str] = []
        claimed = {
            side.remote_id for link in links.values() if (side := link.side(spec.side)) and side.remote_id
        }
        self.carrying = {
            seen.remote.link_id: seen.remote
            for seen in snapshot.items.values()
            if seen.present and seen.remote.link_id and seen.remote.remote_id not in claimed
        }

    def keep(self, key: str, item: T) -> Step[T] | None:
        link = self.links.get(key)
        side = link.side(self.spec.side) if link else None
        if side is None or side.remote_id is None:
            return self._place(key, item, pending=side is not None)
        seen = self.snapshot.get(side.remote_id)
        if seen is None:
            self.problems.append(
                f"{self.spec.relation}: {side.remote_id} of {key} was never read; left as is"
            )
            return None
        if not seen.present or seen.remote.item.retired:
            return self._deleted_by_a_person(key, item, link, side.base)
        return self._follow(key, item, seen.remote, side.base, link.state if link else "active")

    def retire(self, wanted: set[str]) -> list[Step[T]]:
        steps = []
        for key in sorted(set(self.links) - wanted):
            link = self.links[key]
            side = link.side(self.spec.side)
            seen = self.snapshot.get(side.remote_id if side else None)
            made = self.carrying.get(key) if side is None or side.remote_id is None else None
            if seen is not None and seen.present and not seen.remote.item.retired:
                steps.append(self._archive(key, seen.remote, side.base if side else None, "no longer wanted"))
            elif made is not None and not made.item.retired:
                # A create interrupted before its commit made this copy: it goes like a linked one.
                steps.append(self._archive(key, made, None, "made by an interrupted run, no longer wanted"))
            elif link.state not in ("archived", "dismissed"):
                steps.append(Step(key, "archive", key, "nothing left to keep", state="archived"))
        for key in sorted(set(self.carrying) - wanted - set(self.links)):
            remote = self.carrying[key]
            if self.spec.owns(remote.item) and not remote.item.retired:
                steps.append(
                    self._archive(
                        key, remote, None, f"one of the hub's {self.spec.noun} with nothing behind it"
                    )
                )
        return steps

    def _place(self, key: str, item: T, *, pending: bool) -> Step[T]:
        found = self.carrying.get(key)
        if found is not None and not found.item.retired:
            step = self._follow(key, item, found, None, "active")
            assert step is not None  # an adopted copy always records its side
            return replace(step, adopted=self.spec.side) if pending else step
        create: Write[T] = Write(
            self.spec.side, "create", "wanted and not there yet", item=self.spec.represent(item)
        )
        return Step(
            key,
            "recover" if pending else "create",
            _title(item, key),
            "finish an interrupted create" if pending else "create it",
            (create,),
            recover=self.spec.side if pending else None,
            new_link=not pending,
        )

    def _follow(
        self, key: str, item: T, remote: Remote[T], base: T | None, state: LinkState
    ) -> Step[T] | None:
        wanted, current = self.spec.represent(item), remote.item
        recorded = remote  # the copy whose values become the base, with what the step writes
        if self.spec.on_moved is not None and base is not None:
            followed = self.spec.on_moved(key, wanted, current, base)
            if followed is not None:
                # The fields the source is to follow (a moved event's dates) keep their base until
                # it has followed: a run killed before the task's due moves plans the move again,
                # instead of taking the moved event for settled and putting it back.
                kept = {
                    name: getattr(base, name)
                    for name in self.spec.owned
                    if getattr(followed, name) != getattr(wanted, name)
                }
                wanted = followed
                item_kept = current.model_copy(update=kept)
                recorded = Remote(remote.remote_id, remote.version, item_kept, remote.link_id, remote.url)
        fields = frozenset(
            name for name in self.spec.owned if getattr(wanted, name) != getattr(current, name)
        )
        settled = base is not None and base.content_hash() == current.content_hash() and state == "active"
        if not fields and settled:
            return None
        writes: tuple[Write[T], ...] = ()
        if fields:
            updated = current.model_copy(update={name: getattr(wanted, name) for name in fields})
            reason = "changed: " + ", ".join(sorted(fields))
            link_it = remote.link_id != key
            writes = (
                Write(
                    self.spec.side,
                    "update",
                    reason,
                    remote.remote_id,
                    updated,
                    fields,
                    {},
                    remote.version,
                    link_it,
                ),
            )
        return Step(
            key,
            "sync" if base is not None else "adopt",
            _title(item, key),
            writes[0].reason
            if writes
            else (
                "moved; its source follows" if recorded is not remote else "the service agrees; base moves"
            ),
            writes,
            current={self.spec.side: recorded},
            bases={self.spec.side: base},
        )

    def _deleted_by_a_person(self, key: str, item: T, link: Link[T] | None, base: T | None) -> Step[T] | None:
        wanted = self.spec.represent(item)
        if base is not None and _owned(self.spec, wanted) == _owned(self.spec, base):
            if link is not None and link.state == "dismissed":
                return None
            why = "deleted by a person; not recreated until it changes"
            return Step(key, "unlink", _title(item, key), why, state="dismissed")
        # Looked up by its link id first: a read that lagged behind the service (an entry the hub
        # made, missing from it) is no deletion, and the copy is adopted rather than made twice.
        create: Write[T] = Write(self.spec.side, "create", "changed since a person deleted it", item=wanted)
        return Step(key, "create", _title(item, key), "create it again", (create,), recover=self.spec.side)

    def _archive(self, key: str, remote: Remote[T], base: T | None, why: str) -> Step[T]:
        write: Write[T] = Write(self.spec.side, "archive", why, remote.remote_id, if_version=remote.version)
        current = {self.spec.side: remote}
        return Step(
            key,
            "archive",
            _title(remote.item, key),
            why,
            (write,),
            current,
            {self.spec.side: base},
            "archived",
        )


def _owned(spec: OneWay[T], item: T) -> tuple[object, ...]:
    return tuple(getattr(item, name) for name in spec.owned)


def _title(item: Record, key: str) -> str:
    return str(getattr(item, "title", None) or getattr(item, "description", None) or key)


def _guarded(spec: OneWay[T], plan: Plan[T], links: Mapping[str, Link[T]]) -> Plan[T]:
    if spec.allow_mass_archive:
        return plan
    linked = sum(1 for link in links.values() if link.state == "active")
    archives = sum(1 for _, write in plan.writes if write.kind == "archive")
    limit = spec.guard.limit(linked)
    if archives <= limit:
        return plan
    refusal = (
        f"the plan would cancel {archives} of {linked} {spec.noun} (the limit is {limit}); refused. "
        "Check the last reads, then run again allowing it (--allow-mass-archive)."
    )
    return Plan(plan.relation, plan.steps, plan.problems, refusal)
