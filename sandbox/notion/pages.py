"""Pages: create, update, trash, and the read shape with `filter_properties` applied.

A page under a data source has `parent: {type: "data_source_id", data_source_id, database_id}` and a
value for every property of the schema (unset ones are null or [] as Notion sends them). Every write
sets `last_edited_time` to the emulator's clock rounded down to the minute and `last_edited_by` to the
integration's bot. Properties of a page in the trash cannot be edited unless the same request restores
it (Notion: "Can't edit block that is archived. You must unarchive the block before editing.").
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from sandbox.emulator import ApiError
from sandbox.notion.store import Json, NotionStore, canonical_id, minute_stamp, partial_user, plain
from sandbox.notion.values import default_value, invalid, property_value

SHARED = "Make sure the relevant pages and databases are shared with your integration."


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


def new_page(store: NotionStore, source: Json, page_id: str, created: datetime, author: str) -> Json:
    """A page with every property at its default, created (and last edited) at `created`."""
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
        "parent": {
            "type": "data_source_id",
            "data_source_id": source["id"],
            "database_id": source["parent"]["database_id"],
        },
        "archived": False,
        "in_trash": False,
        "is_archived": False,
        "is_locked": False,
        "properties": {name: default_value(schema) for name, schema in source["properties"].items()},
        "url": page_url("", page_id),
        "public_url": None,
    }


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
    page["properties"] = values
    page["url"] = page_url(title_of(page), page["id"])


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


def create_page(store: NotionStore, body: Json, now: datetime) -> Json:
    if "parent" not in body:
        raise invalid("body.parent", "defined")
    source = parent_source(store, body["parent"])
    if "properties" not in body:
        raise invalid("body.properties", "defined")
    page = new_page(store, source, store.new_id("page"), now, store.bot_id)
    set_properties(store, source, page, body["properties"])
    store.pages[page["id"]] = page
    return page


def update_page(store: NotionStore, page: Json, body: Json, now: datetime) -> Json:
    trash = body.get("in_trash", body.get("archived"))
    if trash is not None and not isinstance(trash, bool):
        raise invalid("body.in_trash", "a boolean", trash)
    if "properties" in body:
        if page["in_trash"] and trash is not False:
            raise ApiError(
                400,
                "Can't edit block that is archived. You must unarchive the block before editing.",
                "validation_error",
            )
        source = store.data_sources[page["parent"]["data_source_id"]]
        set_properties(store, source, page, body["properties"])
    if trash is not None:
        page["in_trash"] = page["archived"] = trash
    store.touch(page, now)
    return page


def render(page: Json, only: list[str] | None = None) -> Json:
    """A copy of the page; with `filter_properties`, only the properties named (by id or name)."""
    shown = dict(page)
    if only:
        wanted = set(only) | {unquote(item) for item in only}
        shown["properties"] = {
            name: value
            for name, value in page["properties"].items()
            if name in wanted or value["id"] in wanted or unquote(value["id"]) in wanted
        }
    return shown
