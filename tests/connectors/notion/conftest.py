"""Shared pieces of the Notion connector tests: the recorded-shape fixtures and a mapping context."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config.hub_file import Workspace
from connectors.accounting import RequestStats
from connectors.directory import Directory
from connectors.http import CoreOptions, RetryPolicy
from connectors.notion.client import NotionClient
from connectors.notion.mapping import TaskContext
from connectors.notion.models import NotionDataSource, NotionList, NotionPage
from connectors.notion.schema import ProjectIndex, resolve_properties
from connectors.ratelimit import RateLimit, SlidingWindowLimiter
from sandbox.business import load_workspace
from tests.conftest import FakeClock

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.notion.com/v1"
TOKEN = "ntn_FAKE_test_token"  # Notion-shaped (ntn_), obviously fake
DS = "4f93db51-4e1d-4015-b07f-876e34c3b0b1"  # the data source of the fixtures


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_pages(name: str = "query_tasks.json") -> dict[str, NotionPage]:
    """The pages of a recorded-shape query response, by id."""
    listing = NotionList[NotionPage].model_validate(load(name))
    return {page.id: page for page in listing.results}


@pytest.fixture
def client(clock: FakeClock) -> Iterator[NotionClient]:
    """A client on the real base URL (respx answers), with a fake clock: no real waiting."""
    options = CoreOptions(
        limiter=SlidingWindowLimiter(RateLimit(1000, 1.0, "test"), clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
        retry=RetryPolicy(random=lambda: 1.0),
        stats=RequestStats(),
    )
    notion = NotionClient.connect(BASE, TOKEN, options=options)
    yield notion
    notion.close()


@pytest.fixture(scope="session")
def workspace() -> Workspace:
    return load_workspace()


@pytest.fixture(scope="session")
def context(workspace: Workspace) -> TaskContext:
    assert workspace.notion is not None
    source = NotionDataSource.model_validate(load("retrieve_data_source.json"))
    projects = ProjectIndex.from_pages(fixture_pages("query_projects.json").values())
    return TaskContext(
        properties=resolve_properties(workspace.notion, source),
        directory=Directory.from_workspace(workspace),
        zone=ZoneInfo(workspace.timezone),
        projects=projects,
    )
