"""What needs a look in the time tracking: entries with no task or no project, timers left running
too long, and meetings nobody tracked time for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from summary.inputs import SummaryInput
from summary.result import LongTimer, LooseEntry, UntrackedMeeting
from summary.tracking import Tracked


def loose_entries(
    inside: Sequence[tuple[Tracked, int]], wanted: Callable[[Tracked], bool]
) -> tuple[LooseEntry, ...]:
    """The period's entries `wanted` picks, with the seconds they count in the period."""
    return tuple(
        LooseEntry(item.person, item.description, item.start, seconds, item.project, item.task_key)
        for item, seconds in inside
        if wanted(item)
    )


def long_timers(
    tracked: Sequence[Tracked], start: datetime, end: datetime, hours: float
) -> tuple[LongTimer, ...]:
    """Timers running now for more than `hours`, and entries of the period longer than that (most
    likely a timer left running and stopped later), the longest first."""
    found = [
        LongTimer(item.person, item.description, item.start, item.seconds, item.running)
        for item in tracked
        if item.seconds > hours * 3600 and (item.running or item.seconds_in(start, end) > 0)
    ]
    return tuple(sorted(found, key=lambda timer: (-timer.seconds, timer.start)))


def untracked_meetings(
    source: SummaryInput, tracked: Sequence[Tracked], start: datetime, end: datetime
) -> tuple[UntrackedMeeting, ...]:
    """Timed meetings that ended in the period, with the attendees who track time but tracked none
    while the meeting ran. Deadline events, all-day and cancelled events are no meetings; people who
    track no time at all are not expected to."""
    trackers = {item.person for item in tracked if item.person}
    found = []
    for event in source.events:
        if event.all_day or event.task_link is not None or event.status == "cancelled":
            continue
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)  # timed
        if not (start < event.end <= end and event.end <= source.now):
            continue
        busy = {item.person for item in tracked if item.seconds_in(event.start, event.end)}
        missing = tuple(sorted((event.attendees & trackers) - busy))
        if missing:
            found.append(UntrackedMeeting(event.title, event.start, event.end, missing))
    return tuple(sorted(found, key=lambda meeting: (meeting.start, meeting.title)))
