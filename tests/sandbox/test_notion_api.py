"""The Notion emulator's API over raw HTTP: shapes checked against the official spec, Notion's error
bodies, filters, sorts, pagination, writes and the trash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.notion.store import stable_id
from tests.conftest import FIXED_NOW_ISO
from tests.contract.spec import load_spec

DATABASE = "1f2a3b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
SOURCE = stable_id("data_source", DATABASE)
PROJECTS = stable_id("data_source", "projects")
HEADERS = {"Authorization": "Bearer sandbox-notion-token", "Notion-Version": "2025-09-03"}
EDIT_TIME = datetime(2026, 11, 25, 9, 41, 37, tzinfo=UTC)
SHARED = "Make sure the relevant pages and databases are shared with your integration."
PARENT = {"data_source_id": SOURCE}
JSON = {"Content-Type": "application/json"}


class Api:
    """Raw calls whose responses must conform to the official spec."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, headers=HEADERS, timeout=5)

    def __call__(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == expect, response.text
        body = response.json()
        spec = load_spec("notion")
        if spec.match(method, str(response.url)) is not None:  # a URL outside the API has no schema
            assert spec.check_response(method, str(response.url), response.status_code, body) == []
        return body

    def query(self, expect: int = 200, source: str = SOURCE, **body: Any) -> Any:
        return self("POST", f"/data_sources/{source}/query", expect, json=body)

    def titles(self, **body: Any) -> list[str]:
        pages = self.query(page_size=100, **body)["results"]
        return [page["properties"]["Name"]["title"][0]["plain_text"] for page in pages]


def _serve() -> tuple[Sandbox, Api]:
    sandbox = Sandbox(
        now=datetime.fromisoformat(FIXED_NOW_ISO), services=("notion",), rate_limits=False
    ).start()
    sandbox.emulators["notion"].clock = lambda: EDIT_TIME
    client = Api(sandbox.base_url("notion"))
    client.business = sandbox.business  # type: ignore[attr-defined]
    return sandbox, client


@pytest.fixture(scope="module")
def reader() -> Iterator[Api]:
    """One emulator for the tests that change nothing (reads, and refused writes)."""
    sandbox, client = _serve()
    yield client
    client.http.close()
    sandbox.stop()


@pytest.fixture
def api() -> Iterator[Api]:
    """A fresh emulator for a test that writes."""
    sandbox, client = _serve()
    yield client
    client.http.close()
    sandbox.stop()


def error(body: dict[str, Any], status: int, code: str) -> str:
    assert set(body) == {"object", "status", "code", "message", "request_id"}
    assert (body["object"], body["status"], body["code"]) == ("error", status, code)
    return str(body["message"])


# -- shapes --------------------------------------------------------------------------------------


def test_database_data_source_and_users_have_notions_shapes(reader):
    database = reader("GET", f"/databases/{DATABASE.replace('-', '')}")  # dashes are optional
    assert database["data_sources"] == [{"id": SOURCE, "name": "Tasks"}]
    source = reader("GET", f"/data_sources/{SOURCE}")
    types = {name: prop["type"] for name, prop in source["properties"].items()}
    assert types == {
        "Name": "title", "Status": "status", "Due": "date", "Assignee": "people", "Tags": "multi_select",
        "Estimate (h)": "number", "Hub ID": "rich_text", "Description": "rich_text", "Project": "relation",
        "Resource": "url", "Client-facing": "checkbox", "Priority": "select", "Tracked (h)": "number",
        "Trello card": "url", "Task ID": "unique_id", "Estimate (min)": "formula", "Project name": "rollup",
        "Attachments": "files", "Created by": "created_by", "Last edited by": "last_edited_by",
    }  # fmt: skip
    status = source["properties"]["Status"]["status"]
    assert [o["name"] for o in status["options"]] == [
        "Backlog",
        "This week",
        "In progress",
        "In review",
        "Done",
    ]
    assert [g["name"] for g in status["groups"]] == ["To-do", "In progress", "Complete"]
    assert source["properties"]["Project"]["relation"]["data_source_id"] == PROJECTS
    users = reader("GET", "/users")
    kinds = sorted((u["type"], (u.get("person") or {}).get("email")) for u in users["results"])
    assert len(kinds) == 6 and kinds[0] == ("bot", None) and ("person", "lea@brightpath.coach") in kinds


def test_pages_have_the_read_shapes_with_empty_values_as_null_and_as_lists(reader):
    pages = reader.query()["results"]
    assert len(pages) == 23
    page = pages[0]
    assert page["parent"] == {"type": "data_source_id", "data_source_id": SOURCE, "database_id": DATABASE}
    assert page["last_edited_time"].endswith(":00.000Z") and page["url"].startswith("https://www.notion.so/")
    values = [p["properties"] for p in pages]
    assert any(v["Due"]["date"] is None for v in values) and any(v["Resource"]["url"] is None for v in values)
    assert any(v["Priority"]["select"] is None for v in values) and all(
        v["Hub ID"]["rich_text"] == [] for v in values
    )
    assert any(v["Description"]["rich_text"] == [] for v in values)
    truncated = [v["Name"]["title"][0]["plain_text"] for v in values if v["Project"]["has_more"]]
    assert truncated == ["Write the annual business review"]  # 27 related pages, 25 shown
    dates = {v["Due"]["date"]["start"] for v in values if v["Due"]["date"]}
    assert any(len(d) == 10 for d in dates) and any(d.endswith("+01:00") for d in dates)


def test_filter_properties_limit_the_properties_by_id_or_name(reader):
    body = reader(
        "POST", f"/data_sources/{SOURCE}/query?filter_properties=title&filter_properties=Z%255CQe", json={}
    )
    assert set(body["results"][0]["properties"]) == {"Name", "Status"}
    page_id = body["results"][0]["id"]
    single = reader("GET", f"/pages/{page_id}?filter_properties[]=Due")
    assert set(single["properties"]) == {"Due"}


# -- filters and sorts ---------------------------------------------------------------------------


def test_timestamp_filters_compare_minute_rounded_edit_times(reader):
    pages = reader.query()["results"]
    stamps = sorted(p["last_edited_time"] for p in pages)
    middle = stamps[len(stamps) // 2]
    for op, expected in [
        ("on_or_after", [s for s in stamps if s >= middle]),
        ("after", [s for s in stamps if s > middle]),
        ("before", [s for s in stamps if s < middle]),
        ("on_or_before", [s for s in stamps if s <= middle]),
        ("equals", [s for s in stamps if s == middle]),
    ]:
        found = reader.query(filter={"timestamp": "last_edited_time", "last_edited_time": {op: middle}})
        assert sorted(p["last_edited_time"] for p in found["results"]) == expected, op


def test_property_filters_by_type(reader):
    tasks = [t for t in reader.business.tasks if t.on_notion]  # type: ignore[attr-defined]
    lea = next(p for p in reader.business.people if p.email == "lea@brightpath.coach")  # type: ignore[attr-defined]
    status = lambda name: {"property": "Status", "status": {"equals": name}}  # noqa: E731
    assert len(reader.titles(filter=status("Backlog"))) == sum(
        (t.notion_differences.get("status") or t.status) == "Backlog" for t in tasks
    )
    assert len(reader.titles(filter={"property": "Priority", "select": {"equals": "High"}})) == sum(
        "Urgent" in t.labels for t in tasks
    )
    assert len(reader.titles(filter={"property": "Client-facing", "checkbox": {"equals": True}})) == sum(
        t.project == "Signature Coaching Program" for t in tasks
    )
    assert len(
        reader.titles(
            filter={"property": "Assignee", "people": {"contains": lea.notion_user_id.replace("-", "")}}
        )
    ) == sum(lea.email in t.assignees for t in tasks)
    assert len(reader.titles(filter={"property": "Description", "rich_text": {"is_empty": True}})) == sum(
        not t.description and t.on_trello
        for t in tasks  # Notion-only tasks have rich descriptions
    )
    contains = reader.titles(
        filter={"property": "Name", "title": {"contains": "INVOICE"}}
    )  # case-insensitive
    assert contains and all("invoice" in title.lower() for title in contains)
    exact = contains[0]
    assert reader.titles(filter={"property": "title", "title": {"equals": exact}}) == [exact]  # by id


def test_date_filters_and_compounds(reader):
    on_or_after = reader.titles(filter={"property": "Due", "date": {"on_or_after": "2026-11-30"}})
    before = reader.titles(filter={"property": "Due", "date": {"before": "2026-11-30"}})
    empty = reader.titles(filter={"property": "Due", "date": {"is_empty": True}})
    assert len(on_or_after) + len(before) + len(empty) == 23 and on_or_after and before and empty
    both = reader.titles(
        filter={
            "and": [
                {"property": "Due", "date": {"on_or_after": "2026-11-30"}},
                {"or": [{"property": "Status", "status": {"equals": "Backlog"}},
                        {"property": "Status", "status": {"equals": "This week"}}]},
            ]
        }
    )  # fmt: skip
    assert set(both) <= set(on_or_after) and both


def test_sorts_by_timestamp_and_by_property_with_empty_values_last(reader):
    by_edit = reader.query(sorts=[{"timestamp": "last_edited_time", "direction": "descending"}])["results"]
    stamps = [p["last_edited_time"] for p in by_edit]
    assert stamps == sorted(stamps, reverse=True)
    by_due = reader.query(sorts=[{"property": "Due", "direction": "ascending"}])["results"]
    dues = [p["properties"]["Due"]["date"] for p in by_due]
    filled = [d for d in dues if d]
    assert dues == filled + [None] * (len(dues) - len(filled))
    assert [d["start"][:10] for d in filled] == sorted(d["start"][:10] for d in filled)


def test_cursor_pagination_with_page_size(reader):
    seen, cursor, calls = [], None, 0
    while True:
        body = reader.query(page_size=7, **({"start_cursor": cursor} if cursor else {}))
        calls += 1
        seen += [p["id"] for p in body["results"]]
        assert body["has_more"] is (body["next_cursor"] is not None)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert calls == 4 and len(seen) == len(set(seen)) == 23


# -- writes --------------------------------------------------------------------------------------


def test_create_and_update_set_last_edited_time_to_the_minute(api):
    created = api(
        "POST",
        "/pages",
        json={
            "parent": {"data_source_id": SOURCE},
            "properties": {
                "Name": {"title": [{"text": {"content": "Book venue"}}]},
                "Tags": {"multi_select": [{"name": "Offsite"}]},  # a new option: Notion adds it
                "Due": {"date": {"start": "2026-12-02T10:00:00Z"}},
                "Hub ID": {"rich_text": [{"text": {"content": "lnk_1"}}]},
            },
        },
    )
    assert created["last_edited_time"] == created["created_time"] == "2026-11-25T09:41:00.000Z"
    assert (
        created["properties"]["Status"]["status"]["name"] == "Backlog"
    )  # a status defaults to its first option
    assert created["properties"]["Due"]["date"]["start"] == "2026-12-02T10:00:00.000+00:00"
    assert (
        created["properties"]["Assignee"]["people"] == []
        and created["properties"]["Estimate (h)"]["number"] is None
    )
    assert "Offsite" in [
        o["name"]
        for o in api("GET", f"/data_sources/{SOURCE}")["properties"]["Tags"]["multi_select"]["options"]
    ]
    updated = api(
        "PATCH", f"/pages/{created['id']}", json={"properties": {"Status": {"status": {"name": "Done"}}}}
    )
    assert updated["properties"]["Status"]["status"]["name"] == "Done"
    assert updated["last_edited_by"]["id"] == api("GET", "/users/me")["id"]


def test_the_trash_is_listed_only_when_asked_and_refuses_edits(api):
    page_id = api.query(page_size=1)["results"][0]["id"]
    trashed = api("PATCH", f"/pages/{page_id}", json={"in_trash": True})
    assert trashed["in_trash"] is trashed["archived"] is True
    assert page_id not in [p["id"] for p in api.query()["results"]]
    assert [p["id"] for p in api.query(in_trash=True)["results"]] == [page_id]
    refused = api("PATCH", f"/pages/{page_id}", 400, json={"properties": {"Estimate (h)": {"number": 1}}})
    assert error(refused, 400, "validation_error").startswith("Can't edit block that is archived.")
    restored = api(
        "PATCH", f"/pages/{page_id}", json={"in_trash": False, "properties": {"Estimate (h)": {"number": 1}}}
    )
    assert restored["in_trash"] is False and restored["properties"]["Estimate (h)"]["number"] == 1


def test_appended_blocks_are_listed_in_order(api):
    page_id = api.query(page_size=1)["results"][0]["id"]
    children = [
        {"type": "bulleted_list_item", "bulleted_list_item": {"rich_text": [{"text": {"content": f"n{i}"}}]}}
        for i in range(3)
    ]
    created = api("PATCH", f"/blocks/{page_id}/children", json={"children": children})
    assert [b["bulleted_list_item"]["rich_text"][0]["plain_text"] for b in created["results"]] == [
        "n0",
        "n1",
        "n2",
    ]
    listed = api("GET", f"/blocks/{page_id}/children", params={"page_size": 2})
    assert listed["has_more"] is True and len(listed["results"]) == 2 and listed["type"] == "block"


# -- errors --------------------------------------------------------------------------------------


def test_rich_text_over_2000_characters_is_refused_in_notions_words(reader):
    long = "🎉" * 1001  # 2002 UTF-16 code units
    body = reader(
        "POST",
        "/pages",
        400,
        json={
            "parent": {"data_source_id": SOURCE},
            "properties": {"Description": {"rich_text": [{"text": {"content": long}}]}},
        },
    )
    assert error(body, 400, "validation_error") == (
        "body failed validation: body.properties.Description.rich_text[0].text.content.length "
        "should be ≤ `2000`, instead was `2002`."
    )


def test_more_than_100_children_are_refused(api):
    page_id = api.query(page_size=1)["results"][0]["id"]
    children = [{"type": "divider", "divider": {}}] * 101
    body = api("PATCH", f"/blocks/{page_id}/children", 400, json={"children": children})
    assert error(body, 400, "validation_error") == (
        "body failed validation: body.children.length should be ≤ `100`, instead was `101`."
    )
    assert api("GET", f"/blocks/{page_id}/children")["results"] == []  # nothing appended


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code", "message"),
    [
        ("GET", f"/pages/{stable_id('nowhere')}", {}, 404, "object_not_found",
         f"Could not find page with ID: {stable_id('nowhere')}. {SHARED}"),
        ("GET", "/pages/AAA", {}, 400, "validation_error",
         'path failed validation: path.page_id should be a valid uuid, instead was `"AAA"`.'),
        ("GET", f"/data_sources/{DATABASE}", {}, 404, "object_not_found",
         f"Could not find data_source with ID: {DATABASE}. {SHARED}"),
        ("POST", "/pages", {"json": {"parent": PARENT}}, 400, "validation_error",
         "body failed validation: body.properties should be defined, instead was `undefined`."),
        ("POST", "/pages", {"json": {"parent": PARENT, "properties": {"Colour": {"select": None}}}}, 400,
         "validation_error", "Colour is not a property that exists."),
        ("POST", f"/data_sources/{SOURCE}/query", {"json": {"page_size": 101}}, 400, "validation_error",
         "body failed validation: body.page_size should be ≤ `100`, instead was `101`."),
        ("POST", f"/data_sources/{SOURCE}/query", {"content": b"{oops", "headers": JSON}, 400,
         "invalid_json", "Error parsing JSON body."),
        ("POST", f"/data_sources/{SOURCE}/query", {"json": {"page_sise": 10}}, 400, "validation_error",
         "body failed validation: body.page_sise should be not present, instead was `10`."),
        ("GET", "/pages", {}, 400, "invalid_request_url", "Invalid request URL."),  # a method it lacks
        ("GET", "/nowhere", {}, 400, "invalid_request_url", "Invalid request URL."),
    ],
)  # fmt: skip
def test_error_bodies(reader, method, path, kwargs, status, code, message):
    body = reader(method, path, status, **kwargs)
    assert error(body, status, code) == message


def test_a_status_that_does_not_exist_is_refused_and_nothing_changes(reader):
    page = reader.query(page_size=1)["results"][0]
    body = reader(
        "PATCH", f"/pages/{page['id']}", 400, json={"properties": {"Status": {"status": {"name": "Blocked"}}}}
    )
    assert "Blocked" in error(body, 400, "validation_error")
    assert reader("GET", f"/pages/{page['id']}")["last_edited_time"] == page["last_edited_time"]


def test_the_notion_version_header_is_required(reader):
    missing = httpx.get(reader.base_url + "/users", headers={"Authorization": HEADERS["Authorization"]})
    assert error(missing.json(), 400, "missing_version") == (
        "Notion-Version header failed validation: Notion-Version header should be defined, "
        "instead was `undefined`."
    )
    other = httpx.get(reader.base_url + "/users", headers={**HEADERS, "Notion-Version": "2021-05-13"})
    assert other.status_code == 400 and "2021-05-13" in error(other.json(), 400, "missing_version")


def test_a_bad_token_is_unauthorized(reader):
    response = httpx.get(reader.base_url + "/users", headers={**HEADERS, "Authorization": "Bearer ntn_wrong"})
    assert response.status_code == 401
    assert error(response.json(), 401, "unauthorized") == "API token is invalid."
