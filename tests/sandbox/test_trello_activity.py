"""The Trello emulator beyond card fields: cards that change boards or are copied, comments,
checklists, link attachments and lists, each with the action real boards record, in the official
shapes (sources cited in sandbox/trello/moves.py and activity.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox import Sandbox
from sandbox.trello.emulator import API_KEY, TOKEN
from tests.contract.spec import load_spec

BOARD = "6650a1f0c0ffee0000b0a4d1"
NOTION_PAGE = "https://www.notion.so/Send-invoice-1f2a3b4c5d6e4f708a9b0c1d2e3f4a5b"


@pytest.fixture
def sandbox(sandbox_factory) -> Sandbox:
    return sandbox_factory(services=("trello",), rate_limits=False)


@pytest.fixture
def api(sandbox) -> Iterator[httpx.Client]:
    header = f'OAuth oauth_consumer_key="{API_KEY}", oauth_token="{TOKEN}"'
    with httpx.Client(
        base_url=sandbox.base_url("trello"), headers={"Authorization": header}, timeout=5
    ) as client:
        yield client


@pytest.fixture
def store(sandbox):
    return sandbox.emulators["trello"].store


def someday_board(store) -> str:
    return next(board_id for board_id in store.boards if board_id != BOARD)


def a_card(store, list_name: str = "Doing") -> dict:
    list_id = next(
        i for i, item in store.lists.items() if item["name"] == list_name and item["idBoard"] == BOARD
    )
    return next(
        c for c in store.cards.values() if c["idList"] == list_id and not c["closed"] and c["idLabels"]
    )


def actions_since(api, board: str, since: str) -> list[dict]:
    """The board's actions after `since`, oldest first."""
    found = api.get(f"/boards/{board}/actions", params={"since": since, "limit": 1000}).json()
    return list(reversed(found))


def conforms(response: httpx.Response) -> list[str]:
    request = response.request
    return load_spec("trello").check_response(
        request.method, str(request.url), response.status_code, response.json()
    )


def test_every_new_endpoint_answers_in_the_official_shape(api, store):
    card, other = a_card(store), someday_board(store)
    checklist = api.post(f"/cards/{card['id']}/checklists", json={"name": "Steps"})
    item = api.post(f"/checklists/{checklist.json()['id']}/checkItems", json={"name": "Draft"})
    attachment = api.post(f"/cards/{card['id']}/attachments", json={"url": NOTION_PAGE, "name": "Notion"})
    list_id = next(iter(store.lists))
    responses = [
        checklist,
        item,
        attachment,
        api.put(f"/cards/{card['id']}/checkItem/{item.json()['id']}", json={"state": "complete"}),
        api.get(f"/cards/{card['id']}/checklists"),
        api.get(f"/cards/{card['id']}/attachments"),
        api.post(f"/cards/{card['id']}/actions/comments", params={"text": "Sent on Monday"}),
        api.get(
            f"/boards/{BOARD}/cards/all", params={"attachments": "true", "attachment_fields": "name,url"}
        ),
        api.get(f"/cards/{card['id']}", params={"attachments": "true"}),
        api.post("/lists", json={"name": "Blocked", "idBoard": BOARD}),
        api.get(f"/lists/{list_id}"),
        api.put(f"/lists/{list_id}", json={"name": "Inbox"}),
        api.post(f"/boards/{BOARD}/lists", json={"name": "Waiting"}),
        api.post("/cards", json={"idList": list_id, "idCardSource": card["id"]}),
        api.put(f"/cards/{card['id']}", json={"idBoard": other}),
        api.delete(f"/cards/{card['id']}/attachments/{attachment.json()['id']}"),
    ]
    for response in responses:
        assert response.status_code == 200, (response.request.url, response.text)
        assert conforms(response) == [], response.request.url


# -- cards that change boards ----------------------------------------------------------------------


def test_a_card_moved_to_another_board_leaves_this_one_without_being_deleted(api, store):
    card, other = a_card(store), someday_board(store)
    before, source_list = store.actions[-1]["id"], card["idList"]
    moved = api.put(f"/cards/{card['id']}", json={"idBoard": other}).json()
    ideas = next(i for i, item in store.lists.items() if item["idBoard"] == other and item["name"] == "Ideas")
    assert (moved["idBoard"], moved["idList"], moved["idShort"]) == (other, ideas, 1)
    assert moved["id"] == card["id"] and moved["labels"] == []  # the Someday board has no labels
    here = actions_since(api, BOARD, before)
    there = actions_since(api, other, before)
    assert [a["type"] for a in here] == ["moveCardFromBoard"]
    assert here[0]["data"]["boardTarget"] == {"id": other}
    assert here[0]["data"]["list"]["id"] == source_list and here[0]["data"]["board"]["id"] == BOARD
    assert [a["type"] for a in there] == ["moveCardToBoard"]
    assert there[0]["data"]["boardSource"] == {"id": BOARD} and there[0]["data"]["list"]["id"] == ideas
    assert card["id"] not in {c["id"] for c in api.get(f"/boards/{BOARD}/cards/all").json()}
    assert card["id"] in {c["id"] for c in api.get(f"/boards/{other}/cards/all").json()}
    assert api.get(f"/cards/{card['id']}").status_code == 200
    assert all(a["type"] != "deleteCard" for a in here + there)


def test_a_move_is_checked_against_the_target_board_before_anything_changes(api, store):
    card, other = a_card(store), someday_board(store)
    here_list = card["idList"]
    elsewhere = api.post(f"/boards/{other}/labels", json={"name": "Idea", "color": "lime"}).json()["id"]
    refused = [
        ({"idBoard": "6650a1f0000000000000beef"}, "invalid value for idBoard"),
        ({"idBoard": other, "idList": here_list}, "invalid value for idList"),
        ({"idBoard": other, "idLabels": card["idLabels"]}, "invalid value for idLabels"),
        ({"idLabels": [elsewhere]}, "invalid value for idLabels"),
    ]
    for body, text in refused:
        response = api.put(f"/cards/{card['id']}", json=body)
        assert (response.status_code, response.text) == (400, text)
    assert store.cards[card["id"]]["idBoard"] == BOARD and store.cards[card["id"]]["idList"] == here_list


def test_a_copied_card_is_a_new_card_carrying_the_description_and_attachments(api, store):
    card = a_card(store)
    api.put(f"/cards/{card['id']}", json={"desc": 'Brief\n\n[obm-hub]: # "obm-hub:L1"'})
    api.post(f"/cards/{card['id']}/attachments", json={"url": NOTION_PAGE, "name": "Notion"})
    before = store.actions[-1]["id"]
    copy = api.post("/cards", json={"idList": card["idList"], "idCardSource": card["id"]}).json()
    assert copy["id"] != card["id"] and copy["desc"] == store.cards[card["id"]]["desc"]
    assert copy["idLabels"] == card["idLabels"] and copy["idShort"] == 61
    attached = api.get(f"/cards/{copy['id']}/attachments").json()
    assert [(a["name"], a["url"]) for a in attached] == [("Notion", NOTION_PAGE)]
    [action] = actions_since(api, BOARD, before)
    assert action["type"] == "copyCard" and action["data"]["card"]["id"] == copy["id"]
    assert action["data"]["cardSource"]["id"] == card["id"]
    bare = api.post(
        "/cards", json={"idList": card["idList"], "idCardSource": card["id"], "keepFromSource": "due"}
    ).json()
    assert bare["idLabels"] == [] and api.get(f"/cards/{bare['id']}/attachments").json() == []


# -- updateCard's data.old -------------------------------------------------------------------------


def test_each_changed_field_is_one_update_card_with_its_old_value(api, store):
    card = a_card(store, "This week")
    old = {name: card[name] for name in ("name", "desc", "due", "dueComplete", "closed", "idList")}
    review = next(i for i, x in store.lists.items() if x["name"] == "Review" and x["idBoard"] == BOARD)
    changes = {
        "name": "Renamed",
        "desc": "New brief",
        "due": "2026-12-01T16:00:00.000Z",
        "dueComplete": True,
        "pos": "top",
        "idList": review,
        "closed": True,
    }
    before = store.actions[-1]["id"]
    api.put(f"/cards/{card['id']}", json=changes)
    actions = actions_since(api, BOARD, before)
    olds = {name: value for a in actions for name, value in a["data"]["old"].items()}
    assert {a["type"] for a in actions} == {"updateCard"}
    assert {name: olds[name] for name in old} == old and "pos" in olds
    for action in actions:
        [name] = action["data"]["old"]
        assert action["data"]["card"][name] == store.cards[card["id"]][name]


# -- comments and checklists -----------------------------------------------------------------------


def test_a_comment_is_an_action_that_moves_the_cards_activity(api, store):
    card = a_card(store)
    response = api.post(f"/cards/{card['id']}/actions/comments", json={"text": "Client replied"})
    action = response.json()
    assert action["type"] == "commentCard" and action["data"]["text"] == "Client replied"
    assert (
        action["data"]["card"]["id"] == card["id"] and action["memberCreator"]["username"] == "sophiemartin"
    )
    read = api.get(f"/cards/{card['id']}").json()
    assert read["dateLastActivity"] == action["date"] and read["badges"]["comments"] == 1
    empty = api.post(f"/cards/{card['id']}/actions/comments", json={"text": " "})
    assert (empty.status_code, empty.text) == (400, "invalid value for text")


def test_checklists_and_check_item_states_are_logged(api, store):
    card = a_card(store)
    before = store.actions[-1]["id"]
    checklist = api.post(f"/cards/{card['id']}/checklists", json={"name": "Launch steps"}).json()
    item = api.post(f"/checklists/{checklist['id']}/checkItems", json={"name": "Book the venue"}).json()
    assert (item["state"], item["idChecklist"]) == ("incomplete", checklist["id"])
    ticked = api.put(f"/cards/{card['id']}/checkItem/{item['id']}", params={"state": "complete"}).json()
    assert ticked["state"] == "complete"
    actions = actions_since(api, BOARD, before)
    assert [a["type"] for a in actions] == ["addChecklistToCard", "updateCheckItemStateOnCard"]
    assert actions[0]["data"]["checklist"] == {"id": checklist["id"], "name": "Launch steps"}
    assert actions[1]["data"]["checkItem"] == {
        "id": item["id"],
        "name": "Book the venue",
        "state": "complete",
    }
    badges = api.get(f"/cards/{card['id']}").json()["badges"]
    assert (badges["checkItems"], badges["checkItemsChecked"]) == (1, 1)
    bad = api.put(f"/cards/{card['id']}/checkItem/{item['id']}", params={"state": "done"})
    assert (bad.status_code, bad.text) == (400, "invalid value for state")


# -- link attachments ------------------------------------------------------------------------------


def test_link_attachments_have_trellos_shape_and_actions(api, store):
    card = a_card(store)
    before = store.actions[-1]["id"]
    made = api.post(f"/cards/{card['id']}/attachments", params={"url": NOTION_PAGE, "name": "Notion"}).json()
    assert (made["isUpload"], made["bytes"], made["previews"], made["limits"]) == (False, None, [], {})
    assert (made["name"], made["url"], made["idMember"]) == ("Notion", NOTION_PAGE, store.operator)
    listed = api.get(f"/cards/{card['id']}/attachments", params={"fields": "name,url"}).json()
    assert listed == [{"id": made["id"], "name": "Notion", "url": NOTION_PAGE}]
    assert api.get(f"/cards/{card['id']}").json()["badges"]["attachments"] == 1
    gone = api.delete(f"/cards/{card['id']}/attachments/{made['id']}")
    assert gone.json() == {"limits": {}} and api.get(f"/cards/{card['id']}/attachments").json() == []
    again = api.delete(f"/cards/{card['id']}/attachments/{made['id']}")
    assert (again.status_code, again.text) == (404, "The requested resource was not found.")
    actions = actions_since(api, BOARD, before)
    assert [a["type"] for a in actions] == ["addAttachmentToCard", "deleteAttachmentFromCard"]
    assert actions[0]["data"]["attachment"] == {"id": made["id"], "name": "Notion", "url": NOTION_PAGE}


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"url": "notion.so/page"}, "invalid value for url"),
        ({"url": NOTION_PAGE, "name": "n" * 257}, "invalid value for name"),
        ({"file": "bytes", "name": "upload.pdf"}, "invalid value for file"),
    ],
)
def test_attachments_trello_refuses_are_refused(api, store, body, text):
    response = api.post(f"/cards/{a_card(store)['id']}/attachments", json=body)
    assert (response.status_code, response.text) == (400, text)


def test_board_cards_embed_attachments_as_a_nested_resource(api, store):
    card = a_card(store)
    api.post(f"/cards/{card['id']}/attachments", json={"url": NOTION_PAGE, "name": "Notion"})
    query = {"fields": "name", "attachments": "true", "attachment_fields": "name,url"}
    cards = {c["id"]: c for c in api.get(f"/boards/{BOARD}/cards/all", params=query).json()}
    assert [(a["name"], a["url"]) for a in cards[card["id"]]["attachments"]] == [("Notion", NOTION_PAGE)]
    assert set(cards[card["id"]]) == {"id", "name", "attachments"}
    assert all(c["attachments"] == [] for c in cards.values() if c["id"] != card["id"])
    plain = api.get(f"/boards/{BOARD}/cards/all").json()
    assert all("attachments" not in c for c in plain)


# -- lists ----------------------------------------------------------------------------------------


def test_lists_are_created_renamed_and_archived_with_their_actions(api, store):
    before = store.actions[-1]["id"]
    made = api.post("/lists", params={"name": "Blocked", "idBoard": BOARD, "pos": "top"}).json()
    assert (made["name"], made["idBoard"], made["closed"]) == ("Blocked", BOARD, False)
    first = min(
        item["pos"] for item in store.lists.values() if item["idBoard"] == BOARD and item["id"] != made["id"]
    )
    assert made["pos"] < first
    doing = next(i for i, item in store.lists.items() if item["name"] == "Doing" and item["idBoard"] == BOARD)
    api.put(f"/lists/{doing}", json={"name": "In progress"})
    api.put(f"/lists/{doing}", json={"closed": True})
    actions = actions_since(api, BOARD, before)
    assert [a["type"] for a in actions] == ["createList", "updateList", "updateList"]
    assert (
        actions[1]["data"]["old"] == {"name": "Doing"} and actions[1]["data"]["list"]["name"] == "In progress"
    )
    assert actions[2]["data"]["old"] == {"closed": False} and actions[2]["data"]["list"]["closed"] is True
    names = [item["name"] for item in api.get(f"/boards/{BOARD}/lists").json()]
    assert names == ["Blocked", "Backlog", "This week", "Review", "Done"]
    assert api.post("/lists", json={"name": "x", "idBoard": "6650a1f0000000000000beef"}).status_code == 400
