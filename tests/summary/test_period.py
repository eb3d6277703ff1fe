"""Periods and calendar arithmetic in the workspace's zone, daylight-saving changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from summary.clock import add_working_days, deadline, due_day, midnight, overlap_seconds, seconds_between
from summary.period import Period

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def test_an_iso_week_runs_monday_to_sunday_whatever_day_it_is_built_from():
    assert Period.week(date(2026, 11, 29)) == Period("week", date(2026, 11, 23), date(2026, 11, 29))
    assert Period.week(date(2026, 11, 23)).slug == "2026-w48"
    assert Period.week(date(2027, 1, 1)).slug == "2026-w53"  # ISO year, not calendar year


def test_the_previous_period_has_the_same_length_just_before():
    assert Period.day(date(2026, 3, 1)).previous() == Period.day(date(2026, 2, 28))
    assert Period.week(date(2026, 11, 25)).previous() == Period.week(date(2026, 11, 18))
    custom = Period.between(date(2026, 11, 10), date(2026, 11, 19))
    assert custom.previous() == Period("range", date(2026, 10, 31), date(2026, 11, 9))
    assert custom.slug == "2026-11-10-to-2026-11-19"


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends on or after"):
        Period.between(date(2026, 11, 2), date(2026, 11, 1))


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 10, 19), 169), (date(2026, 3, 23), 167), (date(2026, 11, 23), 168)],
    ids=["autumn-back", "spring-forward", "plain"],
)
def test_a_week_lasts_as_long_as_the_wall_clock_says(day, hours):
    week = Period.week(day)
    assert seconds_between(week.start(PARIS), week.end(PARIS)) == hours * 3600


def test_the_day_of_a_change_has_23_or_25_hours():
    short = Period.day(date(2026, 3, 29))  # Europe: clocks go forward at 02:00
    long = Period.day(date(2026, 10, 25))
    assert seconds_between(short.start(PARIS), short.end(PARIS)) == 23 * 3600
    assert seconds_between(long.start(PARIS), long.end(PARIS)) == 25 * 3600


def test_working_days_are_monday_to_friday():
    assert Period.week(date(2026, 11, 23)).working_days() == 5
    assert Period.day(date(2026, 11, 28)).working_days() == 0  # a Saturday
    assert Period.between(date(2026, 11, 1), date(2026, 11, 30)).working_days() == 21
    assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)  # Friday -> Wednesday
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Saturday -> Monday


def test_an_all_day_due_passes_at_the_end_of_its_day_in_the_zone():
    assert deadline(date(2026, 11, 24), PARIS) == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    assert deadline(date(2026, 11, 24), NEW_YORK) == datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    timed = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert deadline(timed, PARIS) == timed
    assert due_day(timed, PARIS) == date(2026, 11, 25)  # already the 25th in Paris
    assert due_day(timed, NEW_YORK) == date(2026, 11, 24)


def test_midnight_is_the_zone_s_midnight():
    assert midnight(date(2026, 7, 1), PARIS) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_overlap_counts_only_the_part_inside():
    lower, upper = datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert (
        overlap_seconds(
            datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 10, 30, tzinfo=UTC), lower, upper
        )
        == 1800
    )
    assert (
        overlap_seconds(
            datetime(2026, 1, 1, 12, tzinfo=UTC), datetime(2026, 1, 1, 13, tzinfo=UTC), lower, upper
        )
        == 0
    )
    assert (
        overlap_seconds(
            datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 13, tzinfo=UTC), lower, upper
        )
        == 7200
    )
