"""What the sync engine relies on, against the Trello emulator over real HTTP: cards that left the
board, list changes, comments, the peer link attachment, fields-only updates, find_by_link, the done
rule and represent(). Request counts come from the emulator's log."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from config.settings import HubSettings
from connectors.errors import NotFound
from connectors.trello import TrelloConnector
from sync.model import Task
from tests.conftest import fast_options
from tests.connectors.trello.test_e2e import SNAPSHOT, make_connector, requests

NOTION = "https://www.notion.so/Send-invoice-1f2a3b4c5d6e4f708a9b0c1d2e3f4a5b"
MOVED_ON = "https://www.notion.so/Send-invoice-9f2a3b4c5d6e4f708a9b0c1d2e3f4a5b"


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("trello",), rate_limits=False)


@pytest.fixture
def connector(sandbox) -> Iterator[TrelloConnector]:
    with make_connector(sandbox) as connector:
        yield connector


@pytest.fixture
def someone(sandbox) -> Iterator[httpx.Client]:
    from sandbox.trello.emulator import API_KEY, TOKEN

    params = {"key": API_KEY, "token": TOKEN}
    with httpx.Client(base_url=sandbox.base_url("trello"), params=params, timeout=5) as client:
        yield client


def someday(sandbox) -> str:
    board = sandbox.business.workspace.trello.board_id
    return next(b for b in sandbox.emulators["trello"].store.boards if b != board)


def attachments(sandbox, card_id: str) -> list[tuple[str, str]]:
    return [(a["name"], a["url"]) for a in sandbox.emulators["trello"].store.cards[card_id]["attachments"]]


# -- reading ---------------------------------------------------------------------------------------


def test_a_card_moved_to_another_board_left_and_one_moved_back_changed(sandbox, connector, someone):
    snapshot = connector.fetch_changes(None)
    away, back = (r.remote_id for r in snapshot.items[:2])
    for card_id in (away, back):
        assert someone.put(f"/cards/{card_id}", json={"idBoard": someday(sandbox)}).status_code == 200
    board = sandbox.business.workspace.trello.board_id
    assert someone.put(f"/cards/{back}", json={"idBoard": board}).status_code == 200
    requests(sandbox)
    batch = connector.fetch_changes(snapshot.cursor)
    assert (batch.left, batch.deleted) == ((away,), ())
    assert [r.remote_id for r in batch.items] == [back]
    assert requests(sandbox) == [("GET", "/boards/{boardId}/actions"), ("GET", "/cards/{id}")]
    assert away not in {r.remote_id for r in connector.fetch_changes(None).items}


def test_a_renamed_list_changes_the_status_of_every_card_in_it(sandbox, connector, someone):
    snapshot = connector.fetch_changes(None)
    review = next(
        i
        for i, item in sandbox.emulators["trello"].store.lists.items()
        if item["name"] == "Review" and item["idBoard"] == sandbox.business.workspace.trello.board_id
    )
    someone.put(f"/lists/{review}", json={"name": "Client review"})
    requests(sandbox)
    batch = connector.fetch_changes(snapshot.cursor)
    assert len(batch.items) == 7 and {r.item.status for r in batch.items} == {"Client review"}
    assert requests(sandbox) == [("GET", "/boards/{boardId}/actions"), *SNAPSHOT[1:]]


def test_a_comment_refreshes_the_version_so_the_next_update_is_no_conflict(sandbox, connector, someone):
    snapshot = connector.fetch_changes(None)
    remote = next(r for r in snapshot.items if not r.item.archived)
    someone.post(f"/cards/{remote.remote_id}/actions/comments", json={"text": "Client replied by email"})
    (read,) = connector.fetch_changes(snapshot.cursor).items
    assert read.version != remote.version and read.item.content_hash() == remote.item.content_hash()
    connector.update(
        read.remote_id, read.item.model_copy(update={"title": "Replied"}), if_version=read.version
    )


def test_snapshot_items_carry_refs_edit_times_and_represent_to_themselves(sandbox, connector):
    batch = connector.fetch_changes(None)
    store = sandbox.emulators["trello"].store
    for remote in batch.items:
        card = store.cards[remote.remote_id]
        assert remote.item.refs == {f"#{card['idShort']}", card["shortLink"], remote.url}
        assert remote.item.edited_at.isoformat(timespec="milliseconds")[:23] == card["dateLastActivity"][:23]
        assert connector.represent(remote.item).content_hash() == remote.item.content_hash()


# -- the peer link ---------------------------------------------------------------------------------


def test_the_peer_url_is_one_notion_attachment_read_with_the_cards(sandbox, connector):
    cursor = connector.fetch_changes(None).cursor
    requests(sandbox)
    created = connector.create(Task(title="Send invoice", peer_url=NOTION), link_id="lnk-peer")
    assert created.item.peer_url == NOTION and attachments(sandbox, created.remote_id) == [("Notion", NOTION)]
    assert requests(sandbox) == [
        ("POST", "/cards"),
        ("POST", "/cards/{id}/attachments"),
        ("GET", "/cards/{id}"),
    ]
    assert created.version == sandbox.emulators["trello"].store.cards[created.remote_id]["dateLastActivity"]

    moved = connector.update(created.remote_id, created.item.model_copy(update={"peer_url": MOVED_ON}))
    assert moved.item.peer_url == MOVED_ON and attachments(sandbox, created.remote_id) == [
        ("Notion", MOVED_ON)
    ]
    assert requests(sandbox) == [
        ("GET", "/cards/{id}"),
        ("POST", "/cards/{id}/attachments"),
        ("DELETE", "/cards/{id}/attachments/{idAttachment}"),
        ("PUT", "/cards/{id}"),
    ]
    connector.update(created.remote_id, moved.item, if_version=moved.version)  # nothing new: no attachment
    assert ("POST", "/cards/{id}/attachments") not in requests(sandbox)

    with make_connector(sandbox) as fresh:
        snapshot = fresh.fetch_changes(None)
        incremental = fresh.fetch_changes(cursor)
    assert next(r for r in snapshot.items if r.remote_id == created.remote_id).item.peer_url == MOVED_ON
    assert requests(sandbox)[: len(SNAPSHOT)] == SNAPSHOT  # no request per card
    assert [r.item.peer_url for r in incremental.items] == [MOVED_ON]


def test_dropping_the_peer_url_removes_the_link(sandbox, connector):
    created = connector.create(Task(title="Send invoice", peer_url=NOTION), link_id="lnk-drop")
    unlinked = connector.update(created.remote_id, created.item.model_copy(update={"peer_url": None}))
    assert unlinked.item.peer_url is None and attachments(sandbox, created.remote_id) == []


# -- writing ---------------------------------------------------------------------------------------


def test_an_update_of_one_field_changes_only_that_field_on_the_board(sandbox, connector):
    snapshot = connector.fetch_changes(None)
    remote = next(r for r in snapshot.items if r.item.status == "In progress" and r.item.due is not None)
    before = sandbox.emulators["trello"].store.actions[-1]["id"]
    # Everything differs, but only the title is asked for.
    other = Task(title="Renamed only", status="Done", done=True, archived=True, labels=frozenset({"Finance"}))
    written = connector.update(remote.remote_id, other, fields=frozenset({"title"}))
    logged = [a for a in sandbox.emulators["trello"].store.actions if a["id"] > before]
    assert [(a["type"], list(a["data"].get("old", {}))) for a in logged] == [("updateCard", ["name"])]
    assert written.item == remote.item.model_copy(
        update={"title": "Renamed only", "edited_at": written.item.edited_at}
    )


def test_find_by_link_returns_every_card_carrying_the_link_live_archived_or_copied(
    sandbox, connector, someone
):
    connector.fetch_changes(None)
    created = connector.create(Task(title="Book venue", status="This week"), link_id="lnk-find")
    card = sandbox.emulators["trello"].store.cards[created.remote_id]
    copy = someone.post("/cards", json={"idList": card["idList"], "idCardSource": created.remote_id}).json()
    connector.archive(created.remote_id)
    requests(sandbox)
    found = connector.find_by_link("lnk-find")
    assert {r.remote_id for r in found} == {created.remote_id, copy["id"]}
    assert {r.link_id for r in found} == {"lnk-find"} and any(r.item.archived for r in found)
    assert requests(sandbox) == [("GET", "/boards/{id}/cards/{filter}")]
    assert connector.find_by_link("lnk-nowhere") == []


def test_a_card_that_left_the_board_is_not_written(sandbox, connector, someone):
    snapshot = connector.fetch_changes(None)
    remote = next(r for r in snapshot.items if not r.item.archived)
    someone.put(f"/cards/{remote.remote_id}", json={"idBoard": someday(sandbox)})
    requests(sandbox)
    with pytest.raises(NotFound, match="left the board"):
        connector.update(remote.remote_id, remote.item.model_copy(update={"title": "Ours"}))
    connector.archive(remote.remote_id)
    assert requests(sandbox) == [("GET", "/cards/{id}"), ("GET", "/cards/{id}")]
    assert sandbox.emulators["trello"].store.cards[remote.remote_id]["closed"] is False


@pytest.mark.parametrize(("rule", "done"), [("status", False), ("status_or_due_complete", True)])
def test_a_ticked_due_date_is_done_only_under_its_rule(sandbox, someone, rule, done):
    workspace = sandbox.business.workspace.model_copy(update={"done_rule": rule})
    settings = sandbox.settings(HubSettings()).trello
    with TrelloConnector.from_settings(settings, workspace, fast_options()) as connector:
        snapshot = connector.fetch_changes(None)
        remote = next(r for r in snapshot.items if r.item.status == "In progress" and r.item.due is not None)
        someone.put(f"/cards/{remote.remote_id}", json={"dueComplete": True})
        (read,) = connector.fetch_changes(snapshot.cursor).items
    assert (read.item.status, read.item.done) == ("In progress", done)


def test_a_card_matched_at_first_contact_is_marked_and_found_by_its_link(sandbox, connector):
    snapshot = connector.fetch_changes(None)
    remote = next(r for r in snapshot.items if r.item.description and not r.item.archived)
    requests(sandbox)
    marked = connector.update(
        remote.remote_id,
        remote.item,
        fields=frozenset({"peer_url"}),
        link_id="lnk-first",
        if_version=remote.version,
    )
    assert marked.link_id == "lnk-first" and marked.item.description == remote.item.description
    assert requests(sandbox) == [("GET", "/cards/{id}"), ("PUT", "/cards/{id}")]  # no peer URL: no attachment
    assert [r.remote_id for r in connector.find_by_link("lnk-first")] == [remote.remote_id]
