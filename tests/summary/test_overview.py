"""The overview digest: pure, time-zone aware, counting running timers up to now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.business import load_workspace
from summary.overview import build_overview
from sync.model import Event, Task, TimeEntry

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday 10:30 in Paris


def overview(**kwargs):
    workspace = load_workspace()
    defaults = {"tasks": {}, "events": [], "entries": []}
    return build_overview(
        workspace="Bright Path Coaching",
        zone=PARIS,
        now=NOW,
        names={person.email: person.name for person in workspace.people},
        **{**defaults, **kwargs},
    )


def test_open_tasks_by_status_and_overdue():
    tasks = [
        Task(title="a", status="Doing", due=date(2026, 11, 24)),  # yesterday: overdue
        Task(title="b", status="Doing", due=date(2026, 11, 25)),  # today, date only: not yet
        Task(title="c", status="Review", due=datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),  # half an hour ago
        Task(title="d", status="Done", done=True, due=date(2026, 11, 1)),
        Task(title="e", status="Doing", archived=True, due=date(2026, 11, 1)),
    ]
    result = overview(tasks={"trello": tasks})
    assert result.tasks_by_status == {"trello": {"Doing": 2, "Review": 1}}
    assert result.overdue == {"trello": 2}


def test_agenda_today_in_the_workspace_time_zone():
    events = [
        Event(
            title="late call",
            start=datetime(2026, 11, 25, 22, 30, tzinfo=UTC),  # 23:30 Paris: today
            end=datetime(2026, 11, 25, 23, 0, tzinfo=UTC),
            all_day=False,
        ),
        Event(
            title="tomorrow early",
            start=datetime(2026, 11, 25, 23, 30, tzinfo=UTC),  # 00:30 Paris: tomorrow
            end=datetime(2026, 11, 26, 0, 0, tzinfo=UTC),
            all_day=False,
        ),
        Event(
            title="Team sync",
            start=datetime(2026, 11, 25, 8, 30, tzinfo=UTC),
            end=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
            all_day=False,
        ),
        Event(title="Launch", start=date(2026, 11, 24), end=date(2026, 11, 26), all_day=True),
        Event(title="Yesterday only", start=date(2026, 11, 24), end=date(2026, 11, 25), all_day=True),
        Event(
            title="Cancelled",
            start=date(2026, 11, 25),
            end=date(2026, 11, 26),
            all_day=True,
            status="cancelled",
        ),
    ]
    assert overview(events=events).agenda == ("all day: Launch", "09:30 Team sync", "23:30 late call")


def test_hours_this_week_count_running_timers_up_to_now():
    lea, sophie = "lea@brightpath.coach", "sophie@brightpath.coach"
    entries = [
        TimeEntry(
            person=lea, start=NOW - timedelta(hours=2), stop=NOW - timedelta(hours=1), duration_seconds=3600
        ),
        TimeEntry(person=lea, start=NOW - timedelta(minutes=47), description="Inbox triage"),
        TimeEntry(
            person=sophie,
            project="operations",
            start=datetime(2026, 11, 22, 9, tzinfo=UTC),  # last Sunday
            stop=datetime(2026, 11, 22, 10, tzinfo=UTC),
            duration_seconds=3600,
        ),
    ]
    result = overview(entries=entries)
    assert result.hours_this_week == {"Léa Dubois": round((3600 + 47 * 60) / 3600, 2)}
    assert [(t.person, t.minutes) for t in result.running] == [("Léa Dubois", 47)]
    assert result.entries_without_project == 2
    assert "running: Léa Dubois, 'Inbox triage', 47 min so far" in result.markdown()


def test_an_overview_with_failed_services_says_it_is_partial_and_what_to_fix():
    failed = "trello GET /boards/{id}/cards/{filter} returned 401: check the credentials"
    text = overview(failures=[failed]).markdown()
    assert text.splitlines()[2].startswith("**Partial overview**: 1 service could not be read")
    assert f"- {failed}\n" in text
    assert "Partial" not in overview().markdown()
