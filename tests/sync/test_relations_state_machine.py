"""A Hypothesis state machine over the relations that follow the tasks: the agenda (deadline events in
a calendar) and the time relation (the team's Toggl entries rolled up onto the tasks, and meetings as
entries), run after the tasks relation in the hub's order, over in-memory services and a real store.

People create, edit, finish, archive and delete tasks on both sides; move and delete deadline events;
hold meetings, move and cancel them, delete their entries; track time naming a card (its short link
in the description, or the hub's link tag), edit the duration, re-attach an entry to another card,
delete it, start and stop timers. Syncs run, some killed between any two writes on any of the four
services, and a read of Toggl may lag behind its writes (it answers what the read before saw). After
a final quiet sync:
- the tasks' copies agree and nothing is duplicated (one live copy per origin and link on a side);
- each open task with a due has exactly one deadline event, at its due (unless a person deleted it:
  then at most one), and no other task has a live one; no two live events share a task;
- each meeting that ended has exactly one entry per configured attendee, at the meeting's times, and
  a cancelled one none; no two entries carry one link;
- each live page's tracked hours are the sum of the stopped entries attached to its task;
- a further sync writes nothing.

The suite runs a few examples (its time budget); `OBM_HUB_TEST_EXAMPLES=200` explores further.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sync.agenda import AgendaPolicy, deadline_event, due_moves_plan, due_of
from sync.engine import (
    apply_and_record,
    plan_deadlines,
    plan_meeting_entries,
    plan_tasks,
    plan_tracked_hours,
    read_into_store,
)
from sync.meetings import MeetingPolicy
from sync.model import Event, Task, TimeEntry
from sync.plan import derive_link_id
from sync.policy import MEETINGS, RelationPolicy
from sync.state import Seen
from sync.store import Store
from sync.views import TaskRecord
from tests.sync.conftest import machine_settings, pg_schema
from tests.sync.fakes import (
    PARIS,
    Crash,
    FakeCalendar,
    FakeEntries,
    FakeTasks,
    TickingClock,
    assert_no_task_twice,
)

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TASK_SIDES = ("trello", "notion")
SERVICES = (*TASK_SIDES, "google", "toggl")
STATUSES = ("Backlog", "Doing", "Done")
DUES = (None, date(2026, 12, 1), date(2026, 12, 4), datetime(2026, 12, 2, 15, 30, tzinfo=UTC))
PEOPLE = ("sophie@x.co", "lea@x.co")
ATTENDEES = (*PEOPLE, "client@y.co")
# Meeting titles are no task's title and hold no short link: meeting entries attach to no task.
MEETING_TITLES = ("Weekly review", "Team sync")
SYNCED = ("title", "description", "status", "done", "due", "labels", "archived")


class FollowingRelations(RuleBasedStateMachine):
    two_way_dates = False
    done: str = "check"
    store_url: Callable[[], tuple[str, Callable[[], None]]] | None = None  # PostgreSQL: a fresh schema

    def __init__(self) -> None:
        super().__init__()
        self.clock = TickingClock(T0)
        self.trello = FakeTasks(
            "trello", self.clock, holds_estimate=False, date_only_due_time=time(17), short_links=True
        )
        self.notion = FakeTasks("notion", self.clock, minute_edits=True)
        self.calendar = FakeCalendar(self.clock)
        self.toggl = FakeEntries(self.clock)
        self.sides = {"trello": self.trello, "notion": self.notion}
        self.services = {**self.sides, "google": self.calendar, "toggl": self.toggl}
        if type(self).store_url is not None:
            url, self._drop = type(self).store_url()  # type: ignore[misc]
        else:
            self.folder = tempfile.TemporaryDirectory()
            url, self._drop = f"sqlite:///{Path(self.folder.name) / 'hub.db'}", self.folder.cleanup
        self.store = Store.open(url, clock=self.clock)
        self.tasks_policy = RelationPolicy(
            zone=PARIS, allow_mass_archive=True, excluded=frozenset({"tracked_hours"})
        )
        self.agenda = AgendaPolicy(
            zone=PARIS, done=self.done, two_way_dates=self.two_way_dates, allow_mass_archive=True
        )  # type: ignore[arg-type]
        self.meetings = MeetingPolicy(people=frozenset(PEOPLE), allow_mass_archive=True)
        self.serial = 0
        self.dismissed: set[str] = set()  # link ids of the hub's events and entries a person deleted
        # Which card each entry names (by its short link, or by the link tag the card carried).
        self.names: dict[str, str] = {}
        # Two-way dates: deadline events a person moved while all was settled (the last run finished
        # and nobody touched the task since), by task link id -> the due the task must take. Runs
        # killed meanwhile may delay it; only a person's edit of the task may override it.
        self.moves: dict[str, date | datetime] = {}
        self.touched: set[str] = set()  # task link ids people touched since the last finished run
        self.settled = True

    def teardown(self) -> None:
        try:
            self.check_converged()
        finally:
            self.store.close()
            self._drop()

    # -- people: tasks -------------------------------------------------------------------------

    @rule(side=st.sampled_from(TASK_SIDES), status=st.sampled_from(STATUSES), due=st.sampled_from(DUES))
    def create_task(self, side: str, status: str, due: date | datetime | None) -> None:
        self.serial += 1
        self.sides[side].user_add(
            f"Task {self.serial}",
            status=status,
            done=status == "Done",
            due=due,
            project=f"origin-{self.serial}",
        )

    @precondition(lambda self: bool(self._live_tasks()))
    @rule(data=st.data(), name=st.sampled_from(["title", "due", "status", "labels"]))
    def edit_task(self, data: st.DataObject, name: str) -> None:
        side, remote_id = data.draw(st.sampled_from(self._live_tasks()))
        self._touch(self.sides[side].link_of(remote_id))
        if name == "status":
            status = data.draw(st.sampled_from(STATUSES))
            self.sides[side].user_edit(remote_id, status=status, done=status == "Done")
            return
        value = data.draw(
            {
                "title": st.sampled_from(["Renamed", "Call client", "Invoice"]),
                "due": st.sampled_from(DUES),
                "labels": st.frozensets(st.sampled_from(["Client", "Admin"]), max_size=2),
            }[name]
        )
        self.sides[side].user_edit(remote_id, **{name: value})

    @precondition(lambda self: bool(self._live_tasks()))
    @rule(data=st.data(), delete=st.booleans())
    def retire_task(self, data: st.DataObject, delete: bool) -> None:
        side, remote_id = data.draw(st.sampled_from(self._live_tasks()))
        self._touch(self.sides[side].link_of(remote_id))
        if delete:
            self.sides[side].user_delete(remote_id)
        else:
            self.sides[side].user_edit(remote_id, archived=True)

    # -- people: the calendar ------------------------------------------------------------------

    @precondition(lambda self: bool(self._deadline_events()))
    @rule(data=st.data(), days=st.integers(-2, 3).filter(bool))
    def move_deadline_event(self, data: st.DataObject, days: int) -> None:
        event_id = data.draw(st.sampled_from(self._deadline_events()))
        event = self.calendar.events[event_id].event
        shift = timedelta(days=days)
        self.calendar.user_move(event_id, event.start + shift, event.end + shift)
        link = event.task_link
        assert link is not None
        if self.two_way_dates and self.settled and link not in self.touched:
            self.moves[link] = due_of(self.calendar.events[event_id].event)
        else:
            self.moves.pop(link, None)
        self.touched.add(link)

    @precondition(lambda self: bool(self._deadline_events()))
    @rule(data=st.data())
    def delete_deadline_event(self, data: st.DataObject) -> None:
        event_id = data.draw(st.sampled_from(self._deadline_events()))
        link = self.calendar.events[event_id].event.task_link
        assert link is not None
        self.dismissed.add(link)
        self._touch(link)
        self.calendar.user_delete(event_id)

    @rule(
        title=st.sampled_from(MEETING_TITLES),
        hours_ago=st.integers(2, 60),
        attendees=st.frozensets(st.sampled_from(ATTENDEES), min_size=1),
    )
    def hold_meeting(self, title: str, hours_ago: int, attendees: frozenset[str]) -> None:
        start = T0 - timedelta(hours=hours_ago)
        self.calendar.user_add(
            Event(
                title=title,
                start=start,
                end=start + timedelta(minutes=45),
                all_day=False,
                timezone="Europe/Paris",
                attendees=attendees,
            )
        )

    @precondition(lambda self: bool(self._meetings()))
    @rule(data=st.data(), minutes=st.integers(-90, 90).filter(bool), cancel=st.booleans())
    def move_or_cancel_meeting(self, data: st.DataObject, minutes: int, cancel: bool) -> None:
        event_id = data.draw(st.sampled_from(self._meetings()))
        if cancel:
            self.calendar.user_delete(event_id)
            return
        event = self.calendar.events[event_id].event
        shift = timedelta(minutes=minutes)
        self.calendar.user_move(event_id, event.start + shift, event.end + shift)

    # -- people: time entries ------------------------------------------------------------------

    @precondition(lambda self: bool(self._cards()))
    @rule(
        data=st.data(),
        minutes=st.integers(1, 240),
        by_tag=st.booleans(),
        running=st.booleans(),
        person=st.sampled_from(PEOPLE),
    )
    def track_time(self, data: st.DataObject, minutes: int, by_tag: bool, running: bool, person: str) -> None:
        card = data.draw(st.sampled_from(self._cards()))
        start = self.clock.now - timedelta(hours=5)
        description, tags = self._naming(card, by_tag)
        stop = None if running else start + timedelta(minutes=minutes)
        entry = TimeEntry(
            person=person,
            description=description,
            tags=tags,
            start=start,
            stop=stop,
            duration_seconds=None if running else minutes * 60,
        )
        self.names[self.toggl.user_add(entry)] = card

    @precondition(lambda self: bool(self._people_entries()))
    @rule(data=st.data(), minutes=st.integers(1, 240))
    def edit_duration_or_stop(self, data: st.DataObject, minutes: int) -> None:
        entry_id = data.draw(st.sampled_from(self._people_entries()))
        entry = self.toggl.entries[entry_id].entry
        stop = entry.start + timedelta(minutes=minutes)
        self.toggl.user_edit(entry_id, stop=stop, duration_seconds=minutes * 60)

    @precondition(lambda self: bool(self._people_entries()) and bool(self._cards()))
    @rule(data=st.data(), by_tag=st.booleans())
    def reattach_entry(self, data: st.DataObject, by_tag: bool) -> None:
        entry_id = data.draw(st.sampled_from(self._people_entries()))
        card = data.draw(st.sampled_from(self._cards()))
        description, tags = self._naming(card, by_tag)
        self.toggl.user_edit(entry_id, description=description, tags=tags)
        self.names[entry_id] = card

    @precondition(lambda self: bool(self._people_entries()))
    @rule(data=st.data())
    def delete_entry(self, data: st.DataObject) -> None:
        self.toggl.user_delete(data.draw(st.sampled_from(self._people_entries())))

    @precondition(lambda self: bool(self._meeting_entries()))
    @rule(data=st.data())
    def delete_meeting_entry(self, data: st.DataObject) -> None:
        entry_id = data.draw(st.sampled_from(self._meeting_entries()))
        self.dismissed.add(str(self.toggl.link_of(entry_id)))
        self.toggl.user_delete(entry_id)

    @rule()
    def toggl_lags(self) -> None:
        self.toggl.lagging = True

    # -- the hub -------------------------------------------------------------------------------

    @rule()
    def sync(self) -> None:
        self._sync()
        # A finished run moved the task of each event a person moved (two-way dates).
        for link, due in self.moves.items():
            for name, side in self.sides.items():
                for remote_id, task in side.live().items():
                    if side.link_of(remote_id) == link:
                        assert task.due == due, (link, name, task.due, due)
        self.moves.clear()
        self.touched.clear()
        self.settled = True

    @rule(service=st.sampled_from(SERVICES), after=st.integers(0, 5), lag=st.booleans())
    def sync_killed_mid_apply(self, service: str, after: int, lag: bool) -> None:
        self.services[service].crash_after_write = after
        with contextlib.suppress(Crash):  # the process died; the next sync starts from the store
            self._sync()
        self.services[service].crash_after_write = None
        self.settled = False
        self.toggl.lagging = lag  # the next run's read may not show yet what this one created

    @rule(plans=st.integers(1, 4))
    def sync_killed_between_plans(self, plans: int) -> None:
        with contextlib.suppress(Crash):
            self._sync(killed_after=plans)
        self.settled = False

    def _sync(self, killed_after: int | None = None) -> list:
        """One hub run, as the flow runs it: every read, then tasks, agenda and time in that order;
        `killed_after` plans applied, the process dies (between two plans: no write is cut short)."""
        runs: list = []

        def apply(plan, connectors, model) -> None:
            runs.append(apply_and_record(self.store, "w", plan, connectors, model))
            if len(runs) == killed_after:
                raise Crash(f"killed after {plan.relation}")

        for connector in self.services.values():
            read_into_store(self.store, "w", connector, allow_empty=True)
        apply(plan_tasks(self.store, "w", (self.trello, self.notion), self.tasks_policy), self.sides, Task)
        agenda, records = plan_deadlines(self.store, "w", TASK_SIDES, self.calendar, self.agenda)
        apply(agenda.plan, {"google": self.calendar}, Event)
        apply(due_moves_plan(agenda.due_moves, records), self.sides, Task)
        apply(plan_tracked_hours(self.store, "w", TASK_SIDES, "notion"), {"notion": self.notion}, Task)
        since = self.store.now() - timedelta(days=7)
        meetings = plan_meeting_entries(self.store, "w", "google", self.toggl, self.meetings, since=since)
        apply(meetings, {"toggl": self.toggl}, TimeEntry)
        return runs

    # -- what must hold ------------------------------------------------------------------------

    @invariant()
    def nothing_is_duplicated(self) -> None:
        assert_no_task_twice(self.sides)
        deadlines = [e.task_link for e in self.calendar.live().values() if e.task_link is not None]
        assert len(deadlines) == len(set(deadlines)), deadlines
        carried = [self.toggl.link_of(eid) for eid in self.toggl.live() if self.toggl.link_of(eid)]
        assert len(carried) == len(set(carried)), carried

    def check_converged(self) -> None:
        # Two syncs: the first finishes what killed runs left (and may move a due with its event);
        # the next must settle, and the one after must have nothing to do.
        for _ in range(3):
            self._sync()
        before = self._writes()
        runs = self._sync()
        assert all(run.plan.steps == () for run in runs), [run.plan.rows() for run in runs]
        assert self._writes() == before
        self.nothing_is_duplicated()
        records = self._check_tasks()
        self._check_deadlines(records)
        self._check_meetings()
        self._check_hours()

    def _check_tasks(self) -> list[TaskRecord]:
        """The linked pairs agree; returns the tasks as the agenda sees them (Trello's copy first)."""
        by_link = {name: {side.link_of(rid): rid for rid in side.live()} for name, side in self.sides.items()}
        records = []
        for link_id in set(by_link["trello"]) | set(by_link["notion"]):
            copies = {
                name: self.sides[name]._remote(by_link[name][link_id])
                for name in TASK_SIDES
                if link_id in by_link[name]
            }
            if len(copies) == 2:
                card, page = copies["trello"].item, copies["notion"].item
                for name in SYNCED:
                    a, b = (
                        getattr(self.trello.represent(card), name),
                        getattr(self.trello.represent(page), name),
                    )
                    assert a == b, (link_id, name, a, b)
            first = next(iter(copies.values()))
            records.append(TaskRecord(str(link_id), first.item, {n: Seen(r) for n, r in copies.items()}))
        assert None not in by_link["trello"] and None not in by_link["notion"]
        return records

    def _check_deadlines(self, records: list[TaskRecord]) -> None:
        events = {e.task_link: e for e in self.calendar.live().values() if e.task_link is not None}
        wanted = {record.key: deadline_event(record, self.agenda) for record in records}
        for key, event in wanted.items():
            if event is None:
                assert key not in events, (key, events.get(key))
                continue
            if key not in events:
                assert key in self.dismissed, f"task {key} with a due has no deadline event"
                continue
            got = events[key]
            assert (got.title, got.start, got.end, got.all_day) == (
                event.title,
                event.start,
                event.end,
                event.all_day,
            ), (key, got, event)
        # An event of a task that is gone (deleted on both sides, or left unlinked) is cancelled.
        assert set(events) <= {key for key, event in wanted.items() if event is not None}, set(events) - set(
            wanted
        )

    def _check_meetings(self) -> None:
        entries = {
            self.toggl.link_of(eid): e for eid, e in self.toggl.live().items() if self.toggl.link_of(eid)
        }
        expected = set()
        for event_id, copy in self.calendar.events.items():
            if copy.event.task_link is not None:
                continue
            for person in sorted(copy.event.attendees & set(PEOPLE)):
                key = derive_link_id(MEETINGS, "google", f"{event_id}:{person}")
                if copy.event.status == "cancelled":
                    assert key not in entries, (event_id, person)
                    continue
                expected.add(key)
                entry = entries.get(key)
                if entry is None:  # a person deleted it: it stays deleted until the meeting changes
                    assert key in self.dismissed, f"meeting {event_id} of {person} has no entry"
                    expected.discard(key)
                    continue
                assert (entry.person, entry.start, entry.stop) == (person, copy.event.start, copy.event.end)
        assert set(entries) == expected, set(entries) ^ expected

    def _check_hours(self) -> None:
        cards = self.trello.live()
        seconds: dict[str, int] = defaultdict(int)
        for entry_id, entry in self.toggl.live().items():
            card = self.names.get(entry_id)
            if card is None or entry.duration_seconds is None or card not in cards:
                continue
            link = self.trello.link_of(card)
            if link is not None:
                seconds[link] += entry.duration_seconds
        for page_id, page in self.notion.live().items():
            link = self.notion.link_of(page_id)
            hours = round(seconds.get(str(link), 0) / 3600, 2)
            assert abs((page.tracked_hours or 0.0) - hours) < 0.005, (
                page_id,
                link,
                page.tracked_hours,
                hours,
            )

    # -- helpers -------------------------------------------------------------------------------

    def _touch(self, link: str | None) -> None:
        if link is not None:
            self.touched.add(link)
            self.moves.pop(link, None)

    def _writes(self) -> dict[str, int]:
        return {name: len(service.writes) for name, service in self.services.items()}

    def _live_tasks(self) -> list[tuple[str, str]]:
        return sorted((name, rid) for name, side in self.sides.items() for rid in side.live())

    def _cards(self) -> list[str]:
        return sorted(self.trello.live())

    def _deadline_events(self) -> list[str]:
        return sorted(eid for eid, event in self.calendar.live().items() if event.task_link is not None)

    def _meetings(self) -> list[str]:
        return sorted(eid for eid, event in self.calendar.live().items() if event.task_link is None)

    def _meeting_entries(self) -> list[str]:
        return sorted(eid for eid in self.toggl.live() if eid not in self.names)

    def _people_entries(self) -> list[str]:
        return sorted(eid for eid in self.toggl.live() if eid in self.names)

    def _naming(self, card: str, by_tag: bool) -> tuple[str, frozenset[str]]:
        """How a person names a card in an entry: its short link, or the hub's link tag it carries."""
        link = self.trello.link_of(card)
        if by_tag and link is not None:
            return "work on it", frozenset({link})
        return f"{FakeTasks.short_link(card)} work", frozenset()


class TwoWayDatesRemovingDone(FollowingRelations):
    two_way_dates = True
    done = "remove"


SETTINGS = machine_settings(int(os.environ.get("OBM_HUB_TEST_EXAMPLES", "15")))


class TestFollowingRelations(FollowingRelations.TestCase):  # type: ignore[name-defined]
    settings = SETTINGS


class TestTwoWayDatesRemovingDone(TwoWayDatesRemovingDone.TestCase):  # type: ignore[name-defined]
    settings = SETTINGS


class OnPostgres(TwoWayDatesRemovingDone):
    store_url = staticmethod(pg_schema)


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("OBM_HUB_TEST_PG_URL"), reason="OBM_HUB_TEST_PG_URL is not set")
class TestOnPostgres(OnPostgres.TestCase):  # type: ignore[name-defined]
    settings = settings(SETTINGS, max_examples=3, stateful_step_count=20)
