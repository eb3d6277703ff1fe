"""The Trello emulator's API: official response shapes, filters, fields, errors, and the action log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from sandbox import Sandbox
from sandbox.trello.emulator import API_KEY, TOKEN
from sandbox.trello.seed import seed_store
from sandbox.trello.store import id_time, object_id
from tests.conftest import FIXED_NOW_ISO
from tests.contract.spec import load_spec

BOARD = "6650a1f0c0ffee0000b0a4d1"
UNKNOWN = "6650a1f0000000000000beef"


def client(sandbox: Sandbox) -> httpx.Client:
    header = f'OAuth oauth_consumer_key="{API_KEY}", oauth_token="{TOKEN}"'
    return httpx.Client(base_url=sandbox.base_url("trello"), headers={"Authorization": header}, timeout=5)


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One board for the tests that only read (or are refused): starting a sandbox costs ~0.3 s."""
    with Sandbox(
        now=datetime.fromisoformat(FIXED_NOW_ISO), services=("trello",), rate_limits=False
    ) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def reader(shared) -> Iterator[httpx.Client]:
    with client(shared) as api:
        yield api


@pytest.fixture
def sandbox(sandbox_factory) -> Sandbox:
    return sandbox_factory(services=("trello",), rate_limits=False)


@pytest.fixture
def api(sandbox) -> Iterator[httpx.Client]:
    with client(sandbox) as api:
        yield api


@pytest.fixture
def store(sandbox):
    return sandbox.emulators["trello"].store


def some_card(store, list_name: str = "Doing") -> str:
    list_id = next(i for i, item in store.lists.items() if item["name"] == list_name)
    return next(c["id"] for c in store.cards.values() if c["idList"] == list_id and not c["closed"])


def conforms(response: httpx.Response) -> list[str]:
    request = response.request
    return load_spec("trello").check_response(
        request.method, str(request.url), response.status_code, response.json()
    )


def test_every_endpoint_answers_in_the_official_shape(api, store):
    card_id = some_card(store)
    list_id, label_id = next(iter(store.lists)), next(iter(store.labels))
    responses = [
        api.get(f"/boards/{BOARD}/lists"),
        api.get(f"/boards/{BOARD}/lists", params={"fields": "name,pos", "filter": "all"}),
        api.get(f"/boards/{BOARD}/labels"),
        api.get(f"/boards/{BOARD}/members"),
        api.get(f"/boards/{BOARD}/cards"),
        api.get(f"/boards/{BOARD}/cards/all"),
        api.get(f"/boards/{BOARD}/actions"),
        api.get(f"/boards/{BOARD}/actions", params={"filter": "createCard", "limit": 1000}),
        api.get(f"/cards/{card_id}"),
        api.get(f"/cards/{card_id}", params={"fields": "name,due", "list": "true", "members": "true"}),
        api.post("/cards", json={"idList": list_id, "name": "New", "idLabels": [label_id], "due": None}),
        api.put(f"/cards/{card_id}", json={"name": "Renamed", "closed": True}),
        api.post(f"/boards/{BOARD}/labels", json={"name": "Podcast", "color": "lime"}),
        api.delete(f"/cards/{card_id}"),
    ]
    for response in responses:
        assert response.status_code == 200, (response.request.url, response.text)
        assert conforms(response) == [], response.request.url


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/cards", 54),
        ("/cards/all", 60),
        ("/cards/open", 54),
        ("/cards/visible", 54),
        ("/cards/closed", 6),
        ("/cards/complete", 19),
        ("/cards/incomplete", 41),
        ("/cards/none", 0),
    ],
)
def test_board_card_filters(reader, path, count):
    assert len(reader.get(f"/boards/{BOARD}{path}").json()) == count


def test_cards_come_in_list_then_position_order(reader, shared):
    store = shared.emulators["trello"].store
    cards = reader.get(f"/boards/{BOARD}/cards/all").json()
    order = [(store.lists[c["idList"]]["pos"], c["pos"]) for c in cards]
    assert order == sorted(order)


def test_fields_are_honoured(reader, shared):
    api = reader
    card_id = some_card(shared.emulators["trello"].store)
    assert set(api.get(f"/cards/{card_id}", params={"fields": "name,due"}).json()) == {"id", "name", "due"}
    embedded = api.get(
        f"/cards/{card_id}", params={"fields": "idList", "list": "true", "members": "true"}
    ).json()
    assert embedded["list"]["id"] == embedded["idList"] and embedded["list"]["name"] == "Doing"
    assert {"id", "username", "fullName"} >= set(embedded["members"][0])
    cards = api.get(f"/boards/{BOARD}/cards/all", params={"fields": "name"}).json()
    assert all(set(card) == {"id", "name"} for card in cards)
    lists = api.get(f"/boards/{BOARD}/lists", params={"fields": "name"}).json()
    assert [item["name"] for item in lists] == ["Backlog", "This week", "Doing", "Review", "Done"]
    assert all(set(item) == {"id", "name"} for item in lists)


def test_seed_is_deterministic_and_card_ids_embed_the_creation_time(shared):
    sandbox, store = shared, shared.emulators["trello"].store
    again = seed_store(sandbox.business)
    assert again.dump() == store.dump()
    for task in (task for task in sandbox.business.tasks if task.on_trello):
        card_id = object_id(task.created, f"card:{task.key}")
        assert id_time(card_id) == task.created.astimezone(UTC)
        assert store.cards[card_id]["name"] == task.title
    assert len(store.members) == 5 and len(store.labels) == len(sandbox.business.labels)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "text"),
    [
        ("GET", "/cards/not-an-id", None, 400, "invalid id"),
        ("GET", f"/cards/{UNKNOWN}", None, 404, "The requested resource was not found."),
        ("GET", f"/boards/{UNKNOWN}/lists", None, 404, "The requested resource was not found."),
        ("GET", f"/boards/{BOARD}/actions?limit=1001", None, 400, "invalid value for limit"),
        ("GET", f"/boards/{BOARD}/actions?limit=500&page=2", None, 400, "invalid value for page"),
        ("GET", f"/boards/{BOARD}/actions?since=yesterday", None, 400, "invalid value for since"),
        ("GET", f"/boards/{BOARD}/cards/archived", None, 400, "invalid value for filter"),
        ("POST", "/cards", {"name": "No list"}, 400, "invalid value for idList"),
        ("POST", "/cards", {"idList": UNKNOWN}, 400, "invalid value for idList"),
        ("POST", f"/boards/{BOARD}/labels", {"name": "x", "color": "mauve"}, 400, "invalid value for color"),
    ],
)
def test_errors_are_plain_text(reader, method, path, body, status, text):
    response = reader.request(method, path, json=body)
    assert (response.status_code, response.text) == (status, text)
    assert response.headers["content-type"].startswith("text/plain")


def test_invalid_write_values_are_refused(reader, shared):
    api, card_id = reader, some_card(shared.emulators["trello"].store)
    for body, name in [
        ({"due": "soon"}, "due"),
        ({"idMembers": UNKNOWN}, "idMembers"),
        ({"closed": "yes"}, "closed"),
    ]:
        response = api.put(f"/cards/{card_id}", json=body)
        assert (response.status_code, response.text) == (400, f"invalid value for {name}")


# -- the action log --------------------------------------------------------------------------------


def test_actions_are_newest_first_with_trellos_paging(reader, shared):
    api, store = reader, shared.emulators["trello"].store
    newest_first = [action["id"] for action in reversed(store.actions)]
    assert len(newest_first) == 112  # 60 createCard, 46 moves past the Backlog, 6 archivings
    assert [a["id"] for a in api.get(f"/boards/{BOARD}/actions").json()] == newest_first[:50]
    page = api.get(f"/boards/{BOARD}/actions", params={"limit": 20, "page": 2}).json()
    assert [a["id"] for a in page] == newest_first[40:60]
    since = api.get(f"/boards/{BOARD}/actions", params={"since": newest_first[10], "limit": 1000}).json()
    assert [a["id"] for a in since] == newest_first[:10]
    window = {"since": newest_first[30], "before": newest_first[20], "limit": 1000}
    assert [a["id"] for a in api.get(f"/boards/{BOARD}/actions", params=window).json()] == newest_first[21:30]
    by_date = api.get(
        f"/boards/{BOARD}/actions", params={"since": store.actions[-3]["date"], "limit": 1000}
    ).json()
    assert all(a["date"] > store.actions[-3]["date"] for a in by_date)


def test_action_filter_fields_and_member_creator(reader):
    api = reader
    created = api.get(f"/boards/{BOARD}/actions", params={"filter": "createCard", "limit": 1000}).json()
    assert len(created) == 60 and {a["type"] for a in created} == {"createCard"}
    assert created[0]["memberCreator"]["username"] == "sophiemartin"
    slim = api.get(
        f"/boards/{BOARD}/actions", params={"fields": "type,data", "memberCreator": "false"}
    ).json()
    assert all(set(action) == {"id", "type", "data"} for action in slim)


def test_writes_record_the_actions_trello_records(api, store):
    card_id = some_card(store, "This week")
    before = store.actions[-1]["id"]
    card = store.cards[card_id]
    done = next(i for i, item in store.lists.items() if item["name"] == "Done")
    urgent = next(i for i, label in store.labels.items() if label["name"] == "Urgent")
    member = next(m for m in store.members if m not in card["idMembers"])
    changes = {
        "name": "Renamed",
        "idList": done,
        "idLabels": [urgent],
        "idMembers": [*card["idMembers"], member],
    }
    old_name, old_list, old_labels = card["name"], card["idList"], list(card["idLabels"])
    assert api.put(f"/cards/{card_id}", json=changes).status_code == 200
    actions = api.get(f"/boards/{BOARD}/actions", params={"since": before}).json()
    kinds = [action["type"] for action in reversed(actions)]
    removed = [label for label in old_labels if label != urgent]
    expected = ["updateCard", "updateCard", "addMemberToCard"]
    expected += ["addLabelToCard"] * (urgent not in old_labels) + ["removeLabelFromCard"] * len(removed)
    assert kinds == expected
    rename, move = actions[-1]["data"], actions[-2]["data"]
    assert rename["old"] == {"name": old_name} and rename["card"]["name"] == "Renamed"
    assert move["old"] == {"idList": old_list} and move["listAfter"] == {"id": done, "name": "Done"}
    assert move["listBefore"]["name"] == "This week" and move["card"]["idList"] == done
    assert api.get(f"/cards/{card_id}").json()["dateLastActivity"] == actions[0]["date"]
    assert api.put(f"/cards/{card_id}", json={"name": "Renamed"}).status_code == 200
    assert store.actions[-1]["id"] == actions[0]["id"]  # no change, no action


def test_create_and_delete_are_logged(api, store):
    list_id = next(iter(store.lists))
    card = api.post("/cards", params={"idList": list_id}, data={"name": "Form body", "idLabels": ""}).json()
    assert (card["name"], card["idList"], card["idShort"]) == ("Form body", list_id, 61)
    assert id_time(card["id"]) <= id_time(store.actions[-1]["id"])
    assert api.delete(f"/cards/{card['id']}").json() == {"limits": {}}
    created, deleted = store.actions[-2:]
    assert (created["type"], created["data"]["list"]["id"]) == ("createCard", list_id)
    assert (deleted["type"], deleted["data"]["card"]["id"]) == ("deleteCard", card["id"])
    assert api.get(f"/cards/{card['id']}").status_code == 404
