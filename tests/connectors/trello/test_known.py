"""An incremental read told what the store holds (`known`) over respx: the hub's own writes, seen again
in the board's actions, are not read back; any action dated after the held copy's `dateLastActivity`
(a person's edit a millisecond after the hub's write) is."""

from __future__ import annotations

from typing import Any

import httpx
import respx

from sync.connector import Remote
from sync.model import Task
from tests.connectors.trello.conftest import API, BOARD, CARD_ID
from tests.connectors.trello.conftest import raw as fixture

WRITTEN = "2026-11-25T09:30:00.120Z"  # the held copy's dateLastActivity: the hub's write answer
CURSOR = "6740000000000000000000a0"


def dated(action_id: str, kind: str, card_id: str, date: str | None) -> dict[str, Any]:
    return {"id": action_id, "type": kind, "date": date, "data": {"card": {"id": card_id}}}


def held(card_id: str = CARD_ID, version: str | None = WRITTEN) -> dict[str, Remote[Task]]:
    return {card_id: Remote(card_id, version, Task(title="Prepare weekly metrics report (week 47)"))}


def mock_actions(actions: list[dict[str, Any]]) -> respx.Route:
    return respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=actions))


def mock_card() -> respx.Route:
    card = fixture("card_with_marker") | {
        "dateLastActivity": "2026-11-25T09:30:00.121Z",
        "list": {"id": "6650a1f1aa00000000000004", "name": "Review", "closed": False, "pos": 65536},
        "members": [],
    }
    return respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=card))


# The hub's update of the card: its peer link first, then the card (the answer's dateLastActivity).
ECHO = [
    dated("6740000000000000000000a2", "updateCard", CARD_ID, WRITTEN),
    dated("6740000000000000000000a1", "addAttachmentToCard", CARD_ID, "2026-11-25T09:30:00.050Z"),
]


@respx.mock
def test_the_hubs_own_write_read_back_costs_the_actions_request_only(connector):
    actions = mock_actions(ECHO)
    card = mock_card()
    batch = connector.fetch_changes(CURSOR, known=held())
    assert (batch.items, batch.deleted, batch.left, batch.skipped) == ((), (), (), ())
    assert batch.cursor == "6740000000000000000000a2"  # the cursor moves past the echo
    assert (actions.call_count, card.call_count) == (1, 0)


@respx.mock
def test_a_persons_edit_a_millisecond_after_the_hubs_write_is_read(connector):
    edit = dated("6740000000000000000000a3", "updateCard", CARD_ID, "2026-11-25T09:30:00.121Z")
    mock_actions([edit, *ECHO])
    card = mock_card()
    batch = connector.fetch_changes(CURSOR, known=held())
    assert [r.remote_id for r in batch.items] == [CARD_ID] and card.call_count == 1
    assert batch.items[0].version == "2026-11-25T09:30:00.121Z"


@respx.mock
def test_without_a_held_copy_or_a_date_the_card_is_read(connector):
    mock_actions(ECHO)
    card = mock_card()
    assert len(connector.fetch_changes(CURSOR).items) == 1  # nothing known
    assert len(connector.fetch_changes(CURSOR, known=held("6712b0c4d2a1f3e4b5c6d799")).items) == 1
    assert len(connector.fetch_changes(CURSOR, known=held(version=None)).items) == 1
    assert card.call_count == 3
    undated = [dated("6740000000000000000000a4", "commentCard", CARD_ID, None), *ECHO]
    mock_actions(undated)
    assert len(connector.fetch_changes(CURSOR, known=held()).items) == 1
    assert card.call_count == 4


@respx.mock
def test_many_echoes_cost_no_board_read(connector):
    """More own writes than CARD_READS_MAX would otherwise read the whole board (5 requests)."""
    ids = [f"6712b0c4d2a1f3e4b5c6{n:04x}" for n in range(40)]
    actions = [dated(f"6740000000000000000{n:05x}", "updateCard", i, WRITTEN) for n, i in enumerate(ids)]
    route = mock_actions(actions)
    board = respx.get(f"{API}/boards/{BOARD}/cards/all")
    known = {card_id: copy for card_id in ids for copy in held(card_id).values()}
    batch = connector.fetch_changes(CURSOR, known=known)
    assert batch.items == () and (route.call_count, board.call_count) == (1, 0)
    assert len(respx.calls) == 1
