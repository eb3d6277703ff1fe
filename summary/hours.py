"""The team's hours in the period: per person (utilisation against capacity), per project (burn
against estimates), per day, and the entries and timers that need a look.

Utilisation = tracked hours / (weekly capacity x working days in the period / 5); working days are
Monday to Friday. Burn compares all the time tracked on a project's estimated tasks in play (open
now, or done in the period) with the sum of their estimates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from summary.clock import midnight
from summary.hygiene import long_timers, loose_entries, untracked_meetings
from summary.inputs import SummaryInput, TaskView
from summary.period import Period
from summary.result import DayHours, Hours, PersonHours, ProjectHours, ProjectSeconds
from summary.tasks import done_within, open_at
from summary.tracking import Tracked, tracked_seconds


def team_hours(
    source: SummaryInput, tracked: Sequence[Tracked], period: Period, by_task: dict[str, int]
) -> Hours:
    zone = ZoneInfo(source.workspace.timezone)
    start, end = period.start(zone), period.end(zone)
    inside = [(item, item.seconds_in(start, end)) for item in tracked]
    inside = [(item, seconds) for item, seconds in inside if seconds > 0]
    calendar = "google" in source.workspace.services
    return Hours(
        seconds=sum(seconds for _, seconds in inside),
        billable_seconds=sum(seconds for item, seconds in inside if item.billable),
        working_days=period.working_days(),
        people=_people(source, inside, period.working_days()),
        projects=_projects(source.tasks, inside, period, source, by_task),
        daily=_daily(tracked, period, zone),
        without_task=loose_entries(inside, lambda item: item.task_key is None),
        without_project=loose_entries(inside, lambda item: item.project is None),
        long_timers=long_timers(tracked, start, end, source.workspace.settings.long_timer_hours),
        untracked_meetings=untracked_meetings(source, tracked, start, end) if calendar else None,
    )


def _people(
    source: SummaryInput, inside: list[tuple[Tracked, int]], working_days: int
) -> tuple[PersonHours, ...]:
    by_person: dict[str | None, list[tuple[Tracked, int]]] = defaultdict(list)
    for item, seconds in inside:
        by_person[item.person].append((item, seconds))
    known = [person.key for person in source.workspace.people]
    others = sorted(key for key in by_person if key is not None and key not in known)
    keys: list[str | None] = [*known, *others]
    if None in by_person:
        keys.append(None)
    capacity = {person.key: person.capacity_hours for person in source.workspace.people}
    return tuple(_person(key, by_person.get(key, []), capacity.get(key or ""), working_days) for key in keys)


def _person(
    key: str | None, items: list[tuple[Tracked, int]], weekly: float | None, working_days: int
) -> PersonHours:
    seconds = sum(seconds for _, seconds in items)
    prorated = weekly * working_days / 5 if weekly is not None else None
    utilisation = seconds / 3600 / prorated if prorated else None
    return PersonHours(
        person=key,
        seconds=seconds,
        billable_seconds=sum(seconds for item, seconds in items if item.billable),
        by_project=_by_project(items),
        capacity_hours=prorated,
        utilisation=utilisation,
    )


def _by_project(items: Iterable[tuple[Tracked, int]]) -> tuple[ProjectSeconds, ...]:
    totals: dict[str | None, int] = defaultdict(int)
    for item, seconds in items:
        totals[item.project] += seconds
    ordered = sorted(totals.items(), key=lambda pair: (pair[0] is None, -pair[1], pair[0] or ""))
    return tuple(ProjectSeconds(project, seconds) for project, seconds in ordered)


def _projects(
    tasks: Sequence[TaskView],
    inside: list[tuple[Tracked, int]],
    period: Period,
    source: SummaryInput,
    by_task: dict[str, int],
) -> tuple[ProjectHours, ...]:
    zone = ZoneInfo(source.workspace.timezone)
    start, end = period.start(zone), period.end(zone)
    in_play = [
        view
        for view in tasks
        if view.task.estimate_hours is not None
        and (open_at(view, source.now) or done_within(view, start, end))
    ]
    estimates: dict[str | None, float] = defaultdict(float)
    burned: dict[str | None, int] = defaultdict(int)
    for view in in_play:
        estimates[view.task.project] += view.task.estimate_hours or 0.0
        burned[view.task.project] += tracked_seconds(view, by_task)
    seconds: dict[str | None, int] = defaultdict(int)
    billable: dict[str | None, int] = defaultdict(int)
    for item, part in inside:
        seconds[item.project] += part
        billable[item.project] += part if item.billable else 0
    keys = set(seconds) | set(estimates)
    rows = [
        ProjectHours(
            project=key,
            seconds=seconds.get(key, 0),
            billable_seconds=billable.get(key, 0),
            estimate_hours=estimates.get(key),
            tracked_on_estimates_seconds=burned.get(key, 0),
            burn=burned.get(key, 0) / 3600 / estimates[key] if estimates.get(key) else None,
        )
        for key in keys
    ]
    return tuple(sorted(rows, key=lambda row: (row.project is None, -row.seconds, row.project or "")))


def _daily(tracked: Sequence[Tracked], period: Period, zone: ZoneInfo) -> tuple[DayHours, ...]:
    totals: dict[tuple[int, str, str], int] = defaultdict(int)
    days = period.days()
    for index, day in enumerate(days):
        lower, upper = midnight(day, zone), midnight(day + timedelta(days=1), zone)
        for item in tracked:
            part = item.seconds_in(lower, upper)
            if part:
                totals[(index, item.person or "", item.project or "")] += part
    return tuple(
        DayHours(days[index], person or None, project or None, seconds)
        for (index, person, project), seconds in sorted(totals.items())
    )
