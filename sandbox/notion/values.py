"""Property values of page requests, checked the way Notion checks them and turned into read shapes.

Refusals are 400 `validation_error` with Notion's wording: `body failed validation: body.properties.
Due.date.start should be a string, instead was `42`.` Rich text counts UTF-16 code units, at most
2,000 per segment and 100 segments per array. Select and multi-select options are created on write,
status options never are (https://developers.notion.com/reference/page-property-values).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.emulator import ApiError
from sandbox.notion.store import Json, NotionStore, canonical_id, stable_id, text_segment

MISSING = object()
TEXT_LIMIT = 2000
ARRAY_LIMIT = 100


def invalid(path: str, expected: str, value: Any = MISSING) -> ApiError:
    """`<part> failed validation: <path> should be <expected>, instead was `<value>`.`; the part is
    the path's first segment: body, query or path."""
    shown = "undefined" if value is MISSING else json.dumps(value, ensure_ascii=False)[:200]
    part = path.split(".", 1)[0].split("[", 1)[0]
    return ApiError(
        400,
        f"{part} failed validation: {path} should be {expected}, instead was `{shown}`.",
        "validation_error",
    )


def too_long(path: str, limit: int, length: int) -> ApiError:
    return ApiError(
        400,
        f"body failed validation: {path}.length should be ≤ `{limit}`, instead was `{length}`.",
        "validation_error",
    )


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def rich_text(value: Any, path: str) -> list[Json]:
    """A rich-text request array (text segments) as read segments."""
    if not isinstance(value, list):
        raise invalid(path, "an array", value)
    if len(value) > ARRAY_LIMIT:
        raise too_long(path, ARRAY_LIMIT, len(value))
    segments = []
    for index, item in enumerate(value):
        at = f"{path}[{index}]"
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(text, dict):
            raise invalid(f"{at}.text", "defined")
        content = text.get("content")
        if not isinstance(content, str):
            raise invalid(f"{at}.text.content", "a string", content)
        if utf16_length(content) > TEXT_LIMIT:
            raise too_long(f"{at}.text.content", TEXT_LIMIT, utf16_length(content))
        link = text.get("link")
        segments.append(text_segment(content, link.get("url") if isinstance(link, dict) else None))
    return segments


def _option(schema: Json, name: Any, path: str, *, create: bool) -> Json:
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"{path}.name", "a non-empty string", name)
    config = schema[schema["type"]]
    found = next((o for o in config["options"] if o["name"] == name), None)
    if found is None and not create:
        names = ", ".join(o["name"] for o in config["options"])
        raise ApiError(
            400,
            f'Invalid status option. Status option "{name}" does not exist. Options: {names}.',
            "validation_error",
        )
    if found is None:  # Notion adds a select or multi-select option the first time it is written
        found = {"id": stable_id("option", schema["id"], name), "name": name, "color": "default"}
        config["options"].append(found)
    return {"id": found["id"], "name": found["name"], "color": found["color"]}


def _status(store: NotionStore, schema: Json, value: Any, path: str) -> Json | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(path, "an object or `null`", value)
    return _option(schema, value.get("name"), path, create=schema["type"] != "status")


def _multi_select(store: NotionStore, schema: Json, value: Any, path: str) -> list[Json]:
    if not isinstance(value, list):
        raise invalid(path, "an array", value)
    if len(value) > ARRAY_LIMIT:
        raise too_long(path, ARRAY_LIMIT, len(value))
    return [
        _option(schema, (item or {}).get("name"), f"{path}[{i}]", create=True) for i, item in enumerate(value)
    ]


def moment(text: Any, time_zone: str | None, path: str) -> str:
    """A date or datetime string as Notion returns it: `2026-11-27` or `...T17:00:00.000+01:00`."""
    if not isinstance(text, str):
        raise invalid(path, "a string", text)
    try:
        if "T" not in text:
            return date.fromisoformat(text).isoformat()
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(path, "a valid ISO 8601 date string", text) from None
    if parsed.tzinfo is None and not time_zone:
        parsed = parsed.replace(tzinfo=UTC)  # no offset and no time zone: UTC
    return parsed.isoformat(timespec="milliseconds")


def _date(store: NotionStore, schema: Json, value: Any, path: str) -> Json | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(path, "an object or `null`", value)
    time_zone = value.get("time_zone")
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise invalid(f"{path}.time_zone", "a valid IANA time zone", time_zone) from None
    end = value.get("end")
    return {
        "start": moment(value.get("start"), time_zone, f"{path}.start"),
        "end": moment(end, time_zone, f"{path}.end") if end is not None else None,
        "time_zone": time_zone,
    }


def _number(store: NotionStore, schema: Json, value: Any, path: str) -> float | int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise invalid(path, "a number or `null`", value)
    return value


def _ids(value: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        raise invalid(path, "an array", value)
    if len(value) > ARRAY_LIMIT:
        raise too_long(path, ARRAY_LIMIT, len(value))
    ids = []
    for index, item in enumerate(value):
        found = canonical_id(item.get("id", "")) if isinstance(item, dict) else None
        if found is None:
            raise invalid(f"{path}[{index}].id", "a valid uuid", item)
        ids.append(found)
    return ids


def _people(store: NotionStore, schema: Json, value: Any, path: str) -> list[Json]:
    ids = _ids(value, path)
    for index, user_id in enumerate(ids):
        if user_id not in store.users:
            raise invalid(f"{path}[{index}].id", "the id of a user of this workspace", user_id)
    return [store.users[user_id] for user_id in ids]


def _relation(store: NotionStore, schema: Json, value: Any, path: str) -> list[Json]:
    target = schema["relation"]["data_source_id"]
    ids = _ids(value, path)
    for index, page_id in enumerate(ids):
        page = store.pages.get(page_id)
        if page is None or page["parent"].get("data_source_id") != target:
            raise invalid(f"{path}[{index}].id", "the id of a page in the related data source", page_id)
    return [{"id": page_id} for page_id in ids]


def _url(store: NotionStore, schema: Json, value: Any, path: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise invalid(path, "a string or `null`", value)
    if value and len(value) > TEXT_LIMIT:
        raise too_long(path, TEXT_LIMIT, len(value))
    return value or None


def _checkbox(store: NotionStore, schema: Json, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(path, "a boolean", value)
    return value


Converter = Callable[[NotionStore, Json, Any, str], Any]
CONVERTERS: dict[str, Converter] = {
    "title": lambda store, schema, value, path: rich_text(value, path),
    "rich_text": lambda store, schema, value, path: rich_text(value, path),
    "status": _status,
    "select": _status,
    "multi_select": _multi_select,
    "date": _date,
    "number": _number,
    "people": _people,
    "relation": _relation,
    "url": _url,
    "checkbox": _checkbox,
}


def property_value(store: NotionStore, schema: Json, request: Any, path: str) -> Json:
    """The read shape `{"id", "type", <type>: value}` of one property of a create or update body."""
    kind = schema["type"]
    if not isinstance(request, dict) or kind not in request:
        raise invalid(f"{path}.{kind}", "defined")
    converter = CONVERTERS.get(kind)
    if converter is None:
        raise ApiError(
            400, f"The sandbox cannot write {kind} properties ({schema['name']}).", "validation_error"
        )
    value = converter(store, schema, request[kind], f"{path}.{kind}")
    shaped: Json = {"id": schema["id"], "type": kind, kind: value}
    if kind == "relation":
        shaped["has_more"] = False
    return shaped


def default_value(schema: Json) -> Json:
    """A property nobody set, as a page returns it: null for scalars, [] for lists, false for a
    checkbox, and a status property's first option (Notion's "Not started")."""
    kind = schema["type"]
    empty: Any = {"title": [], "rich_text": [], "multi_select": [], "people": [], "relation": []}.get(kind)
    if kind == "checkbox":
        empty = False
    elif kind == "status" and schema["status"]["options"]:
        first = schema["status"]["options"][0]
        empty = {"id": first["id"], "name": first["name"], "color": first["color"]}
    shaped: Json = {"id": schema["id"], "type": kind, kind: empty}
    if kind == "relation":
        shaped["has_more"] = False
    return shaped
