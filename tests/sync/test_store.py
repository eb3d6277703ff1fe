"""The hub's store on a real SQLite file and, when OBM_HUB_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from sqlalchemy import text

from sync.connector import ChangeBatch, Remote
from sync.model import Task
from sync.store import SCHEMA_VERSION, Store, StoreError, default_url

PG_URL = os.environ.get("OBM_HUB_TEST_PG_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return default_url(tmp_path / "var")
    if not PG_URL:
        pytest.skip("OBM_HUB_TEST_PG_URL is not set (CI sets it)")
    # One schema per test keeps runs independent on the shared database.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    store = Store.open(PG_URL)
    with store.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    store.close()
    request.addfinalizer(lambda: _drop_schema(schema))
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    store = Store.open(PG_URL)
    with store.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    store.close()


def test_cursor_round_trip_survives_reopening(store_url):
    store = Store.open(store_url)
    assert store.get_cursor("brightpath", "google") is None
    store.set_cursor("brightpath", "google", "sync-token-1")
    store.set_cursor("brightpath", "google", "sync-token-2")
    store.set_cursor("other", "google", "x")
    store.close()
    again = Store.open(store_url)
    assert again.get_cursor("brightpath", "google") == "sync-token-2"
    assert again.get_cursor("other", "google") == "x"
    again.set_cursor("brightpath", "google", None)
    assert again.get_cursor("brightpath", "google") is None
    again.close()


def test_a_newer_schema_is_refused(store_url):
    store = Store.open(store_url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE obm_hub_meta SET value = :v"), {"v": SCHEMA_VERSION + 1})
    store.close()
    with pytest.raises(StoreError, match="newer obm-hub"):
        Store.open(store_url)


def _remote(remote_id: str, title: str, version: str = "v1") -> Remote[Task]:
    return Remote(
        remote_id,
        version,
        Task(title=title, due=date(2026, 11, 30), labels=frozenset({"b", "a"})),
        link_id=f"link-{remote_id}",
        url=f"https://trello.com/c/{remote_id}",
    )


def test_full_then_incremental_batches_keep_the_last_state_and_cursor(store_url):
    store = Store.open(store_url)
    store.apply_batch(
        "w", "trello", ChangeBatch([_remote("c1", "one"), _remote("c2", "two")], cursor="a1", full=True)
    )
    store.apply_batch(
        "w", "trello", ChangeBatch([_remote("c2", "two, renamed", "v2")], deleted=["c1"], cursor="a2")
    )
    store.apply_batch("w", "notion", ChangeBatch([_remote("p1", "page")], cursor="n1", full=True))
    loaded = store.load_items("w", "trello", Task)
    assert [(r.remote_id, r.version, r.item.title, r.link_id) for r in loaded] == [
        ("c2", "v2", "two, renamed", "link-c2")
    ]
    assert loaded[0].item == _remote("c2", "two, renamed").item
    assert store.get_cursor("w", "trello") == "a2"
    # A new snapshot replaces what was known.
    store.apply_batch("w", "trello", ChangeBatch([_remote("c3", "three")], cursor="a3", full=True))
    assert [r.remote_id for r in store.load_items("w", "trello", Task)] == ["c3"]
    assert [r.remote_id for r in store.load_items("w", "notion", Task)] == ["p1"]
    store.close()


def test_a_failed_batch_changes_nothing(store_url):
    store = Store.open(store_url)
    store.apply_batch("w", "trello", ChangeBatch([_remote("c1", "one")], cursor="a1", full=True))
    broken = Remote("c2", "v", object(), None, None)  # not a record: fails halfway through the batch
    with pytest.raises(AttributeError):
        store.apply_batch("w", "trello", ChangeBatch([_remote("c9", "nine"), broken], cursor="a2", full=True))
    assert [r.remote_id for r in store.load_items("w", "trello", Task)] == ["c1"]
    assert store.get_cursor("w", "trello") == "a1"
    store.close()
