"""Retrieve a page property item: the whole value of one property, beyond the page object's limits.

`GET /pages/{page_id}/properties/{property_id}` (https://developers.notion.com/reference/retrieve-a-page-property,
/reference/property-item-object): "In cases where a property item has more than 25 references, this
endpoint should be used, rather than Retrieve a page". Title, rich text, relation and people come
as a paginated list of `property_item` objects, one per element, with a `property_item` object that
names the property and its `next_url`; every other type is one `property_item`. The property is
named by its id (URL-encoded as the schema gives it) or by its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.emulator import ApiError
from sandbox.notion.computed import computed
from sandbox.notion.cursors import Cursors
from sandbox.notion.pages import find_property
from sandbox.notion.store import Json, NotionStore

PAGINATED = frozenset({"title", "rich_text", "relation", "people"})
EVERY_REFERENCE = 1_000_000


def _schema(store: NotionStore, page: Json, key: str) -> Json:
    if page["parent"]["type"] == "page_id":
        source: Json = {"properties": {"title": {"id": "title", "name": "title", "type": "title"}}}
    else:
        source = store.data_sources[page["parent"]["data_source_id"]]
    schema = find_property(source, key)
    if schema is None:
        raise ApiError(404, f"Could not find property with ID: {key}.", "object_not_found")
    return schema


def _items(schema: Json, elements: list[Json]) -> tuple[list[Json], list[str]]:
    """One `property_item` per element, and what tells them apart for the cursors."""
    kind = schema["type"]
    items = [{"object": "property_item", "id": schema["id"], "type": kind, kind: e} for e in elements]
    keys = [str(e.get("id")) if kind in ("relation", "people") else str(i) for i, e in enumerate(elements)]
    return items, keys


def property_item(
    store: NotionStore,
    cursors: Cursors,
    page: Json,
    key: str,
    *,
    start_cursor: Any,
    page_size: Any,
    next_url: Callable[[str], str],
    keep: Callable[[int], int],
) -> Json:
    schema = _schema(store, page, key)
    kind = schema["type"]
    value = computed(store, schema, page, references=EVERY_REFERENCE)
    value = value or page["properties"].get(schema["name"]) or {"type": kind, kind: None}
    if kind not in PAGINATED:
        return {"object": "property_item", "id": schema["id"], "type": kind, kind: value[kind]}
    items, keys = _items(schema, value[kind] or [])
    chunk, cursor = cursors.page(
        f"property:{page['id']}:{schema['id']}",
        items,
        start_cursor,
        page_size,
        where="query",
        keep=keep,
        keys=keys,
    )
    return {
        "object": "list",
        "results": chunk,
        "next_cursor": cursor,
        "has_more": cursor is not None,
        "type": "property_item",
        "property_item": {
            "id": schema["id"],
            "next_url": next_url(cursor) if cursor else None,
            "type": kind,
            kind: {},
        },
    }
