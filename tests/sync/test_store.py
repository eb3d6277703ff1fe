"""The hub's store on a real SQLite file and, when OBM_HUB_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

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
