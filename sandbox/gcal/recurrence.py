"""Recurring events for the Calendar emulator: RFC 5545 lines expanded with python-dateutil.

A master event holds `recurrence` lines (`RRULE:`, `RDATE`, `EXDATE`, NOTES.md §2.2) and a `start`
whose `timeZone` says where the rule is expanded: a 09:30 weekly meeting stays at 09:30 in Paris across
a DST change. Instances are named `{masterId}_{YYYYMMDDTHHMMSSZ}` (UTC original start; all-day:
`{masterId}_{YYYYMMDD}`), the scheme of the real ids (`5hni4sj3ql1669otmjg7sn1mok_20250325T130000Z`).

An endless series is expanded up to a horizon (the store's, one year after the business's reference
time): the real API also ends somewhere ("It's not endless, just somewhat lengthy"), and a horizon
tied to the demo business keeps the numbers predictable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import takewhile
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr

_VALUE = re.compile(r"^(?P<name>[A-Z]+)(?P<params>(;[^:]*)?):(?P<values>.*)$")


@dataclass(frozen=True)
class Occurrence:
    """One instance of a series: its original start (which names it) and its bounds."""

    original: datetime | date
    start: datetime | date
    end: datetime | date

    def instance_id(self, master_id: str) -> str:
        return instance_id(master_id, self.original)


def instance_id(master_id: str, original: datetime | date) -> str:
    if isinstance(original, datetime):
        return f"{master_id}_{original.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{master_id}_{original:%Y%m%d}"


def wire(value: datetime | date, zone: str) -> dict[str, str]:
    """An EventDateTime for `value`: `date` for a day, `dateTime` plus `timeZone` for an instant."""
    if isinstance(value, datetime):
        return {"dateTime": value.isoformat(), "timeZone": zone}
    return {"date": value.isoformat()}


def parse_bound(bound: dict[str, Any], zone: ZoneInfo) -> datetime | date:
    """`date` or `dateTime` of an EventDateTime; a naive dateTime is in `timeZone` (else `zone`)."""
    if "date" in bound:
        return date.fromisoformat(bound["date"])
    parsed = datetime.fromisoformat(bound["dateTime"])
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(bound["timeZone"]) if bound.get("timeZone") else zone)
    return parsed.astimezone(zone)


def instant(value: datetime | date, zone: ZoneInfo) -> datetime:
    """Where a bound sits on the time line: a day starts at midnight in the event's zone."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=zone)


def occurrences(master: dict[str, Any], zone_name: str, horizon: datetime) -> Iterator[Occurrence]:
    """The series' occurrences that start before `horizon`, EXDATEs removed, in order."""
    zone = ZoneInfo(master["start"].get("timeZone") or zone_name)
    start = parse_bound(master["start"], zone)
    end = parse_bound(master["end"], zone)
    all_day = not isinstance(start, datetime)
    first = datetime(start.year, start.month, start.day) if all_day else start
    rules = _ruleset(master.get("recurrence") or [], first, zone, all_day=all_day)
    limit = horizon.replace(tzinfo=None) if all_day else horizon
    for when in takewhile(lambda moment: moment < limit, rules):
        if all_day:
            day = when.date()
            yield Occurrence(day, day, day + (end - start))
        else:
            # The duration is kept in absolute time: a 30-minute meeting lasts 30 minutes across DST.
            finish = (when.astimezone(UTC) + (end - start)).astimezone(zone)  # type: ignore[operator]
            yield Occurrence(when, when, finish)


def _ruleset(lines: list[str], first: datetime, zone: ZoneInfo, *, all_day: bool) -> rruleset:
    rules = rruleset()
    for line in lines:
        match = _VALUE.match(line.strip())
        if match is None:
            raise ValueError(f"malformed recurrence line {line!r}")
        name = match["name"]
        if name in ("RRULE", "EXRULE"):
            rule = rrulestr(line.strip(), dtstart=first)
            (rules.rrule if name == "RRULE" else rules.exrule)(rule)  # type: ignore[arg-type]
            continue
        moments = _moments(match["params"], match["values"], zone, all_day=all_day)
        for moment in moments:
            (rules.rdate if name == "RDATE" else rules.exdate)(moment)
    return rules


def _moments(params: str, values: str, zone: ZoneInfo, *, all_day: bool) -> list[datetime]:
    """RDATE/EXDATE values: `;TZID=Europe/Paris:20261207T093000`, `:20261207T083000Z` or a date."""
    tzid = re.search(r"TZID=([^;:]+)", params or "")
    value_zone = ZoneInfo(tzid.group(1)) if tzid else zone
    moments = []
    for value in values.split(","):
        value = value.strip()
        if len(value) == 8:
            moment = datetime.strptime(value, "%Y%m%d")
            moments.append(moment if all_day else moment.replace(tzinfo=zone))
            continue
        utc = value.endswith("Z")
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
        aware = moment.replace(tzinfo=UTC if utc else value_zone).astimezone(zone)
        moments.append(aware.replace(tzinfo=None) if all_day else aware)
    return moments
