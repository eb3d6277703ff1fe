"""The period a summary covers: a day, an ISO week (Monday to Sunday), or given dates.

A period is a run of calendar days, its ends included; in a time zone it becomes the instants from
the first day's midnight to the midnight after the last day (end excluded). Those midnights are taken
in the zone, so a week with a daylight-saving change lasts 167 or 169 hours, as on a wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from summary.clock import midnight, working_days_between

PeriodKind = Literal["day", "week", "range"]


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date
    last: date  # included

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period ends on or after its first day ({self.first} > {self.last})")

    @classmethod
    def day(cls, day: date) -> Period:
        return cls("day", day, day)

    @classmethod
    def week(cls, day: date) -> Period:
        """The ISO week (Monday to Sunday) holding `day`."""
        monday = day - timedelta(days=day.weekday())
        return cls("week", monday, monday + timedelta(days=6))

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        return cls("range", first, last)

    def previous(self) -> Period:
        """The period just before, of the same length (the day before, the week before)."""
        length = (self.last - self.first).days + 1
        return Period(self.kind, self.first - timedelta(days=length), self.first - timedelta(days=1))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def working_days(self) -> int:
        """Monday to Friday, both ends included."""
        return working_days_between(self.first, self.last)

    def start(self, zone: ZoneInfo) -> datetime:
        return midnight(self.first, zone)

    def end(self, zone: ZoneInfo) -> datetime:
        """The first instant after the period (excluded from it)."""
        return midnight(self.last + timedelta(days=1), zone)

    @property
    def slug(self) -> str:
        """A name for files and keys: `2026-11-30`, `2026-w49`, `2026-11-01-to-2026-11-30`."""
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-w{week:02d}"
        return f"{self.first.isoformat()}-to-{self.last.isoformat()}"
