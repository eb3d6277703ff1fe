"""A Hypothesis state machine over the tasks relation: people create, edit, archive, delete and move
tasks on both sides while syncs run, some of them killed between any two writes. After a final quiet
sync:
- every live copy is linked to exactly one live copy on the other side (nothing duplicated, nothing
  left behind), except pages whose card left the board (unlinked, by policy);
- linked copies agree field by field under the mapping;
- each field holds the value of the latest edit made to it on either copy, unless a conflict on that
  field was recorded (then the policy's winner stands);
- a further sync writes nothing.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import defaultdict
from datetime import UTC, date, datetime, time
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sync.engine import apply_and_record, plan_tasks, read_into_store
from sync.merge import SideView
from sync.model import Task
from sync.policy import TASKS, RelationPolicy
from sync.store import Store
from tests.sync.conftest import machine_settings
from tests.sync.fakes import PARIS, Crash, FakeTasks, TickingClock, assert_no_task_twice

STATUSES = ("Backlog", "Doing", "Review", "Done")
FIELDS = ("title", "description", "status", "due", "labels")
DUES = (None, date(2026, 12, 1), date(2026, 12, 4), datetime(2026, 12, 2, 15, 30, tzinfo=UTC))


class TasksRelation(RuleBasedStateMachine):
    # With "create_only" nothing is matched by title: a create repeated after a crash would show as a
    # duplicate instead of being matched away.
    mode = "match_then_create"

    def __init__(self) -> None:
        super().__init__()
        self.clock = TickingClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
        self.sides = {
            "trello": FakeTasks("trello", self.clock, holds_estimate=False, date_only_due_time=time(17)),
            "notion": FakeTasks("notion", self.clock, minute_edits=True),
        }
        self.folder = tempfile.TemporaryDirectory()
        self.store = Store.open(f"sqlite:///{Path(self.folder.name) / 'hub.db'}", clock=self.clock)
        self.policy = RelationPolicy(zone=PARIS, allow_mass_archive=True, mode=self.mode)
        self.serial = 0
        # (side, remote id) -> field -> (edit time, value): what people last did to each field.
        self.edits: dict[tuple[str, str], dict[str, tuple[datetime, object]]] = defaultdict(dict)

    def teardown(self) -> None:
        try:
            self.check_converged()
        finally:
            self.store.close()
            self.folder.cleanup()

    # -- people --------------------------------------------------------------------------------

    @rule(
        side=st.sampled_from(["trello", "notion"]),
        status=st.sampled_from(STATUSES),
        due=st.sampled_from(DUES),
    )
    def create(self, side: str, status: str, due: date | datetime | None) -> None:
        self.serial += 1
        # `project` is never edited here: it names the task's origin, so a duplicate shows as two live
        # copies of one origin on a side, whatever happened to their titles and links.
        remote_id = self.sides[side].user_add(
            f"Task {self.serial}", status=status, due=due, project=f"origin-{self.serial}"
        )
        task = self.sides[side].copies[remote_id].task
        for name in FIELDS:
            self.edits[(side, remote_id)][name] = (task.edited_at, getattr(task, name))

    @precondition(lambda self: any(self._live(side) for side in self.sides))
    @rule(data=st.data(), name=st.sampled_from(FIELDS))
    def edit(self, data: st.DataObject, name: str) -> None:
        side, remote_id = data.draw(st.sampled_from(self._all_live()))
        value = data.draw(_values(name))
        unchanged = getattr(self.sides[side].copies[remote_id].task, name) == value
        self.sides[side].user_edit(remote_id, **{name: value})
        if unchanged:  # setting a field to the value it holds is no edit: the engine rightly sees none
            return
        task = self.sides[side].copies[remote_id].task
        self.edits[(side, remote_id)][name] = (task.edited_at, getattr(task, name))

    @precondition(lambda self: any(self._live(side) for side in self.sides))
    @rule(data=st.data())
    def archive(self, data: st.DataObject) -> None:
        side, remote_id = data.draw(st.sampled_from(self._all_live()))
        self.sides[side].user_edit(remote_id, archived=True)

    @precondition(lambda self: any(self._live(side) for side in self.sides))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        side, remote_id = data.draw(st.sampled_from(self._all_live()))
        self.sides[side].user_delete(remote_id)

    @precondition(lambda self: bool(self._live("trello")))
    @rule(data=st.data())
    def move_card_away(self, data: st.DataObject) -> None:
        remote_id = data.draw(st.sampled_from(sorted(self._live("trello"))))
        self.sides["trello"].user_move_out(remote_id)

    # -- the hub -------------------------------------------------------------------------------

    @rule()
    def sync(self) -> None:
        self._sync()

    @rule(side=st.sampled_from(["trello", "notion"]), after=st.integers(0, 6))
    def sync_killed_mid_apply(self, side: str, after: int) -> None:
        self.sides[side].crash_after_write = after
        with contextlib.suppress(Crash):  # the process died; the next sync starts from the store
            self._sync()
        self.sides[side].crash_after_write = None

    def _sync(self):
        for connector in self.sides.values():
            read_into_store(self.store, "w", connector, allow_empty=True)
        plan = plan_tasks(self.store, "w", (self.sides["trello"], self.sides["notion"]), self.policy)
        return apply_and_record(self.store, "w", plan, self.sides, Task)

    # -- what must hold ------------------------------------------------------------------------

    @invariant()
    def nothing_is_duplicated(self) -> None:
        assert_no_task_twice(self.sides)

    def check_converged(self) -> None:
        # Two syncs: the first finishes what killed runs left; the second must have nothing to do.
        self._sync()
        self._sync()
        before = {name: len(side.writes) for name, side in self.sides.items()}
        run = self._sync()
        assert run.plan.steps == (), run.plan.rows()
        assert {name: len(side.writes) for name, side in self.sides.items()} == before
        self._check_pairs()

    def _check_pairs(self) -> None:
        links = self.store.links("w", TASKS, Task)
        unlinked = {link_id for link_id, link in links.items() if link.state == "unlinked"}
        by_link = {name: {side.link_of(rid): rid for rid in side.live()} for name, side in self.sides.items()}
        trello, notion = by_link["trello"], by_link["notion"]
        for name, carried in by_link.items():
            assert None not in carried, f"a live {name} copy carries no link id"
        assert set(trello) <= set(notion), set(trello) - set(notion)
        assert set(notion) - set(trello) <= unlinked, set(notion) - set(trello) - unlinked
        conflicts = {(c.link_id, c.field) for c in self.store.conflicts("w")}
        for link_id in set(trello) & set(notion):
            self._check_pair(link_id, trello[link_id], notion[link_id], conflicts)

    def _check_pair(self, link_id: str, card: str, page: str, conflicts: set[tuple[str, str]]) -> None:
        views = {
            name: SideView(name, side.copies[rid].task, None, side.represent)
            for (name, side), rid in zip(self.sides.items(), (card, page), strict=True)
        }
        for name in FIELDS:
            a, b = views["trello"], views["notion"]
            assert a.holds(name, getattr(b.current, name)) or b.holds(name, getattr(a.current, name)), (
                link_id,
                name,
                getattr(a.current, name),
                getattr(b.current, name),
            )
            latest = max(
                (
                    self.edits[key][name]
                    for key in (("trello", card), ("notion", page))
                    if name in self.edits[key]
                ),
                default=None,
                key=lambda edit: edit[0],
            )
            if latest is None or (link_id, name) in conflicts:
                continue
            assert a.holds(name, latest[1]) or b.holds(name, latest[1]), (link_id, name, latest, a.current)

    # -- helpers -------------------------------------------------------------------------------

    def _live(self, side: str) -> dict[str, Task]:
        return self.sides[side].live()

    def _all_live(self) -> list[tuple[str, str]]:
        return sorted((side, rid) for side in self.sides for rid in self._live(side))


def _values(name: str) -> st.SearchStrategy[object]:
    if name == "title":
        return st.sampled_from(["Renamed", "Draft", "Call client", "Invoice"]).map(lambda t: f"{t}")
    if name == "description":
        return st.sampled_from(["", "Notes", "**Bold** and a [link](https://example.com)"])
    if name == "status":
        return st.sampled_from(STATUSES)
    if name == "due":
        return st.sampled_from(DUES)
    return st.frozensets(st.sampled_from(["Client", "Admin", "Urgent"]), max_size=2)


class CreateOnly(TasksRelation):
    mode = "create_only"


SETTINGS = machine_settings(30)


class TestMatchThenCreate(TasksRelation.TestCase):  # type: ignore[name-defined]
    settings = SETTINGS


class TestCreateOnly(CreateOnly.TestCase):  # type: ignore[name-defined]
    settings = SETTINGS
