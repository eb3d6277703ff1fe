"""The store on a real SQLite file and, when OBM_HUB_TEST_PG_URL is set (CI sets it), on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("OBM_HUB_TEST_PG_URL")


def machine_settings(max_examples: int) -> settings:
    """The state machines' Hypothesis settings: each step syncs, so no deadline and no speed check."""
    return settings(
        max_examples=max_examples,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def pg_schema() -> tuple[str, Callable[[], None]]:
    """A PostgreSQL URL whose search path is a new, empty schema, and the function that drops it."""
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    return f"{PG_URL}?options=-csearch_path%3D{schema}", drop


def fresh_pg_schema_url(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL URL whose search path is a new, empty schema, dropped after the test."""
    if not PG_URL:
        pytest.skip("OBM_HUB_TEST_PG_URL is not set (CI sets it)")
    url, drop = pg_schema()
    request.addfinalizer(drop)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return fresh_pg_schema_url(request)
