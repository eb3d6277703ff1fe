"""First contact: which unlinked items on two sides are the same task. Pure.

Items already on both sides before the first sync must be linked, not duplicated; but a wrong guess
merges two tasks into one, which is worse. So matching goes from the surest rule to the loosest, and
each rule links only one-to-one pairs:

1. the same normalised title (case, spacing) and the same due date (in the workspace's zone);
2. the same normalised title, when it is unique on both sides (the due moved on one side);
3. a similar title (a typo fixed, a word changed: similarity >= 0.85) with the same due date, when each
   is the other's only best candidate.

Several items sharing a title and due date on one side cannot be told apart: they are reported, and
neither matched nor created (creating them would duplicate the other side's copy).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sync.connector import Remote
from sync.model import Record

T = TypeVar("T", bound=Record)

SIMILAR = 0.85
# Beyond this many candidate pairs, the similarity rule is skipped (it compares every pair).
MAX_PAIRS = 250_000


@dataclass(frozen=True)
class Match(Generic[T]):
    a: Remote[T]
    b: Remote[T]
    why: str


@dataclass
class Matching(Generic[T]):
    matches: list[Match[T]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    held: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # side -> ids not to create


def match(
    a_name: str,
    a_items: Mapping[str, Remote[T]],
    b_name: str,
    b_items: Mapping[str, Remote[T]],
    zone: ZoneInfo,
) -> Matching[T]:
    """Pairs of unlinked items that are the same task (see the module docstring for the rules)."""
    result: Matching[T] = Matching()
    a_left, b_left = dict(a_items), dict(b_items)

    def title(remote: Remote[T]) -> str:
        return " ".join(str(getattr(remote.item, "title", "")).split()).casefold()

    def due(remote: Remote[T]) -> date | None:
        value = getattr(remote.item, "due", None)
        return value.astimezone(zone).date() if isinstance(value, datetime) else value

    _pair_groups(
        result, a_name, a_left, b_name, b_left, lambda r: (title(r), due(r)), "title and due date", True
    )
    _pair_groups(result, a_name, a_left, b_name, b_left, title, "title (the due differs)", False)
    _pair_similar(result, a_left, b_left, title, due)
    return result


def _pair_groups(
    result: Matching[T],
    a_name: str,
    a_left: dict[str, Remote[T]],
    b_name: str,
    b_left: dict[str, Remote[T]],
    key: Callable[[Remote[T]], Any],
    why: str,
    report: bool,
) -> None:
    a_groups, b_groups = _groups(a_left.values(), key), _groups(b_left.values(), key)
    for value in sorted(set(a_groups) & set(b_groups), key=str):
        a_copies, b_copies = a_groups[value], b_groups[value]
        if len(a_copies) == 1 and len(b_copies) == 1:
            result.matches.append(Match(a_copies[0], b_copies[0], f"matched by {why}"))
            del a_left[a_copies[0].remote_id], b_left[b_copies[0].remote_id]
        elif report:
            result.problems.append(
                f"{len(a_copies)} {a_name} and {len(b_copies)} {b_name} items are titled {value[0]!r} "
                "with the same due date; not matched (link them by hand or rename them)"
            )
            for side, copies, left in ((a_name, a_copies, a_left), (b_name, b_copies, b_left)):
                for remote in copies:
                    result.held[side].add(remote.remote_id)
                    del left[remote.remote_id]


def _pair_similar(
    result: Matching[T],
    a_left: dict[str, Remote[T]],
    b_left: dict[str, Remote[T]],
    title: Callable[[Remote[T]], str],
    due: Callable[[Remote[T]], date | None],
) -> None:
    if len(a_left) * len(b_left) > MAX_PAIRS:
        return
    best_a = {rid: _best(remote, b_left.values(), title, due) for rid, remote in a_left.items()}
    best_b = {rid: _best(remote, a_left.values(), title, due) for rid, remote in b_left.items()}
    pairs = [
        (a_id, b_id) for a_id, b_id in sorted(best_a.items()) if b_id is not None and best_b.get(b_id) == a_id
    ]
    for a_id, b_id in pairs:
        result.matches.append(
            Match(a_left.pop(a_id), b_left.pop(b_id), "matched by a similar title and the due date")
        )


def _best(
    remote: Remote[T],
    others: Iterable[Remote[T]],
    title: Callable[[Remote[T]], str],
    due: Callable[[Remote[T]], date | None],
) -> str | None:
    """The other side's only most similar item with the same due, if similar enough."""
    mine, when = title(remote), due(remote)
    scored = [
        (SequenceMatcher(None, mine, title(other)).ratio(), other.remote_id)
        for other in others
        if due(other) == when
    ]
    scored = [item for item in scored if item[0] >= SIMILAR]
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two equally good candidates: not a match, a guess
    return scored[0][1]


def _groups(remotes: Iterable[Remote[T]], key: Callable[[Remote[T]], Any]) -> dict[Any, list[Remote[T]]]:
    groups: dict[Any, list[Remote[T]]] = defaultdict(list)
    for remote in remotes:
        groups[key(remote)].append(remote)
    return groups
