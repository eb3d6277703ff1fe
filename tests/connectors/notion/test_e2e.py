"""The Notion connector against the sandbox emulator over real HTTP, with both clocks pinned.

Request counts come from the emulator's log (server side), exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from config.settings import HubSettings
from connectors.errors import Conflict
from connectors.notion.connector import NotionConnector
from sandbox.notion.store import stable_id
from sync.model import Task
from tests.conftest import fast_options

QUERY = ("POST", "/data_sources/{data_source_id}/query")
PROPERTY = ("GET", "/pages/{page_id}/properties/{property_id}")


@dataclass
class Clock:
    """One pinned time for the emulator (page edit times) and the connector (its read start)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def at(self, hh: int, mm: int, ss: int = 0) -> datetime:
        self.now = self.now.replace(hour=hh, minute=mm, second=ss)
        return self.now


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("notion",), rate_limits=False)


@pytest.fixture
def clock(sandbox) -> Clock:
    pinned = Clock(sandbox.business.now)  # 2026-11-25T09:30:00Z
    sandbox.emulators["notion"].clock = pinned
    return pinned


@pytest.fixture
def connector(sandbox, clock) -> Iterator[NotionConnector]:
    settings = sandbox.settings(HubSettings()).notion
    notion = NotionConnector.from_settings(settings, sandbox.business.workspace, options=fast_options())
    notion.clock = clock
    yield notion
    notion.close()


@pytest.fixture
def raw(sandbox) -> Iterator[httpx.Client]:
    """Another client of the workspace: someone editing in the Notion UI."""
    headers = {"Authorization": "Bearer sandbox-notion-token", "Notion-Version": "2025-09-03"}
    with httpx.Client(base_url=sandbox.base_url("notion"), headers=headers, timeout=5) as client:
        yield client


def counts(sandbox) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for entry in sandbox.log.entries("notion"):
        found[(entry.method, entry.path)] = found.get((entry.method, entry.path), 0) + 1
    return found


def notion_tasks(sandbox) -> list[Any]:
    return [task for task in sandbox.business.tasks if task.on_notion]


def set_estimate(raw: httpx.Client, page_id: str, hours: float) -> dict[str, Any]:
    response = raw.patch(f"/pages/{page_id}", json={"properties": {"Estimate (h)": {"number": hours}}})
    assert response.status_code == 200, response.text
    return response.json()


def test_resolution_then_a_full_snapshot_of_every_notion_task(sandbox, connector):
    batch = connector.fetch_changes(None)
    expected = notion_tasks(sandbox)
    assert batch.full and not batch.skipped
    assert {r.remote_id for r in batch.items} == {stable_id("page", t.key) for t in expected}
    assert len(batch.items) == len(expected) == 23  # the demo business, seed 2026, pinned `now`
    assert counts(sandbox) == {
        ("GET", "/databases/{database_id}"): 1,  # the database's only data source
        ("GET", "/data_sources/{data_source_id}"): 1,  # its schema
        # the projects, the live and the trashed tasks, and the projects again: the annual review
        # relates to 26 past cohorts the index had not seen (in the trash: remembered as no project)
        QUERY: 4,
        PROPERTY: 1,  # the annual review's 27 related pages: the page object shows 25
    }
    connector.fetch_changes(batch.cursor)
    assert counts(sandbox)[QUERY] == 6  # resolved once: the next read is its two queries only


def test_the_notion_copies_hold_the_business_with_its_notion_side_differences(sandbox, connector):
    items = {r.remote_id: r.item for r in connector.fetch_changes(None).items}
    differing = [t for t in notion_tasks(sandbox) if t.notion_differences]
    assert len(differing) >= 3
    for task in notion_tasks(sandbox):
        item = items[stable_id("page", task.key)]
        expected = {
            "title": task.title,
            "status": task.status,
            "estimate_hours": task.estimate_hours,
            "due": task.due,
        }
        expected.update(task.notion_differences)
        if expected["due"] is not None:
            due = expected["due"]
            expected["due"] = due.date() if task.due_date_only else due.astimezone(UTC)
        actual = {
            "title": item.title,
            "status": item.status,
            "estimate_hours": item.estimate_hours,
            "due": item.due,
        }
        assert actual == expected, task.key
        assert item.labels == set(task.labels) and item.assignees == set(task.assignees)
        assert item.project == task.project.casefold() and item.archived is False


def changed(batch, earlier):
    """What an incremental read returned that differs from the earlier read: a read looks back from
    its cursor (Notion's query index lags), so the pages edited last before it come again, unchanged."""
    versions = {r.remote_id: r.version for r in earlier.items}
    return [r for r in batch.items if versions.get(r.remote_id) != r.version]


def test_an_edit_in_the_same_minute_as_the_previous_read_is_not_lost(sandbox, connector, clock, raw):
    clock.at(9, 31, 10)
    first = connector.fetch_changes(None)
    # The cursor is the newest edit the read saw, on Notion's clock (the seeded data's last edit).
    assert first.cursor == max(r.item.edited_at for r in first.items).isoformat()
    page_id = first.items[0].remote_id
    clock.at(9, 31, 40)
    edited = set_estimate(raw, page_id, 7.5)
    assert edited["last_edited_time"] == "2026-11-25T09:31:00.000Z"  # before the cursor: rounded down
    clock.at(9, 33)
    batch = connector.fetch_changes(first.cursor)
    read = {r.remote_id: r.item.estimate_hours for r in batch.items}
    assert read[page_id] == 7.5  # the pages around the previous cursor are read again: harmless
    assert batch.cursor == "2026-11-25T09:31:00+00:00" and not batch.full


def test_update_then_the_next_read_returns_the_page(sandbox, connector, clock):
    first = connector.fetch_changes(None)
    remote = first.items[3]
    clock.at(9, 45, 20)
    changed = remote.item.model_copy(
        update={"status": "In review", "labels": frozenset({"Urgent", "Client"})}
    )
    written = connector.update(remote.remote_id, changed, if_version=remote.version)
    assert written.item.model_copy(update={"edited_at": None}) == changed.model_copy(
        update={"edited_at": None}
    )
    assert written.version != remote.version and written.item.edited_at == datetime(
        2026, 11, 25, 9, 45, tzinfo=UTC
    )
    clock.at(9, 46)
    batch = connector.fetch_changes(first.cursor)
    read = {r.remote_id: r for r in batch.items}
    assert read[remote.remote_id].version == written.version
    assert len(read) <= 2  # with the page edited last before the cursor, read again (lookback)


def test_create_carries_the_hub_id_and_long_text_survives(sandbox, connector, clock, raw):
    before = connector.fetch_changes(None)
    clock.at(10, 2, 30)
    task = Task(
        title="Draft the 2027 launch plan 🚀",
        description=("Goals, offers, dates. " * 150).strip(),  # 3,299 characters: two segments
        status="This week",
        due=datetime(2026, 12, 4, 16, 0, tzinfo=UTC),
        assignees=frozenset({"sophie@brightpath.coach"}),
        labels=frozenset({"Marketing", "Planning"}),  # a new multi-select option: Notion adds it
        estimate_hours=3.0,
        project="spring launch",
    )
    created = connector.create(task, link_id="lnk_e2e_001")
    copy = created.item.model_copy(update={"url": None, "edited_at": None})
    assert created.link_id == "lnk_e2e_001" and copy == task.model_copy(update={"estimate_hours": None})
    page = raw.get(f"/pages/{created.remote_id}").json()
    assert page["properties"]["Hub ID"]["rich_text"][0]["plain_text"] == "lnk_e2e_001"
    assert len(page["properties"]["Description"]["rich_text"]) == 2
    assert page["last_edited_time"] == "2026-11-25T10:02:00.000Z"
    clock.at(10, 3)
    batch = connector.fetch_changes(before.cursor)
    [new] = changed(batch, before)
    assert (new.remote_id, new.link_id) == (created.remote_id, "lnk_e2e_001")
    assert new.item.description == task.description


def test_a_page_is_found_by_its_link_after_a_create_without_an_answer(sandbox, connector):
    created = connector.create(Task(title="Order the retreat banners"), link_id="lnk_lost_answer")
    sandbox.log.clear()
    assert [r.remote_id for r in connector.find_by_link("lnk_lost_answer")] == [created.remote_id]
    assert connector.find_by_link("lnk_never_written") == []
    assert counts(sandbox) == {QUERY: 4}


def test_an_archive_is_seen_by_the_next_read(sandbox, connector, clock):
    first = connector.fetch_changes(None)
    remote = first.items[5]
    clock.at(9, 50)
    connector.archive(remote.remote_id, if_version=remote.version)
    batch = connector.fetch_changes(first.cursor)
    assert [(r.remote_id, r.item.archived) for r in changed(batch, first)] == [(remote.remote_id, True)]
    full = {r.remote_id: r.item.archived for r in connector.fetch_changes(None).items}
    assert full[remote.remote_id] is True and len(full) == len(first.items)


def test_someone_elses_edit_in_the_same_minute_is_a_conflict(sandbox, connector, clock, raw):
    remote = connector.fetch_changes(None).items[1]
    clock.at(9, 40, 5)
    mine = connector.update(remote.remote_id, remote.item.model_copy(update={"estimate_hours": 5.0}))
    clock.at(9, 40, 50)
    set_estimate(raw, remote.remote_id, 6.0)  # the same minute: last_edited_time does not move
    patches = counts(sandbox)[("PATCH", "/pages/{page_id}")]
    with pytest.raises(Conflict):
        connector.update(
            remote.remote_id, mine.item.model_copy(update={"title": "Mine"}), if_version=mine.version
        )
    assert counts(sandbox)[("PATCH", "/pages/{page_id}")] == patches  # nothing written
    assert raw.get(f"/pages/{remote.remote_id}").json()["properties"]["Estimate (h)"]["number"] == 6.0


def test_a_small_page_size_walks_every_page_of_the_query(sandbox, connector):
    connector.page_size = 10
    connector.fetch_changes(None)
    tasks = len(notion_tasks(sandbox))
    # projects (1) + live tasks (3 pages of 10) + trashed tasks (1 empty page) + projects again (1)
    assert counts(sandbox)[QUERY] == 1 + math.ceil(tasks / 10) + 1 + 1


def test_the_cursor_is_notions_clock_so_a_hub_clock_running_ahead_skips_nothing(
    sandbox, connector, clock, raw
):
    connector.clock = lambda: clock.now + timedelta(hours=1)  # the hub's clock is an hour fast
    first = connector.fetch_changes(None)
    page_id = first.items[0].remote_id
    clock.at(9, 40)
    set_estimate(raw, page_id, 6.0)
    batch = connector.fetch_changes(first.cursor)
    assert {r.remote_id: r.item.estimate_hours for r in batch.items}[page_id] == 6.0
