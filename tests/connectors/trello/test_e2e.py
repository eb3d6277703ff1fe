"""The Trello connector against the sandbox's Trello emulator, over real HTTP.

Request budgets are asserted from the emulator's own log: a snapshot costs 5 requests, an incremental
read 1 + one per changed card (2 in all past 25 changed cards), an update or an archive 2, a create 1
(plus 1 per label the board lacks, and 2 for a peer link: test_e2e_interface.py).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from config.settings import HubSettings
from connectors.errors import Conflict
from connectors.trello import TrelloConnector
from sandbox.business import LIST_SIZES
from sandbox.trello.emulator import API_KEY, TOKEN
from sync.model import Task
from tests.conftest import fast_options

SNAPSHOT = [
    ("GET", "/boards/{boardId}/actions"),
    ("GET", "/boards/{id}/lists"),
    ("GET", "/boards/{id}/labels"),
    ("GET", "/boards/{id}/members"),
    ("GET", "/boards/{id}/cards/{filter}"),
]


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("trello",), rate_limits=False)


@pytest.fixture
def connector(sandbox) -> Iterator[TrelloConnector]:
    with make_connector(sandbox) as connector:
        yield connector


@pytest.fixture
def someone(sandbox) -> Iterator[httpx.Client]:
    """Another Trello user, editing the board through the API with query-string credentials."""
    params = {"key": API_KEY, "token": TOKEN}
    with httpx.Client(base_url=sandbox.base_url("trello"), params=params, timeout=5) as client:
        yield client


def make_connector(sandbox) -> TrelloConnector:
    settings = sandbox.settings(HubSettings()).trello
    return TrelloConnector.from_settings(settings, sandbox.business.workspace, fast_options())


def requests(sandbox) -> list[tuple[str, str]]:
    """The requests the emulator received since the last call, and forget them."""
    seen = [(entry.method, entry.path) for entry in sandbox.log.entries("trello")]
    sandbox.log.clear()
    return seen


def newest_action(sandbox) -> str:
    return sandbox.emulators["trello"].store.actions[-1]["id"]


def test_snapshot_is_the_whole_seeded_board(sandbox, connector):
    batch = connector.fetch_changes(None)
    tasks = [remote.item for remote in batch.items]
    seeded = [task for task in sandbox.business.tasks if task.on_trello]
    assert batch.full and batch.skipped == () and batch.deleted == ()
    assert len(tasks) == len(seeded) == 60
    assert sum(task.archived for task in tasks) == 6
    statuses = Counter(task.status for task in tasks)
    assert statuses == {"Backlog": 14, "This week": 12, "In progress": 8, "In review": 7, "Done": 19}
    assert sum(LIST_SIZES.values()) == 60
    assert sum(task.done for task in tasks) == 19
    assert sum(task.due is None for task in tasks) == sum(task.due is None for task in seeded) == 8
    assert Counter(task.project for task in tasks) == Counter(t.project.casefold() for t in seeded)
    assert {task.title for task in tasks} == {task.title for task in seeded}
    assert all(remote.link_id is None and remote.url for remote in batch.items)
    assert batch.cursor == newest_action(sandbox)
    assert requests(sandbox) == SNAPSHOT


def test_update_then_incremental_read_returns_just_that_card(sandbox, connector):
    snapshot = connector.fetch_changes(None)
    remote = next(r for r in snapshot.items if r.item.status == "This week")
    requests(sandbox)
    changed = remote.item.model_copy(update={"title": "Moved to doing", "status": "In progress"})
    written = connector.update(remote.remote_id, changed, if_version=remote.version)
    assert written.item.content_hash() == changed.content_hash() and written.version != remote.version
    assert written.item.edited_at > remote.item.edited_at and written.item.refs == remote.item.refs
    assert requests(sandbox) == [("GET", "/cards/{id}"), ("PUT", "/cards/{id}")]

    batch = connector.fetch_changes(snapshot.cursor)
    assert [(r.remote_id, r.item) for r in batch.items] == [(remote.remote_id, written.item)]
    assert (batch.full, batch.deleted, batch.skipped) == (False, (), ())
    assert batch.cursor == newest_action(sandbox) != snapshot.cursor
    assert requests(sandbox) == [("GET", "/boards/{boardId}/actions"), ("GET", "/cards/{id}")]

    again = connector.fetch_changes(batch.cursor)
    assert (again.items, again.deleted, again.cursor) == ((), (), batch.cursor)
    assert requests(sandbox) == [("GET", "/boards/{boardId}/actions")]


def test_create_carries_the_link_and_a_fresh_connector_reads_it_back(sandbox, connector):
    cursor = connector.fetch_changes(None).cursor
    requests(sandbox)
    task = Task(
        title="Record launch video script 🎬",
        description="Two takes.",
        status="This week",
        assignees=frozenset({"priya@brightpath.coach"}),
        labels=frozenset({"Marketing"}),
        project="spring launch",
    )
    created = connector.create(task, link_id="lnk-e2e-1")
    assert requests(sandbox) == [("POST", "/cards")]
    stored = sandbox.emulators["trello"].store.cards[created.remote_id]
    assert stored["desc"] == 'Two takes.\n\n[obm-hub]: # "obm-hub:lnk-e2e-1"'

    with make_connector(sandbox) as fresh:
        batch = fresh.fetch_changes(cursor)
    (read,) = batch.items
    assert (read.remote_id, read.link_id, read.version) == (created.remote_id, "lnk-e2e-1", created.version)
    assert read.item == created.item and read.item.content_hash() == task.content_hash()
    card = sandbox.emulators["trello"].store.cards[created.remote_id]
    assert read.item.refs == {f"#{card['idShort']}", card["shortLink"], created.url}


def test_create_makes_the_labels_the_board_lacks(sandbox, connector):
    connector.fetch_changes(None)
    requests(sandbox)
    created = connector.create(Task(title="Pitch a podcast", labels=frozenset({"Podcast"})), link_id="lnk-2")
    assert created.item.labels == {"Podcast"}
    assert requests(sandbox) == [("POST", "/boards/{id}/labels"), ("POST", "/cards")]


def test_archive_closes_the_card(sandbox, connector):
    snapshot = connector.fetch_changes(None)
    remote = next(r for r in snapshot.items if not r.item.archived)
    requests(sandbox)
    connector.archive(remote.remote_id, if_version=remote.version)
    assert requests(sandbox) == [("GET", "/cards/{id}"), ("PUT", "/cards/{id}")]
    assert sandbox.emulators["trello"].store.cards[remote.remote_id]["closed"] is True
    (read,) = connector.fetch_changes(snapshot.cursor).items
    assert read.remote_id == remote.remote_id and read.item.archived


def test_update_after_someone_else_edited_the_card_is_a_conflict(sandbox, connector, someone):
    snapshot = connector.fetch_changes(None)
    remote = snapshot.items[0]
    assert someone.put(f"/cards/{remote.remote_id}", json={"name": "Their title"}).status_code == 200
    requests(sandbox)
    with pytest.raises(Conflict):
        connector.update(
            remote.remote_id, remote.item.model_copy(update={"title": "Ours"}), if_version=remote.version
        )
    assert requests(sandbox) == [("GET", "/cards/{id}")]
    assert sandbox.emulators["trello"].store.cards[remote.remote_id]["name"] == "Their title"


def test_many_changed_cards_are_read_with_one_board_read(sandbox, connector, someone):
    snapshot = connector.fetch_changes(None)
    open_cards = [r for r in snapshot.items if not r.item.archived][:30]
    for remote in open_cards:
        assert (
            someone.put(f"/cards/{remote.remote_id}", json={"desc": "Checked by Camille."}).status_code == 200
        )
    requests(sandbox)
    batch = connector.fetch_changes(snapshot.cursor)
    assert {r.remote_id for r in batch.items} == {r.remote_id for r in open_cards}
    assert all(r.item.description == "Checked by Camille." for r in batch.items)
    assert requests(sandbox) == [("GET", "/boards/{boardId}/actions"), ("GET", "/boards/{id}/cards/{filter}")]


def test_a_deleted_card_is_reported_deleted(sandbox, connector, someone):
    snapshot = connector.fetch_changes(None)
    gone = snapshot.items[5].remote_id
    assert someone.delete(f"/cards/{gone}").status_code == 200
    batch = connector.fetch_changes(snapshot.cursor)
    assert (batch.items, batch.deleted) == ((), (gone,))


def test_the_hubs_write_read_back_with_its_copy_known_is_not_read_but_an_edit_right_after_is(
    sandbox, connector, someone
):
    snapshot = connector.fetch_changes(None)
    first, second = [r for r in snapshot.items if r.item.status == "This week"][:2]
    written = {
        remote.remote_id: connector.update(
            remote.remote_id, remote.item.model_copy(update={"title": f"{remote.item.title} (hub)"})
        )
        for remote in (first, second)
    }
    requests(sandbox)
    batch = connector.fetch_changes(snapshot.cursor, known=written)
    assert (batch.items, batch.deleted, batch.left) == ((), (), ())
    assert batch.cursor == newest_action(sandbox) != snapshot.cursor
    assert requests(sandbox) == [("GET", "/boards/{boardId}/actions")]

    # The hub writes the first card again; someone edits it right after, in the next millisecond.
    again = connector.update(first.remote_id, written[first.remote_id].item.model_copy(update={"due": None}))
    written[first.remote_id] = again
    trello = sandbox.emulators["trello"]
    while trello.now() <= datetime.fromisoformat(again.version):  # Trello's clock, to the millisecond
        time.sleep(0.001)
    assert someone.put(f"/cards/{first.remote_id}", json={"name": "Their title"}).status_code == 200
    requests(sandbox)
    batch = connector.fetch_changes(snapshot.cursor, known=written)
    assert [(r.remote_id, r.item.title) for r in batch.items] == [(first.remote_id, "Their title")]
    assert requests(sandbox) == [("GET", "/boards/{boardId}/actions"), ("GET", "/cards/{id}")]
