"""Calendar meetings as time entries (optional, `time.meetings_to_toggl`): a meeting that configured
people attended becomes, once it has ended, one time entry per such person; moved, the entries move;
cancelled, they go. Pure: it builds the wanted entries, the one-way planner (`oneway.py`) does the rest,
so an interrupted create is found again by its link tag, never made twice.

Not every event is a meeting: all-day events, the hub's own deadline events and cancelled ones are not;
a meeting counts once it has ended (a person tracks what happened). Meetings that ended before
`since` get no new entry (turning the option on does not backfill months), but those already linked
keep following their meeting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime

from sync.actions import Plan
from sync.connector import Remote
from sync.model import Event, TimeEntry
from sync.oneway import OneWay, plan_one_way
from sync.plan import derive_link_id
from sync.policy import MEETINGS, ArchiveGuard
from sync.state import Link, Snapshot

TIME_SERVICE = "toggl"
OWNED = ("person", "description", "start", "stop", "duration_seconds", "billable")


@dataclass(frozen=True)
class MeetingPolicy:
    people: frozenset[str] = frozenset()  # person keys whose meetings become entries
    tags: frozenset[str] = frozenset({"meeting"})
    billable: bool = False
    guard: ArchiveGuard = field(default_factory=ArchiveGuard)
    allow_mass_archive: bool = False


def meeting_entries(
    events: Sequence[Remote[Event]],
    policy: MeetingPolicy,
    *,
    now: datetime,
    since: datetime,
    linked: Set[str] = frozenset(),
) -> dict[str, TimeEntry]:
    """The entries the hub wants, by link id (one per meeting and attending person)."""
    wanted: dict[str, TimeEntry] = {}
    for remote in events:
        event = remote.item
        if event.all_day or event.retired or event.task_link is not None:
            continue
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        if event.end > now:
            continue
        for person in sorted(event.attendees & policy.people):
            key = derive_link_id(MEETINGS, "google", f"{remote.remote_id}:{person}")
            if event.end < since and key not in linked:
                continue
            wanted[key] = TimeEntry(
                person=person,
                description=event.title,
                start=event.start,
                stop=event.end,
                duration_seconds=int((event.end - event.start).total_seconds()),
                billable=policy.billable,
                tags=policy.tags,
            )
    return wanted


def plan_meetings(
    wanted: Mapping[str, TimeEntry],
    entries: Snapshot[TimeEntry],
    links: Mapping[str, Link[TimeEntry]],
    represent: Callable[[TimeEntry], TimeEntry],
    policy: MeetingPolicy,
) -> Plan[TimeEntry]:
    spec = OneWay(
        relation=MEETINGS,
        side=TIME_SERVICE,
        owned=OWNED,
        represent=represent,
        noun="meeting entries",
        owns=lambda entry: bool(policy.tags) and policy.tags <= entry.tags,
        guard=policy.guard,
        allow_mass_archive=policy.allow_mass_archive,
    )
    return plan_one_way(spec, wanted, entries, links)
