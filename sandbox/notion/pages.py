"""Pages: create, update, trash, and the read shape.

A page under a data source has `parent: {type: "data_source_id", data_source_id, database_id}` and a
value for every property of the schema (unset ones are null or [] as Notion sends them); a page under
a page has one `title` property and shows in its parent's children as a `child_page` block with the
same id. Every write sets `last_edited_time` to the emulator's clock rounded down to the minute and
`last_edited_by` to the integration's bot. Properties of a page in the trash cannot be edited unless
the same request restores it ("Can't edit block that is archived. You must unarchive the block before
editing."). A `dual_property` relation is kept in step on the related page.

Reading a page (https://developers.notion.com/reference/retrieve-a-page, Limits): "Each page property
item is computed with a limit of 25 page references": a relation shows its first 25 pages with
`has_more: true`, a rich-text value stops after its 25th page mention; the property item endpoint
(property_items.py) has the whole value.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from sandbox.emulator import ApiError
from sandbox.notion import blocks
from sandbox.notion.checks import invalid
from sandbox.notion.computed import REFERENCES, computed
from sandbox.notion.richtext import rich_text
from sandbox.notion.store import Json, NotionStore, canonical_id, minute_stamp, partial_user, plain
from sandbox.notion.values import default_value, property_value

SHARED = "Make sure the relevant pages and databases are shared with your integration."
ARCHIVED = "Can't edit block that is archived. You must unarchive the block before editing."


def not_found(kind: str, object_id: str) -> ApiError:
    return ApiError(404, f"Could not find {kind} with ID: {object_id}. {SHARED}", "object_not_found")


def page_url(title: str, page_id: str) -> str:
    slug = "-".join(re.findall(r"[^\W_]+", title))
    return f"https://www.notion.so/{slug + '-' if slug else ''}{page_id.replace('-', '')}"


def find_property(source: Json, key: str) -> Json | None:
    """A schema property by name, else by id (ids travel URL-encoded: `%3CnJT`)."""
    properties = source["properties"]
    if key in properties:
        return properties[key]
    return next((p for p in properties.values() if key in (p["id"], unquote(p["id"]))), None)


def title_of(page: Json) -> str:
    return next((plain(v["title"]) for v in page["properties"].values() if v["type"] == "title"), "")


def _page_fields(page_id: str, parent: Json, created: datetime, author: str) -> Json:
    stamp = minute_stamp(created)
    return {
        "object": "page",
        "id": page_id,
        "created_time": stamp,
        "last_edited_time": stamp,
        "created_by": partial_user(author),
        "last_edited_by": partial_user(author),
        "cover": None,
        "icon": None,
        "parent": parent,
        "archived": False,
        "in_trash": False,
        "is_archived": False,
        "is_locked": False,
        "properties": {},
        "url": page_url("", page_id),
        "public_url": None,
    }


def new_page(store: NotionStore, source: Json, page_id: str, created: datetime, author: str) -> Json:
    """A page of `source` with every property at its default, created (and last edited) at `created`."""
    parent = {
        "type": "data_source_id",
        "data_source_id": source["id"],
        "database_id": source["parent"]["database_id"],
    }
    page = _page_fields(page_id, parent, created, author)
    page["properties"] = {name: default_value(schema) for name, schema in source["properties"].items()}
    for name, schema in source["properties"].items():
        if schema["type"] == "unique_id":
            page["properties"][name]["unique_id"] = _next_unique(store, source, name)
    return page


def _next_unique(store: NotionStore, source: Json, name: str) -> Json:
    numbers = [p["properties"][name]["unique_id"]["number"] for p in store.pages_of(source["id"])]
    prefix = source["properties"][name]["unique_id"].get("prefix")
    return {"prefix": prefix, "number": max(numbers, default=0) + 1}


def new_child_page(
    store: NotionStore, parent: Json, page_id: str, created: datetime, title: list[Json]
) -> Json:
    """A page under the page `parent`, listed in its children as a `child_page` block."""
    page = _page_fields(page_id, {"type": "page_id", "page_id": parent["id"]}, created, store.bot_id)
    page["properties"] = {"title": {"id": "title", "type": "title", "title": title}}
    page["url"] = page_url(plain(title), page_id)
    store.pages[page_id] = page
    block = blocks.block_fields(store, parent, page_id, "child_page", {"title": plain(title)}, created)
    store.blocks[page_id] = block
    store.children.setdefault(parent["id"], []).append(page_id)
    store.touch(parent, created)
    return page


# -- writes ----------------------------------------------------------------------------------------


def set_properties(store: NotionStore, source: Json, page: Json, request: Any) -> None:
    """Check every value first, then apply them all: a refused request changes nothing."""
    if not isinstance(request, dict):
        raise invalid("body.properties", "an object", request)
    values = dict(page["properties"])
    for key, value in request.items():
        schema = find_property(source, key)
        if schema is None:
            raise ApiError(400, f"{key} is not a property that exists.", "validation_error")
        values[schema["name"]] = property_value(store, schema, value, f"body.properties.{schema['name']}")
    for name, schema in source["properties"].items():
        if schema["type"] == "relation" and values[name] is not page["properties"][name]:
            _sync_dual(store, schema, page, page["properties"][name]["relation"], values[name]["relation"])
    page["properties"] = values
    page["url"] = page_url(title_of(page), page["id"])


def _sync_dual(store: NotionStore, schema: Json, page: Json, old: list[Json], new: list[Json]) -> None:
    """Keep the related pages' synced property in step with a `dual_property` relation."""
    config = schema["relation"]
    if config.get("type") != "dual_property":
        return
    synced = config["dual_property"]["synced_property_name"]
    before, after = {item["id"] for item in old}, {item["id"] for item in new}
    for other_id in before ^ after:
        other = store.pages[other_id]
        links = [item for item in other["properties"][synced]["relation"] if item["id"] != page["id"]]
        if other_id in after:
            links.append({"id": page["id"]})
        other["properties"][synced] = {**other["properties"][synced], "relation": links}


def _title_request(body: Json) -> list[Json]:
    properties = body.get("properties")
    if not isinstance(properties, dict):
        raise invalid("body.properties", "an object", properties)
    title = properties.get("title", next(iter(properties.values()), None))
    if len(properties) > 1 or not isinstance(title, dict) or "title" not in title:
        raise ApiError(400, "A page under a page has only a title property.", "validation_error")
    return list(title["title"] or [])


def create_page(store: NotionStore, body: Json, now: datetime) -> Json:
    if "parent" not in body:
        raise invalid("body.parent", "defined")
    parent = body["parent"]
    children = body.get("children")
    if children is not None:
        blocks.check_children(store, {"children": children}, "body")
    if isinstance(parent, dict) and "page_id" in parent:
        container = store.pages.get(canonical_id(str(parent["page_id"])) or "")
        if container is None:
            raise not_found("page", str(parent["page_id"]))
        title = rich_text(store, _title_request(body), "body.properties.title.title")
        page = new_child_page(store, container, store.new_id("page"), now, title)
    else:
        page = _create_row(store, parent, body, now)
    if children:
        blocks.append_children(store, page, {"children": children}, now)
    return page


def _create_row(store: NotionStore, parent: Any, body: Json, now: datetime) -> Json:
    source = parent_source(store, parent)
    if "properties" not in body:
        raise invalid("body.properties", "defined")
    page = new_page(store, source, store.new_id("page"), now, store.bot_id)
    set_properties(store, source, page, body["properties"])
    store.pages[page["id"]] = page
    return page


def parent_source(store: NotionStore, parent: Any) -> Json:
    """The data source a create request names, by `data_source_id` or by a one-source `database_id`."""
    if not isinstance(parent, dict):
        raise invalid("body.parent", "defined", None if parent is None else parent)
    if "data_source_id" in parent:
        source_id = canonical_id(str(parent["data_source_id"]))
        if source_id is None or source_id not in store.data_sources:
            raise not_found("data_source", str(parent["data_source_id"]))
        return store.data_sources[source_id]
    if "database_id" in parent:
        database = store.databases.get(canonical_id(str(parent["database_id"])) or "")
        if database is None:
            raise not_found("database", str(parent["database_id"]))
        if len(database["data_sources"]) != 1:
            raise ApiError(
                400,
                "Databases with multiple data sources are not supported as a page parent; "
                "use a data_source_id parent instead.",
                "validation_error",
            )
        return store.data_sources[database["data_sources"][0]["id"]]
    raise invalid("body.parent.data_source_id", "defined")


def update_page(store: NotionStore, page: Json, body: Json, now: datetime) -> Json:
    trash = body.get("in_trash", body.get("archived"))
    if trash is not None and not isinstance(trash, bool):
        raise invalid("body.in_trash", "a boolean", trash)
    if "properties" in body:
        if page["in_trash"] and trash is not False:
            raise ApiError(400, ARCHIVED, "validation_error")
        if page["parent"]["type"] == "page_id":
            title = rich_text(store, _title_request(body), "body.properties.title.title")
            page["properties"]["title"] = {"id": "title", "type": "title", "title": title}
            page["url"] = page_url(plain(title), page["id"])
        else:
            source = store.data_sources[page["parent"]["data_source_id"]]
            set_properties(store, source, page, body["properties"])
    if trash is not None:
        trash_page(store, page, trash)
    store.touch(page, now)
    return page


def trash_page(store: NotionStore, page: Json, trash: bool) -> None:
    page["in_trash"] = page["archived"] = trash
    block = store.blocks.get(page["id"])
    if block is not None:  # its child_page block in the parent's content
        block["in_trash"] = block["archived"] = trash
        block["child_page"]["title"] = title_of(page)


# -- the read shape ----------------------------------------------------------------------------------


def render(store: NotionStore, page: Json, only: list[str] | None = None) -> Json:
    """A copy of the page as Notion returns it; with `filter_properties`, only the properties named."""
    shown = dict(page)
    wanted = set(only or ()) | {unquote(item) for item in only or ()}
    source = store.data_sources.get(page["parent"].get("data_source_id", ""))
    properties: Json = {}
    for name, value in page["properties"].items():
        if wanted and not (name in wanted or value["id"] in wanted or unquote(value["id"]) in wanted):
            continue
        schema = source["properties"].get(name) if source else None
        properties[name] = (computed(store, schema, page) if schema else None) or _limited(value)
    shown["properties"] = properties
    return shown


def _limited(value: Json) -> Json:
    """A value as the page object shows it: at most 25 page references."""
    kind = value["type"]
    if kind == "relation" and len(value["relation"]) > REFERENCES:
        return {**value, "relation": value["relation"][:REFERENCES], "has_more": True}
    if kind in ("title", "rich_text"):
        mentions = [i for i, e in enumerate(value[kind]) if _page_reference(e)]
        if len(mentions) > REFERENCES:
            return {**value, kind: value[kind][: mentions[REFERENCES - 1] + 1]}
    return value


def _page_reference(element: Json) -> bool:
    return element.get("type") == "mention" and element["mention"].get("type") in ("page", "database")
