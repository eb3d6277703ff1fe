"""Values Notion computes when a page is read: formulas, rollups, and the created/edited properties.

A page carries them like any property (https://developers.notion.com/reference/page-property-values):
`formula: {type, <type>}`, `rollup: {type, <type>, function}`, `created_time`, `last_edited_time`,
`created_by` and `last_edited_by` (the page's own fields), `unique_id: {prefix, number}` (assigned at
creation, stored). Rollups read at most 25 related pages: "rollup property values are calculated based
on a maximum of 25 relations" (https://developers.notion.com/reference/retrieve-a-page, Limits;
lastorel/pytion issue #66 shows `count` stopping at 25).

The emulator evaluates the one formula shape its seed uses, `prop("Name") * <number>`; any other
expression reads as an empty string, as a formula whose result cannot be computed does.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.notion.store import Json, NotionStore

REFERENCES = 25
_PRODUCT = re.compile(r'prop\("([^"]+)"\)\s*\*\s*([0-9.]+)')


def computed(store: NotionStore, schema: Json, page: Json, references: int = REFERENCES) -> Json | None:
    """The read value of a computed property of `page`, or None if `schema` is not computed; a rollup
    reads the first `references` related pages (all of them through the property item endpoint)."""
    kind = schema["type"]
    value: Any
    if kind in ("created_time", "last_edited_time") or kind in ("created_by", "last_edited_by"):
        value = page[kind]
    elif kind == "formula":
        value = _formula(schema["formula"].get("expression", ""), page)
    elif kind == "rollup":
        value = _rollup(store, schema["rollup"], page, references)
    else:
        return None
    return {"id": schema["id"], "type": kind, kind: value}


def _formula(expression: str, page: Json) -> Json:
    product = _PRODUCT.fullmatch(expression.strip())
    if product is None:
        return {"type": "string", "string": None}
    source = page["properties"].get(product.group(1)) or {}
    number = source.get(source.get("type", ""))
    if not isinstance(number, int | float) or isinstance(number, bool):
        return {"type": "number", "number": None}
    return {"type": "number", "number": number * float(product.group(2))}


def _rollup(store: NotionStore, config: Json, page: Json, references: int) -> Json:
    relation = page["properties"].get(config["relation_property_name"]) or {}
    related = [store.pages.get(item["id"]) for item in (relation.get("relation") or [])[:references]]
    pages = [p for p in related if p is not None]
    function = config["function"]
    if function == "count":
        return {"type": "number", "number": len(pages), "function": function}
    values = [p["properties"].get(config["rollup_property_name"]) for p in pages]
    shown = [{"type": v["type"], v["type"]: v[v["type"]]} for v in values if v]
    return {"type": "array", "array": shown, "function": function}
