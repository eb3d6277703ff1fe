"""The Notion emulator pushes back like the real API (issue 8): conflicts, short pages, opaque cursors,
minute-rounded container times, real rich text, relations beyond 25, computed properties, wikis that
list data sources, and the block rules a published page must follow. Each test would fail on the
emulator before these changes; the documentation behind each behaviour is cited in the emulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.notion.seed import ANNUAL_REVIEW, project_page_id
from sandbox.notion.store import stable_id
from tests.sandbox.test_notion_api import HEADERS, SOURCE, Api, _serve, error

PROJECTS = stable_id("data_source", "projects")
SUMMARIES = stable_id("page", "operations-summaries")
CONFLICT = "Conflict occurred while saving. Please try again."


@pytest.fixture
def served() -> Iterator[tuple[Any, Api]]:
    sandbox, client = _serve()
    yield sandbox, client
    client.http.close()
    sandbox.stop()


@pytest.fixture
def api(served) -> Api:
    return served[1]


def faults(api: Api, **settings: Any) -> None:
    response = httpx.post(api.base_url.removesuffix("/v1") + "/_sandbox/faults", json=settings)
    assert response.status_code == 200, response.text


def walk(api: Api, path: str, **body: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Every result of a query, and the cursors it went through."""
    results, cursors, cursor = [], [], None
    while True:
        page = api("POST", path, json={**body, **({"start_cursor": cursor} if cursor else {})})
        results += page["results"]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            return results, cursors
        cursors.append(cursor)


def estimate(api: Api, page_id: str, hours: float, expect: int = 200) -> dict[str, Any]:
    return api("PATCH", f"/pages/{page_id}", expect, json={"properties": {"Estimate (h)": {"number": hours}}})


# -- 409 conflict_error ------------------------------------------------------------------------------


def test_the_conflict_fault_refuses_writes_with_notions_body_and_lets_reads_through(api):
    page_id = api.query(page_size=1)["results"][0]["id"]
    faults(api, error_rate=1.0, kinds=["conflict"])
    body = estimate(api, page_id, 9.0, expect=409)
    assert error(body, 409, "conflict_error") == CONFLICT
    assert api("GET", f"/pages/{page_id}")["properties"]["Estimate (h)"]["number"] != 9.0


def test_truly_concurrent_writes_to_one_page_collide_and_only_one_lands(api):
    pages = api.query(page_size=2)["results"]
    faults(api, conflict_window_ms=400)
    statuses: dict[float, int] = {}

    def write(page_id: str, hours: float) -> None:
        with httpx.Client(base_url=api.base_url, headers=HEADERS, timeout=5) as http:
            url = f"/pages/{page_id}"
            statuses[hours] = http.patch(
                url, json={"properties": {"Estimate (h)": {"number": hours}}}
            ).status_code

    threads = [threading.Thread(target=write, args=(pages[0]["id"], hours)) for hours in (7.0, 8.0)]
    threads.append(threading.Thread(target=write, args=(pages[1]["id"], 9.0)))  # another page: no collision
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted([statuses[7.0], statuses[8.0]]) == [200, 409] and statuses[9.0] == 200
    winner = 7.0 if statuses[7.0] == 200 else 8.0
    assert api("GET", f"/pages/{pages[0]['id']}")["properties"]["Estimate (h)"]["number"] == winner


# -- pagination ----------------------------------------------------------------------------------------


def test_short_and_empty_pages_keep_has_more_and_lose_nothing(api):
    faults(api, short_pages=0.7, seed=3)
    results, cursors = walk(api, f"/data_sources/{SOURCE}/query", page_size=5)
    assert len(results) == len({page["id"] for page in results}) == 23
    assert len(cursors) > 5  # 23 results would take 5 full pages
    assert len(cursors) == len(set(cursors))  # every cursor new: a client's loop check never fires
    sizes = [len(api.query(page_size=5)["results"]) for _ in range(20)]
    assert min(sizes) < 5  # some first pages come back short (or empty) although there is more


def test_a_cursor_survives_the_trashing_of_the_page_it_stands_on(api):
    first = api.query(page_size=5)
    following = api.query(page_size=5, start_cursor=first["next_cursor"])["results"]
    api("PATCH", f"/pages/{following[0]['id']}", json={"in_trash": True})  # the cursor's own page
    after = api.query(page_size=5, start_cursor=first["next_cursor"])["results"]
    assert [p["id"] for p in after] == [p["id"] for p in following[1:]]


def test_an_edit_during_a_walk_sorted_by_edit_time_returns_no_page_twice_and_skips_none(api):
    sorts = [{"timestamp": "last_edited_time", "direction": "ascending"}]
    page = api.query(page_size=5, sorts=sorts)
    estimate(api, page["results"][0]["id"], 11.0)  # now the most recently edited: it moves to the end
    seen = [p["id"] for p in page["results"]]
    cursor = page["next_cursor"]
    while cursor:
        page = api.query(page_size=5, sorts=sorts, start_cursor=cursor)
        seen += [p["id"] for p in page["results"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 23


def test_a_cursor_that_no_walk_returned_is_refused(api):
    made_up = stable_id("page", "task-001")  # a page id, as cursors used to be
    body = api.query(400, page_size=5, start_cursor=made_up)
    assert "start_cursor should be a cursor returned by a previous request" in error(
        body, 400, "validation_error"
    )


# -- rounding ------------------------------------------------------------------------------------------


def test_database_and_data_source_times_are_rounded_down_to_the_minute(api):
    database = api("GET", f"/databases/{api.business.workspace.notion.database_id}")  # type: ignore[attr-defined]
    source = api("GET", f"/data_sources/{SOURCE}")
    for stamp in (database["created_time"], database["last_edited_time"], source["last_edited_time"]):
        assert stamp.endswith(":00.000+00:00"), stamp


def test_datetimes_written_to_a_date_lose_their_seconds(api):
    page_id = api.query(page_size=1)["results"][0]["id"]
    written = api(
        "PATCH",
        f"/pages/{page_id}",
        json={"properties": {"Due": {"date": {"start": "2026-12-02T10:15:42+01:00"}}}},
    )
    assert written["properties"]["Due"]["date"]["start"] == "2026-12-02T10:15:00.000+01:00"


# -- rich text -----------------------------------------------------------------------------------------


def _kinds(elements: list[dict[str, Any]]) -> set[str]:
    found = set()
    for element in elements:
        if element["type"] == "mention":
            found.add("mention:" + element["mention"]["type"])
        elif element["type"] == "equation":
            found.add("equation")
        elif element["text"]["link"]:
            found.add("link")
        found |= {name for name, on in element["annotations"].items() if on is True}
        if element["annotations"]["color"] != "default":
            found.add("color")
    return found


def test_seeded_descriptions_carry_every_kind_of_rich_text_in_a_realistic_share(api):
    descriptions = [p["properties"]["Description"]["rich_text"] for p in api.query(page_size=100)["results"]]
    kinds = set().union(*map(_kinds, descriptions))
    assert kinds >= {
        "mention:user", "mention:page", "mention:database", "mention:date", "mention:link_preview", "link",
        "equation", "bold", "italic", "code", "strikethrough", "underline", "color",
    }  # fmt: skip
    formatted = [d for d in descriptions if _kinds(d)]
    assert 8 <= len(formatted) <= len([d for d in descriptions if d]) - 3  # plain ones remain too


def test_rich_text_requests_take_mentions_equations_and_annotations_and_refuse_what_notion_refuses(api):
    page_id = api.query(page_size=1)["results"][0]["id"]
    user = api.business.people[1].notion_user_id  # type: ignore[attr-defined]
    elements = [
        {"type": "text", "text": {"content": "Ask "}, "annotations": {"bold": True, "color": "red"}},
        {"type": "mention", "mention": {"type": "user", "user": {"id": user}}},
        {"type": "mention", "mention": {"page": {"id": project_page_id("Operations")}}},
        {"type": "equation", "equation": {"expression": "E = mc^2"}},
    ]
    written = api("PATCH", f"/pages/{page_id}", json={"properties": {"Description": {"rich_text": elements}}})
    shown = written["properties"]["Description"]["rich_text"]
    assert [e["plain_text"] for e in shown] == ["Ask ", "@Sophie Martin", "Operations", "E = mc^2"]
    assert shown[0]["annotations"] == {"bold": True, "italic": False, "strikethrough": False,
                                       "underline": False, "code": False, "color": "red"}  # fmt: skip
    assert shown[2]["href"] == "https://www.notion.so/" + project_page_id("Operations").replace("-", "")
    preview = {
        "type": "mention",
        "mention": {"type": "link_preview", "link_preview": {"url": "https://x.io"}},
    }
    refused = api(
        "PATCH", f"/pages/{page_id}", 400, json={"properties": {"Description": {"rich_text": [preview]}}}
    )
    assert "mention.type" in error(refused, 400, "validation_error")
    long = [{"type": "equation", "equation": {"expression": "x" * 1001}}]
    refused = api(
        "PATCH", f"/pages/{page_id}", 400, json={"properties": {"Description": {"rich_text": long}}}
    )
    assert "expression.length should be ≤ `1000`" in error(refused, 400, "validation_error")


def test_a_rich_text_value_shows_25_page_mentions_and_the_property_item_all_of_them(api):
    page_id = api.query(page_size=1)["results"][0]["id"]
    cohorts = [project_page_id(f"Signature Coaching Program: cohort {n}") for n in range(1, 27)]
    elements: list[dict[str, Any]] = []
    for cohort in cohorts:
        elements += [{"mention": {"page": {"id": cohort}}}, {"text": {"content": ", "}}]
    api("PATCH", f"/pages/{page_id}", json={"properties": {"Description": {"rich_text": elements}}})
    shown = api("GET", f"/pages/{page_id}")["properties"]["Description"]["rich_text"]
    assert len(shown) == 49 and shown[-1]["type"] == "mention"  # cut after the 25th page mention
    items, cursor = [], None
    while True:
        params = {"page_size": 20, **({"start_cursor": cursor} if cursor else {})}
        body = api("GET", f"/pages/{page_id}/properties/d%253BsC", params=params)
        items += body["results"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(items) == 52 and items[-2]["rich_text"]["mention"]["page"]["id"] == cohorts[-1]


# -- relations, computed properties --------------------------------------------------------------------


def review(api: Api) -> dict[str, Any]:
    found = api.query(filter={"property": "Name", "title": {"equals": ANNUAL_REVIEW}})["results"]
    assert len(found) == 1
    return found[0]


def test_a_relation_over_25_pages_shows_25_and_the_property_item_lists_all_of_them(api):
    page = review(api)
    relation = page["properties"]["Project"]
    assert len(relation["relation"]) == 25 and relation["has_more"] is True
    ids, cursor, calls = [], None, 0
    while True:
        params = {"page_size": 10, **({"start_cursor": cursor} if cursor else {})}
        body = api("GET", f"/pages/{page['id']}/properties/pr%257Cj", params=params)
        calls += 1
        assert body["object"] == "list" and body["type"] == "property_item"
        assert body["property_item"]["type"] == "relation" and body["property_item"]["id"] == "pr%7Cj"
        ids += [item["relation"]["id"] for item in body["results"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert calls == 3 and len(ids) == 27 and ids[-1] == project_page_id("Operations")


def test_dual_relations_stay_in_step_on_the_related_page(api):
    page = api.query(page_size=1)["results"][0]
    target = project_page_id("Spring Launch")
    api("PATCH", f"/pages/{page['id']}", json={"properties": {"Project": {"relation": [{"id": target}]}}})
    schema = api("GET", f"/data_sources/{SOURCE}")["properties"]["Project"]["relation"]
    assert schema["type"] == "dual_property" and schema["dual_property"]["synced_property_name"] == "Tasks"
    tasks = api("GET", f"/pages/{target}/properties/Tasks")
    assert page["id"] in [item["relation"]["id"] for item in tasks["results"]]


def test_rows_carry_computed_and_read_only_properties_that_cannot_be_written(api):
    page = review(api)
    values = page["properties"]
    assert values["Task ID"]["unique_id"]["prefix"] == "TSK" and values["Task ID"]["unique_id"]["number"] >= 1
    estimate_h = values["Estimate (h)"]["number"]
    assert values["Estimate (min)"]["formula"] == {"type": "number", "number": estimate_h * 60}
    rollup = values["Project name"]["rollup"]
    assert (rollup["type"], rollup["function"], len(rollup["array"])) == ("array", "show_original", 25)
    assert (
        values["Created by"]["created_by"]["object"] == "user" and values["Last edited by"]["last_edited_by"]
    )
    full = api("GET", f"/pages/{page['id']}/properties/pn%253Fr")  # the rollup over all 27 relations
    assert len(full["rollup"]["array"]) == 27
    attached = [p for p in api.query(page_size=100)["results"] if p["properties"]["Attachments"]["files"]]
    assert attached and attached[0]["properties"]["Attachments"]["files"][0]["type"] == "external"
    body = api("PATCH", f"/pages/{page['id']}", 400, json={"properties": {"Estimate (min)": {"formula": 3}}})
    message = error(body, 400, "validation_error")
    assert message.startswith(
        "body failed validation. Fix one:\nbody.properties.Estimate (min).title should be"
    )


# -- wikis list data sources -----------------------------------------------------------------------------


def test_a_wiki_query_lists_data_sources_beside_pages_unless_result_type_says_otherwise(api):
    results = api.query(source=PROJECTS)["results"]
    assert sorted(r["object"] for r in results) == ["data_source", "page", "page", "page"]
    assert [r["object"] for r in api.query(source=PROJECTS, result_type="page")["results"]] == ["page"] * 3
    only = api.query(source=PROJECTS, result_type="data_source")["results"]
    assert [(r["object"], r["title"][0]["plain_text"]) for r in only] == [("data_source", "Retired programs")]
    trashed = api.query(source=PROJECTS, in_trash=True)["results"]
    assert len(trashed) == 26 and {r["object"] for r in trashed} == {"page"}  # the past cohorts


# -- blocks --------------------------------------------------------------------------------------------


def paragraph(text: str, children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"rich_text": [{"text": {"content": text}}]}
    if children is not None:
        content["children"] = children
    return {"type": "paragraph", "paragraph": content}


def table(width: int, rows: list[list[str]]) -> dict[str, Any]:
    cells = [
        {"type": "table_row", "table_row": {"cells": [[{"text": {"content": c}}] for c in row]}}
        for row in rows
    ]
    return {"type": "table", "table": {"table_width": width, "has_column_header": True, "children": cells}}


def test_a_page_under_a_page_with_nested_content_reads_back_as_written(api):
    created = api(
        "POST",
        "/pages",
        json={
            "parent": {"page_id": SUMMARIES},
            "properties": {"title": {"title": [{"text": {"content": "Week 48"}}]}},
            "children": [
                {"type": "callout", "callout": {"rich_text": [{"text": {"content": "2 overdue"}}],
                                                "icon": {"type": "emoji", "emoji": "⚠️"}}},
                table(2, [["Task", "Due"], ["Invoice", "Mon"]]),
                {"type": "bulleted_list_item", "bulleted_list_item": {
                    "rich_text": [{"text": {"content": "Doing"}}], "children": [paragraph("two of them")]}},
            ],
        },
    )  # fmt: skip
    listed = api("GET", f"/blocks/{SUMMARIES}/children")["results"]
    assert [(b["type"], b["id"]) for b in listed] == [("child_page", created["id"])]
    assert listed[0]["child_page"] == {"title": "Week 48"}
    content = api("GET", f"/blocks/{created['id']}/children")["results"]
    assert [b["type"] for b in content] == ["callout", "table", "bulleted_list_item"]
    assert content[0]["callout"]["icon"] == {"type": "emoji", "emoji": "⚠️"}
    assert content[1]["table"]["table_width"] == 2 and content[1]["has_children"] is True
    rows = api("GET", f"/blocks/{content[1]['id']}/children")["results"]
    assert [[cell[0]["plain_text"] for cell in r["table_row"]["cells"]] for r in rows] == [
        ["Task", "Due"],
        ["Invoice", "Mon"],
    ]
    assert (
        api("GET", f"/blocks/{content[2]['id']}/children")["results"][0]["paragraph"]["rich_text"][0][
            "plain_text"
        ]
        == "two of them"
    )
    deleted = api("DELETE", f"/blocks/{content[0]['id']}")
    assert deleted["in_trash"] is True
    assert [b["type"] for b in api("GET", f"/blocks/{created['id']}/children")["results"]] == [
        "table",
        "bulleted_list_item",
    ]


@pytest.mark.parametrize(
    ("children", "message"),
    [
        ([paragraph("a", [paragraph("b", [paragraph("c", [paragraph("d")])])])], "two levels of nesting"),
        ([table(2, [["a", "b"], ["c"]])], "table_row.cells.length should be `2` (table_width)"),
        ([table(2, [])], "table.children should be an array of at least one table_row"),
        ([{"type": "divider", "divider": {"children": [paragraph("x")]}}], "holds no children"),
        (
            [{"type": "heading_2", "heading_2": {"rich_text": [], "children": [paragraph("x")]}}],
            "holds no children",
        ),
        ([paragraph("x", [paragraph(str(n)) for n in range(10)]) for _ in range(100)], "≤ `1000`"),
    ],
    ids=["depth", "table-width", "empty-table", "divider", "heading", "1000-blocks"],
)
def test_block_rules_are_enforced_and_a_refused_append_adds_nothing(api, children, message):
    body = api("PATCH", f"/blocks/{SUMMARIES}/children", 400, json={"children": children})
    assert message in error(body, 400, "validation_error")
    assert api("GET", f"/blocks/{SUMMARIES}/children")["results"] == []
