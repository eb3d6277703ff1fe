"""The Notion connector as the sync engine uses it, against the emulator over real HTTP: a remembered
resolution, schema changes, writes that touch only what changed and keep Notion's formatting, the
tracked hours and the card URL, `represent`, the projects, and the published summary page.

Request counts come from the emulator's log (server side), exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from config.settings import HubSettings
from connectors.errors import Conflict
from connectors.notion.connector import NotionConnector
from sandbox.notion.seed import SUMMARIES_TITLE
from sandbox.notion.store import stable_id
from sync.model import Project, Task
from tests.conftest import fast_options
from tests.connectors.notion.test_e2e import QUERY, Clock, counts

SUMMARIES = stable_id("page", "operations-summaries")
DATABASE, SCHEMA = ("GET", "/databases/{database_id}"), ("GET", "/data_sources/{data_source_id}")
PREVIEW_TASK = "Decide on podcast sponsorship offers"  # its description holds a link preview mention
RETREAT = "Plan Q1 team retreat"  # a user mention, a date mention and an equation


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("notion",), rate_limits=False)


@pytest.fixture
def clock(sandbox) -> Clock:
    pinned = Clock(sandbox.business.now)  # 2026-11-25T09:30:00Z
    sandbox.emulators["notion"].clock = pinned
    return pinned


@pytest.fixture
def connect(sandbox, clock) -> Iterator[Callable[..., NotionConnector]]:
    made: list[NotionConnector] = []

    def make(memo: dict[str, str] | None = None) -> NotionConnector:
        settings = sandbox.settings(HubSettings()).notion
        notion = NotionConnector.from_settings(
            settings, sandbox.business.workspace, options=fast_options(), clock=clock, memo=memo
        )
        made.append(notion)
        return notion

    yield make
    for notion in made:
        notion.close()


@pytest.fixture
def connector(connect) -> NotionConnector:
    return connect()


@pytest.fixture
def raw(sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer sandbox-notion-token", "Notion-Version": "2025-09-03"}
    with httpx.Client(base_url=sandbox.base_url("notion"), headers=headers, timeout=5) as client:
        yield client


def description_of(raw: httpx.Client, page_id: str) -> list[dict[str, Any]]:
    return raw.get(f"/pages/{page_id}").json()["properties"]["Description"]["rich_text"]


def by_title(connector: NotionConnector) -> dict[str, Any]:
    return {remote.item.title: remote for remote in connector.fetch_changes(None).items}


# -- the memo, and a schema that changes ------------------------------------------------------------


def test_a_quiet_incremental_read_costs_two_requests_with_a_remembered_resolution(sandbox, connect):
    memo: dict[str, str] = {}
    full = connect(memo).fetch_changes(None)
    last = {r.remote_id for r in full.items if r.item.edited_at == max(i.item.edited_at for i in full.items)}
    sandbox.log.clear()
    # Nothing changed: only the pages edited last before the cursor come again (the read looks back).
    quiet = connect().fetch_changes(full.cursor)  # a new connector, nothing remembered
    assert {r.remote_id for r in quiet.items} == last
    assert counts(sandbox) == {DATABASE: 1, SCHEMA: 1, QUERY: 3}  # resolution, then the two queries
    sandbox.log.clear()
    assert {r.remote_id for r in connect(memo).fetch_changes(full.cursor).items} == last  # with the memo
    assert counts(sandbox) == {QUERY: 2}


def _rename(sandbox, old: str, new: str) -> None:
    """Someone renames a column in the Notion UI."""
    store = sandbox.emulators["notion"].store
    source = store.data_sources[stable_id("data_source", sandbox.business.workspace.notion.database_id)]
    source["properties"] = {new if k == old else k: v for k, v in source["properties"].items()}
    source["properties"][new]["name"] = new
    for page in store.pages_of(source["id"]):
        page["properties"] = {new if k == old else k: v for k, v in page["properties"].items()}


def _delete(sandbox, name: str) -> None:
    store = sandbox.emulators["notion"].store
    source = store.data_sources[stable_id("data_source", sandbox.business.workspace.notion.database_id)]
    del source["properties"][name]
    for page in store.pages_of(source["id"]):
        del page["properties"][name]


def test_a_renamed_column_still_reads_and_writes_by_its_id(sandbox, connect, raw):
    memo: dict[str, str] = {}
    remote = connect(memo).fetch_changes(None).items[0]
    _rename(sandbox, "Status", "Stage")
    notion = connect(memo)
    again = next(r for r in notion.fetch_changes(None).items if r.remote_id == remote.remote_id)
    assert again.item.status == remote.item.status
    notion.update(
        remote.remote_id, remote.item.model_copy(update={"status": "In review"}), fields=frozenset({"status"})
    )
    assert (
        raw.get(f"/pages/{remote.remote_id}").json()["properties"]["Stage"]["status"]["name"] == "In review"
    )


def test_a_deleted_column_drops_the_memo_and_the_resolution_runs_again_once(sandbox, connect, raw, clock):
    memo: dict[str, str] = {}
    full = connect(memo).fetch_changes(None)
    _delete(sandbox, "Estimate (h)")
    clock.at(9, 40)
    edited = raw.patch(
        f"/pages/{full.items[0].remote_id}", json={"properties": {"Tags": {"multi_select": []}}}
    )
    assert edited.status_code == 200
    sandbox.log.clear()
    batch = connect(memo).fetch_changes(full.cursor)
    # the two queries, whose page lacks the estimate; resolution; the two queries again
    assert counts(sandbox) == {QUERY: 5, DATABASE: 1, SCHEMA: 1}
    assert {r.item.estimate_hours for r in batch.items} == {None} and "Estimate" not in memo["notion.schema"]


# -- writes touch only what changed, and keep Notion's formatting -----------------------------------


def test_an_unchanged_description_is_not_sent_so_its_rich_text_stays_byte_for_byte(connector, raw, clock):
    remotes = by_title(connector)
    before = {r.remote_id: description_of(raw, r.remote_id) for r in remotes.values()}
    clock.at(9, 50)
    for remote in remotes.values():
        status = "In review" if remote.item.status != "In review" else "Backlog"
        connector.update(
            remote.remote_id, remote.item.model_copy(update={"status": status}), if_version=remote.version
        )
    assert {page_id: description_of(raw, page_id) for page_id in before} == before
    preview = description_of(raw, remotes[PREVIEW_TASK].remote_id)[-1]
    assert preview["mention"]["type"] == "link_preview"  # a rewrite would have made it a plain link


def test_a_description_written_back_as_read_is_byte_identical(connector, raw):
    remotes = by_title(connector)
    for title, remote in remotes.items():
        before = description_of(raw, remote.remote_id)
        connector.update(remote.remote_id, remote.item, fields=frozenset({"description"}))  # sent as is
        after = description_of(raw, remote.remote_id)
        if title != PREVIEW_TASK:
            assert after == before, title
            continue
        # The API cannot create a link preview mention: it comes back as a link to the same URL.
        assert after[:-1] == before[:-1] and after[-1]["type"] == "text"
        assert after[-1]["text"]["link"]["url"] == before[-1]["mention"]["link_preview"]["url"]


def test_a_changed_description_keeps_its_links_annotations_and_mentions(connector, raw):
    remote = by_title(connector)[RETREAT]
    assert (
        "notion-mention:user/" in remote.item.description and "$3 \\times 450\\,€$" in remote.item.description
    )
    changed = remote.item.model_copy(update={"description": remote.item.description + " Confirmed."})
    connector.update(remote.remote_id, changed, if_version=remote.version)
    kinds = [(e["type"], (e.get("mention") or {}).get("type")) for e in description_of(raw, remote.remote_id)]
    assert ("mention", "user") in kinds and ("mention", "date") in kinds and ("equation", None) in kinds
    assert description_of(raw, remote.remote_id)[-1]["plain_text"].endswith(" per night. Confirmed.")


def test_tracked_hours_and_the_card_url_are_written_and_read(connector, raw):
    remote = connector.fetch_changes(None).items[2]
    card = "https://trello.com/c/AbCd1234/17-send-invoice"
    changed = remote.item.model_copy(update={"tracked_hours": 3.25, "peer_url": card, "estimate_hours": 99.0})
    written = connector.update(
        remote.remote_id, changed, fields=frozenset({"tracked_hours", "peer_url", "estimate_hours"})
    )
    page = raw.get(f"/pages/{remote.remote_id}").json()["properties"]
    assert page["Tracked (h)"]["number"] == 3.25 and page["Trello card"]["url"] == card
    assert page["Estimate (h)"]["number"] == remote.item.estimate_hours  # never written
    assert (written.item.tracked_hours, written.item.peer_url) == (3.25, card)


def test_a_write_colliding_with_another_is_a_conflict(sandbox, connector):
    remote = connector.fetch_changes(None).items[0]
    sandbox.set_faults("notion", error_rate=1.0, kinds=("conflict",), path_pattern="/pages/")
    with pytest.raises(Conflict) as caught:
        connector.update(
            remote.remote_id, remote.item.model_copy(update={"title": "x"}), fields=frozenset({"title"})
        )
    assert caught.value.code == "conflict_error"


def test_short_and_empty_pages_lose_nothing(sandbox, connector):
    sandbox.set_faults("notion", short_pages=0.6, seed=7)
    connector.page_size = 4
    batch = connector.fetch_changes(None)
    assert len(batch.items) == len({r.remote_id for r in batch.items}) == 23


# -- represent, projects ------------------------------------------------------------------------------


def test_represent_is_what_notion_holds_after_a_write_and_a_read(connector):
    task = Task(
        title="Prepare the VIP day",
        description="Agenda in _the_ doc: https://example.com/vip",
        status="This week",
        due=datetime(2026, 12, 3, 16, 0, 42, tzinfo=UTC),  # Notion keeps hours and minutes
        assignees=frozenset({"lea@brightpath.coach", "ghost@example.org"}),  # no Notion user for ghost
        labels=frozenset({"Client, VIP", "Urgent"}),  # no commas in options
        project="winter retreat",  # no such project page
        tracked_hours=1.5,
    )
    represented = connector.represent(task)
    assert represented.due == datetime(2026, 12, 3, 16, 0, tzinfo=UTC) and represented.project is None
    assert represented.labels == {"Client VIP", "Urgent"} and represented.assignees == {
        "lea@brightpath.coach"
    }
    assert represented.description == "Agenda in *the* doc: https://example.com/vip"
    created = connector.create(represented, link_id="lnk_represent")
    assert created.item.model_copy(update={"url": None, "edited_at": None}) == represented
    assert connector.represent(represented) == represented


def test_list_projects_reads_the_live_project_pages_only(sandbox, connector):
    connector.fetch_changes(None)
    sandbox.log.clear()
    names = [project.name for project in connector.list_projects()]
    assert names == ["Operations", "Signature Coaching Program", "Spring Launch"]  # no cohort, no data source
    assert connector.list_projects()[0] == Project.named("Operations")
    assert counts(sandbox) == {QUERY: 2}


# -- the summary page ------------------------------------------------------------------------------


def summary(rows: int, paragraphs: int) -> list[dict[str, Any]]:
    return [
        {"type": "heading_2", "text": "Overdue"},
        {"type": "callout", "text": "**2** tasks are overdue", "emoji": "⚠️"},
        {"type": "to_do", "text": "Call [Amélie](https://example.com/a)", "checked": True},
        {"type": "numbered_list_item", "text": "First"},
        {"type": "divider"},
        {
            "type": "table",
            "rows": [["Task", "Due"]] + [[f"Task {n}", "Mon"] for n in range(rows)],
            "header": True,
        },
        *({"type": "paragraph", "text": f"Note {n} — *café* ☕"} for n in range(paragraphs)),
    ]


def children(raw: httpx.Client, block_id: str) -> list[dict[str, Any]]:
    found, cursor = [], None
    while True:
        body = raw.get(
            f"/blocks/{block_id}/children", params={"start_cursor": cursor} if cursor else {}
        ).json()
        found += body["results"]
        cursor = body["next_cursor"]
        if not cursor:
            return found


def test_a_summary_page_is_created_then_replaced_in_place_and_never_duplicated(sandbox, connector, raw):
    sandbox.log.clear()
    url = connector.publish_page(SUMMARIES, "Week 48", summary(rows=149, paragraphs=120))
    assert counts(sandbox) == {
        (
            "GET",
            "/blocks/{block_id}/children",
        ): 2,  # the parent's children; the new page's (to find the table)
        ("POST", "/pages"): 1,  # with the first 100 blocks, the table with its first 100 rows
        ("PATCH", "/blocks/{block_id}/children"): 2,  # the table's last 50 rows; the last 26 blocks
    }
    pages = [b for b in children(raw, SUMMARIES) if b["type"] == "child_page"]
    assert [p["child_page"]["title"] for p in pages] == ["Week 48"] and pages[0]["id"].replace("-", "") in url
    content = children(raw, pages[0]["id"])
    assert [b["type"] for b in content[:7]] == [
        "heading_2", "callout", "to_do", "numbered_list_item", "divider", "table", "paragraph",
    ]  # fmt: skip
    assert len(content) == 126 and len(children(raw, content[5]["id"])) == 150
    assert content[2]["to_do"]["rich_text"][1]["text"]["link"] == {"url": "https://example.com/a"}
    sandbox.log.clear()
    again = connector.publish_page(SUMMARIES, "Week 48", [{"type": "paragraph", "text": "Re-run."}])
    assert again == url and [p["id"] for p in children(raw, SUMMARIES)] == [pages[0]["id"]]
    assert [b["paragraph"]["rich_text"][0]["plain_text"] for b in children(raw, pages[0]["id"])] == [
        "Re-run."
    ]
    assert counts(sandbox)[("DELETE", "/blocks/{block_id}")] == 126  # the old content, to the trash
    assert (
        raw.get(f"/pages/{SUMMARIES}").json()["properties"]["title"]["title"][0]["plain_text"]
        == SUMMARIES_TITLE
    )


def test_publishing_refuses_a_block_it_cannot_write_before_writing_anything(sandbox, connector, raw):
    with pytest.raises(Exception, match="not written by the hub"):
        connector.publish_page(SUMMARIES, "Week 49", [{"type": "paragraph", "text": "ok"}, {"type": "video"}])
    assert counts(sandbox) == {}  # nothing sent
    assert children(raw, SUMMARIES) == []


def test_a_page_matched_at_first_contact_gets_the_link_once(sandbox, connector, raw):
    remote = connector.fetch_changes(None).items[4]
    assert remote.link_id is None  # the hub never ran against this workspace
    marked = connector.update(remote.remote_id, remote.item, if_version=remote.version, link_id="lnk_first")
    assert marked.link_id == "lnk_first"
    hub_id = raw.get(f"/pages/{remote.remote_id}").json()["properties"]["Hub ID"]["rich_text"]
    assert [e["plain_text"] for e in hub_id] == ["lnk_first"]
    sandbox.log.clear()
    connector.update(remote.remote_id, marked.item, if_version=marked.version, link_id="lnk_first")
    assert counts(sandbox) == {("GET", "/pages/{page_id}"): 1}  # the version check; nothing to write


def test_a_project_created_in_notion_is_listed_and_can_be_related(connector):
    connector.fetch_changes(None)
    assert connector.create_project("Winter Retreat") == Project.named("Winter Retreat")
    assert "winter retreat" in [project.key for project in connector.list_projects()]
    created = connector.create(Task(title="Book the chalet", project="winter retreat"), link_id="lnk_chalet")
    assert created.item.project == "winter retreat"
