"""The Trello client and connector over HTTP, with respx: auth, errors, retries, paging, conflicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from config.errors import ConfigError
from config.settings import TrelloSettings
from connectors.errors import AuthError, BadData, Conflict, NotFound, RateLimited
from connectors.trello import TrelloConnector
from sandbox.business import load_workspace
from sync.model import Task
from tests.connectors.trello.conftest import API, BOARD, CARD_ID, KEY, TOKEN, action, raw

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def fixture(name: str) -> Any:
    return raw(name)


@respx.mock
def test_key_and_token_travel_in_the_oauth_header_never_in_the_url(connector):
    route = respx.get(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(200, json=fixture("card_with_marker"))
    )
    connector.client.get_card(CARD_ID)
    request = route.calls.last.request
    assert request.headers["Authorization"] == f'OAuth oauth_consumer_key="{KEY}", oauth_token="{TOKEN}"'
    assert KEY not in str(request.url) and TOKEN not in str(request.url)
    assert "key" not in request.url.params and "token" not in request.url.params
    assert request.url.params["fields"].split(",")[:3] == ["name", "desc", "closed"]


@respx.mock
def test_a_401_text_body_is_an_auth_error_without_the_secrets(connector):
    respx.get(f"{API}/boards/{BOARD}/members").mock(
        return_value=httpx.Response(401, text="invalid token", headers={"Content-Type": "text/plain"})
    )
    with pytest.raises(AuthError) as caught:
        connector.client.get_board_members(BOARD)
    assert caught.value.status == 401 and caught.value.body == "invalid token"
    assert TOKEN not in str(caught.value) and KEY not in str(caught.value)


@respx.mock
def test_a_plain_text_404_is_not_found(connector):
    respx.get(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(404, text="The requested resource was not found.")
    )
    with pytest.raises(NotFound) as caught:
        connector.client.get_card(CARD_ID)
    assert caught.value.body == "The requested resource was not found."


@respx.mock
def test_a_429_json_is_rate_limited_then_retried(connector, clock):
    limited = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    route = respx.get(f"{API}/boards/{BOARD}/labels").mock(
        side_effect=[httpx.Response(429, json=limited), httpx.Response(200, json=fixture("board")["labels"])]
    )
    labels = connector.client.get_board_labels(BOARD)
    assert [label.name for label in labels][:2] == ["Client", "Marketing"]
    assert route.call_count == 2
    assert clock.sleeps == [0.5]  # no Retry-After from Trello: the core's first backoff step


@respx.mock
def test_a_429_that_persists_surfaces_as_rate_limited_with_its_code(connector):
    limited = {"error": "API_KEY_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    route = respx.get(f"{API}/boards/{BOARD}/labels").mock(return_value=httpx.Response(429, json=limited))
    with pytest.raises(RateLimited) as caught:
        connector.client.get_board_labels(BOARD)
    assert caught.value.code == "API_KEY_LIMIT_EXCEEDED"
    assert route.call_count == 6


@respx.mock
def test_actions_are_walked_with_before_while_pages_are_full(connector):
    pages = {
        None: [
            action("6740000000000000000000a5", "updateCard", "c1"),
            action("6740000000000000000000a4", "createCard", "c2"),
        ],
        "6740000000000000000000a4": [
            action("6740000000000000000000a3", "updateCard", "c1"),
            action("6740000000000000000000a2", "deleteCard", "c3"),
        ],
        "6740000000000000000000a2": [action("6740000000000000000000a1", "createCard", "c3")],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.params["since"] == "674000000000000000000000"
        assert request.url.params["limit"] == "2"
        return httpx.Response(200, json=pages[request.url.params.get("before")])

    route = respx.get(f"{API}/boards/{BOARD}/actions").mock(side_effect=answer)
    walked = connector.client.walk_board_actions(BOARD, since="674000000000000000000000", page_size=2)
    assert [a.id[-2:] for a in walked] == ["a5", "a4", "a3", "a2", "a1"]
    assert route.call_count == 3


@respx.mock
def test_incremental_read_sorts_changed_and_deleted_cards(connector):
    actions = [
        action("6740000000000000000000b3", "deleteCard", "6712b0c4d2a1f3e4b5c6d799"),
        action("6740000000000000000000b2", "updateCard", CARD_ID),
        action("6740000000000000000000b1", "createCard", "6712b0c4d2a1f3e4b5c6d799"),
    ]
    listed = respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=actions))
    embedded = fixture("card_with_marker") | {
        "list": {"id": "6650a1f1aa00000000000004", "name": "Review", "closed": False, "pos": 65536},
        "members": [{"id": "6650a1f3cc00000000000002", "username": "sophiemartin"}],
    }
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=embedded))
    batch = connector.fetch_changes("6740000000000000000000b0")
    assert listed.calls.last.request.url.params["filter"].startswith("createCard,updateCard,deleteCard")
    assert [(r.remote_id, r.link_id, r.item.status) for r in batch.items] == [
        (CARD_ID, "lnk_01JD3ZK7Q9", "In review")
    ]
    assert batch.items[0].item.assignees == {"sophie@brightpath.coach"}
    assert batch.deleted == ("6712b0c4d2a1f3e4b5c6d799",)
    assert (batch.cursor, batch.full) == ("6740000000000000000000b3", False)


@respx.mock
def test_update_raises_conflict_when_the_card_moved_and_writes_nothing(connector):
    moved = fixture("card_with_marker") | {"dateLastActivity": "2026-11-25T09:12:44.019Z"}
    respx.get(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=moved))
    put = respx.put(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=moved))
    with pytest.raises(Conflict):
        connector.update(CARD_ID, Task(title="Mine"), if_version="2026-11-20T14:03:27.512Z")
    with pytest.raises(Conflict):
        connector.archive(CARD_ID, if_version="2026-11-20T14:03:27.512Z")
    assert put.call_count == 0


@respx.mock
def test_update_at_the_read_version_keeps_the_link_line(connector):
    respx.get(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(200, json=fixture("card_with_marker"))
    )
    board = fixture("board")
    respx.get(f"{API}/boards/{BOARD}/lists").mock(return_value=httpx.Response(200, json=board["lists"]))
    respx.get(f"{API}/boards/{BOARD}/labels").mock(return_value=httpx.Response(200, json=board["labels"]))
    respx.get(f"{API}/boards/{BOARD}/members").mock(return_value=httpx.Response(200, json=board["members"]))
    put = respx.put(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(200, json=fixture("card_with_marker"))
    )
    connector.update(
        CARD_ID, Task(title="Report", status="Done", done=True), if_version="2026-11-20T14:03:27.512Z"
    )
    body = json.loads(put.calls.last.request.content)
    assert body["desc"] == '[obm-hub]: # "obm-hub:lnk_01JD3ZK7Q9"'  # an empty description, the same link
    assert (body["idList"], body["dueComplete"], body["closed"]) == ("6650a1f1aa00000000000005", True, False)


@respx.mock
def test_a_card_list_of_the_wrong_shape_is_bad_data(connector):
    respx.get(f"{API}/boards/{BOARD}/cards/all").mock(return_value=httpx.Response(200, json={"cards": []}))
    with pytest.raises(BadData, match=r"does not match list\[TrelloCard\]: \(the body\): list_type"):
        connector.client.get_board_cards(BOARD)


@respx.mock
def test_snapshot_skips_and_lists_a_malformed_card(connector):
    board = fixture("board")
    respx.get(f"{API}/boards/{BOARD}/actions").mock(return_value=httpx.Response(200, json=[]))
    respx.get(f"{API}/boards/{BOARD}/lists").mock(return_value=httpx.Response(200, json=board["lists"]))
    respx.get(f"{API}/boards/{BOARD}/labels").mock(return_value=httpx.Response(200, json=board["labels"]))
    respx.get(f"{API}/boards/{BOARD}/members").mock(return_value=httpx.Response(200, json=board["members"]))
    cards = [fixture("card_no_due"), fixture("card_without_list"), fixture("card_unicode")]
    respx.get(f"{API}/boards/{BOARD}/cards/all").mock(return_value=httpx.Response(200, json=cards))
    batch = TrelloConnector(connector.client, BOARD, connector.mapping, clock=lambda: NOW).fetch_changes(None)
    assert batch.full and batch.skipped == ("6712b0c4d2a1f3e4b5c6d707",)
    assert [r.item.title for r in batch.items] == ["Renew Zoom subscription", cards[2]["name"]]
    assert batch.cursor == "2026-11-25T09:30:00.000Z"  # a board without actions: now


def test_missing_credentials_are_named():
    with pytest.raises(ConfigError) as caught:
        TrelloConnector.from_settings(TrelloSettings(api_key=SecretStr(KEY)), load_workspace())
    assert [p.field for p in caught.value.problems] == ["trello.token"]
    assert "OBM_HUB_TRELLO__TOKEN" in str(caught.value)


@respx.mock
def test_a_written_card_in_a_list_the_connector_has_not_seen_rereads_the_board(connector):
    board = fixture("board")
    new_list = {"id": "6650a1f1aa00000000000008", "name": "Blocked", "closed": False, "pos": 131072}
    lists = respx.get(f"{API}/boards/{BOARD}/lists").mock(
        side_effect=[
            httpx.Response(200, json=board["lists"]),
            httpx.Response(200, json=[*board["lists"], new_list]),
        ]
    )
    respx.get(f"{API}/boards/{BOARD}/labels").mock(return_value=httpx.Response(200, json=board["labels"]))
    respx.get(f"{API}/boards/{BOARD}/members").mock(return_value=httpx.Response(200, json=board["members"]))
    respx.get(f"{API}/cards/{CARD_ID}").mock(
        return_value=httpx.Response(200, json=fixture("card_with_marker"))
    )
    moved_by_automation = fixture("card_with_marker") | {"idList": new_list["id"]}
    respx.put(f"{API}/cards/{CARD_ID}").mock(return_value=httpx.Response(200, json=moved_by_automation))
    written = connector.update(CARD_ID, Task(title="Report"))
    assert written.item.status == "Blocked"
    assert lists.call_count == 2
