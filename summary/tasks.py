"""Where the tasks stand: done in the period, overdue, at risk, blocked, and the open-task trend.

Rules, as a person counts:
- An archived task is gone, unless it was done: a card archived from the Done list still counts as done.
- A task is done from its `done_at` on; before, it was open (when it existed: from `created_at`).
- An all-day due passes at the end of its day in the workspace's zone, a timed due at its instant;
  the task is overdue from then on. Days late are calendar days in the workspace's zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from summary.clock import add_working_days, deadline, due_day, local_date, midnight
from summary.inputs import SummarySettings, TaskView
from summary.period import Period
from summary.result import (
    AtRiskTask,
    Blockers,
    DoneTask,
    OverdueTask,
    ProjectDone,
    RiskReason,
    StuckTask,
    TaskRef,
    TrendPoint,
)
from summary.tracking import Tracked, tracked_seconds

# Which copy's address a task links to, when the task carries none of its own.
SOURCE_ORDER = ("trello", "notion", "google", "toggl")


def task_ref(view: TaskView) -> TaskRef:
    task = view.task
    ordered = sorted(view.sources.items(), key=lambda item: (_rank(item[0]), item[0]))
    url = task.url or next((address for _, address in ordered if address), None)
    return TaskRef(view.key, task.title, url, task.project, tuple(sorted(task.assignees)), task.status)


def _rank(service: str) -> int:
    return SOURCE_ORDER.index(service) if service in SOURCE_ORDER else len(SOURCE_ORDER)


def done_at(view: TaskView, at: datetime) -> bool:
    if not view.task.done:
        return False
    return view.done_at is None or view.done_at <= at


def done_within(view: TaskView, lower: datetime, upper: datetime) -> bool:
    """Became done in [lower, upper)."""
    return view.task.done and view.done_at is not None and lower <= view.done_at < upper


def open_at(view: TaskView, at: datetime) -> bool:
    existed = view.created_at is None or view.created_at <= at
    return not view.task.archived and existed and not done_at(view, at)


def overdue_at(view: TaskView, at: datetime, zone: ZoneInfo) -> bool:
    due = view.task.due
    return due is not None and open_at(view, at) and at >= deadline(due, zone)


def done_between(
    tasks: Iterable[TaskView],
    start: datetime,
    end: datetime,
    tracked: Sequence[Tracked],
    by_task: dict[str, int],
) -> tuple[ProjectDone, ...]:
    """Tasks done in [start, end), grouped by project (projects by name, no project last)."""
    groups: dict[str | None, list[DoneTask]] = defaultdict(list)
    for view in tasks:
        if done_within(view, start, end):
            assert view.done_at is not None
            people = tuple(sorted(view.task.assignees)) or _trackers(view.key, tracked)
            item = DoneTask(task_ref(view), view.done_at, people, tracked_seconds(view, by_task))
            groups[view.task.project].append(item)
    ordered = sorted(groups, key=lambda key: (key is None, key or ""))
    return tuple(
        ProjectDone(key, tuple(sorted(groups[key], key=lambda item: (item.done_at, item.task.title))))
        for key in ordered
    )


def _trackers(task_key: str, tracked: Sequence[Tracked]) -> tuple[str, ...]:
    return tuple(sorted({item.person for item in tracked if item.task_key == task_key and item.person}))


def overdue(
    tasks: Iterable[TaskView], now: datetime, zone: ZoneInfo, by_task: dict[str, int]
) -> tuple[OverdueTask, ...]:
    """Open tasks past their due at `now`, the latest first."""
    today = local_date(now, zone)
    found = [
        OverdueTask(
            task_ref(view),
            view.task.due,
            (today - due_day(view.task.due, zone)).days,
            tracked_seconds(view, by_task),
            view.task.estimate_hours,
        )
        for view in tasks
        if view.task.due is not None and overdue_at(view, now, zone)
    ]
    return tuple(sorted(found, key=lambda item: (-item.days_late, item.task.title)))


def at_risk(
    tasks: Iterable[TaskView],
    now: datetime,
    zone: ZoneInfo,
    settings: SummarySettings,
    by_task: dict[str, int],
) -> tuple[AtRiskTask, ...]:
    """Open tasks due within the next working days (not yet overdue) with no time tracked, no
    assignee, or more time tracked than estimated."""
    horizon = add_working_days(local_date(now, zone), settings.at_risk_working_days)
    found = []
    for view in tasks:
        due = view.task.due
        if due is None or not open_at(view, now) or now >= deadline(due, zone):
            continue
        if due_day(due, zone) > horizon:
            continue
        seconds = tracked_seconds(view, by_task)
        reasons = _risks(view, seconds)
        if reasons:
            found.append(AtRiskTask(task_ref(view), due, reasons, seconds, view.task.estimate_hours))
    return tuple(sorted(found, key=lambda item: (deadline(item.due, zone), item.task.title)))


def _risks(view: TaskView, seconds: int) -> tuple[RiskReason, ...]:
    reasons: list[RiskReason] = []
    if seconds == 0:
        reasons.append("no_time")
    if not view.task.assignees:
        reasons.append("no_assignee")
    estimate = view.task.estimate_hours
    if estimate is not None and seconds > estimate * 3600:
        reasons.append("over_estimate")
    return tuple(reasons)


def blockers(tasks: Iterable[TaskView], now: datetime, zone: ZoneInfo, settings: SummarySettings) -> Blockers:
    """Open tasks with the blocked label, and open tasks in a review status for more than
    `review_days` calendar days (a task whose status date is unknown cannot be judged: left out)."""
    today = local_date(now, zone)
    blocked_label = settings.blocked_label.casefold()
    review = {status.casefold() for status in settings.review_statuses}
    blocked, in_review = [], []
    for view in tasks:
        if not open_at(view, now):
            continue
        since = view.status_since
        days = (today - local_date(since, zone)).days if since is not None else None
        stuck = StuckTask(task_ref(view), since, days)
        if blocked_label in {label.casefold() for label in view.task.labels}:
            blocked.append(stuck)
        if (view.task.status or "").casefold() in review and days is not None and days > settings.review_days:
            in_review.append(stuck)
    return Blockers(_longest_first(blocked), _longest_first(in_review))


def _longest_first(items: list[StuckTask]) -> tuple[StuckTask, ...]:
    return tuple(sorted(items, key=lambda item: (-(item.days or 0), item.task.title)))


def trend(tasks: Sequence[TaskView], period: Period, now: datetime, zone: ZoneInfo) -> tuple[TrendPoint, ...]:
    """Open and overdue tasks at the period's start, then at the end of each of its days up to now."""
    if period.start(zone) > now:
        return ()
    points = [(period.first - timedelta(days=1), period.start(zone))]
    for day in period.days():
        if midnight(day, zone) > now:
            break
        points.append((day, min(midnight(day + timedelta(days=1), zone), now)))
    return tuple(
        TrendPoint(
            day,
            at,
            sum(1 for view in tasks if open_at(view, at)),
            sum(1 for view in tasks if overdue_at(view, at, zone)),
        )
        for day, at in points
    )
