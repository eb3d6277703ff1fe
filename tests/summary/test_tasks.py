"""Where the tasks stand: done, overdue, at risk, deadlines, blockers and the trend."""

from __future__ import annotations

from datetime import UTC, date, datetime

from summary import Period, build_summary
from summary.inputs import SummarySettings
from sync.model import Event
from tests.summary.sample import COACHING, LAUNCH, LEA, MARCUS, SOPHIE, at, entry, source, task, workspace

WEEK = Period.week(date(2026, 11, 23))
WEDNESDAY = at(25, 10, 30)


def summarise(*views, now=WEDNESDAY, period=WEEK, **fields):
    return build_summary(source(now, tasks=views, **fields), period)


def test_done_in_the_period_by_project_with_who_did_it():
    result = summarise(
        task("A", "Emails", done=True, done_at=at(24, 16), project=LAUNCH, assignees=frozenset({LEA})),
        task(
            "B", "Sales page", done=True, archived=True, done_at=at(23, 9), project=LAUNCH
        ),  # archived from Done
        task("C", "Notes", done=True, done_at=at(24, 11), project=COACHING),
        task("D", "Last week", done=True, done_at=at(22, 23, 59), project=LAUNCH),
        task("E", "Not done", project=LAUNCH),
        entries=(entry(SOPHIE, at(24, 9), at(24, 10), "C"), entry(MARCUS, at(23, 8), at(23, 9), "B")),
    )
    groups = {group.project: [(item.task.key, item.people) for item in group.tasks] for group in result.done}
    assert groups == {COACHING: [("C", (SOPHIE,))], LAUNCH: [("B", (MARCUS,)), ("A", (LEA,))]}
    assert result.done_count == 3


def test_an_all_day_due_is_overdue_from_the_next_day_and_days_late_are_calendar_days():
    views = (task("A", "Due Monday", due=date(2026, 11, 23)), task("B", "Due today", due=date(2026, 11, 25)))
    at_midnight = summarise(*views, now=at(24, 0, 0))
    assert [(item.task.key, item.days_late) for item in at_midnight.overdue] == [("A", 1)]
    just_before = summarise(*views, now=at(23, 23, 59))
    assert just_before.overdue == ()
    later = summarise(*views, now=at(26, 0, 1))
    assert [(item.task.key, item.days_late) for item in later.overdue] == [("A", 3), ("B", 1)]


def test_a_timed_due_is_overdue_from_its_instant_and_counts_days_in_the_workspace_zone():
    # 23:30 UTC on the 23rd is 00:30 on the 24th in Paris: one day late on the 25th, not two.
    views = (task("A", "Timed", due=datetime(2026, 11, 23, 23, 30, tzinfo=UTC)),)
    assert [item.days_late for item in summarise(*views, now=at(25, 10)).overdue] == [1]
    assert [item.days_late for item in summarise(*views, now=at(24, 0, 45)).overdue] == [0]
    assert summarise(*views, now=at(24, 0, 15)).overdue == ()


def test_overdue_leaves_out_done_and_archived_tasks_and_shows_tracked_hours():
    result = summarise(
        task("A", "Late", due=date(2026, 11, 20), assignees=frozenset({LEA}), estimate_hours=2.0),
        task("B", "Done late", due=date(2026, 11, 20), done=True, done_at=at(21, 9)),
        task("C", "Archived", due=date(2026, 11, 20), archived=True),
        task("D", "Hours on the task itself", due=date(2026, 11, 21), tracked_hours=1.5),
        entries=(entry(LEA, at(19, 9), at(19, 10, 30), "A"),),
    )
    assert [(item.task.key, item.tracked_seconds, item.estimate_hours) for item in result.overdue] == [
        ("A", 5400, 2.0),
        ("D", 5400, None),
    ]


def test_at_risk_within_three_working_days_for_each_reason():
    friday = at(27, 9)
    result = summarise(
        task("A", "No time", due=date(2026, 12, 2), assignees=frozenset({LEA})),  # Wednesday: 3rd working day
        task("B", "No one", due=date(2026, 11, 30)),
        task("C", "Over", due=date(2026, 11, 30), assignees=frozenset({LEA}), estimate_hours=1.0),
        task("D", "Fine", due=date(2026, 11, 30), assignees=frozenset({LEA}), estimate_hours=3.0),
        task("E", "Too far", due=date(2026, 12, 3)),
        task("F", "Overdue, not at risk", due=date(2026, 11, 26)),
        entries=(
            entry(LEA, at(26, 9), at(26, 11), "C"),
            entry(LEA, at(26, 11), at(26, 12), "D"),
            entry(LEA, at(26, 12), at(26, 13), "B"),
        ),
        now=friday,
    )
    assert [(item.task.key, item.reasons) for item in result.at_risk] == [
        ("B", ("no_assignee",)),
        ("C", ("over_estimate",)),
        ("A", ("no_time",)),
    ]


def test_at_risk_horizon_is_a_setting():
    settings = SummarySettings(at_risk_working_days=1)
    result = summarise(
        task("A", "Tuesday", due=date(2026, 12, 1)),
        task("B", "Monday", due=date(2026, 11, 30)),
        now=at(27, 9),
        workspace=workspace(settings=settings),
    )
    assert [item.task.key for item in result.at_risk] == ["B"]


def test_deadlines_in_7_and_14_days_from_tasks_and_events_without_double_counting():
    views = (
        task("A", "Tomorrow", due=date(2026, 11, 26)),
        task("B", "In 8 days", due=date(2026, 12, 3)),
        task("C", "In 15 days", due=date(2026, 12, 10)),
        task("D", "Done", due=date(2026, 11, 27), done=True, done_at=at(24, 9)),
        task("E", "Today, later", due=at(25, 17)),
    )
    events = (
        Event(
            title="Due: Tomorrow",
            start=date(2026, 11, 26),
            end=date(2026, 11, 27),
            all_day=True,
            task_link="A",
        ),
        Event(
            title="Due: Done", start=date(2026, 11, 27), end=date(2026, 11, 28), all_day=True, task_link="D"
        ),
        Event(
            title="Due: Moved", start=date(2026, 11, 28), end=date(2026, 11, 29), all_day=True, task_link="B"
        ),
        Event(
            title="Due: Unknown task",
            start=date(2026, 11, 30),
            end=date(2026, 12, 1),
            all_day=True,
            task_link="Z",
        ),
        Event(title="A meeting", start=at(26, 10), end=at(26, 11), all_day=False),
    )
    result = summarise(*views, events=events)
    near = [(item.title, item.days_left, item.task is None) for item in result.deadlines.within_7]
    assert near == [("Today, later", 0, False), ("Tomorrow", 1, False), ("Due: Unknown task", 5, True)]
    assert [(item.title, item.days_left) for item in result.deadlines.within_14] == [("In 8 days", 8)]


def test_blocked_label_and_too_long_in_review():
    result = summarise(
        task("A", "Blocked", labels=frozenset({"blocked"}), status_since=at(20, 9)),  # case-insensitive
        task("B", "Review 4 days", status="In review", status_since=at(21, 18)),
        task("C", "Review 3 days", status="In review", status_since=at(22, 9)),
        task("D", "Review, unknown since", status="In review"),
        task("E", "Blocked but done", labels=frozenset({"Blocked"}), done=True, done_at=at(24, 9)),
        now=at(25, 10),
    )
    assert [(item.task.key, item.days) for item in result.blockers.blocked] == [("A", 5)]
    assert [(item.task.key, item.days) for item in result.blockers.in_review] == [("B", 4)]


def test_the_trend_counts_open_and_overdue_tasks_at_each_day_s_end_up_to_now():
    result = summarise(
        task("A", "Due Monday, done Wednesday", due=date(2026, 11, 23), done=True, done_at=at(25, 9)),
        task("B", "Created Tuesday", created_at=at(24, 12)),
        task("C", "Always open"),
        now=at(25, 10),
    )
    points = [(point.day, point.open, point.overdue) for point in result.trend]
    assert points == [
        (date(2026, 11, 22), 2, 0),  # the period's start
        (date(2026, 11, 23), 2, 1),  # A overdue from the end of Monday
        (date(2026, 11, 24), 3, 1),
        (date(2026, 11, 25), 2, 0),  # today, up to now: A done
    ]
    assert result.trend[-1].at == at(25, 10)


def test_deltas_compare_with_the_previous_period():
    result = summarise(
        task("A", "Done this week", done=True, done_at=at(24, 9)),
        task("B", "Done last week", done=True, done_at=at(17, 9)),
        task("C", "Done last week too", done=True, done_at=at(18, 9)),
        task("D", "Late since last Friday", due=date(2026, 11, 20)),
        task("E", "Late since Monday", due=date(2026, 11, 23)),
        entries=(entry(LEA, at(24, 9), at(24, 12)), entry(LEA, at(17, 9), at(17, 10))),
    )
    deltas = result.deltas
    assert (deltas.done.current, deltas.done.previous, deltas.done.change) == (1, 2, -1)
    assert (deltas.overdue.current, deltas.overdue.previous) == (2, 1)
    assert (deltas.hours_seconds.current, deltas.hours_seconds.previous) == (3 * 3600, 3600)
