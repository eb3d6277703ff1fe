"""Many workspaces: N distinct client businesses from one seed, served at once by the four emulators,
with the hub file that points a hub at all of them."""

from __future__ import annotations

import tomllib
from datetime import datetime
from itertools import chain

import httpx
import pytest

from config.hub_file import HubFile
from config.settings import HubSettings
from connectors.gcal import GoogleCalendarConnector
from connectors.notion import NotionConnector
from connectors.toggl import TogglConnector
from connectors.trello import TrelloConnector
from sandbox import Sandbox
from sandbox.business import generate
from sandbox.portfolio import generate_portfolio, hub_file_text
from tests.conftest import FIXED_NOW_ISO, fast_options

NOW = datetime.fromisoformat(FIXED_NOW_ISO)


@pytest.fixture(scope="module")
def three():
    """Three businesses on one set of emulators (module-wide: nothing here writes)."""
    with Sandbox(now=NOW, rate_limits=False, workspaces=3) as sandbox:
        yield sandbox


def distinct(values) -> bool:
    values = list(values)
    return len(values) == len(set(values))


def test_the_first_business_is_the_demo_one_and_the_rest_are_distinct():
    portfolio = generate_portfolio(5, now=NOW)
    assert portfolio[0] == generate(now=NOW) and portfolio[0].key == "brightpath"
    workspaces = [b.workspace for b in portfolio]
    assert distinct(b.key for b in portfolio) and distinct(w.name for w in workspaces)
    assert distinct(w.trello.board_id for w in workspaces)
    assert distinct(w.notion.database_id for w in workspaces)
    assert distinct(w.google.calendar_id for w in workspaces)
    assert distinct(w.toggl.workspace_id for w in workspaces)
    people = list(chain.from_iterable(w.people for w in workspaces))
    for field in ("email", "name", "trello_username", "notion_user_id", "toggl_user_id"):
        assert distinct(getattr(p, field) for p in people), field
    assert distinct(p.name for b in portfolio for p in b.projects)
    assert distinct(t.key for b in portfolio for t in b.tasks)
    assert distinct(e.key for b in portfolio for e in b.time_entries)
    for business in portfolio[1:]:
        assert {t.project for t in business.tasks} <= {p.name for p in business.projects}
        assert business.namespace == business.key and len(business.tasks) == len(portfolio[0].tasks)


def test_one_seed_one_portfolio():
    assert generate_portfolio(4, seed=7, now=NOW) == generate_portfolio(4, seed=7, now=NOW)
    other = generate_portfolio(4, seed=8, now=NOW)
    assert [b.workspace.name for b in other] != [
        b.workspace.name for b in generate_portfolio(4, seed=7, now=NOW)
    ]
    assert len({b.workspace.name for b in generate_portfolio(40, now=NOW)}) == 40


def test_the_hub_file_names_every_business_as_written():
    portfolio = generate_portfolio(3, now=NOW)
    hub = HubFile.model_validate(tomllib.loads(hub_file_text(portfolio)))
    assert list(hub.workspaces) == [b.key for b in portfolio]
    assert all(hub.workspaces[b.key] == b.workspace for b in portfolio)


def test_each_emulator_serves_every_business(three):
    trello, google, toggl, notion = (three.emulators[s] for s in ("trello", "google", "toggl", "notion"))
    for business in three.businesses:
        workspace = business.workspace
        cards = [c for c in trello.store.cards.values() if c["idBoard"] == workspace.trello.board_id]
        assert len(cards) == sum(t.on_trello for t in business.tasks)
        assert trello.store.boards[workspace.trello.board_id]["name"] == workspace.name
        assert google.calendar(workspace.google.calendar_id).time_zone == workspace.timezone
        assert toggl.store.workspaces[workspace.toggl.workspace_id].name == workspace.name
        assert notion.store.databases[workspace.notion.database_id]["title"][0]["plain_text"] == "Tasks"
    pages = {p["id"] for p in notion.store.pages.values()}
    # each business: its tasks, 3 projects, 26 past cohorts in the projects' trash, the summaries page
    assert len(pages) == sum(1 for b in three.businesses for t in b.tasks if t.on_notion) + 3 * 30


def test_the_hub_reads_every_business_through_its_connectors(three, tmp_path):
    settings = three.settings(HubSettings())
    hub = HubFile.model_validate(tomllib.loads(three.write_hub_file(tmp_path / "hub.toml").read_text()))
    assert three.environment()["OBM_HUB_CONFIG"] == str(tmp_path / "hub.toml")
    for business in three.businesses[1:]:
        workspace = hub.workspaces[business.key]
        with TrelloConnector.from_settings(settings.trello, workspace, fast_options()) as trello:
            tasks = trello.fetch_changes(None).items
        assert len(tasks) == sum(t.on_trello for t in business.tasks)
        assert {t.item.project for t in tasks} <= {p.name.casefold() for p in business.projects} | {None}
        with NotionConnector.from_settings(settings.notion, workspace, options=fast_options()) as notion:
            assert len(notion.fetch_changes(None).items) == sum(t.on_notion for t in business.tasks)
        with GoogleCalendarConnector.from_settings(
            settings.google, workspace, fast_options(), clock=lambda: NOW
        ) as google:
            assert google.fetch_changes(None).items
        with TogglConnector.from_settings(
            settings.toggl, workspace, fast_options(), clock=lambda: NOW
        ) as toggl:
            assert toggl.fetch_changes(None).full
        # The hub's token (the first business's OBM) administers every client's Toggl workspace.
        projects = httpx.get(
            f"{three.base_url('toggl')}/workspaces/{workspace.toggl.workspace_id}/projects",
            auth=(settings.toggl.api_token.get_secret_value(), "api_token"),
        )
        assert {p["name"] for p in projects.json()} == {p.name for p in business.projects}


def test_the_demo_board_is_the_same_with_more_businesses(three, sandbox_factory):
    alone = sandbox_factory(services=("trello",), rate_limits=False)
    board = alone.business.workspace.trello.board_id
    header = {
        "Authorization": 'OAuth oauth_consumer_key="sandbox-trello-key", oauth_token="sandbox-trello-token"'
    }

    def cards(sandbox):
        return httpx.get(f"{sandbox.base_url('trello')}/boards/{board}/cards/all", headers=header).json()

    assert cards(alone) == cards(three)


def test_state_of_many_businesses_survives_a_restart(tmp_path):
    with Sandbox(now=NOW, rate_limits=False, workspaces=2, state_dir=tmp_path) as first:
        before = {s: e.dump_state() for s, e in first.emulators.items()}
    with Sandbox(now=NOW, rate_limits=False, workspaces=2, state_dir=tmp_path) as again:
        assert {s: e.dump_state() for s, e in again.emulators.items()} == before
        second = again.businesses[1].workspace.google.calendar_id
        assert again.emulators["google"].calendar(second).calendar_id == second
