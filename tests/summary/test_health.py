"""Sync health, the headline's colour and reasons, the empty workspace and the client report."""

from __future__ import annotations

from datetime import date

from summary import Period, RunRecord, ServiceStatus, build_summary, client_report
from summary.render.json_out import client_data
from tests.summary.sample import (
    LAUNCH,
    LEA,
    NOW,
    WEEK,
    at,
    busy_week,
    entry,
    source,
    task,
    workspace,
)

PERIOD = Period.week(WEEK)
OK_RUN = RunRecord("tasks", "trello", at(27, 8), at(27, 8, 1), "ok")


def test_per_relation_and_service_the_last_run_the_last_success_and_the_period_s_changes():
    runs = (
        RunRecord("tasks", "trello", at(20, 9), at(20, 9, 1), "ok", created=9),  # the week before
        RunRecord("tasks", "trello", at(24, 9), at(24, 9, 1), "ok", created=2, updated=3),
        RunRecord(
            "tasks",
            "trello",
            at(25, 9),
            at(25, 9, 1),
            "partial",
            updated=1,
            errors=("trello: 1 card skipped",),
        ),
        RunRecord("time", "toggl", at(25, 9), at(25, 9, 1), "dry_run"),
    )
    health = build_summary(source(NOW, runs=runs), PERIOD).health
    trello, toggl = health.relations
    assert (trello.last_outcome, trello.last_ok_at, trello.runs) == ("partial", at(24, 9), 2)
    assert (trello.created, trello.updated, trello.archived, trello.errors) == (
        2,
        4,
        0,
        ("trello: 1 card skipped",),
    )
    assert (toggl.relation, toggl.last_ok_at) == ("time", None)  # a dry run is no success


def test_a_run_after_now_is_not_seen():
    late = RunRecord("tasks", "trello", at(28, 9), at(28, 9, 1), "failed")
    health = build_summary(source(NOW, runs=(OK_RUN, late)), PERIOD).health
    assert [relation.last_outcome for relation in health.relations] == ["ok"]


def test_green_when_nothing_needs_a_look():
    result = build_summary(source(NOW, runs=(OK_RUN,)), PERIOD)
    assert (result.headline.level, result.headline.reasons) == ("green", ())


def test_amber_and_red_reasons_one_line_each():
    busy = build_summary(busy_week(), PERIOD).headline
    assert busy.level == "red"
    assert [(reason.level, reason.code, reason.count) for reason in busy.reasons] == [
        ("red", "overdue", 3),
        ("red", "sync_failed", 1),
        ("red", "sync_refused", 1),
        ("amber", "at_risk", 1),
        ("amber", "blocked", 1),
        ("amber", "in_review", 1),
        ("amber", "long_timers", 1),
        ("amber", "credentials_expiring", 1),
    ]
    failing = (ServiceStatus("notion", credentials="failing", credentials_message="notion: token revoked"),)
    over = (entry(LEA, at(23, 8), at(23, 18)), entry(LEA, at(24, 8), at(24, 22)))  # 24 h against 20
    result = build_summary(source(NOW, runs=(OK_RUN,), services=failing, entries=over), PERIOD).headline
    assert [(reason.level, reason.code) for reason in result.reasons] == [
        ("red", "credentials_failing"),
        ("amber", "long_timers"),
        ("amber", "over_capacity"),
    ]


def test_the_empty_workspace_summarises_to_nothing_and_says_no_sync_ran():
    result = build_summary(source(NOW, projects={}), PERIOD)
    assert (result.done, result.overdue, result.at_risk) == ((), (), ())
    assert result.hours is not None and result.hours.seconds == 0
    assert [row.seconds for row in result.hours.people] == [0, 0, 0, 0, 0]
    assert result.headline.level == "amber"
    assert [reason.code for reason in result.headline.reasons] == ["no_sync"]
    assert (result.deltas.done.change, result.deltas.hours_seconds.change) == (0, 0)


def test_the_client_report_keeps_hours_by_project_and_work_done_and_nothing_internal():
    report = client_report(build_summary(busy_week(), PERIOD))
    names = [
        (project.name, project.seconds, [work.title for work in project.done]) for project in report.projects
    ]
    assert names == [
        ("Spring Launch", 44100, ["Write the launch email sequence", "Design the sales page"]),
        ("Operations", 39600, []),
        ("Signature Coaching Program", 11700, ["Prepare Ana's session notes"]),
        (None, 2700, []),
    ]
    assert report.seconds == 98100
    assert report.client == "Camille Laurent"
    text = str(client_data(report))
    for internal in (
        "@brightpath.coach",
        "Sophie",
        "utilisation",
        "toggl",
        "overdue",
        "Renew the scheduling tool",
    ):
        assert internal not in text


def test_a_project_with_done_work_and_no_hours_still_shows_in_the_client_report():
    views = (task("A", "Shipped", done=True, done_at=at(24, 9), project=LAUNCH),)
    no_toggl = workspace(services=frozenset({"trello"}))
    report = client_report(build_summary(source(NOW, tasks=views, workspace=no_toggl), PERIOD))
    assert [(project.project, project.seconds, len(project.done)) for project in report.projects] == [
        (LAUNCH, 0, 1)
    ]


def test_a_day_summary_of_a_quiet_sunday():
    result = build_summary(busy_week(), Period.day(date(2026, 11, 22)))
    assert result.hours.working_days == 0
    assert result.done_count == 0
