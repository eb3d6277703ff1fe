"""Pages <-> canonical Tasks on recorded-shape payloads: empty values both ways, rich text, dates,
people, trash, the Hub ID link, long text, and round trips."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from config.errors import ConfigError
from config.hub_file import NotionDatabase
from connectors.errors import BadData
from connectors.notion.mapping import (
    TaskContext,
    link_id_of,
    page_to_remote,
    page_to_task,
    represent,
    split_version,
    task_to_properties,
)
from connectors.notion.models import NotionDataSource, NotionPage
from connectors.notion.properties import read_value, write_value
from connectors.notion.richtext import utf16_length
from connectors.notion.schema import resolve_properties
from sync.model import Task
from tests.connectors.notion.conftest import fixture_pages, load

EMPTY = "11f2b80c-db82-4282-bb14-a1536c592708"
MULTI = "206ffaa2-7774-4a99-baf5-93e28730240c"
UNICODE = "6601e719-a39a-460c-908e-8909467fcccf"
DONE = "8c2d4e6f-1a3b-4c5d-9e7f-0a1b2c3d4e5f"
TRASHED = "9d3e5f70-2b4c-4d6e-8f80-1b2c3d4e5f60"
SCHEMA = NotionDataSource.model_validate(load("retrieve_data_source.json"))


@pytest.fixture(scope="module")
def pages() -> dict[str, NotionPage]:
    return {**fixture_pages(), **fixture_pages("query_tasks_in_trash.json")}


def by_name(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload keyed by property id (as the connector writes it), keyed by name for reading."""
    names = {prop.id: name for name, prop in SCHEMA.properties.items()}
    return {names[key]: value for key, value in payload.items()}


def page_from_request(properties: dict[str, Any], *, edited: str = "2026-11-25T09:31:00.000Z") -> NotionPage:
    """What Notion returns for a page written with `properties` (keyed by id), in read shapes."""
    values = {}
    for name, request in by_name(properties).items():
        prop = SCHEMA.properties[name]
        kind, value = prop.type, request[prop.type]
        if kind in ("title", "rich_text"):
            value = [
                {
                    **s,
                    "annotations": s.get("annotations", {}),
                    "plain_text": s["text"]["content"],
                    "href": None,
                }
                for s in value
            ]
        elif kind in ("status", "select") and value:
            value = {"id": "opt", "color": "default", **value}
        elif kind == "multi_select":
            value = [{"id": "opt", "color": "default", **v} for v in value]
        values[name] = {"id": prop.id, "type": kind, kind: value}
    return NotionPage.model_validate(
        {
            "object": "page",
            "id": "0f0e0d0c-0b0a-4909-8807-060504030201",
            "created_time": "2026-11-25T09:31:00.000Z",
            "last_edited_time": edited,
            "parent": {"type": "data_source_id", "data_source_id": SCHEMA.id},
            "archived": False,
            "in_trash": False,
            "url": "https://www.notion.so/0f0e0d0c0b0a49098807060504030201",
            "properties": values,
        }
    )


# -- reads ---------------------------------------------------------------------------------------


def test_empty_values_as_null_and_as_empty_lists_read_as_an_empty_task(pages, context):
    page = pages[EMPTY]
    assert page.properties["Due"].value is None and page.properties["Assignee"].value == []
    remote = page_to_remote(page, context)
    # The address is the bare id: Notion's own `url` carries the title, which people edit.
    assert page.url.endswith(page.id.replace("-", "")) and page.url != remote.url
    assert remote.url == "https://www.notion.so/" + page.id.replace("-", "")
    assert remote.item == Task(
        title="Renew Zoom subscription",
        url=remote.url,
        status=None,
        due=None,
        estimate_hours=None,
        edited_at=datetime.fromisoformat(page.last_edited_time),
    )
    assert remote.link_id is None  # "Hub ID": [] is no link


def test_a_multi_segment_title_is_plain_text_and_a_description_is_markdown(pages, context):
    task = page_to_task(pages[MULTI], context)
    assert task.title == "Send onboarding pack to Amélie Roux"  # a plain and a bold segment
    # text, a link, a user mention: the link and the mention survive as Markdown
    assert task.description == (
        "Welcome pack: see [the SOP](https://docs.google.com/document/d/1AbC) and ask "
        "[@Sophie Martin](notion-mention:user/1c8f8d3b-2e4a-4f6b-8c9d-8e7f6a5b4c32) if anything is unclear."
    )


def test_a_datetime_with_an_offset_is_the_same_instant_in_utc(pages, context):
    task = page_to_task(pages[MULTI], context)
    assert task.due == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert task.due.utcoffset().total_seconds() == 0


def test_a_date_only_due_stays_a_calendar_day(pages, context):
    task = page_to_task(pages[UNICODE], context)
    assert task.due == date(2026, 11, 30) and not isinstance(task.due, datetime)


def test_people_resolve_through_the_directory_and_strangers_are_left_out(pages, context):
    task = page_to_task(pages[MULTI], context)
    assert task.assignees == {
        "lea@brightpath.coach",
        "marcus@brightpath.coach",
    }  # the guest is not on the team


def test_labels_estimate_project_and_done(pages, context):
    multi, done = page_to_task(pages[MULTI], context), page_to_task(pages[DONE], context)
    assert multi.labels == {"Client", "Urgent"} and multi.estimate_hours == 1.5
    assert multi.project == "signature coaching program"
    assert (multi.status, multi.done) == ("In progress", False)
    assert (done.status, done.done) == ("Done", True)


def test_unicode_title_and_a_link_written_with_the_marker(pages, context):
    remote = page_to_remote(pages[UNICODE], context)
    assert remote.item.title == "🎉 Célébrer le lancement — café crème ☕ & naïve résumé"
    assert remote.link_id == "lnk_0007"  # "obm-hub:lnk_0007" by hand in the UI: the marker is optional


def test_the_hub_id_property_carries_the_link(pages, context):
    remote = page_to_remote(pages[MULTI], context)
    address = "https://www.notion.so/" + MULTI.replace("-", "")
    assert (remote.remote_id, remote.link_id, remote.url) == (MULTI, "lnk_0042", address)


def test_a_trashed_page_is_an_archived_task(pages, context):
    remote = page_to_remote(pages[TRASHED], context)
    assert remote.item.archived is True and remote.link_id == "lnk_0013"
    assert page_to_task(pages[DONE], context).archived is False


def test_a_naive_datetime_takes_the_values_time_zone_else_utc():
    local = {"start": "2026-12-01T09:30:00.000", "end": None, "time_zone": "Europe/Paris"}
    bare = {"start": "2026-12-01T09:30:00.000", "end": None, "time_zone": None}
    assert read_value("date", local, name="Due") == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert read_value("date", bare, name="Due") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_a_malformed_value_is_bad_data(pages, context):
    data = pages[DONE].model_dump()
    data["properties"]["Estimate (h)"]["number"] = "three"
    with pytest.raises(BadData, match="Estimate"):
        page_to_task(NotionPage.model_validate(data), context)


def test_the_version_moves_when_content_changes_within_the_same_minute(pages, context):
    page = pages[DONE]
    data = page.model_dump()
    data["properties"]["Estimate (h)"]["number"] = 4
    edited = NotionPage.model_validate(data)  # same last_edited_time: Notion rounds to the minute
    before, after = page_to_remote(page, context).version, page_to_remote(edited, context).version
    assert before != after
    assert split_version(before)[0] == split_version(after)[0] == datetime(2026, 11, 19, 11, 5, tzinfo=UTC)
    with pytest.raises(BadData, match="not one this connector wrote"):
        split_version("etag-123")


# -- writes and round trips ----------------------------------------------------------------------

FULL = Task(
    title="Prepare session notes for Inès Moreau ✍️",
    description="Line one.\n\nLine two with a link https://example.com",
    status="In review",
    done=False,
    due=datetime(2026, 11, 27, 16, 0, tzinfo=UTC),
    assignees=frozenset({"lea@brightpath.coach", "sophie@brightpath.coach"}),
    labels=frozenset({"Client", "Waiting on client"}),
    estimate_hours=1.5,
    project="signature coaching program",
)


@pytest.mark.parametrize("due", [FULL.due, date(2026, 11, 30), None], ids=["datetime", "date", "none"])
def test_round_trip_canonical_to_properties_to_page_to_canonical(context, due):
    task = FULL.model_copy(update={"due": due})
    properties = task_to_properties(task, context, link_id="lnk_1234")
    page = page_from_request(properties)
    remote = page_to_remote(page, context)
    expected = task.model_copy(update={"estimate_hours": None})  # never written: Notion owns it
    assert remote.item.model_copy(update={"url": None, "edited_at": None}) == expected
    assert remote.link_id == "lnk_1234"
    assert remote.item.content_hash() == expected.content_hash()
    assert represent(task, context).model_copy(update={"estimate_hours": None}) == expected


def test_datetimes_are_written_in_the_workspace_zone(context):
    properties = by_name(task_to_properties(FULL, context))
    assert properties["Due"] == {
        "date": {"start": "2026-11-27T17:00:00.000+01:00", "end": None, "time_zone": None}
    }
    assert properties["Assignee"] == {
        "people": [
            {"object": "user", "id": "2d9a9e4c-3f5b-4a7c-9dae-9f8a7b6c5d43"},
            {"object": "user", "id": "1c8f8d3b-2e4a-4f6b-8c9d-8e7f6a5b4c32"},
        ]
    }
    assert properties["Project"] == {"relation": [{"id": "860753bb-6d1f-48de-9621-1fa6e0e31f82"}]}


def test_an_update_payload_leaves_the_link_alone_and_never_writes_the_estimate(context):
    assert "Hub ID" not in by_name(task_to_properties(FULL, context))
    created = by_name(task_to_properties(FULL, context, link_id="lnk_9"))
    assert created["Hub ID"]["rich_text"][0]["text"]["content"] == "lnk_9"
    assert "Estimate (h)" not in created  # Notion owns the estimate


def test_only_the_fields_asked_for_are_written(context):
    written = by_name(task_to_properties(FULL, context, fields={"due", "done", "archived"}))
    assert sorted(written) == ["Due", "Status"]  # done goes through the status; archived is not a property
    assert task_to_properties(FULL, context, fields=set()) == {}


def test_text_over_2000_characters_round_trips_split_not_truncated(context):
    long_title = "Plan the Q1 retreat 🏔️ " * 120  # emoji count twice in Notion's (UTF-16) length
    long_description = ("Déjà vu — " + "x" * 1990 + "\n") * 7
    task = FULL.model_copy(update={"title": long_title, "description": long_description})
    properties = by_name(task_to_properties(task, context))
    for name in ("Name", "Description"):
        segments = properties[name][SCHEMA.properties[name].type]
        assert len(segments) > 1
        assert all(utf16_length(s["text"]["content"]) <= 2000 for s in segments)
    back = page_to_task(page_from_request(task_to_properties(task, context)), context)
    assert (back.title, back.description) == (long_title, long_description)


def test_text_beyond_100_segments_is_refused_not_cut(context):
    task = FULL.model_copy(update={"description": "y" * (2000 * 100 + 1)})
    with pytest.raises(BadData, match="Description"):
        task_to_properties(task, context)


def test_a_status_the_data_source_lacks_is_refused(context):
    with pytest.raises(BadData, match="Blocked"):
        task_to_properties(FULL.model_copy(update={"status": "Blocked"}), context)


def test_a_project_without_a_page_is_refused(context):
    with pytest.raises(BadData, match="winter retreat"):
        task_to_properties(FULL.model_copy(update={"project": "winter retreat"}), context)


def test_an_assignee_without_a_notion_user_is_left_out(context, workspace):
    stranger = FULL.model_copy(update={"assignees": frozenset({"lea@brightpath.coach", "ghost@example.org"})})
    people = by_name(task_to_properties(stranger, context))["Assignee"]["people"]
    assert [p["id"] for p in people] == ["2d9a9e4c-3f5b-4a7c-9dae-9f8a7b6c5d43"]


@pytest.mark.parametrize(
    ("kind", "value", "written"),
    [
        ("title", "Café ☕", {"title": [{"type": "text", "text": {"content": "Café ☕"}}]}),
        ("rich_text", "", {"rich_text": []}),
        ("status", "Done", {"status": {"name": "Done"}}),
        ("select", "High", {"select": {"name": "High"}}),
        ("select", None, {"select": None}),
        ("multi_select", ["b", "a"], {"multi_select": [{"name": "a"}, {"name": "b"}]}),
        ("date", date(2026, 1, 2), {"date": {"start": "2026-01-02", "end": None, "time_zone": None}}),
        ("number", 2.5, {"number": 2.5}),
        ("number", None, {"number": None}),
        ("people", ["u1"], {"people": [{"object": "user", "id": "u1"}]}),
        ("relation", ["p1", "p2"], {"relation": [{"id": "p1"}, {"id": "p2"}]}),
        ("url", "https://example.com/a", {"url": "https://example.com/a"}),
        ("url", None, {"url": None}),
        ("checkbox", True, {"checkbox": True}),
    ],
)
def test_every_property_type_is_written_and_read_back(kind, value, written):
    assert write_value(kind, value, name="P") == written
    read_shape: Any = written[kind]
    if kind in ("title", "rich_text"):
        read_shape = [{**s, "plain_text": s["text"]["content"]} for s in read_shape]
    expected = sorted(value) if kind == "multi_select" else value
    assert read_value(kind, read_shape, name="P") == (expected if value != "" else "")


def test_a_checkbox_must_hold_a_boolean():
    with pytest.raises(BadData, match="Client-facing"):
        read_value("checkbox", None, name="Client-facing")


# -- schema resolution ---------------------------------------------------------------------------


def test_every_configuration_problem_is_named_at_once():
    config = NotionDatabase(database_id="db", title_property="Task", due_property="Estimate (h)")
    with pytest.raises(ConfigError) as caught:
        resolve_properties(config, SCHEMA)
    text = str(caught.value)
    assert "no property named 'Task'" in text and "'Name'" in text  # names the choices
    assert "'Estimate (h)' is a number property; the hub needs a date" in text


def test_optional_properties_the_data_source_lacks_are_not_synced(context):
    schema = SCHEMA.model_copy(
        update={"properties": {k: v for k, v in SCHEMA.properties.items() if k not in ("Due", "Project")}}
    )
    props = resolve_properties(NotionDatabase(database_id="db"), schema)
    assert props.due is None and props.project is None and props.project_source_id is None
    reduced = TaskContext(props, context.directory, context.zone)
    assert "Due" not in by_name(task_to_properties(FULL.model_copy(update={"project": None}), reduced))


def test_filter_properties_name_exactly_the_mapped_properties(context):
    assert sorted(context.properties.ids()) == sorted(
        ["title", "iijV", "MNV~", "SPrp", "_x%3E%3D", "Kjx%7D", "swq%5C", "flUp", "pr%7Cj"]
    )


def test_link_is_read_even_when_it_holds_spaces(pages, context):
    data = pages[DONE].model_dump()
    data["properties"]["Hub ID"]["rich_text"][0]["plain_text"] = "  lnk_0099 \n"
    assert link_id_of(NotionPage.model_validate(data), context.properties) == "lnk_0099"
