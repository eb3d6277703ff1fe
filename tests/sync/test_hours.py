"""The time relation: which task an entry is for, tracked hours per task, projects and meetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.connector import Remote
from sync.hours import TaskIndex, attach, missing_projects, plan_hours, tracked_hours
from sync.meetings import MeetingPolicy, meeting_entries, plan_meetings
from sync.model import Event, Project, Task, TimeEntry
from sync.state import Link, Seen, Side, Snapshot
from sync.views import TaskRecord

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _record(key: str, title: str, *, refs=(), labels=(), tracked=None, done=False) -> TaskRecord:
    task = Task(title=title, refs=frozenset(refs), labels=frozenset(labels), tracked_hours=tracked, done=done)
    page = Remote(f"page-{key}", "v1", task, key, f"https://notion.example/{key}")
    return TaskRecord(key, task, {"notion": Seen(page)})


RECORDS = [
    _record(
        "L1", "Send invoice", refs=("#17", "AbCd1234", "https://trello.com/c/AbCd1234"), labels=("Client",)
    ),
    _record("L2", "Write blog post", refs=("#18", "ZyXw9876"), labels=("Marketing", "Client")),
    _record("L3", "Old done task", labels=("Marketing",), done=True),
]
INDEX = TaskIndex.of(RECORDS)


def _entry(description="", *, tags=(), task_ref=None, hours=1.0, start=T0, running=False) -> TimeEntry:
    if running:
        return TimeEntry(description=description, tags=frozenset(tags), task_ref=task_ref, start=start)
    stop = start + timedelta(hours=hours)
    seconds = int(hours * 3600)
    return TimeEntry(
        description=description,
        tags=frozenset(tags),
        task_ref=task_ref,
        start=start,
        stop=stop,
        duration_seconds=seconds,
    )


def test_an_entry_is_attached_by_link_tag_card_url_short_link_number_or_unique_label():
    assert attach(_entry("anything", task_ref="L2"), INDEX) == "L2"
    assert attach(_entry("invoice https://trello.com/c/AbCd1234/17-send-invoice"), INDEX) == "L1"
    assert attach(_entry("follow-up on ZyXw9876"), INDEX) == "L2"
    assert attach(_entry("#17 chasing the client"), INDEX) == "L1"
    assert attach(_entry("admin", tags=("marketing",)), INDEX) == "L2"  # the only open task labelled so
    assert attach(_entry("admin", tags=("Client",)), INDEX) is None  # two open tasks carry it
    assert attach(_entry("#170 is no task"), INDEX) is None
    assert attach(_entry("inbox triage"), INDEX) is None
    assert attach(_entry("write  BLOG post"), INDEX) == "L2"  # the title, case and spacing aside
    assert attach(_entry("Write blog post, then lunch"), INDEX) is None  # not the title


def test_tracked_hours_count_stopped_entries_only():
    entries = [
        _entry("#17", hours=1.5),
        _entry("#17", hours=0.25),
        _entry("#18", running=True),  # counted once it stops
        _entry("nothing"),
    ]
    assert tracked_hours(entries, INDEX) == {"L1": 1.75}


def test_hours_are_written_only_where_they_differ():
    records = [
        _record("L1", "Send invoice", refs=("#17",), tracked=1.75),  # already right
        _record("L2", "Write blog post", refs=("#18",), tracked=None),  # 2 h to write
        _record("L3", "Untracked", tracked=None),  # no time: nothing to write
        _record("L4", "Time deleted since", tracked=3.0),  # back to 0
    ]
    plan = plan_hours(records, [_entry("#17", hours=1.75), _entry("#18", hours=2)], "notion")
    assert [(w.remote_id, w.fields, w.item.tracked_hours) for _, w in plan.writes] == [
        ("page-L2", frozenset({"tracked_hours"}), 2.0),
        ("page-L4", frozenset({"tracked_hours"}), 0.0),
    ]
    assert not plan.linked


def test_missing_projects_are_those_without_a_time_project_of_the_same_name():
    notion = [Project.named("Spring Launch"), Project.named("Operations"), Project.named("New Offer")]
    toggl = [Project.named("spring launch"), Project.named("Operations")]
    assert [p.name for p in missing_projects(notion, toggl)] == ["New Offer"]


def _meeting(
    event_id: str, start: datetime, *, attendees=("sophie@x.co", "client@y.co"), **fields
) -> Remote[Event]:
    event = Event(
        title=fields.pop("title", "Client call"),
        start=start,
        end=start + timedelta(hours=1),
        all_day=False,
        attendees=frozenset(attendees),
        **fields,
    )
    return Remote(event_id, "e1", event)


POLICY = MeetingPolicy(people=frozenset({"sophie@x.co", "lea@x.co"}))


def test_meetings_that_ended_become_entries_for_the_configured_people():
    now = T0 + timedelta(days=1)
    events = [
        _meeting("e1", T0, attendees=("sophie@x.co", "lea@x.co", "client@y.co")),
        _meeting("e2", now - timedelta(minutes=30)),  # not over yet
        _meeting("e3", T0, task_link="L1"),  # a deadline event, not a meeting
        _meeting("e4", T0 - timedelta(days=30)),  # before the option was on
    ]
    wanted = meeting_entries(events, POLICY, now=now, since=T0 - timedelta(days=7))
    assert sorted((entry.person, entry.description, entry.duration_seconds) for entry in wanted.values()) == [
        ("lea@x.co", "Client call", 3600),
        ("sophie@x.co", "Client call", 3600),
    ]
    assert all(entry.tags == frozenset({"meeting"}) for entry in wanted.values())


def test_a_moved_meeting_moves_its_entry_and_a_cancelled_one_removes_it():
    now = T0 + timedelta(days=1)
    original = meeting_entries([_meeting("e1", T0, attendees=("sophie@x.co",))], POLICY, now=now, since=T0)
    [(key, entry)] = original.items()
    made = Remote("te1", "v1", entry, key)
    links = {key: Link(key, "active", {"toggl": Side("te1", entry)})}
    snapshot = Snapshot("toggl", {"te1": Seen(made)})
    moved = meeting_entries(
        [_meeting("e1", T0 + timedelta(hours=2), attendees=("sophie@x.co",))], POLICY, now=now, since=T0
    )
    plan = plan_meetings(moved, snapshot, links, lambda e: e, POLICY)
    assert [(w.kind, w.fields) for _, w in plan.writes] == [("update", frozenset({"start", "stop"}))]
    cancelled = meeting_entries(
        [_meeting("e1", T0, attendees=("sophie@x.co",), status="cancelled")], POLICY, now=now, since=T0
    )
    plan = plan_meetings(cancelled, snapshot, links, lambda e: e, POLICY)
    assert [w.kind for _, w in plan.writes] == ["archive"]
    # An old meeting already linked keeps following it, past `since`.
    kept = meeting_entries(
        [_meeting("e1", T0, attendees=("sophie@x.co",))], POLICY, now=now, since=now, linked={key}
    )
    assert list(kept) == [key]
