"""Three-way merge per field, against each side's own base.

For each synced field of a linked pair:

    changed on A   changed on B   values agree   ->  what happens
    no             no             -                  nothing
    yes            no             -                  A's value goes to B
    no             yes            -                  B's value goes to A
    yes            yes            yes                nothing (the same change on both sides)
    yes            yes            no                 conflict: the field's policy picks the winner,
                                                     whose value goes to the loser; recorded
    (no base: first contact)      no                 a conflict settled the same way, recorded as such

"Changed" compares a side with its own base, never with the other service's rendering. "Agree"
compares through `represent`: the values agree when writing one side's value to the other would leave
it as it is (a field one side cannot hold, a due one side rounds to the other's value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sync.journal import ConflictRecord, plain
from sync.model import Record
from sync.policy import LATEST, RelationPolicy

T = TypeVar("T", bound=Record)


@dataclass(frozen=True)
class SideView(Generic[T]):
    """One side of a pair as the merge sees it."""

    name: str
    current: T
    base: T | None
    represent: Callable[[T], T]

    def holds(self, name: str, value: Any) -> bool:
        """Would writing `value` to this side's `name` leave the side as it is?"""
        candidate = self.represent(self.current.model_copy(update={name: value}))
        return bool(getattr(candidate, name) == getattr(self.current, name))

    def changed(self, name: str) -> bool:
        return self.base is None or getattr(self.current, name) != getattr(self.base, name)

    @property
    def edited_at(self) -> datetime | None:
        value = getattr(self.current, "edited_at", None)
        return value if isinstance(value, datetime) else None


@dataclass
class MergeResult:
    """Fields to write to each side (field -> the side whose value it is), and the conflicts."""

    to: dict[str, dict[str, str]] = field(default_factory=dict)  # target side -> {field: source side}
    conflicts: list[ConflictRecord] = field(default_factory=list)

    def send(self, target: str, name: str, source: str) -> None:
        self.to.setdefault(target, {})[name] = source


def synced_fields(model: type[Record], policy: RelationPolicy) -> tuple[str, ...]:
    return tuple(name for name in model.model_fields if name not in model.UNSYNCED | policy.excluded)


def merge(
    link_id: str, a: SideView[T], b: SideView[T], fields: tuple[str, ...], policy: RelationPolicy
) -> MergeResult:
    result = MergeResult()
    first_contact = a.base is None or b.base is None
    for name in fields:
        changed_a, changed_b = a.changed(name), b.changed(name)
        if not changed_a and not changed_b:
            continue
        if changed_a and not changed_b and not first_contact:
            _propagate(result, a, b, name)
        elif changed_b and not changed_a and not first_contact:
            _propagate(result, b, a, name)
        elif not _agree(a, b, name):
            winner, loser, rule = _decide(name, a, b, policy)
            if first_contact:
                rule = f"first-contact:{rule}"
            result.conflicts.append(
                ConflictRecord(
                    link_id=link_id,
                    field=name,
                    values={
                        a.name: plain(getattr(a.current, name)),
                        b.name: plain(getattr(b.current, name)),
                    },
                    winner=winner.name,
                    policy=rule,
                    title=str(getattr(winner.current, "title", "")) or None,
                )
            )
            _propagate(result, winner, loser, name)
    return result


def _agree(a: SideView[T], b: SideView[T], name: str) -> bool:
    """The two values are the same value as far as either side can tell: writing one to the other
    would change nothing (a Notion date and the Trello instant it becomes; a field one side lacks)."""
    return b.holds(name, getattr(a.current, name)) or a.holds(name, getattr(b.current, name))


def _propagate(result: MergeResult, source: SideView[T], target: SideView[T], name: str) -> None:
    if not target.holds(name, getattr(source.current, name)):
        result.send(target.name, name, source.name)


def _decide(
    name: str, a: SideView[T], b: SideView[T], policy: RelationPolicy
) -> tuple[SideView[T], SideView[T], str]:
    rule = policy.winner_policy(name)
    if rule == b.name:
        return b, a, rule
    if rule == a.name:
        return a, b, rule
    if rule != LATEST:
        raise ValueError(f"conflict policy {rule!r} for {name!r} names no side of this relation")
    # The latest edit wins; without edit times (or on a tie) the first side does.
    if a.edited_at is not None and b.edited_at is not None:
        step = policy.edit_resolution.total_seconds() or 1
        if b.edited_at.timestamp() // step > a.edited_at.timestamp() // step:
            return b, a, LATEST
    return a, b, LATEST
