"""Hand-built inputs for the summary's tests: a tiny helper per record, and one busy week of a
coaching business (`busy_week`) that exercises every section."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from summary.inputs import (
    ConflictRecord,
    EntryView,
    PersonInfo,
    ProjectInfo,
    RefusedArchive,
    RunRecord,
    ServiceStatus,
    SummaryInput,
    SummarySettings,
    TaskView,
    WorkspaceInfo,
)
from sync.model import Event, Task, TimeEntry

PARIS = ZoneInfo("Europe/Paris")
SOPHIE, LEA, MARCUS, PRIYA, CAMILLE = (
    "sophie@brightpath.coach",
    "lea@brightpath.coach",
    "marcus@brightpath.coach",
    "priya@brightpath.coach",
    "camille@brightpath.coach",
)
COACHING, LAUNCH, OPS = "signature coaching program", "spring launch", "operations"

PEOPLE = (
    PersonInfo(CAMILLE, "Camille Laurent", "owner", None),
    PersonInfo(SOPHIE, "Sophie Martin", "obm", 30.0),
    PersonInfo(LEA, "Léa Dubois", "va", 20.0),
    PersonInfo(MARCUS, "Marcus Chen", "va", 15.0),
    PersonInfo(PRIYA, "Priya Nair", "va", 10.0),
)
PROJECTS = {
    COACHING: ProjectInfo(COACHING, "Signature Coaching Program", True, "Coaching clients"),
    LAUNCH: ProjectInfo(LAUNCH, "Spring Launch", False),
    OPS: ProjectInfo(OPS, "Operations", False),
}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """An instant in Paris, November 2026 by default."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def workspace(**changes: object) -> WorkspaceInfo:
    values: dict[str, object] = {
        "key": "brightpath",
        "name": "Bright Path Coaching",
        "timezone": "Europe/Paris",
        "language": "en",
        "people": PEOPLE,
        "settings": SummarySettings(review_statuses=("In review",), client_name="Camille Laurent"),
    }
    values.update(changes)
    return WorkspaceInfo(**values)  # type: ignore[arg-type]


def task(key: str, title: str, **fields: object) -> TaskView:
    view_fields = {
        name: fields.pop(name)
        for name in ("done_at", "status_since", "created_at", "sources")
        if name in fields
    }
    return TaskView(key=key, task=Task(title=title, **fields), **view_fields)  # type: ignore[arg-type]


def entry(
    person: str | None, start: datetime, stop: datetime | None, task_key: str | None = None, **fields: object
) -> EntryView:
    deleted = bool(fields.pop("deleted", False))
    duration = int((stop - start).total_seconds()) if stop else None
    record = TimeEntry(person=person, start=start, stop=stop, duration_seconds=duration, **fields)  # type: ignore[arg-type]
    return EntryView(record, task_key, deleted)


def meeting(title: str, start: datetime, end: datetime, *attendees: str, **fields: object) -> Event:
    return Event(title=title, start=start, end=end, all_day=False, attendees=frozenset(attendees), **fields)  # type: ignore[arg-type]


def source(now: datetime, **fields: object) -> SummaryInput:
    fields.setdefault("workspace", workspace())
    fields.setdefault("projects", PROJECTS)
    return SummaryInput(now=now, **fields)  # type: ignore[arg-type]


# -- one busy week: Monday 23 to Sunday 29 November 2026, read on Friday 27 at 17:30 in Paris ---------

NOW = at(27, 17, 30)
WEEK = date(2026, 11, 23)


def busy_tasks() -> tuple[TaskView, ...]:
    trello = "https://trello.com/c/"
    return (
        task(
            "L1",
            "Write the launch email sequence",
            status="Done",
            done=True,
            project=LAUNCH,
            assignees=frozenset({LEA}),
            estimate_hours=6.0,
            done_at=at(24, 16),
            labels=frozenset({"Marketing"}),
            sources={"trello": trello + "aaa1", "notion": "https://www.notion.so/aaa1"},
        ),
        task(
            "L2",
            "Design the sales page",
            status="Done",
            done=True,
            archived=True,
            project=LAUNCH,
            assignees=frozenset({MARCUS}),
            done_at=at(26, 11),
            estimate_hours=4.0,
        ),
        task(
            "C1",
            "Prepare Ana's session notes",
            status="Done",
            done=True,
            project=COACHING,
            done_at=at(25, 9, 15),
            url=trello + "ccc1",
        ),
        task("O1", "Old invoice run", status="Done", done=True, project=OPS, done_at=at(19, 10)),
        task(
            "L3",
            "Schedule launch posts",
            status="Doing",
            project=LAUNCH,
            assignees=frozenset({PRIYA}),
            due=date(2026, 11, 24),
            estimate_hours=3.0,
        ),
        task(
            "C2",
            "Send the client welcome pack",
            status="This week",
            project=COACHING,
            assignees=frozenset({SOPHIE}),
            due=at(27, 12),
        ),
        task("O2", "Renew the scheduling tool", status="Backlog", project=OPS, due=date(2026, 11, 20)),
        task(
            "L4",
            "Record the launch video",
            status="Doing",
            project=LAUNCH,
            due=date(2026, 12, 1),
            estimate_hours=2.0,
            assignees=frozenset({LEA}),
        ),
        task(
            "C3", "Book the group coaching room", status="This week", project=COACHING, due=date(2026, 11, 30)
        ),
        task(
            "L5",
            "Proofread the webinar slides",
            status="In review",
            project=LAUNCH,
            assignees=frozenset({MARCUS}),
            status_since=at(20, 15),
            due=date(2026, 12, 8),
        ),
        task(
            "O3",
            "Update the onboarding checklist",
            status="Doing",
            project=OPS,
            labels=frozenset({"Blocked"}),
            assignees=frozenset({SOPHIE}),
            status_since=at(23, 9),
        ),
        task(
            "C4",
            "Quarterly client survey",
            status="Backlog",
            project=COACHING,
            due=date(2026, 12, 10),
            assignees=frozenset({SOPHIE}),
        ),
        task("X1", "Cancelled idea", status="Backlog", archived=True, due=date(2026, 11, 22)),
    )


def busy_entries() -> tuple[EntryView, ...]:
    return (
        entry(LEA, at(23, 9), at(23, 12, 30), "L1", project=LAUNCH, description="Launch emails #12"),
        entry(LEA, at(24, 13), at(24, 17), "L1", project=LAUNCH, description="Launch emails #12"),
        entry(LEA, at(25, 9), at(25, 10, 30), "L4", project=LAUNCH, description="Video script"),
        entry(MARCUS, at(22, 22), at(23, 1, 30), "L2", project=LAUNCH, description="Sales page (late night)"),
        entry(MARCUS, at(26, 23), at(27, 0, 45), "L2", project=LAUNCH, description="Sales page polish"),
        entry(
            SOPHIE,
            at(23, 8, 30),
            at(23, 10),
            None,
            project=OPS,
            description="Inbox and planning",
            billable=False,
        ),
        entry(
            SOPHIE, at(24, 10), at(24, 11), "C1", project=COACHING, description="Session notes", billable=True
        ),
        entry(SOPHIE, at(25, 14), at(25, 15, 15), "C1", description="Session notes follow-up", billable=True),
        entry(SOPHIE, at(26, 9), at(26, 9, 45), None, description="Call with Camille"),
        entry(PRIYA, at(27, 8), None, None, project=OPS, description="Bookkeeping"),
        entry(PRIYA, at(24, 9), at(24, 11), "L3", project=LAUNCH, description="deleted", deleted=True),
        entry(
            SOPHIE,
            at(27, 9),
            at(27, 10),
            None,
            project=COACHING,
            description="Client onboarding call",
            billable=True,
        ),
    )


def busy_events() -> tuple[Event, ...]:
    return (
        meeting("Weekly team sync", at(23, 10), at(23, 11), SOPHIE, LEA, MARCUS, PRIYA),
        meeting("Discovery call", at(26, 9), at(26, 9, 45), SOPHIE, CAMILLE),
        meeting("Launch review", at(27, 16), at(27, 17), SOPHIE, LEA),
        meeting("Next week's sync", at(30, 10), at(30, 11), SOPHIE, LEA),
        Event(
            title="Due: Record the launch video",
            start=date(2026, 12, 1),
            end=date(2026, 12, 2),
            all_day=True,
            task_link="L4",
        ),
        Event(
            title="Due: Submit the podcast pitch",
            start=date(2026, 12, 4),
            end=date(2026, 12, 5),
            all_day=True,
            task_link="GONE",
        ),
        Event(
            title="Due: old",
            start=date(2026, 12, 2),
            end=date(2026, 12, 3),
            all_day=True,
            task_link="GONE2",
            status="cancelled",
        ),
    )


def busy_runs() -> tuple[RunRecord, ...]:
    conflict = ConflictRecord(
        "Send the client welcome pack", "due", "trello", "Nov 27", "notion", "Nov 28", "trello"
    )
    return (
        RunRecord(
            "tasks", "trello", at(27, 17), at(27, 17, 1), "ok", created=2, updated=5, conflicts=(conflict,)
        ),
        RunRecord("tasks", "notion", at(27, 17), at(27, 17, 1), "ok", created=1, updated=4),
        RunRecord("agenda", "google", at(26, 17), at(26, 17, 1), "ok", created=3),
        RunRecord(
            "agenda",
            "google",
            at(27, 17),
            at(27, 17, 1),
            "failed",
            errors=("google: the calendar answered 503",),
        ),
        RunRecord(
            "time",
            "toggl",
            at(27, 17),
            at(27, 17, 2),
            "refused",
            refused_archives=(
                RefusedArchive("notion", 14, "14 of 40 linked tasks (35%) over the 10% limit"),
            ),
        ),
    )


def busy_services() -> tuple[ServiceStatus, ...]:
    return (
        ServiceStatus("trello", requests_period=140, requests_last_run=3),
        ServiceStatus(
            "toggl", requests_period=96, requests_last_run=2, quota_remaining=21, quota_resets_at=at(27, 18)
        ),
        ServiceStatus(
            "google",
            requests_period=80,
            requests_last_run=2,
            credentials="expiring",
            credentials_expire_at=at(2, 9, month=12),
        ),
        ServiceStatus("notion", requests_period=120, requests_last_run=4),
    )


def busy_week(language: str = "en", **changes: object) -> SummaryInput:
    fields: dict[str, object] = {
        "workspace": workspace(language=language),
        "tasks": busy_tasks(),
        "entries": busy_entries(),
        "events": busy_events(),
        "runs": busy_runs(),
        "services": busy_services(),
    }
    fields.update(changes)
    return source(NOW, **fields)
