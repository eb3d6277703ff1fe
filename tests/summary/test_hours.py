"""The team's hours, counted the way a person counts them (README, "How the summary counts")."""

from __future__ import annotations

from datetime import date

import pytest

from summary import Period, build_summary
from tests.summary.sample import (
    LAUNCH,
    LEA,
    MARCUS,
    OPS,
    PRIYA,
    SOPHIE,
    at,
    entry,
    meeting,
    source,
    task,
    workspace,
)

WEEK = Period.week(date(2026, 11, 23))  # Monday 23 to Sunday 29 November 2026
FRIDAY = at(27, 17, 30)


def hours(entries, now=FRIDAY, period=WEEK, **fields):
    return build_summary(source(now, entries=tuple(entries), **fields), period).hours


def seconds_of(result, person):
    return next(row.seconds for row in result.people if row.person == person)


def test_an_entry_across_midnight_counts_on_each_day_its_part():
    result = hours([entry(LEA, at(24, 22), at(25, 1, 30), project=LAUNCH)])
    per_day = {(row.day, row.person): row.seconds for row in result.daily}
    assert per_day == {(date(2026, 11, 24), LEA): 7200, (date(2026, 11, 25), LEA): 5400}
    assert result.seconds == 12600


def test_an_entry_across_the_period_s_edges_counts_only_its_part_inside():
    result = hours(
        [
            entry(LEA, at(22, 23), at(23, 1), project=LAUNCH),  # Sunday before -> Monday
            entry(MARCUS, at(29, 23), at(30, 2), project=LAUNCH),  # Sunday -> the Monday after
        ],
        now=at(30, 9),
    )
    assert seconds_of(result, LEA) == 3600
    assert seconds_of(result, MARCUS) == 3600


def test_a_day_period_counts_only_that_day():
    day = Period.day(date(2026, 11, 24))
    result = hours([entry(LEA, at(24, 22), at(25, 1, 30), project=LAUNCH)], period=day)
    assert result.seconds == 7200
    assert result.working_days == 1


def test_a_running_timer_counts_up_to_now_and_nothing_after():
    result = hours([entry(PRIYA, at(27, 8), None, project=OPS)], now=at(27, 9, 15))
    assert seconds_of(result, PRIYA) == 4500
    assert result.long_timers == ()  # 1 h 15 is not long


def test_an_entry_starting_after_now_counts_nothing():
    result = hours([entry(PRIYA, at(27, 18), at(27, 19), project=OPS)], now=at(27, 17))
    assert result.seconds == 0


def test_a_deleted_entry_counts_nothing_and_an_edited_one_counts_as_it_is_now():
    result = hours(
        [
            entry(LEA, at(23, 9), at(23, 17), project=LAUNCH, deleted=True),
            entry(LEA, at(24, 9), at(24, 10, 20), project=LAUNCH),  # edited from 9:00-17:00 to 9:00-10:20
        ]
    )
    assert seconds_of(result, LEA) == 4800
    assert result.long_timers == ()


def test_an_entry_with_no_project_takes_its_task_s_project():
    views = (task("L1", "Launch emails", project=LAUNCH),)
    result = hours([entry(LEA, at(23, 9), at(23, 10), "L1"), entry(LEA, at(23, 11), at(23, 12))], tasks=views)
    assert {row.project: row.seconds for row in result.projects} == {LAUNCH: 3600, None: 3600}
    assert [item.description for item in result.without_project] == [""]
    assert len(result.without_task) == 1


def test_utilisation_prorates_weekly_capacity_to_the_period_s_working_days():
    # Sophie: 30 h a week. A week: 30 h of capacity; one Tuesday: 6 h; a fortnight: 60 h.
    work = [entry(SOPHIE, at(24, 9), at(24, 12), project=OPS)]
    week = next(row for row in hours(work).people if row.person == SOPHIE)
    assert week.capacity_hours == 30 and week.utilisation == pytest.approx(0.1)
    tuesday = next(
        row for row in hours(work, period=Period.day(date(2026, 11, 24))).people if row.person == SOPHIE
    )
    assert tuesday.capacity_hours == 6 and tuesday.utilisation == pytest.approx(0.5)
    two_weeks = Period.between(date(2026, 11, 16), date(2026, 11, 29))
    assert (
        next(row for row in hours(work, period=two_weeks).people if row.person == SOPHIE).capacity_hours == 60
    )


def test_no_utilisation_on_a_weekend_day_or_without_a_capacity():
    saturday = Period.day(date(2026, 11, 28))
    result = hours([entry(SOPHIE, at(28, 9), at(28, 10), project=OPS)], period=saturday)
    row = next(row for row in result.people if row.person == SOPHIE)
    assert row.capacity_hours == 0 and row.utilisation is None
    camille = next(row for row in result.people if row.person == "camille@brightpath.coach")
    assert camille.capacity_hours is None and camille.utilisation is None


def test_someone_outside_the_team_and_entries_without_a_person_are_still_counted():
    result = hours([entry("guest@example.com", at(23, 9), at(23, 10)), entry(None, at(23, 9), at(23, 9, 30))])
    assert [row.person for row in result.people][-2:] == ["guest@example.com", None]
    assert result.seconds == 5400


def test_billable_share_per_person_and_project():
    result = hours(
        [
            entry(SOPHIE, at(23, 9), at(23, 12), project=OPS, billable=True),
            entry(SOPHIE, at(23, 13), at(23, 14), project=OPS),
        ]
    )
    assert result.billable_seconds == 3 * 3600
    assert next(row for row in result.projects if row.project == OPS).billable_seconds == 3 * 3600


def test_burn_counts_all_time_on_the_estimated_tasks_in_play():
    views = (
        task("A", "Estimated, open", project=LAUNCH, estimate_hours=4.0),
        task(
            "B",
            "Estimated, done this week",
            project=LAUNCH,
            estimate_hours=2.0,
            done=True,
            done_at=at(25, 12),
        ),
        task(
            "C",
            "Estimated, done last week",
            project=LAUNCH,
            estimate_hours=10.0,
            done=True,
            done_at=at(18, 12),
        ),
        task("D", "Not estimated", project=LAUNCH),
    )
    work = [
        entry(LEA, at(16, 9), at(16, 12), "A", project=LAUNCH),  # last week, still counts for the burn
        entry(LEA, at(23, 9), at(23, 11), "A", project=LAUNCH),
        entry(LEA, at(24, 9), at(24, 12), "B", project=LAUNCH),
        entry(LEA, at(24, 13), at(24, 18), "D", project=LAUNCH),
    ]
    row = next(row for row in hours(work, tasks=views).projects if row.project == LAUNCH)
    assert row.seconds == 10 * 3600  # the period's hours
    assert row.estimate_hours == 6.0  # A and B
    assert row.tracked_on_estimates_seconds == 8 * 3600  # A: 3 + 2, B: 3
    assert row.burn == pytest.approx(8 / 6)


def test_timers_running_too_long_and_entries_that_lasted_too_long():
    result = hours(
        [
            entry(PRIYA, at(27, 8), None, project=OPS, description="Bookkeeping"),  # 9 h 30 so far
            entry(MARCUS, at(24, 9), at(25, 8), project=OPS, description="Forgot to stop"),  # 23 h
            entry(LEA, at(24, 9), at(24, 16), project=OPS),  # 7 h: fine
        ]
    )
    assert [(timer.description, timer.seconds, timer.running) for timer in result.long_timers] == [
        ("Forgot to stop", 23 * 3600, False),
        ("Bookkeeping", 9 * 3600 + 1800, True),
    ]


def test_the_long_timer_threshold_is_a_setting():
    from summary.inputs import SummarySettings

    short = workspace(settings=SummarySettings(long_timer_hours=2))
    result = hours([entry(LEA, at(24, 9), at(24, 12), project=OPS)], workspace=short)
    assert len(result.long_timers) == 1


def test_meetings_with_no_time_tracked_by_attendees_who_track_time():
    events = (
        meeting("Team sync", at(23, 10), at(23, 11), SOPHIE, LEA, "camille@brightpath.coach"),
        meeting("Client call", at(24, 14), at(24, 15), SOPHIE),
        meeting("Tomorrow", at(28, 10), at(28, 11), SOPHIE),  # not over yet
    )
    work = [
        entry(SOPHIE, at(23, 10, 30), at(23, 12), project=OPS),  # overlaps the sync
        entry(LEA, at(23, 9), at(23, 10), project=OPS),  # ends when the sync starts
    ]
    result = hours(work, events=events)
    assert [(item.title, item.people) for item in result.untracked_meetings] == [
        ("Team sync", (LEA,)),  # Camille tracks no time at all: not expected to
        ("Client call", (SOPHIE,)),
    ]


def test_a_cancelled_meeting_or_a_deadline_event_is_no_meeting():
    events = (
        meeting("Cancelled", at(23, 10), at(23, 11), SOPHIE, status="cancelled"),
        meeting("Due: something", at(23, 10), at(23, 11), SOPHIE, task_link="X"),
    )
    result = hours([entry(SOPHIE, at(23, 14), at(23, 15))], events=events)
    assert result.untracked_meetings == ()


def test_without_toggl_there_are_no_hours_and_without_a_calendar_no_meeting_check():
    no_toggl = workspace(services=frozenset({"trello", "notion", "google"}))
    assert hours([entry(SOPHIE, at(23, 9), at(23, 10))], workspace=no_toggl) is None
    no_calendar = workspace(services=frozenset({"trello", "toggl"}))
    result = hours([entry(SOPHIE, at(23, 9), at(23, 10))], workspace=no_calendar)
    assert result.untracked_meetings is None
    assert result.seconds == 3600


def test_a_week_with_a_daylight_saving_change_counts_the_extra_hour():
    # Sunday 25 October 2026: Paris goes from 03:00 CEST back to 02:00 CET; 00:00 to 06:00 lasts 7 hours.
    week = Period.week(date(2026, 10, 19))
    night = entry(LEA, at(25, 0, month=10), at(25, 6, month=10), project=OPS)
    result = hours([night], now=at(26, 9, month=10), period=week)
    assert result.seconds == 7 * 3600
    assert [(row.day, row.seconds) for row in result.daily] == [(date(2026, 10, 25), 7 * 3600)]
