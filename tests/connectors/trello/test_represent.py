"""`represent()`: a task as Trello would hold it after a write and a read, rule by rule, and checked
against a real write-then-read through the mapping for generated tasks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.trello.mapping import card_to_remote, task_to_card
from connectors.trello.represent import represent
from sync.model import Task
from tests.connectors.trello.conftest import apply

PARIS_WINTER = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 17:00 in Paris


def test_what_trello_cannot_hold_is_dropped(mapping):
    task = Task(title="Plan retreat", estimate_hours=3.0, tracked_hours=1.5, status="Backlog")
    held = represent(task, mapping)
    assert (held.estimate_hours, held.tracked_hours) == (None, None)


def test_a_date_only_due_is_five_pm_in_the_workspace_zone_and_instants_keep_milliseconds(mapping):
    assert represent(Task(title="x", due=date(2026, 12, 1)), mapping).due == PARIS_WINTER
    precise = datetime(2026, 12, 1, 9, 15, 30, 123456, tzinfo=UTC)
    assert represent(Task(title="x", due=precise), mapping).due == precise.replace(microsecond=123000)


def test_labels_gain_the_projects_label_and_the_project_is_read_from_labels(mapping):
    held = represent(Task(title="x", labels=frozenset({"Urgent"}), project="spring launch"), mapping)
    assert held.labels == {"Urgent", "Marketing"} and held.project == "spring launch"
    no_label = represent(Task(title="x", project="a project with no label"), mapping)
    assert no_label.project is None


def test_only_people_trello_knows_are_assignees(mapping, board):
    task = Task(title="x", assignees=frozenset({"lea@brightpath.coach", "marcus@brightpath.coach", "x@y.z"}))
    assert represent(task, mapping).assignees == {"lea@brightpath.coach", "marcus@brightpath.coach"}
    assert represent(task, mapping, board).assignees == {"lea@brightpath.coach"}  # Marcus is not on it


@pytest.mark.parametrize(("rule", "done"), [("status", False), ("status_or_due_complete", True)])
def test_done_follows_the_workspaces_rule(mapping, rule, done):
    open_but_done = Task(title="x", status="In progress", done=True)
    assert represent(open_but_done, replace(mapping, done_rule=rule)).done is done
    assert represent(Task(title="x", status="Done"), replace(mapping, done_rule=rule)).done is True


def test_statuses_land_in_lists(mapping, board):
    assert represent(Task(title="x", status="In review"), mapping, board).status == "In review"
    assert represent(Task(title="x", status="Blocked"), mapping, board).status == "Blocked"  # no list
    assert represent(Task(title="x"), mapping, board).status == "Backlog"  # a new card: the first list
    assert represent(Task(title="x"), mapping).status is None  # board unknown


def test_the_copys_own_fields_are_unknown_until_it_exists(mapping):
    task = Task(
        title="x",
        url="https://www.notion.so/x",
        peer_url="https://trello.com/c/abc",
        refs=frozenset({"#3"}),
        edited_at=PARIS_WINTER,
    )
    held = represent(task, mapping)
    assert (held.url, held.refs, held.edited_at, held.peer_url) == (None, frozenset(), None, task.peer_url)


STATUSES = st.sampled_from(["Backlog", "This week", "In progress", "In review", "Done"])
PEOPLE = ["camille@brightpath.coach", "sophie@brightpath.coach", "lea@brightpath.coach", "x@example.com"]
DUES = st.one_of(
    st.none(),
    st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
)
TASKS = st.builds(
    Task,
    title=st.text(min_size=1, max_size=30),
    description=st.text(max_size=60),
    status=STATUSES,
    done=st.booleans(),
    due=DUES,
    assignees=st.frozensets(st.sampled_from(PEOPLE)),
    labels=st.frozensets(st.sampled_from(["Client", "Marketing", "Urgent"])),
    estimate_hours=st.one_of(st.none(), st.floats(0, 40)),
    project=st.sampled_from([None, "spring launch", "operations", "signature coaching program"]),
)


@settings(max_examples=150, deadline=None)
@given(task=TASKS, rule=st.sampled_from(["status", "status_or_due_complete"]))
def test_represent_predicts_a_write_and_a_read(task, rule, board, mapping):
    rules = replace(mapping, done_rule=rule)
    payload = task_to_card(task, board, rules, link_id="lnk-p")
    read = card_to_remote(apply(payload, board, "6712b0c4d2a1f3e4b5c6d7ff"), board, rules).item
    assert read.content_hash() == represent(task, rules, board).content_hash()
    assert represent(read, rules, board).content_hash() == read.content_hash()  # a fixpoint
