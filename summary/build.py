"""`build_summary`: the one pure function from a `SummaryInput` and a period to a `Summary`.

Sections about the state of the work (overdue, at risk, coming deadlines, blockers) are as of `now`;
sections about the period (done, hours, trend, sync runs) cover the period, cut at `now` when it is
still running. Deltas compare the period with the one just before, of the same length.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from summary.deadlines import upcoming
from summary.headline import headline
from summary.health import sync_health
from summary.hours import team_hours
from summary.inputs import SummaryInput, TaskView
from summary.period import Period
from summary.result import Delta, Deltas, Hours, Summary
from summary.tasks import at_risk, blockers, done_between, done_within, overdue, overdue_at, trend
from summary.tracking import Tracked, resolve, seconds_by_task


def build_summary(source: SummaryInput, period: Period) -> Summary:
    workspace = source.workspace
    zone = ZoneInfo(workspace.timezone)
    now = source.now.astimezone(zone)
    start, end = period.start(zone), period.end(zone)
    tracked = resolve(source.entries, source.tasks, now)
    by_task = seconds_by_task(tracked)
    hours = team_hours(source, tracked, period, by_task) if "toggl" in workspace.services else None
    late = overdue(source.tasks, now, zone, by_task)
    risky = at_risk(source.tasks, now, zone, workspace.settings, by_task)
    stuck = blockers(source.tasks, now, zone, workspace.settings)
    health = sync_health(source.runs, source.services, start, end, now)
    return Summary(
        workspace_key=workspace.key,
        workspace_name=workspace.name,
        timezone=workspace.timezone,
        language=workspace.language,
        settings=workspace.settings,
        period=period,
        now=now,
        people=workspace.people,
        projects=tuple(sorted(source.projects.values(), key=lambda project: project.name.casefold())),
        headline=headline(len(late), len(risky), stuck, hours, health),
        done=done_between(source.tasks, start, min(end, now), tracked, by_task),
        overdue=late,
        at_risk=risky,
        deadlines=upcoming(source.tasks, source.events, now, zone),
        blockers=stuck,
        hours=hours,
        trend=trend(source.tasks, period, now, zone),
        deltas=_deltas(source, period, tracked, hours, zone),
        health=health,
    )


def _deltas(
    source: SummaryInput, period: Period, tracked: tuple[Tracked, ...], hours: Hours | None, zone: ZoneInfo
) -> Deltas:
    """Done and hours in each period; overdue tasks at each period's end (this one's capped at now)."""
    now = source.now
    previous = period.previous()
    before, after = previous.start(zone), previous.end(zone)
    current_end = min(period.end(zone), now)
    hours_delta = None
    if hours is not None:
        hours_delta = Delta(hours.seconds, sum(item.seconds_in(before, after) for item in tracked))
    return Deltas(
        done=Delta(_done(source.tasks, period.start(zone), current_end), _done(source.tasks, before, after)),
        overdue=Delta(_late(source.tasks, current_end, zone), _late(source.tasks, min(after, now), zone)),
        hours_seconds=hours_delta,
    )


def _done(tasks: Sequence[TaskView], lower: datetime, upper: datetime) -> int:
    return sum(1 for view in tasks if done_within(view, lower, upper))


def _late(tasks: Sequence[TaskView], at: datetime, zone: ZoneInfo) -> int:
    return sum(1 for view in tasks if overdue_at(view, at, zone))
