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
from connectors.errors import Conflict
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
    assert batch.full and batch.cursor == READ_AT.isoformat() and batch.skipped == []
    assert len(batch.items) == 5 and [r.item.archived for r in batch.items][-1] is True
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert bodies == [{"page_size": 100}, {"page_size": 100, "in_trash": True}]  # no filter: everything


@respx.mock
def test_an_incremental_read_overlaps_the_minute_rounding_and_sorts_by_edit_time(connector):
    mock_resolution()
    route = mock_tasks(load("query_tasks.json"), load("query_tasks_in_trash.json"))
    batch = connector.fetch_changes("2026-11-25T09:30:40+00:00")
    assert not batch.full and batch.cursor == READ_AT.isoformat()  # the read's start, never later
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
