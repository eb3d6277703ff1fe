"""Trello cards <-> canonical tasks, on real-shaped card payloads (fixtures/*.json)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from connectors.errors import BadData
from connectors.trello.mapping import (
    card_to_remote,
    card_to_task,
    format_due,
    split_link,
    task_to_card,
    with_link,
)
from sync.model import Task
from tests.connectors.trello.conftest import FIXTURES, apply, card, raw
from tests.contract.spec import load_spec

CARD_FIXTURES = sorted(path.stem for path in FIXTURES.glob("card_*.json"))


@pytest.mark.parametrize("name", CARD_FIXTURES)
def test_fixtures_are_shaped_like_the_official_card_schema(name):
    url = f"https://api.trello.com/1/cards/{raw(name)['id']}"
    assert load_spec("trello").check_response("GET", url, 200, raw(name)) == []


def test_card_without_due_date(board, mapping):
    task = card_to_task(card("card_no_due"), board, mapping)
    assert task.due is None
    assert task.title == "Renew Zoom subscription"
    assert (task.status, task.done, task.archived) == ("Backlog", False, False)
    assert task.assignees == {"sophie@brightpath.coach"}
    assert task.labels == {"Admin"} and task.project == "operations"
    assert task.estimate_hours is None


def test_archived_card_in_the_done_list(board, mapping):
    task = card_to_task(card("card_archived"), board, mapping)
    assert task.archived is True
    assert (task.status, task.done) == ("Done", True)
    assert task.due == datetime(2026, 11, 13, 16, 0, tzinfo=UTC)


def test_card_with_members_labels_and_due(board, mapping):
    remote = card_to_remote(card("card_members_labels_due"), board, mapping)
    task = remote.item
    assert task.status == "In progress" and not task.done
    assert task.due == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert task.due.tzinfo is UTC
    # The guest designer is a board member the hub does not know; the colour-only label has no name.
    assert task.assignees == {"lea@brightpath.coach", "camille@brightpath.coach"}
    assert task.labels == {"Marketing", "Urgent"}
    assert task.project == "spring launch"
    assert (remote.remote_id, remote.version) == ("6712b0c4d2a1f3e4b5c6d703", "2026-11-20T14:03:27.512Z")
    assert remote.url == task.url == "https://trello.com/c/bT5xYc9d"
    assert remote.link_id is None


def test_hub_marker_is_read_and_hidden(board, mapping):
    remote = card_to_remote(card("card_with_marker"), board, mapping)
    assert remote.link_id == "lnk_01JD3ZK7Q9"
    assert remote.item.description == "Numbers from Stripe and Kajabi."
    assert "obm-hub" not in remote.item.description
    assert remote.item.status == "In review"


def test_unicode_name_and_description_survive(board, mapping):
    task = card_to_task(card("card_unicode"), board, mapping)
    assert task.title == "Préparer la séance d’Inès — 🎯 objectifs 2027"
    assert task.description == "Notes de séance : « clarté » ✨"
    assert task.assignees == frozenset()


def test_unmapped_list_keeps_its_own_name(board, mapping):
    task = card_to_task(card("card_unmapped_list"), board, mapping)
    assert (task.status, task.done, task.project) == ("Icebox", False, None)


def test_card_in_an_archived_list_is_archived(board, mapping):
    in_closed_list = card("card_no_due").model_copy(update={"idList": "6650a1f1aa00000000000007"})
    task = card_to_task(in_closed_list, board, mapping)
    assert (task.status, task.archived) == ("Q3 leftovers", True)


@pytest.mark.parametrize(("rule", "done"), [("status", False), ("status_or_due_complete", True)])
def test_a_ticked_due_date_outside_the_done_list_is_done_only_under_its_rule(board, mapping, rule, done):
    completed = card("card_members_labels_due").model_copy(update={"dueComplete": True})
    task = card_to_task(completed, board, replace(mapping, done_rule=rule))
    assert (task.status, task.done) == ("In progress", done)


@pytest.mark.parametrize("rule", ["status", "status_or_due_complete"])
def test_the_done_list_is_done_under_either_rule_and_the_tick_mirrors_done(board, mapping, rule):
    unticked = card("card_archived").model_copy(update={"dueComplete": False})
    assert card_to_task(unticked, board, replace(mapping, done_rule=rule)).done is True
    task = Task(title="Invoice", status="Done", done=True)
    assert task_to_card(task, board, replace(mapping, done_rule=rule), link_id=None)["dueComplete"] is True


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, "no name or no list"),  # card_without_list.json
        ({"idList": "6650a1f1aa0000000000ffff"}, "list the board does not have"),
        ({"idList": "6650a1f1aa00000000000001", "due": "next tuesday"}, "unreadable due date"),
        ({"idList": "6650a1f1aa00000000000001", "due": "2026-11-26T16:00:00"}, "without a time zone"),
    ],
)
def test_unreadable_cards_are_bad_data(board, mapping, changes, reason):
    broken = card("card_without_list").model_copy(update=changes)
    with pytest.raises(BadData, match=reason):
        card_to_task(broken, board, mapping)


# -- the link line ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "description", ["", "One line", "Two\n\nparagraphs", "Ends with a newline\n", "  indented\n\n\n"]
)
def test_link_line_round_trip(description):
    desc = with_link(description, "lnk-42")
    assert desc.splitlines()[-1] == '[obm-hub]: # "obm-hub:lnk-42"'
    assert split_link(desc) == (description, "lnk-42")


def test_text_written_below_the_link_line_is_kept():
    desc = 'Notes\n\n[obm-hub]: # "obm-hub:lnk-1"\nAdded later in Trello'
    assert split_link(desc) == ("Notes\n\nAdded later in Trello", "lnk-1")


def test_description_without_link_line_is_untouched():
    text = "See [the brief][1].\n\n[1]: https://example.com"
    assert split_link(text) == (text, None)


# -- task -> card ----------------------------------------------------------------------------------


def test_payload_names_ids_and_keeps_the_link(board, mapping):
    task = Task(
        title="Draft launch email #4",
        description="Third email.",
        status="In review",
        due=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        assignees=frozenset({"lea@brightpath.coach", "marcus@brightpath.coach"}),  # Marcus: not a member
        labels=frozenset({"Urgent"}),
        project="spring launch",
    )
    payload = task_to_card(task, board, mapping, link_id="lnk-9")
    assert payload == {
        "name": "Draft launch email #4",
        "desc": 'Third email.\n\n[obm-hub]: # "obm-hub:lnk-9"',
        "idList": "6650a1f1aa00000000000004",
        "idLabels": "6650a1f2bb00000000000002,6650a1f2bb00000000000004",
        "idMembers": "6650a1f3cc00000000000003",
        "due": "2026-12-01T10:00:00.000Z",
        "dueComplete": False,
        "closed": False,
    }


def test_status_without_a_list_keeps_the_current_list_or_takes_the_first(board, mapping):
    task = Task(title="Someday", status="Parked", due=None)
    assert task_to_card(task, board, mapping, link_id=None, current_list="x")["idList"] == "x"
    assert task_to_card(task, board, mapping, link_id=None)["idList"] == "6650a1f1aa00000000000001"


def test_a_label_the_board_lacks_is_bad_data(board, mapping):
    with pytest.raises(BadData, match="no label named 'Brand new'"):
        task_to_card(Task(title="x", labels=frozenset({"Brand new"})), board, mapping, link_id=None)


def test_date_only_due_is_the_end_of_the_working_day_in_the_workspace_zone(mapping):
    assert format_due(date(2026, 12, 1), mapping.timezone) == "2026-12-01T16:00:00.000Z"  # 17:00 Paris
    assert format_due(date(2026, 7, 1), mapping.timezone) == "2026-07-01T15:00:00.000Z"  # summer time
    assert format_due(None, mapping.timezone) is None


@pytest.mark.parametrize(
    "task",
    [
        Task(
            title="Send onboarding pack to Amélie Roux 📦",
            description="Checklist in the SOP folder.\n",
            status="This week",
            due=datetime(2026, 11, 28, 16, 0, tzinfo=UTC),
            assignees=frozenset({"sophie@brightpath.coach", "camille@brightpath.coach"}),
            labels=frozenset({"Client", "Urgent"}),
            project="signature coaching program",
            url="https://trello.com/c/Rt1pAb2c",
        ),
        Task(
            title="Reconcile invoices",
            status="Done",
            done=True,
            archived=True,
            url="https://trello.com/c/Rt1pAb2c",
        ),
        Task(title="Backlog idea", status="Backlog", url="https://trello.com/c/Rt1pAb2c"),
    ],
)
def test_round_trip_task_payload_card_task(task, board, mapping):
    payload = task_to_card(task, board, mapping, link_id="lnk-rt")
    remote = card_to_remote(apply(payload, board, "6712b0c4d2a1f3e4b5c6d7ff"), board, mapping)
    about_the_copy = {"refs": frozenset({task.url}), "edited_at": datetime(2026, 11, 25, 9, 30, tzinfo=UTC)}
    assert remote.item == task.model_copy(update=about_the_copy)
    assert remote.item.content_hash() == task.content_hash()
    assert remote.link_id == "lnk-rt"
