"""The Trello connector's engine interface over respx: fields-only updates, the peer link attachment,
cards that left the board, list changes, and archives that have nothing to do."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import NotFound
from sync.model import Task
from tests.connectors.trello.conftest import API, BOARD, CARD_ID, action
from tests.connectors.trello.conftest import raw as fixture

OTHER_BOARD = "6650a1f0c0ffee0000b0ffff"
NOTION = "https://www.notion.so/Weekly-metrics-1f2a3b4c5d6e4f708a9b0c1d2e3f4a5b"
MOVED_ON = "https://www.notion.so/Weekly-metrics-v2-9f2a3b4c5d6e4f708a9b0c1d2e3f4a5b"


def with_board(respx_mock: respx.MockRouter) -> None:
    board = fixture("board")
    for part in ("lists", "labels", "members"):
        respx_mock.get(f"{API}/boards/{BOARD}/{part}").mock(
            return_value=httpx.Response(200, json=board[part])
        )


def the_card(**changes: Any) -> dict[str, Any]:
    return fixture("card_with_marker") | changes


def link(attachment_id: str, url: str, name: str = "Notion") -> dict[str, Any]:
    return {"id": attachment_id, "name": name, "url": url, "date": "2026-11-20T14:03:27.512Z"}


# -- update: only the asked fields ------------------------------------------------------------------


@respx.mock
@pytest.mark.parametrize(
    ("fields", "sent"),
    [
        ({"title"}, {"name"}),
        ({"description", "due"}, {"desc", "due"}),
        ({"status", "done"}, {"idList", "dueComplete"}),
        ({"project"}, {"idLabels"}),
        ({"assignees", "archived"}, {"idMembers", "closed"}),
    ],
)
def test_update_sends_only_the_parameters_of_the_asked_fields(connector, fields, sent):
    with_board(respx.mock)
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=the_card()))
    put = respx.put(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=the_card()))
    task = Task(title="Report", description="New", status="Done", done=True, project="spring launch")
    connector.update(CARD_ID, task, fields=frozenset(fields))
    body = json.loads(put.calls.last.request.content)
    assert set(body) == sent
    if "desc" in sent:
        assert body["desc"] == 'New\n\n[obm-hub]: # "obm-hub:lnk_01JD3ZK7Q9"'  # the link line stays


@respx.mock
def test_fields_trello_cannot_hold_write_nothing(connector):
    with_board(respx.mock)
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=the_card()))
    put = respx.put(f"{API}/cards/{CARD_ID}")
    written = connector.update(
        CARD_ID, Task(title="x", estimate_hours=2.0), fields=frozenset({"estimate_hours"})
    )
    assert put.call_count == 0 and written.item.title == "Prepare weekly metrics report (week 47)"


def test_an_unknown_field_is_refused_before_any_request(connector):
    with pytest.raises(ValueError, match="colour"):
        connector.update(CARD_ID, Task(title="x"), fields=frozenset({"title", "colour"}))


# -- the peer link ---------------------------------------------------------------------------------


@respx.mock
def test_a_new_peer_url_replaces_the_link_add_first_then_remove(connector):
    with_board(respx.mock)
    current = the_card(attachments=[link("a1", NOTION), link("a2", "https://example.com/brief", "Brief")])
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=current))
    calls: list[str] = []
    added = respx.post(f"{API}/cards/{CARD_ID}/attachments").mock(
        side_effect=lambda request: calls.append("add") or httpx.Response(200, json=link("a3", MOVED_ON))
    )
    respx.delete(f"{API}/cards/{CARD_ID}/attachments/a1").mock(
        side_effect=lambda request: calls.append("remove") or httpx.Response(200, json={"limits": {}})
    )
    put = respx.put(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=the_card()))
    written = connector.update(
        CARD_ID, Task(title="Report", peer_url=MOVED_ON), fields=frozenset({"title", "peer_url"})
    )
    assert calls == ["add", "remove"] and put.call_count == 1  # the PUT answers the last version
    assert json.loads(added.calls.last.request.content) == {"url": MOVED_ON, "name": "Notion"}
    assert written.item.peer_url == MOVED_ON


@respx.mock
def test_the_same_peer_url_writes_no_attachment_and_duplicates_are_cleaned(connector):
    with_board(respx.mock)
    one = the_card(attachments=[link("a1", NOTION)])
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=one))
    posted = respx.post(f"{API}/cards/{CARD_ID}/attachments")
    assert (
        connector.update(
            CARD_ID, Task(title="x", peer_url=NOTION), fields=frozenset({"peer_url"})
        ).item.peer_url
        == NOTION
    )
    assert posted.call_count == 0
    twice = the_card(attachments=[link("a1", NOTION), link("a2", NOTION)])  # an interrupted replacement
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=twice))
    removed = respx.delete(f"{API}/cards/{CARD_ID}/attachments/a1").mock(
        return_value=httpx.Response(200, json={"limits": {}})
    )
    connector.update(CARD_ID, Task(title="x", peer_url=NOTION), fields=frozenset({"peer_url"}))
    assert removed.call_count == 1 and posted.call_count == 0


# -- reading: cards that left, lists that changed --------------------------------------------------


@respx.mock
def test_a_card_moved_to_another_board_has_left_and_a_deleted_one_is_deleted(connector):
    away, gone, read_elsewhere = "6712b0c4d2a1f3e4b5c6d711", "6712b0c4d2a1f3e4b5c6d712", CARD_ID
    actions = [
        action("6740000000000000000000c4", "moveCardFromBoard", away),
        action("6740000000000000000000c3", "deleteCard", gone),
        action("6740000000000000000000c2", "commentCard", read_elsewhere),
    ]
    respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=actions))
    respx.get(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(200, json=the_card(idBoard=OTHER_BOARD))
    )
    batch = connector.fetch_changes("6740000000000000000000c0")
    assert (batch.items, batch.deleted) == ((), (gone,))
    assert set(batch.left) == {away, read_elsewhere}


EMBEDDED = the_card(
    list={"id": "6650a1f1aa00000000000004", "name": "Review", "closed": False, "pos": 65536},
    members=[{"id": "6650a1f3cc00000000000002", "username": "sophiemartin"}],
)


@respx.mock
def test_a_card_moved_away_and_back_has_changed(connector):
    actions = [
        action("6740000000000000000000d2", "moveCardToBoard", CARD_ID),
        action("6740000000000000000000d1", "moveCardFromBoard", CARD_ID),
    ]
    respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=actions))
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=EMBEDDED))
    batch = connector.fetch_changes("6740000000000000000000d0")
    assert [r.remote_id for r in batch.items] == [CARD_ID] and batch.left == ()


@respx.mock
def test_a_renamed_list_rereads_its_cards_with_the_board(connector):
    board = fixture("board")
    renamed = [dict(item, name="Waiting") if item["name"] == "Review" else item for item in board["lists"]]
    update_list = {
        "id": "6740000000000000000000e1",
        "type": "updateList",
        "date": "2026-11-25T09:00:00.000Z",
        "data": {"list": {"id": "6650a1f1aa00000000000004", "name": "Waiting"}, "old": {"name": "Review"}},
    }
    respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=[update_list]))
    lists = respx.get(f"{API}/boards/{BOARD}/lists").mock(return_value=httpx.Response(200, json=renamed))
    for part in ("labels", "members"):
        respx.get(f"{API}/boards/{BOARD}/{part}").mock(return_value=httpx.Response(200, json=board[part]))
    cards = [the_card(), fixture("card_no_due")]  # only the first is in the renamed list
    respx.get(f"{API}/boards/{BOARD}/cards/all").mock(return_value=httpx.Response(200, json=cards))
    batch = connector.fetch_changes("6740000000000000000000e0")
    assert [(r.remote_id, r.item.status) for r in batch.items] == [(CARD_ID, "Waiting")]
    assert lists.call_count == 1 and batch.cursor == "6740000000000000000000e1"


# -- writes to cards that are not there ------------------------------------------------------------


@respx.mock
@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, text="The requested resource was not found."),
        httpx.Response(200, json=fixture("card_with_marker") | {"idBoard": OTHER_BOARD}),
        httpx.Response(200, json=fixture("card_with_marker") | {"closed": True}),
    ],
    ids=["gone", "left", "archived"],
)
def test_archive_of_a_card_gone_left_or_archived_does_nothing(connector, answer):
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=answer)
    put = respx.put(f"{API}/cards/{CARD_ID}")
    connector.archive(CARD_ID, if_version="2020-01-01T00:00:00.000Z")  # no Conflict either
    assert put.call_count == 0


@respx.mock
def test_update_of_a_card_that_left_the_board_is_not_found(connector):
    respx.get(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(200, json=the_card(idBoard=OTHER_BOARD))
    )
    put = respx.put(f"{API}/cards/{CARD_ID}")
    with pytest.raises(NotFound, match="left the board"):
        connector.update(CARD_ID, Task(title="x"))
    assert put.call_count == 0


# -- marking a card matched at first contact -------------------------------------------------------


@respx.mock
def test_a_new_link_id_rewrites_only_the_link_line_under_their_text(connector):
    with_board(respx.mock)
    unlinked = the_card(desc="Numbers from Stripe and Kajabi.")
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=unlinked))
    put = respx.put(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=the_card()))
    connector.update(
        CARD_ID, Task(title="ignored", description="ignored"), fields=frozenset(), link_id="lnk-new"
    )
    assert json.loads(put.calls.last.request.content) == {
        "desc": 'Numbers from Stripe and Kajabi.\n\n[obm-hub]: # "obm-hub:lnk-new"'
    }


@respx.mock
def test_the_link_id_the_card_already_carries_writes_nothing(connector):
    with_board(respx.mock)
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=the_card()))
    put = respx.put(f"{API}/cards/{CARD_ID}")
    written = connector.update(CARD_ID, Task(title="x"), fields=frozenset(), link_id="lnk_01JD3ZK7Q9")
    assert put.call_count == 0 and written.link_id == "lnk_01JD3ZK7Q9"


@respx.mock
def test_a_changed_card_that_answers_404_is_read_again_and_never_counted_deleted(connector):
    """A 404 with no deleteCard action is not a deletion (issue 9: a 404 is re-checked before it counts):
    the card is read twice, then skipped (kept as last read) until an action says what happened."""
    actions = [action("6740000000000000000000f1", "updateCard", CARD_ID)]
    respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=actions))
    missing = respx.get(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(404, text="The requested resource was not found.")
    )
    batch = connector.fetch_changes("6740000000000000000000f0")
    assert (batch.items, batch.deleted, batch.left, batch.skipped) == ((), (), (), (CARD_ID,))
    assert missing.call_count == 2


@respx.mock
def test_a_404_that_clears_on_the_second_read_is_the_card(connector):
    actions = [action("6740000000000000000000f2", "updateCard", CARD_ID)]
    respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=actions))
    respx.get(f"{API}/cards/{CARD_ID}").mock(
        side_effect=[
            httpx.Response(404, text="The requested resource was not found."),
            httpx.Response(200, json=EMBEDDED),
        ]
    )
    batch = connector.fetch_changes("6740000000000000000000f1")
    assert [r.remote_id for r in batch.items] == [CARD_ID] and batch.deleted == batch.skipped == ()
