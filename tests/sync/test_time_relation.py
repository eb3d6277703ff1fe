"""The time relation through the store (SQLite and PostgreSQL): Toggl projects for Notion's projects,
tracked hours rolled up from edited and deleted entries, and meetings as entries across a crash."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from sync.engine import (
    apply_and_record,
    ensure_projects,
    plan_meeting_entries,
    plan_tracked_hours,
    read_into_store,
)
from sync.meetings import MeetingPolicy
from sync.model import Event, Project, Task, TimeEntry
from sync.store import Store
from tests.sync.fakes import Crash, FakeCalendar, FakeCatalog, FakeEntries, FakeTasks
from tests.sync.test_engine import T0, Hub


class TimeHub(Hub):
    """The tasks relation's workspace, with a Toggl-like time tracker and a calendar."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.trello = FakeTasks(
            "trello", self.clock, holds_estimate=False, date_only_due_time=time(17), short_links=True
        )
        self.toggl = FakeEntries(self.clock)
        self.calendar = FakeCalendar(self.clock)

    def hours(self):
        read_into_store(self.store, "w", self.toggl, allow_empty=True)
        read_into_store(self.store, "w", self.notion)
        plan = plan_tracked_hours(self.store, "w", ("trello", "notion"), "notion")
        return apply_and_record(self.store, "w", plan, {"notion": self.notion}, Task)

    def meetings(self, policy: MeetingPolicy):
        read_into_store(self.store, "w", self.calendar, allow_empty=True)
        read_into_store(self.store, "w", self.toggl, allow_empty=True)
        since = self.store.now() - timedelta(days=7)
        plan = plan_meeting_entries(self.store, "w", "google", self.toggl, policy, since=since)
        return apply_and_record(self.store, "w", plan, {"toggl": self.toggl}, TimeEntry)

    def tracked(self) -> dict[str, float | None]:
        """Each page's tracked hours, by the title of its task."""
        return {task.title: task.tracked_hours for task in self.notion.live().values()}

    def entry(self, description: str, minutes: int, *, start: datetime = T0) -> TimeEntry:
        return TimeEntry(
            person="sophie@x.co",
            description=description,
            start=start,
            stop=start + timedelta(minutes=minutes),
            duration_seconds=minutes * 60,
        )


@pytest.fixture
def hub(store_url):
    hub = TimeHub(store_url)
    yield hub
    hub.store.close()


def test_a_notion_project_without_a_toggl_project_gets_one_once(store_url):
    store = Store.open(store_url)
    notion = FakeCatalog("notion", [Project.named("Spring Launch"), Project.named("Operations")])
    toggl = FakeCatalog("toggl", [Project.named("operations")])
    try:
        planned = ensure_projects(store, "w", notion, toggl, dry_run=True)
        assert [p.name for p in planned] == ["Spring Launch"]
        assert toggl.created == [] and store.writes("w") == []  # a dry run creates nothing
        created = ensure_projects(store, "w", notion, toggl)
        assert [p.name for p in created] == ["Spring Launch"] == [p.name for p in toggl.created]
        [write] = store.writes("w")
        assert (write.service, write.action, write.remote_id, write.fields, write.after) == (
            "toggl",
            "create",
            "spring launch",
            ("name",),
            {"name": "Spring Launch"},
        )
        assert "notion project" in write.reason
        assert ensure_projects(store, "w", notion, toggl) == []  # the second run creates nothing
        assert len(toggl.created) == 1 and len(store.writes("w")) == 1
    finally:
        store.close()


def test_edited_and_deleted_entries_change_the_tracked_hours(hub):
    invoice = hub.trello.user_add("Send invoice")
    blog = hub.trello.user_add("Write blog post")
    hub.sync()
    first = hub.toggl.user_add(hub.entry(f"{FakeTasks.short_link(invoice)} chasing", 90))
    second = hub.toggl.user_add(hub.entry(f"{FakeTasks.short_link(invoice)} draft", 30))
    hub.toggl.user_add(hub.entry(f"{FakeTasks.short_link(blog)} outline", 45))
    run = hub.hours()
    assert run.outcome == "ok" and run.report.updated == 2
    assert hub.tracked() == {"Send invoice": 2.0, "Write blog post": 0.75}
    # An edited duration; an entry whose description now names the other card moves its time there.
    hub.toggl.user_edit(first, stop=T0 + timedelta(minutes=60), duration_seconds=3600)
    hub.toggl.user_edit(second, description=f"{FakeTasks.short_link(blog)} draft")
    hub.hours()
    assert hub.tracked() == {"Send invoice": 1.0, "Write blog post": 1.25}
    hub.toggl.user_delete(first)
    run = hub.hours()
    assert [w.item.tracked_hours for _, w in run.plan.writes] == [0.0]
    assert hub.tracked() == {"Send invoice": 0.0, "Write blog post": 1.25}
    # The hours written are no edit for the tasks relation: nothing goes back to Trello.
    assert hub.sync().plan.steps == ()
    before = len(hub.notion.writes)
    quiet = hub.hours()
    assert quiet.plan.steps == () and len(hub.notion.writes) == before
    # Each write of the hours is in the audit log, with before and after.
    audit = [(w.before, w.after) for w in hub.store.writes("w") if w.fields == ("tracked_hours",)]
    assert ({"tracked_hours": 1.0}, {"tracked_hours": 0.0}) in audit and len(audit) == 5


def test_a_crash_after_a_meeting_entry_is_created_never_duplicates_it(hub):
    start = T0 - timedelta(hours=3)
    meeting = Event(
        title="Weekly review",
        start=start,
        end=start + timedelta(hours=1),
        all_day=False,
        attendees=frozenset({"sophie@x.co", "lea@x.co", "client@y.co"}),
    )
    hub.calendar.user_add(meeting)
    policy = MeetingPolicy(people=frozenset({"sophie@x.co", "lea@x.co"}))
    hub.toggl.crash_after_write = 0  # killed between the first remote create and its local commit
    with pytest.raises(Crash):
        hub.meetings(policy)
    assert len(hub.toggl.live()) == 1
    run = hub.meetings(policy)
    assert run.outcome == "ok"
    entries = sorted(hub.toggl.live().values(), key=lambda entry: str(entry.person))
    assert [(e.person, e.start, e.duration_seconds) for e in entries] == [
        ("lea@x.co", start, 3600),
        ("sophie@x.co", start, 3600),
    ]
    assert len({hub.toggl.link_of(eid) for eid in hub.toggl.live()}) == 2
    assert [action for action, _, _ in hub.toggl.writes] == ["create", "create"]  # never a third
    quiet = hub.meetings(policy)
    assert quiet.plan.steps == () and len(hub.toggl.writes) == 2


def test_a_read_that_lags_behind_a_moved_meeting_never_duplicates_its_entry(hub):
    """A Toggl read that does not show the hub's entry yet is no deletion: when the meeting then moves,
    the entry is looked up by its link tag and moved, never made a second time."""
    start = T0 - timedelta(hours=3)
    event_id = hub.calendar.user_add(
        Event(
            title="Weekly review",
            start=start,
            end=start + timedelta(hours=1),
            all_day=False,
            attendees=frozenset({"sophie@x.co"}),
        )
    )
    policy = MeetingPolicy(people=frozenset({"sophie@x.co"}))
    hub.meetings(policy)
    [entry_id] = hub.toggl.live()
    hub.toggl.lagging = True  # the next read answers what the read before the create saw
    moved = start + timedelta(minutes=30)
    hub.calendar.user_move(event_id, moved, moved + timedelta(hours=1))
    hub.meetings(policy)
    hub.meetings(policy)
    assert list(hub.toggl.live()) == [entry_id]
    assert hub.toggl.live()[entry_id].start == moved
    assert [action for action, _, _ in hub.toggl.writes] == ["create", "update"]
    quiet = hub.meetings(policy)
    assert quiet.plan.steps == () and len(hub.toggl.writes) == 2
