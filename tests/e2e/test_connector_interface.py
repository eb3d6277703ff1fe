"""One interface suite, the same for the four connectors against their emulators over real HTTP: the
rules `sync.connector` states, checked the way the engine relies on them."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from config import load_settings
from connectors.registry import connect
from sandbox.business import load_workspace
from sync.errors import ItemConflict
from sync.model import Event, Record, Task, TimeEntry
from tests.conftest import fast_options

LINK = "ifacelink0000000000000000"
START = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)

# The item each service holds, and the field an update changes.
CASES: dict[str, tuple[Record, str]] = {
    "trello": (Task(title="Interface check", status="Backlog", due=date(2026, 12, 2)), "title"),
    "notion": (Task(title="Interface check", status="Backlog", due=date(2026, 12, 2)), "title"),
    "google": (
        Event(
            title="Interface check",
            start=START,
            end=START + timedelta(hours=1),
            all_day=False,
            timezone="Europe/Paris",
        ),
        "title",
    ),
    "toggl": (
        TimeEntry(
            person="sophie@brightpath.coach",
            description="Interface check",
            start=START,
            stop=START + timedelta(hours=1),
            duration_seconds=3600,
        ),
        "description",
    ),
}


@pytest.fixture(params=sorted(CASES))
def connector(request, sandbox_factory):
    sandbox = sandbox_factory(rate_limits=False)
    settings = sandbox.settings(load_settings())
    with connect(request.param, settings, load_workspace(), fast_options()) as connector:
        yield connector


def _changed(item: Record, name: str, value: str) -> Record:
    return item.model_copy(update={name: value})


def _ids(batch) -> set[str]:
    return {remote.remote_id for remote in batch.items}


def test_the_connector_keeps_the_engines_rules(connector):
    item, name = CASES[connector.service]
    cursor = connector.fetch_changes(None).cursor
    # create: the copy carries the link id, an incremental read sees it, find_by_link finds it.
    created = connector.create(item, link_id=LINK)
    assert created.link_id == LINK
    after_create = connector.fetch_changes(cursor)
    assert created.remote_id in _ids(after_create) or after_create.full
    assert [remote.remote_id for remote in connector.find_by_link(LINK)] == [created.remote_id]
    # update, with the version the hub read; then a write with that stale version is a conflict.
    if connector.service == "toggl":
        time.sleep(1.1)  # Toggl's `at` (the version) has whole seconds
    updated = connector.update(
        created.remote_id,
        _changed(item, name, "Interface check, renamed"),
        if_version=created.version,
        fields=frozenset({name}),
    )
    assert getattr(updated.item, name) == "Interface check, renamed"
    assert updated.version != created.version
    with pytest.raises(ItemConflict):
        connector.update(
            created.remote_id,
            _changed(item, name, "stale"),
            if_version=created.version,
            fields=frozenset({name}),
        )
    after_update = connector.fetch_changes(after_create.cursor)
    seen = {remote.remote_id: remote for remote in after_update.items}
    assert getattr(seen[created.remote_id].item, name) == "Interface check, renamed"
    # represent() is what a write and a read leave: applying it twice changes nothing more.
    assert connector.represent(connector.represent(item)) == connector.represent(item)
    # archive; an incremental read shows it archived or gone; archiving it again is no error.
    connector.archive(created.remote_id)
    after_archive = connector.fetch_changes(after_update.cursor)
    archived = {r.remote_id for r in after_archive.items if r.item.retired} | set(after_archive.deleted)
    assert created.remote_id in archived or (
        after_archive.full and created.remote_id not in _ids(after_archive)
    )
    connector.archive(created.remote_id)


@pytest.fixture(params=sorted(CASES))
def served(request, sandbox_factory):
    """A connector and the sandbox serving it (to delete items behind its back, and read its log)."""
    sandbox = sandbox_factory(rate_limits=False)
    settings = sandbox.settings(load_settings())
    with connect(request.param, settings, load_workspace(), fast_options()) as connector:
        yield connector, sandbox


def _delete_for_good(connector, sandbox, remote_id: str) -> None:
    """Delete the item through the service's own delete endpoint, or the sandbox's admin API where the
    service keeps deleted items (Google's cancelled events until purged; Notion's trash)."""
    service = connector.service
    root = sandbox.root_url(service)
    if service == "trello":
        connector.client.core.request_json("DELETE", "/cards/{id}", path={"id": remote_id})
    elif service == "toggl":
        connector._client.delete_time_entry(connector._workspace_id, int(remote_id))
    elif service == "google":
        connector.client.delete_event(connector.calendar_id, remote_id)
        answer = httpx.post(root + "/_sandbox/actions/purge_deleted")
        assert remote_id in answer.json()["result"], answer.text
    else:
        answer = httpx.post(root + "/_sandbox/actions/delete_permanently", json={"page_id": remote_id})
        assert answer.json()["result"] is True, answer.text


def test_archiving_an_item_deleted_for_good_is_no_error_and_writes_nothing(served):
    connector, sandbox = served
    item, _ = CASES[connector.service]
    created = connector.create(item, link_id=LINK)
    _delete_for_good(connector, sandbox, created.remote_id)
    assert connector.find_by_link(LINK) == []
    before = len(sandbox.log.entries(connector.service))
    connector.archive(created.remote_id)
    connector.archive(created.remote_id, if_version=created.version)  # with the version the hub read
    sent = sandbox.log.entries(connector.service)[before:]
    # A write the service refused (404, 410) changed nothing; one it accepted would be a 2xx.
    assert [(e.method, e.path, e.status) for e in sent if _writes(e) and e.status < 400] == []
    assert connector.find_by_link(LINK) == []


def _writes(entry) -> bool:
    """Whether a logged request is a write (searches and queries are POSTs that only read)."""
    reads = ("/search/time_entries", "/query", "/search")
    return entry.method not in ("GET", "HEAD") and not entry.path.endswith(reads)
