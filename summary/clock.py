"""Calendar arithmetic in the workspace's zone, done the way a person counts.

Durations are computed between UTC instants: Python subtracts two datetimes sharing one `tzinfo` as
wall-clock times, which is an hour off across a daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKEND = frozenset({5, 6})  # Saturday, Sunday


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of `day` in `zone` (a day whose midnight is skipped starts at the jump)."""
    return datetime.combine(day, time(0), zone).astimezone(UTC).astimezone(zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def deadline(due: date | datetime, zone: ZoneInfo) -> datetime:
    """When a due passes: a timed due at its instant, an all-day due at the end of its day."""
    if isinstance(due, datetime):
        return due
    return midnight(due + timedelta(days=1), zone)


def due_day(due: date | datetime, zone: ZoneInfo) -> date:
    """The calendar day a due falls on, in `zone`."""
    return local_date(due, zone) if isinstance(due, datetime) else due


def seconds_between(start: datetime, stop: datetime) -> int:
    """Whole seconds from `start` to `stop` (never negative), in real time."""
    delta = stop.astimezone(UTC) - start.astimezone(UTC)
    return max(int(delta.total_seconds()), 0)


def overlap_seconds(start: datetime, stop: datetime, lower: datetime, upper: datetime) -> int:
    """Seconds of [start, stop) that fall inside [lower, upper)."""
    return seconds_between(max(start, lower), min(stop, upper)) if start < upper and stop > lower else 0


def is_working_day(day: date) -> bool:
    return day.weekday() not in WEEKEND


def working_days_between(first: date, last: date) -> int:
    """Working days (Monday to Friday) from `first` to `last`, both included."""
    if last < first:
        return 0
    span = (last - first).days + 1
    weeks, rest = divmod(span, 7)
    return weeks * 5 + sum(1 for n in range(rest) if is_working_day(first + timedelta(days=weeks * 7 + n)))


def add_working_days(day: date, count: int) -> date:
    """The `count`-th working day after `day` (`day` itself not counted)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
