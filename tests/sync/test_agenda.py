"""The agenda relation: deadline events follow the tasks, over in-memory services and a real store."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from sync.agenda import AgendaPolicy, due_moves_plan
from sync.engine import apply_and_record, plan_deadlines
from sync.model import Event, Task
from sync.policy import ArchiveGuard
from tests.sync.fakes import PARIS, Crash, FakeCalendar
from tests.sync.test_engine import Hub


class AgendaHub(Hub):
    def __init__(self, url: str, agenda: AgendaPolicy | None = None) -> None:
        super().__init__(url)
        self.calendar = FakeCalendar(self.clock)
        self.agenda = agenda or AgendaPolicy(zone=PARIS)

    def run(self):
        """Tasks first, then the calendar, as the hub flow runs them."""
        tasks = self.sync()
        from sync.engine import read_into_store

        read_into_store(self.store, "w", self.calendar)
        agenda, records = plan_deadlines(self.store, "w", ("trello", "notion"), self.calendar, self.agenda)
        moved = apply_and_record(
            self.store, "w", due_moves_plan(agenda.due_moves, records), self._connectors(), Task
        ).report
        run = apply_and_record(self.store, "w", agenda.plan, {"google": self.calendar}, Event)
        return tasks, run, moved

    def event_of(self, title: str) -> Event:
        [event] = [e for e in self.calendar.live().values() if e.title.endswith(title)]
        return event


@pytest.fixture
def hub(store_url):
    hub = AgendaHub(store_url)
    yield hub
    hub.store.close()


def _quiet(hub: AgendaHub) -> None:
    before = len(hub.calendar.writes) + hub.writes()
    tasks, run, moved = hub.run()
    assert tasks.plan.steps == () and run.plan.steps == () and moved.writes == [], run.plan.rows()
    assert len(hub.calendar.writes) + hub.writes() == before


def test_open_tasks_with_a_due_get_deadline_events(hub):
    hub.trello.user_add("Send invoice", due=date(2026, 12, 3))
    hub.notion.user_add("Call with Nadia", due=datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    hub.trello.user_add("No due")
    hub.run()
    invoice, call = hub.event_of("Send invoice"), hub.event_of("Call with Nadia")
    # Trello holds a date-only due at 17:00 in Paris: the linked task's due is that instant.
    five_pm = datetime.combine(date(2026, 12, 3), time(17), PARIS)
    assert (invoice.title, invoice.end, invoice.end - invoice.start) == (
        "Due: Send invoice",
        five_pm,
        timedelta(minutes=30),
    )
    assert (call.all_day, call.end) == (False, datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    assert "trello: https://trello.example/" in call.description
    assert len(hub.calendar.live()) == 2
    _quiet(hub)


def test_a_date_only_due_makes_an_all_day_event(store_url):
    hub = AgendaHub(store_url)
    hub.notion.user_add("Quarterly taxes", due=date(2026, 12, 15))
    # Plan the calendar from Notion alone: a workspace without Trello keeps date-only dues.
    from sync.engine import read_into_store

    read_into_store(hub.store, "w", hub.notion)
    read_into_store(hub.store, "w", hub.calendar)
    agenda, _ = plan_deadlines(hub.store, "w", ("notion",), hub.calendar, hub.agenda)
    apply_and_record(hub.store, "w", agenda.plan, {"google": hub.calendar}, Event)
    [event] = hub.calendar.live().values()
    assert (event.all_day, event.start, event.end) == (True, date(2026, 12, 15), date(2026, 12, 16))
    hub.store.close()


def test_a_moved_due_moves_the_event(hub):
    card = hub.trello.user_add("Send invoice", due=datetime(2026, 12, 3, 10, tzinfo=UTC))
    hub.run()
    hub.trello.user_edit(card, due=datetime(2026, 12, 4, 10, tzinfo=UTC))
    _, run, _ = hub.run()
    assert [w.fields for _, w in run.plan.writes] == [frozenset({"start", "end"})]
    assert hub.event_of("Send invoice").end == datetime(2026, 12, 4, 10, tzinfo=UTC)
    _quiet(hub)


def test_a_done_task_keeps_its_event_with_a_check_mark(hub):
    card = hub.trello.user_add("Send invoice", due=date(2026, 12, 3))
    hub.run()
    hub.trello.user_edit(card, done=True, status="Done")
    hub.run()
    assert hub.event_of("Send invoice").title == "✓ Send invoice"
    _quiet(hub)


def test_done_tasks_can_remove_their_events_instead(store_url):
    hub = AgendaHub(store_url, AgendaPolicy(zone=PARIS, done="remove"))
    card = hub.trello.user_add("Send invoice", due=date(2026, 12, 3))
    hub.run()
    hub.trello.user_edit(card, done=True, status="Done")
    hub.run()
    assert hub.calendar.live() == {}
    _quiet(hub)
    hub.store.close()


def test_an_archived_task_cancels_its_event(hub):
    card = hub.trello.user_add("Send invoice", due=date(2026, 12, 3))
    hub.run()
    hub.trello.user_edit(card, archived=True)
    hub.run()
    assert hub.calendar.live() == {} and len(hub.calendar.events) == 1  # cancelled, not duplicated
    _quiet(hub)


def test_an_event_a_person_deleted_stays_deleted_until_the_task_changes(hub):
    card = hub.trello.user_add("Send invoice", due=date(2026, 12, 3))
    hub.run()
    [event_id] = hub.calendar.live()
    hub.calendar.user_delete(event_id)
    hub.run()
    assert hub.calendar.live() == {}
    _quiet(hub)
    hub.trello.user_edit(card, due=date(2026, 12, 5))
    hub.run()
    assert list(hub.calendar.live()) == [event_id]  # the same event, brought back
    _quiet(hub)


def test_moving_the_event_moves_the_task_when_two_way_dates_are_on(store_url):
    hub = AgendaHub(store_url, AgendaPolicy(zone=PARIS, two_way_dates=True))
    hub.trello.user_add("Send invoice", due=datetime(2026, 12, 3, 16, tzinfo=UTC))
    hub.run()
    [event_id] = hub.calendar.live()
    new_end = datetime(2026, 12, 7, 9, tzinfo=UTC)
    hub.calendar.user_move(event_id, new_end - timedelta(minutes=30), new_end)
    _, _, moved = hub.run()
    assert moved.updated == 2  # the card and the page
    assert {t.due for pair in hub.pairs() for t in pair} == {new_end}
    _settled(hub)
    _quiet(hub)
    hub.store.close()


def _settled(hub: AgendaHub) -> None:
    """The run after a task followed its event: the event's base takes the dates (the step that
    followed kept the old ones until then); no service is written."""
    before = len(hub.calendar.writes) + hub.writes()
    _, run, moved = hub.run()
    assert run.plan.writes == [] and moved.writes == [], run.plan.rows()
    assert [step.reason for step in run.plan.steps] == ["the service agrees; base moves"]
    assert len(hub.calendar.writes) + hub.writes() == before


def test_without_two_way_dates_a_moved_event_is_put_back(hub):
    hub.trello.user_add("Send invoice", due=datetime(2026, 12, 3, 16, tzinfo=UTC))
    hub.run()
    [event_id] = hub.calendar.live()
    hub.calendar.user_move(
        event_id, datetime(2026, 12, 7, 8, tzinfo=UTC), datetime(2026, 12, 7, 9, tzinfo=UTC)
    )
    hub.run()
    assert hub.event_of("Send invoice").end == datetime(2026, 12, 3, 16, tzinfo=UTC)
    _quiet(hub)


def test_a_crash_after_the_event_insert_never_duplicates_it(hub):
    hub.trello.user_add("Send invoice", due=date(2026, 12, 3))
    hub.sync()
    hub.calendar.crash_after_write = 0
    with pytest.raises(Crash):
        hub.run()
    _, run, _ = hub.run()
    assert len(hub.calendar.events) == 1
    # Adopted from the read; the create's audit row was lost with the crash, the adoption's is there.
    [event_id] = hub.calendar.events
    audited = [(w.action, w.remote_id) for w in hub.store.writes("w") if w.service == "google"]
    assert run.report.adopted == 1 and audited == [("adopt", event_id)]
    _quiet(hub)


def test_a_mass_cancellation_is_refused(store_url):
    hub = AgendaHub(store_url, AgendaPolicy(zone=PARIS, guard=ArchiveGuard(floor=2)))
    cards = [hub.trello.user_add(f"Task {n}", due=date(2026, 12, 3)) for n in range(6)]
    hub.run()
    for card in cards[:4]:
        hub.trello.user_edit(card, archived=True)
    tasks, run, _ = hub.run()
    assert run.outcome == "refused" and "would cancel 4 of 6 deadline events" in run.plan.refusal
    assert len(hub.calendar.live()) == 6
    hub.store.close()
    assert isinstance(tasks.plan.steps[0].current["trello"].item, Task)


def test_a_moved_event_is_not_lost_when_the_run_dies_before_its_task_follows(store_url):
    """The flow applies the calendar's plan, then the due moves: killed in between, the next run
    still moves the task (the event's base kept the task's old dates), never the event back."""
    hub = AgendaHub(store_url, AgendaPolicy(zone=PARIS, two_way_dates=True))
    hub.trello.user_add("Send invoice", due=datetime(2026, 12, 3, 16, tzinfo=UTC))
    hub.run()
    [event_id] = hub.calendar.live()
    new_end = datetime(2026, 12, 7, 9, tzinfo=UTC)
    hub.calendar.user_move(event_id, new_end - timedelta(minutes=30), new_end)
    hub.sync()
    from sync.engine import read_into_store

    read_into_store(hub.store, "w", hub.calendar)
    agenda, _ = plan_deadlines(hub.store, "w", ("trello", "notion"), hub.calendar, hub.agenda)
    assert len(agenda.due_moves) == 1
    apply_and_record(hub.store, "w", agenda.plan, {"google": hub.calendar}, Event)  # then killed
    hub.run()
    assert {t.due for pair in hub.pairs() for t in pair} == {new_end}
    assert hub.event_of("Send invoice").end == new_end
    _settled(hub)
    _quiet(hub)
    hub.store.close()


def test_an_event_made_by_a_killed_run_goes_when_its_task_is_archived(hub):
    """The event insert landed, the run died before recording it, then the task was archived: the
    next run cancels the event the killed run made, found by its link id, never leaves it behind."""
    card = hub.trello.user_add("Send invoice", due=date(2026, 12, 3))
    hub.sync()
    hub.calendar.crash_after_write = 0
    with pytest.raises(Crash):
        hub.run()
    assert len(hub.calendar.live()) == 1
    hub.trello.user_edit(card, archived=True)
    _, run, _ = hub.run()
    assert [w.kind for _, w in run.plan.writes] == ["archive"]
    assert hub.calendar.live() == {} and len(hub.calendar.events) == 1
    _quiet(hub)
