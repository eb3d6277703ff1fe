"""The tasks relation, rule by rule, over in-memory services and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from sync.engine import apply_and_record, plan_tasks, read_into_store
from sync.model import Task
from sync.policy import TASKS, ArchiveGuard, RelationPolicy
from sync.store import Store
from sync.store import links as link_rows
from tests.sync.fakes import PARIS, Crash, FakeTasks, TickingClock

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Hub:
    """A workspace with a Trello-like and a Notion-like side, synced through the real engine."""

    def __init__(self, url: str, policy: RelationPolicy | None = None) -> None:
        self.clock = TickingClock(T0)
        self.trello = FakeTasks("trello", self.clock, holds_estimate=False, date_only_due_time=time(17))
        self.notion = FakeTasks("notion", self.clock, minute_edits=True)
        self.url = url
        self.store = Store.open(url, clock=self.clock)
        self.policy = policy or RelationPolicy(zone=PARIS)

    def sync(self, **kwargs):
        for side in (self.trello, self.notion):
            read_into_store(self.store, "w", side)
        plan = plan_tasks(self.store, "w", (self.trello, self.notion), self.policy)
        return apply_and_record(self.store, "w", plan, self._connectors(), Task, **kwargs)

    def plan(self):
        return plan_tasks(self.store, "w", (self.trello, self.notion), self.policy)

    def writes(self) -> int:
        return len(self.trello.writes) + len(self.notion.writes)

    def _connectors(self):
        return {"trello": self.trello, "notion": self.notion}

    def pairs(self) -> list[tuple[Task, Task]]:
        """The live linked pairs, by link id carried on both sides."""
        trello = {self.trello.link_of(rid): task for rid, task in self.trello.live().items()}
        notion = {self.notion.link_of(rid): task for rid, task in self.notion.live().items()}
        return [(trello[link], notion[link]) for link in sorted(set(trello) & set(notion), key=str)]


@pytest.fixture
def hub(store_url):
    hub = Hub(store_url)
    yield hub
    hub.store.close()


def _quiet(hub: Hub) -> None:
    before = hub.writes()
    run = hub.sync()
    assert run.plan.steps == () and hub.writes() == before, run.plan.rows()


def test_first_contact_matches_what_both_sides_hold_and_creates_the_rest(hub):
    due = date(2026, 12, 3)
    hub.trello.user_add("Send invoice to Amélie", due=due, status="Doing")
    hub.notion.user_add("send invoice  to amélie", due=due, status="Doing", estimate_hours=2.0)
    hub.trello.user_add("Only on the board", status="Backlog")
    hub.notion.user_add("Only in Notion", status="This week")
    run = hub.sync()
    assert run.outcome == "ok"
    assert run.report.created == 2
    # The matched pair is not duplicated; each side's own task is created on the other.
    assert len(hub.trello.live()) == 3 and len(hub.notion.live()) == 3
    pairs = hub.pairs()
    assert sorted(t.title for t, _ in pairs) == [
        "Only in Notion",
        "Only on the board",
        "Send invoice to Amélie",
    ]
    matched = next(n for t, n in pairs if t.title.startswith("Send"))
    assert matched.estimate_hours == 2.0 and matched.title == "Send invoice to Amélie"  # title: first contact
    _quiet(hub)


def test_every_copy_ends_linked_and_pointing_at_its_pair(hub):
    hub.trello.user_add("A card", status="Backlog")
    hub.notion.user_add("A page", status="Backlog")
    hub.sync()
    for rid, task in hub.trello.live().items():
        assert hub.trello.link_of(rid) is not None and task.peer_url.startswith("https://notion.example/")
    for rid, task in hub.notion.live().items():
        assert hub.notion.link_of(rid) is not None and task.peer_url.startswith("https://trello.example/")
    _quiet(hub)


def test_an_edit_on_one_side_reaches_the_other_and_does_not_echo(hub):
    card = hub.trello.user_add("Draft launch email", status="Backlog")
    hub.sync()
    hub.trello.user_edit(card, title="Draft launch email #2", status="Doing")
    run = hub.sync()
    [(_, notion)] = hub.pairs()
    assert notion.title == "Draft launch email #2" and notion.status == "Doing"
    # Only what changed is written, and only to the side that did not have it.
    assert [(w.side, w.fields) for _, w in run.plan.writes] == [("notion", frozenset({"title", "status"}))]
    _quiet(hub)


def test_a_notion_date_is_not_an_edit_because_trello_holds_it_at_17_00(hub):
    hub.notion.user_add("Renew Zoom", due=date(2026, 12, 4))
    hub.sync()
    [(trello, notion)] = hub.pairs()
    assert trello.due == datetime.combine(date(2026, 12, 4), time(17), PARIS).astimezone(UTC)
    assert notion.due == date(2026, 12, 4)
    _quiet(hub)  # the lossy mapping is not taken for an edit on either side


def test_the_same_change_on_both_sides_is_no_conflict(hub):
    card = hub.trello.user_add("Plan retreat")
    hub.sync()
    [page] = hub.notion.live()
    hub.trello.user_edit(card, status="Done", done=True)
    hub.notion.user_edit(page, status="Done", done=True)
    run = hub.sync()
    assert run.report.conflicts == [] and run.plan.writes == []
    _quiet(hub)


def test_different_changes_on_both_sides_are_settled_by_the_latest_edit_and_recorded(hub):
    card = hub.trello.user_add("Plan retreat")
    hub.sync()
    [page] = hub.notion.live()
    hub.trello.user_edit(card, title="Plan Q1 retreat")
    hub.clock.now += timedelta(minutes=2)  # Notion's edit times are minutes: make it plainly later
    hub.notion.user_edit(page, title="Plan team retreat")
    run = hub.sync()
    [conflict] = run.report.conflicts
    assert (conflict.field, conflict.winner, conflict.policy) == ("title", "notion", "latest")
    assert conflict.values == {"trello": "Plan Q1 retreat", "notion": "Plan team retreat"}
    assert [pair[0].title for pair in hub.pairs()] == ["Plan team retreat"]
    assert [c.field for c in hub.store.conflicts("w")] == ["title"]
    _quiet(hub)


def test_a_field_policy_can_name_the_side_that_wins(store_url):
    hub = Hub(store_url, RelationPolicy(zone=PARIS, conflicts={"title": "trello"}))
    card = hub.trello.user_add("Plan retreat")
    hub.sync()
    [page] = hub.notion.live()
    hub.trello.user_edit(card, title="Board title")
    hub.notion.user_edit(page, title="Notion title")
    run = hub.sync()
    assert [(c.winner, c.policy) for c in run.report.conflicts] == [("trello", "trello")]
    assert {pair[1].title for pair in hub.pairs()} == {"Board title"}
    hub.store.close()


def test_independent_fields_merge_without_conflict(hub):
    card = hub.trello.user_add("Brief guest", status="Backlog")
    hub.sync()
    [page] = hub.notion.live()
    hub.trello.user_edit(card, title="Brief podcast guest")
    hub.notion.user_edit(page, status="Doing", estimate_hours=1.5)
    run = hub.sync()
    assert run.report.conflicts == []
    [(trello, notion)] = hub.pairs()
    assert (trello.title, trello.status, notion.title, notion.status) == ("Brief podcast guest", "Doing") * 2
    assert notion.estimate_hours == 1.5 and trello.estimate_hours is None
    _quiet(hub)


def test_archive_propagates_as_archive_and_a_deletion_as_an_archive_too(hub):
    first = hub.trello.user_add("One")
    hub.trello.user_add("Two")
    hub.sync()
    pages = {task.title: rid for rid, task in hub.notion.live().items()}
    hub.trello.user_edit(first, archived=True)
    hub.notion.user_delete(pages["Two"])
    hub.sync()
    assert hub.trello.live() == {} and hub.notion.live() == {}
    assert all(copy.task.archived for copy in hub.trello.copies.values() if copy.state == "present")
    assert hub.notion.copies[pages["One"]].state == "present"  # archived, never deleted
    _quiet(hub)


def test_a_card_moved_to_another_board_unlinks_by_default(hub):
    card = hub.trello.user_add("Moves away")
    hub.sync()
    hub.trello.user_move_out(card)
    run = hub.sync()
    assert run.plan.writes == [] and len(hub.notion.live()) == 1
    assert hub.store.links("w", TASKS, Task)[hub.trello.link_of(card)].state == "unlinked"
    _quiet(hub)


def test_a_card_moved_away_can_archive_its_page_when_configured(store_url):
    hub = Hub(store_url, RelationPolicy(zone=PARIS, on_left="archive"))
    card = hub.trello.user_add("Moves away")
    hub.sync()
    hub.trello.user_move_out(card)
    hub.sync()
    assert hub.notion.live() == {}
    hub.store.close()


def test_a_mass_archive_is_refused_unless_allowed(store_url):
    hub = Hub(store_url, RelationPolicy(zone=PARIS, guard=ArchiveGuard(share=0.10, floor=2, count=50)))
    cards = [hub.trello.user_add(f"Task {n}") for n in range(10)]
    hub.sync()
    for card in cards[:3]:
        hub.trello.user_delete(card)
    before = hub.writes()
    run = hub.sync()
    assert run.outcome == "refused" and "would archive 3 of 10 linked notion items" in run.plan.refusal
    assert hub.writes() == before and len(hub.notion.live()) == 10
    assert hub.store.runs("w")[-1].outcome == "refused"
    allowed = Hub.__new__(Hub)
    allowed.__dict__.update(hub.__dict__, policy=RelationPolicy(zone=PARIS, allow_mass_archive=True))
    assert allowed.sync().outcome == "ok" and len(hub.notion.live()) == 7
    hub.store.close()


def test_an_ambiguous_match_is_reported_not_guessed(hub):
    for _ in range(2):
        hub.trello.user_add("Weekly report", due=date(2026, 12, 1))
    hub.notion.user_add("Weekly report", due=date(2026, 12, 1))
    run = hub.sync()
    assert run.plan.writes == [] and len(hub.notion.live()) == 1 and len(hub.trello.live()) == 2
    assert "2 trello and 1 notion items are titled 'weekly report'" in run.plan.problems[0]


def test_a_dry_run_writes_nothing_and_shows_what_a_run_would_do(hub):
    hub.trello.user_add("A card")
    run = hub.sync(dry_run=True)
    assert run.outcome == "dry_run" and hub.writes() == 0
    assert [(row["service"], row["action"]) for row in run.plan.rows()] == [
        ("notion", "create"),
        ("trello", "update"),
    ]
    assert hub.store.links("w", TASKS, Task) == {}
    assert hub.sync().report.created == 1


def test_a_crash_between_the_remote_create_and_the_local_commit_creates_nothing_twice(hub):
    hub.trello.user_add("Crash here")
    hub.notion.crash_after_write = 0
    with pytest.raises(Crash):
        hub.sync()
    assert len(hub.notion.live()) == 1  # the page exists; the hub's commit did not happen
    [link] = hub.store.links("w", TASKS, Task).values()
    assert link.sides["notion"].pending
    run = hub.sync()
    assert run.report.created == 0 and len(hub.notion.live()) == 1  # adopted from the read
    assert len(hub.pairs()) == 1
    # The create's audit row was lost with the crash: the adoption says the page is the hub's.
    [page_id] = hub.notion.live()
    audited = [(w.service, w.action, w.remote_id) for w in hub.store.writes("w") if w.service == "notion"]
    assert run.report.adopted == 1 and audited == [("notion", "adopt", page_id)]
    _quiet(hub)


def test_a_pending_create_the_read_missed_is_looked_up_before_creating(hub):
    hub.trello.user_add("Crash here")
    hub.notion.crash_after_write = 0
    with pytest.raises(Crash):
        hub.sync()
    # Plan from the store without reading Notion again: only find_by_link can see the page.
    read_into_store(hub.store, "w", hub.trello)
    plan = hub.plan()
    assert [step.kind for step in plan.steps] == ["recover"]
    run = apply_and_record(hub.store, "w", plan, hub._connectors(), Task)
    assert run.report.created == 0 and run.report.adopted == 1
    assert len(hub.notion.live()) == 1
    _quiet(hub)


def test_an_item_changed_between_read_and_write_is_a_recorded_failure_then_converges(hub):
    card = hub.trello.user_add("Racy")
    hub.sync()
    [page] = hub.notion.live()
    hub.trello.user_edit(card, title="Racy, renamed")
    for side in (hub.trello, hub.notion):
        read_into_store(hub.store, "w", side)
    plan = hub.plan()
    hub.notion.user_edit(page, status="Doing")  # between the read and the write
    run = apply_and_record(hub.store, "w", plan, hub._connectors(), Task)
    assert run.outcome == "partial" and "changed" in run.report.failures[0]
    hub.sync()
    [(trello, notion)] = hub.pairs()
    assert (trello.title, trello.status) == (notion.title, notion.status) == ("Racy, renamed", "Doing")
    _quiet(hub)


def test_losing_the_database_loses_no_link_and_creates_no_duplicate(hub, tmp_path):
    hub.trello.user_add("One", status="Doing")
    hub.notion.user_add("Two", status="Backlog")
    hub.sync()
    assert hub.writes() > 0
    fresh = Store.open(f"sqlite:///{tmp_path / 'new.db'}", clock=hub.clock)
    hub.store.close()
    hub.store = fresh
    before = hub.writes()
    run = hub.sync()
    assert run.report.created == 0 and hub.writes() == before  # relinked by the ids both sides carry
    assert len(hub.store.links("w", TASKS, Task)) == 2
    _quiet(hub)


def test_links_are_recorded_on_both_sides_with_their_bases(hub):
    hub.trello.user_add("Linked")
    hub.sync()
    [link] = hub.store.links("w", TASKS, Task).values()
    assert {name: side.base.title for name, side in link.sides.items()} == {
        "trello": "Linked",
        "notion": "Linked",
    }
    for name, side in link.sides.items():  # each side's version: the copy's, as the last write left it
        copy = getattr(hub, name).copies[side.remote_id]
        assert side.version == str(copy.version), name
    with hub.store.transaction() as connection:
        link_rows.drop_relation(connection, "w", TASKS)
    assert hub.store.links("w", TASKS, Task) == {}


def test_a_copy_of_a_linked_card_is_a_new_task_not_a_duplicate_of_its_original(hub):
    card = hub.trello.user_add("Original")
    hub.sync()
    hub.trello.user_add("Original (copy)", link_id=hub.trello.link_of(card))  # Trello copies the link line
    hub.sync()
    assert len(hub.pairs()) == 2
    links = {hub.trello.link_of(rid) for rid in hub.trello.live()}
    assert len(links) == 2
    _quiet(hub)


def test_the_audit_log_says_what_was_written_and_why(hub):
    card = hub.trello.user_add("Audited", status="Backlog")
    hub.sync()
    hub.trello.user_edit(card, status="Doing")
    hub.sync()
    last = hub.store.writes("w")[-1]
    assert (last.service, last.action, last.fields) == ("notion", "update", ("status",))
    assert (last.before, last.after) == ({"status": "Backlog"}, {"status": "Doing"})
    assert last.reason == "status from trello"
    runs = hub.store.runs("w")
    assert [run.outcome for run in runs] == ["ok", "ok"] and runs[-1].updated == 1


def test_a_restored_page_whose_card_was_deleted_becomes_a_new_task(hub):
    card = hub.trello.user_add("Deleted card")
    hub.sync()
    [page] = hub.notion.live()
    hub.trello.user_delete(card)
    hub.sync()
    hub.notion.user_edit(page, archived=False)
    hub.sync()
    hub.sync()
    assert [t.title for t in hub.trello.live().values()] == ["Deleted card"]
    _quiet(hub)


def test_time_moves_dues_by_the_zone_when_matching(hub):
    evening = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)  # 23:30 in Paris: still the 3rd there
    hub.trello.user_add("Late due", due=evening)
    hub.notion.user_add("Late due", due=date(2026, 12, 3))
    run = hub.sync()
    assert run.report.created == 0 and len(hub.pairs()) == 1
    assert (hub.clock.now - T0) < timedelta(hours=1)


def test_match_only_links_what_matches_and_creates_nothing(store_url):
    hub = Hub(store_url, RelationPolicy(zone=PARIS, mode="match_only"))
    due = date(2026, 12, 3)
    hub.trello.user_add("Send invoice", due=due)
    hub.notion.user_add("send invoice", due=due)
    hub.trello.user_add("Only on the board")
    hub.notion.user_add("Only in Notion")
    run = hub.sync()
    assert run.outcome == "ok" and run.report.created == 0
    assert len(hub.trello.live()) == 2 and len(hub.notion.live()) == 2
    for side in (hub.trello, hub.notion):
        linked = [task.title for rid, task in side.live().items() if side.link_of(rid) is not None]
        assert [title.lower() for title in linked] == ["send invoice"], side
    _quiet(hub)
    hub.store.close()


def test_the_guard_caps_a_mass_archive_by_count_whatever_the_share(store_url):
    """share 100%: only the count stands in the way; archiving 4 of 10 links with count=3 is refused."""
    hub = Hub(store_url, RelationPolicy(zone=PARIS, guard=ArchiveGuard(share=1.0, floor=0, count=3)))
    cards = [hub.trello.user_add(f"Task {n}") for n in range(10)]
    hub.sync()
    for card in cards[:4]:
        hub.trello.user_delete(card)
    run = hub.sync()
    assert run.outcome == "refused" and "would archive 4 of 10 linked notion items" in run.plan.refusal
    assert len(hub.notion.live()) == 10
    hub.store.close()
