"""How a relation syncs: first-contact mode, who wins a conflict, what a card leaving the board means,
and the mass-archive guard. Plain values; the flows build them from the hub file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

# The relations the engine keeps: tasks across Trello and Notion, deadline events in the calendar,
# hours from Toggl onto tasks, and (optionally) meetings as time entries.
TASKS, AGENDA, TIME, MEETINGS = "tasks", "agenda", "time", "meetings"

# match_then_create: items already on both sides are matched first, the rest created on the other side;
# create_only: never match, create everything unlinked; match_only: link what matches, create nothing.
Mode = Literal["match_then_create", "create_only", "match_only"]
# What a linked item that left its collection (a card moved to another board) means for its link.
OnLeft = Literal["unlink", "archive"]
# Who wins when both sides changed a field differently: the latest edit, or a named side.
LATEST = "latest"


@dataclass(frozen=True)
class ArchiveGuard:
    """A plan that archives more than `share` of a side's linked items (and more than `floor` of them),
    or more than `count`, is refused unless the run explicitly allows it."""

    share: float = 0.10
    floor: int = 5
    count: int = 50

    def limit(self, linked: int) -> int:
        return min(self.count, max(self.floor, int(self.share * linked)))


@dataclass(frozen=True)
class RelationPolicy:
    mode: Mode = "match_then_create"
    conflicts: Mapping[str, str] = field(default_factory=dict)  # field -> LATEST or a side name
    default_conflict: str = LATEST
    on_left: OnLeft = "unlink"
    guard: ArchiveGuard = field(default_factory=ArchiveGuard)
    allow_mass_archive: bool = False
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))  # for matching dues by date
    # Fields this relation leaves alone (another relation owns them: tracked hours).
    excluded: frozenset[str] = frozenset()
    # "Latest edit" compares edit times at this resolution: Notion rounds its own down to the minute,
    # so finer times would favour the other side. Within the same minute, the first side wins.
    edit_resolution: timedelta = timedelta(minutes=1)

    def winner_policy(self, field_name: str) -> str:
        return self.conflicts.get(field_name, self.default_conflict)
