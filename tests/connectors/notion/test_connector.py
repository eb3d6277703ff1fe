"""The connector's own logic over respx: data source resolution, the incremental query, dedupe, the
re-read-and-compare preconditions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx
from pydantic import SecretStr

from config.errors import ConfigError
from config.hub_file import NotionDatabase
from config.settings import NotionSettings
from connectors.directory import Directory
from connectors.errors import BadData, Conflict
from connectors.notion.connector import NotionConnector
from connectors.notion.mapping import page_to_remote
from connectors.notion.models import NotionPage
from sync.connector import Remote
from sync.model import Task
from tests.connectors.notion.conftest import BASE, DS, load

DB = "c37a2c66-e3aa-4a0d-a447-73de3b80c253"
PROJECTS = "9b1e2c44-7d0a-4c55-8f3e-2a6b9d0c1e77"
MULTI = "206ffaa2-7774-4a99-baf5-93e28730240c"
TRASHED = "9d3e5f70-2b4c-4d6e-8f80-1b2c3d4e5f60"
READ_AT = datetime(2026, 11, 25, 9, 31, 10, tzinfo=UTC)


@pytest.fixture
def connector(client, workspace):
    config = NotionDatabase(database_id=DB)
    notion = NotionConnector(
        client,
        config,
        Directory.from_workspace(workspace),
        zone=ZoneInfo("Europe/Paris"),
        clock=lambda: READ_AT,
    )
    return notion


def mock_resolution() -> None:
    respx.get(f"{BASE}/databases/{DB}").mock(
        return_value=httpx.Response(200, json=load("retrieve_database.json"))
    )
    respx.get(f"{BASE}/data_sources/{DS}").mock(
        return_value=httpx.Response(200, json=load("retrieve_data_source.json"))
    )
    respx.post(f"{BASE}/data_sources/{PROJECTS}/query").mock(
        return_value=httpx.Response(200, json=load("query_projects.json"))
    )


def mock_tasks(live: dict[str, Any], trashed: dict[str, Any]) -> respx.Route:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=trashed if json.loads(request.content).get("in_trash") else live)

    return respx.post(f"{BASE}/data_sources/{DS}/query").mock(side_effect=answer)


@respx.mock
def test_several_data_sources_and_none_configured_is_a_configuration_error_naming_them(connector):
    database = load("retrieve_database.json")
    database["data_sources"].append({"id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "name": "Archive 2025"})
    respx.get(f"{BASE}/databases/{DB}").mock(return_value=httpx.Response(200, json=database))
    with pytest.raises(ConfigError) as caught:
        connector.fetch_changes(None)
    message = str(caught.value)
    assert "notion.data_source_id" in message
    assert f"'Tasks' ({DS})" in message and "'Archive 2025' (0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f)" in message


@respx.mock
def test_a_configured_data_source_skips_the_database_lookup(client, workspace):
    config = NotionDatabase(database_id=DB, data_source_id=DS)
    notion = NotionConnector(client, config, Directory.from_workspace(workspace), zone=ZoneInfo("UTC"))
    mock_resolution()
    mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    notion.fetch_changes(None)
    assert not any(call.request.url.path.startswith("/v1/databases") for call in respx.calls)


@respx.mock
def test_a_full_read_lists_live_then_trashed_pages(connector):
    mock_resolution()
    route = mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    batch = connector.fetch_changes(None)
    newest = max(remote.item.edited_at for remote in batch.items)
    # The cursor is Notion's clock (the newest edit the read saw), never the hub's.
    assert batch.full and batch.cursor == newest.isoformat() != READ_AT.isoformat() and batch.skipped == []
    assert len(batch.items) == 5 and [r.item.archived for r in batch.items][-1] is True
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert bodies == [{"page_size": 100}, {"page_size": 100, "in_trash": True}]  # no filter: everything


@respx.mock
def test_an_incremental_read_overlaps_the_minute_rounding_and_sorts_by_edit_time(connector):
    mock_resolution()
    route = mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    batch = connector.fetch_changes("2026-11-25T09:30:40+00:00")
    # The fixtures' edits are older than the cursor: it does not move backwards.
    assert not batch.full and batch.cursor == "2026-11-25T09:30:40+00:00"
    live, trashed = (json.loads(call.request.content) for call in route.calls)
    # 09:30:40 minus the 2-minute lookback is 09:28:40; last_edited_time is rounded down: from 09:28:00
    assert live["filter"] == {
        "timestamp": "last_edited_time",
        "last_edited_time": {"on_or_after": "2026-11-25T09:28:00.000Z"},
    }
    assert live["sorts"] == [{"timestamp": "last_edited_time", "direction": "ascending"}]
    assert trashed == {**live, "in_trash": True}


@respx.mock
def test_a_page_trashed_between_the_two_queries_is_returned_once_as_archived(connector):
    mock_resolution()
    live = load("query_tasks.json")
    trashed = load("query_tasks_in_trash.json")
    moved = next(page for page in live["results"] if page["id"] == MULTI)
    trashed["results"].append({**moved, "in_trash": True, "archived": True})
    mock_tasks(live, trashed)
    batch = connector.fetch_changes("2026-11-25T09:00:00+00:00")
    copies = [r for r in batch.items if r.remote_id == MULTI]
    assert len(copies) == 1 and copies[0].item.archived


@respx.mock
def test_an_unreadable_cursor_means_a_full_read(connector):
    mock_resolution()
    route = mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    assert connector.fetch_changes("yesterday-ish").full
    assert "filter" not in json.loads(route.calls[0].request.content)


@respx.mock
def test_update_with_a_stale_version_raises_conflict_and_writes_nothing(connector):
    mock_resolution()
    page = next(p for p in load("query_tasks.json")["results"] if p["id"] == MULTI)
    respx.get(f"{BASE}/pages/{MULTI}").mock(return_value=httpx.Response(200, json=page))
    patch = respx.patch(f"{BASE}/pages/{MULTI}").mock(return_value=httpx.Response(200, json=page))
    stamp = page["last_edited_time"]
    current = _remote_of(connector, page)
    with pytest.raises(Conflict):  # edited a minute later
        connector.update(
            MULTI, current.item, if_version="2026-11-24T16:40:00.000Z#" + current.version.split("#")[1]
        )
    with pytest.raises(Conflict):  # same minute, other content: the hash tells
        connector.update(MULTI, current.item, if_version=f"{stamp}#0000000000000000")
    assert patch.call_count == 0
    connector.update(MULTI, current.item, if_version=current.version)
    assert patch.call_count == 0  # the page holds every field already: nothing to send
    renamed = current.item.model_copy(update={"title": "Renamed"})
    connector.update(MULTI, renamed, if_version=current.version)
    body = json.loads(patch.calls.last.request.content)  # only what changed, keyed by property id
    assert body == {"properties": {"title": {"title": [{"type": "text", "text": {"content": "Renamed"}}]}}}


@respx.mock
def test_archive_of_a_page_already_in_the_trash_sends_nothing(connector):
    mock_resolution()
    page = load("query_tasks_in_trash.json")["results"][0]
    respx.get(f"{BASE}/pages/{TRASHED}").mock(return_value=httpx.Response(200, json=page))
    patch = respx.patch(f"{BASE}/pages/{TRASHED}").mock(return_value=httpx.Response(200, json=page))
    connector.archive(TRASHED, if_version=_remote_of(connector, page).version)
    assert patch.call_count == 0
    connector.archive(TRASHED)
    assert json.loads(patch.calls.last.request.content) == {"in_trash": True}


def test_from_settings_without_a_token_is_a_configuration_error(workspace):
    with pytest.raises(ConfigError, match=r"notion\.token"):
        NotionConnector.from_settings(NotionSettings(), workspace)
    connector = NotionConnector.from_settings(
        NotionSettings(token=SecretStr("ntn_x"), version="2026-03-11"), workspace
    )
    assert connector.client.core.headers["Notion-Version"] == "2026-03-11"
    connector.close()


def _remote_of(connector: NotionConnector, page: dict[str, Any]) -> Remote[Task]:
    return page_to_remote(NotionPage.model_validate(page), connector.context)


# -- what a page object leaves out, and what is not a page ----------------------------------------

EMPTY = "11f2b80c-db82-4282-bb14-a1536c592708"
COACHING = "860753bb-6d1f-48de-9621-1fa6e0e31f82"
PROPERTY = f"{BASE}/pages/{EMPTY}/properties/pr%7Cj"


def _listing(results: list[dict[str, Any]], cursor: str | None = None) -> dict[str, Any]:
    return {"object": "list", "results": results, "next_cursor": cursor, "has_more": cursor is not None,
            "type": "page_or_data_source", "page_or_data_source": {}}  # fmt: skip


def _items(kind: str, values: list[Any], cursor: str | None) -> dict[str, Any]:
    return {
        "object": "list",
        "results": [{"object": "property_item", "id": "pr%7Cj", "type": kind, kind: v} for v in values],
        "next_cursor": cursor,
        "has_more": cursor is not None,
        "type": "property_item",
        "property_item": {"id": "pr%7Cj", "next_url": None, "type": kind, kind: {}},
    }


@respx.mock
def test_results_that_are_not_pages_are_skipped_not_read_as_untitled_tasks(connector):
    mock_resolution()
    live = load("query_tasks.json")
    source = load("retrieve_data_source.json")  # a wiki lists the data sources inside it too
    live["results"].insert(1, {**source, "id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"})
    mock_tasks(live, load("query_tasks_in_trash.json"))
    batch = connector.fetch_changes(None)
    assert len(batch.items) == 5 and not batch.skipped
    assert "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f" not in {r.remote_id for r in batch.items}
    assert all(r.item.title for r in batch.items)


@respx.mock
def test_a_relation_with_more_than_25_pages_is_read_whole_through_the_property_item_endpoint(connector):
    mock_resolution()
    others = [f"0000{n:04d}-0000-4000-8000-000000000000" for n in range(30)]
    live = load("query_tasks.json")
    page = next(p for p in live["results"] if p["id"] == EMPTY)
    shown = [{"id": i} for i in others[:25]]
    page["properties"]["Project"] = {"id": "pr%7Cj", "type": "relation", "relation": shown, "has_more": True}
    mock_tasks(live, load("query_tasks_in_trash.json"))
    related = [{"id": i} for i in others] + [{"id": COACHING}]
    walk = respx.get(PROPERTY).mock(
        side_effect=lambda request: httpx.Response(
            200,
            json=_items("relation", related[:20], "c-2")
            if "start_cursor" not in request.url.params
            else _items("relation", related[20:], None),
        )
    )
    batch = connector.fetch_changes(None)
    task = next(r.item for r in batch.items if r.remote_id == EMPTY)
    assert task.project == "signature coaching program"  # the 31st related page: not in the first 25
    assert walk.call_count == 2 and walk.calls[1].request.url.params["start_cursor"] == "c-2"


@respx.mock
def test_a_description_with_25_page_mentions_is_read_whole(connector):
    mock_resolution()
    mention = {"type": "mention", "mention": {"type": "page", "page": {"id": COACHING}}, "annotations": {},
               "plain_text": "Signature Coaching Program", "href": None}  # fmt: skip
    live = load("query_tasks.json")
    page = next(p for p in live["results"] if p["id"] == EMPTY)
    page["properties"]["Description"] = {"id": "flUp", "type": "rich_text", "rich_text": [mention] * 25}
    mock_tasks(live, load("query_tasks_in_trash.json"))
    respx.get(f"{BASE}/pages/{EMPTY}/properties/flUp").mock(
        return_value=httpx.Response(200, json=_items("rich_text", [mention] * 27, None))
    )
    task = next(r.item for r in connector.fetch_changes(None).items if r.remote_id == EMPTY)
    assert task.description.count("notion-mention:page/") == 27


@respx.mock
def test_a_page_returned_twice_in_one_walk_is_returned_once_as_last_seen(connector):
    mock_resolution()
    pages = load("query_tasks.json")["results"]
    again = {**pages[0], "last_edited_time": "2026-11-25T09:32:00.000Z"}
    walk = [_listing(pages[:2], "c-1"), _listing([pages[2], again, pages[3]])]
    respx.post(f"{BASE}/data_sources/{DS}/query").mock(
        side_effect=lambda request: httpx.Response(
            200,
            json=load("query_tasks_in_trash.json")
            if json.loads(request.content).get("in_trash")
            else walk[1 if json.loads(request.content).get("start_cursor") else 0],
        )
    )
    batch = connector.fetch_changes("2026-11-25T09:30:00+00:00")
    copies = [r for r in batch.items if r.remote_id == pages[0]["id"]]
    assert len(copies) == 1 and copies[0].version.startswith("2026-11-25T09:32:00.000Z")


# -- the memo, and what happens when it is stale --------------------------------------------------


@respx.mock
def test_a_memo_from_a_previous_run_spares_the_resolution(client, workspace):
    memo: dict[str, str] = {}
    first = NotionConnector(client, NotionDatabase(database_id=DB), Directory.from_workspace(workspace),
                            zone=ZoneInfo("UTC"), memo=memo)  # fmt: skip
    mock_resolution()
    queries = mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    cursor = first.fetch_changes(None).cursor
    assert set(memo) == {"notion.data_source_id", "notion.schema", "notion.projects"}
    before, queried = len(respx.calls), queries.call_count
    second = NotionConnector(client, NotionDatabase(database_id=DB), Directory.from_workspace(workspace),
                             zone=ZoneInfo("UTC"), memo=memo)  # fmt: skip
    batch = second.fetch_changes(cursor)
    assert len(respx.calls) - before == queries.call_count - queried == 2  # the live and trashed queries only
    assert next(r.item for r in batch.items if r.remote_id == MULTI).project == "signature coaching program"


@respx.mock
def test_a_property_that_disappeared_drops_the_memo_and_resolves_again_once(connector):
    mock_resolution()
    mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    connector.fetch_changes(None)
    page = next(p for p in load("query_tasks.json")["results"] if p["id"] == MULTI)
    gone = {"object": "error", "status": 400, "code": "validation_error",
            "message": "swq%5C is not a property that exists."}  # fmt: skip
    patch = respx.patch(f"{BASE}/pages/{MULTI}").mock(
        side_effect=[httpx.Response(400, json=gone), httpx.Response(200, json=page)]
    )
    before = len(respx.calls)
    connector.update(MULTI, _remote_of(connector, page).item, fields=frozenset({"title"}))
    paths = [call.request.url.path for call in list(respx.calls)[before:]]
    assert patch.call_count == 2 and paths.count(f"/v1/data_sources/{DS}") == 1  # resolved again, once
    patch.side_effect = [httpx.Response(400, json=gone), httpx.Response(400, json=gone)]
    with pytest.raises(BadData):
        connector.update(MULTI, _remote_of(connector, page).item, fields=frozenset({"title"}))
    assert patch.call_count == 4  # one retry, not a loop


@respx.mock
def test_a_page_without_a_remembered_property_means_the_schema_changed(connector):
    mock_resolution()
    live = load("query_tasks.json")
    route = mock_tasks(live, load("query_tasks_in_trash.json"))
    connector.fetch_changes(None)
    for page in live["results"]:
        del page["properties"]["Estimate (h)"]  # the column was deleted in Notion
    schema = load("retrieve_data_source.json")
    del schema["properties"]["Estimate (h)"]
    respx.get(f"{BASE}/data_sources/{DS}").mock(return_value=httpx.Response(200, json=schema))
    before = route.call_count
    batch = connector.fetch_changes(None)
    assert (
        route.call_count - before == 4
    )  # the read, then again after resolving (the estimate is no longer read)
    assert connector.context.properties.estimate is None and all(
        r.item.estimate_hours is None for r in batch.items
    )


@respx.mock
def test_notions_409_conflict_error_is_a_conflict(connector):
    mock_resolution()
    mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    connector.fetch_changes(None)
    body = {"object": "error", "status": 409, "code": "conflict_error",
            "message": "Conflict occurred while saving. Please try again."}  # fmt: skip
    respx.patch(f"{BASE}/pages/{MULTI}").mock(return_value=httpx.Response(409, json=body))
    with pytest.raises(Conflict) as caught:
        connector.update(MULTI, Task(title="x"), fields=frozenset({"title"}))
    assert caught.value.code == "conflict_error"


# -- the hub's own write read back: a truncated relation it holds is not read again ---------------

BOT = "9a0f3c2e-5b1d-4e7a-8c6f-2d4b6a8c0e13"  # the integration's bot user
PERSON = "1c8f8d3b-2e4a-4f6b-8c9d-8e7f6a5b4c32"  # the fixture page's last editor
WRITTEN_AT = "2026-11-25T09:30:00.000Z"


def _truncated_page(editor: str, edited: str = WRITTEN_AT, title: str | None = None) -> dict[str, Any]:
    """The query's live pages, EMPTY relating to 30 pages and the coaching project (31st): 25 shown."""
    live = load("query_tasks.json")
    page = next(p for p in live["results"] if p["id"] == EMPTY)
    others = [f"0000{n:04d}-0000-4000-8000-000000000000" for n in range(30)]
    shown = [{"id": i} for i in others[:25]]
    page["properties"]["Project"] = {"id": "pr%7Cj", "type": "relation", "relation": shown, "has_more": True}
    page["last_edited_by"] = {"object": "user", "id": editor}
    page["last_edited_time"] = edited
    if title is not None:
        page["properties"]["Name"]["title"][0]["plain_text"] = title
        page["properties"]["Name"]["title"][0]["text"]["content"] = title
    walk = respx.get(PROPERTY).mock(
        return_value=httpx.Response(
            200, json=_items("relation", [{"id": i} for i in [*others, COACHING]], None)
        )
    )
    mock_tasks(live, load("query_tasks_in_trash.json"))
    return {"walk": walk}


@respx.mock
@pytest.mark.parametrize(
    ("editor", "edited", "title", "completed"),
    [
        (BOT, WRITTEN_AT, None, False),  # the hub's own write read back: the held relation stands
        (PERSON, WRITTEN_AT, None, True),  # a person edited it last: always read whole
        (BOT, "2026-11-25T09:31:00.000Z", None, True),  # a later write than the held copy
        (BOT, WRITTEN_AT, "Renamed in the same minute", True),  # same minute, another content
    ],
    ids=["own-write", "person", "later", "same-minute-edit"],
)
def test_a_truncated_relation_is_read_again_unless_the_page_is_the_hubs_own_write(
    connector, editor, edited, title, completed
):
    mock_resolution()
    mocks = _truncated_page(BOT)
    held = next(r for r in connector.fetch_changes(None).items if r.remote_id == EMPTY)
    assert held.item.project == "signature coaching program" and mocks["walk"].call_count == 1
    connector.resolution.memo["notion.bot_user"] = BOT  # as the answers to the hub's writes name it
    respx.reset()
    mock_resolution()
    walk = _truncated_page(editor, edited, title)["walk"]
    batch = connector.fetch_changes("2026-11-25T09:30:40+00:00", known={EMPTY: held})
    (read,) = (r for r in batch.items if r.remote_id == EMPTY)
    assert walk.call_count == (1 if completed else 0)
    assert read.item.project == "signature coaching program"  # read whole, or held: never lost
    assert read.item.title == (title or held.item.title)
    if not completed:
        assert read == held


@respx.mock
def test_without_the_bots_id_or_in_a_full_read_the_relation_is_read_whole(connector):
    mock_resolution()
    walk = _truncated_page(BOT)["walk"]
    held = next(r for r in connector.fetch_changes(None).items if r.remote_id == EMPTY)
    connector.fetch_changes("2026-11-25T09:30:40+00:00", known={EMPTY: held})  # no bot learnt yet
    connector.resolution.memo["notion.bot_user"] = BOT
    connector.fetch_changes(None)  # a snapshot is given no copies
    assert walk.call_count == 3
