"""Property values of page requests, checked the way Notion checks them and turned into read shapes.

Refusals are 400 `validation_error` with Notion's wording: `body failed validation: body.properties.
Due.date.start should be a string, instead was `42`.` Select and multi-select options are created on
write, status options never are (https://developers.notion.com/reference/page-property-values).
Relations take at most 100 pages per request, people 100 users, email and phone numbers 200
characters (https://developers.notion.com/reference/request-limits). Computed properties (formula,
rollup, unique id, created/edited time and by) cannot be written: Notion answers with the list of
value types the property "should be", as recorded in mariosimao/notion-sdk-php issues #270 and #308.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.emulator import ApiError
from sandbox.notion.checks import ARRAY_LIMIT, TEXT_LIMIT, invalid, moment, too_long
from sandbox.notion.richtext import rich_text
from sandbox.notion.store import Json, NotionStore, canonical_id, stable_id

SHORT_LIMIT = 200  # email and phone_number
COMPUTED = frozenset(
    {"formula", "rollup", "unique_id", "created_by", "created_time", "last_edited_by", "last_edited_time"}
)
WRITABLE_ORDER = (
    "title", "rich_text", "number", "url", "select", "multi_select", "people", "email", "phone_number",
    "date", "checkbox", "relation", "files", "status",
)  # fmt: skip


def _option(schema: Json, name: Any, path: str, *, create: bool) -> Json:
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"{path}.name", "a non-empty string", name)
    if "," in name and schema["type"] != "status":  # "Commas (",") are not valid for select values."
        raise invalid(f"{path}.name", "a name without a comma", name)
    if len(name) > 100:
        raise too_long(f"{path}.name", 100, len(name))
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
    return list(dict.fromkeys(ids))


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


def _string(limit: int) -> Callable[[NotionStore, Json, Any, str], str | None]:
    def convert(store: NotionStore, schema: Json, value: Any, path: str) -> str | None:
        if value is not None and not isinstance(value, str):
            raise invalid(path, "a string or `null`", value)
        if value and len(value) > limit:
            raise too_long(path, limit, len(value))
        return value or None

    return convert


def _checkbox(store: NotionStore, schema: Json, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(path, "a boolean", value)
    return value


def _files(store: NotionStore, schema: Json, value: Any, path: str) -> list[Json]:
    """External files only (`{name, type: "external", external: {url}}`): uploads are not emulated."""
    if not isinstance(value, list):
        raise invalid(path, "an array", value)
    files = []
    for index, item in enumerate(value):
        url = (item.get("external") or {}).get("url") if isinstance(item, dict) else None
        if not isinstance(url, str) or not url:
            raise invalid(f"{path}[{index}].external.url", "a string", url)
        name = item.get("name") or url.rsplit("/", 1)[-1]
        files.append({"name": str(name)[:100], "type": "external", "external": {"url": url}})
    return files


Converter = Callable[[NotionStore, Json, Any, str], Any]
CONVERTERS: dict[str, Converter] = {
    "title": lambda store, schema, value, path: rich_text(store, value, path),
    "rich_text": lambda store, schema, value, path: rich_text(store, value, path),
    "status": _status,
    "select": _status,
    "multi_select": _multi_select,
    "date": _date,
    "number": _number,
    "people": _people,
    "relation": _relation,
    "url": _string(TEXT_LIMIT),
    "email": _string(SHORT_LIMIT),
    "phone_number": _string(SHORT_LIMIT),
    "checkbox": _checkbox,
    "files": _files,
}


def _computed_refusal(name: str) -> ApiError:
    lines = [
        f"body.properties.{name}.{kind} should be defined, instead was `undefined`."
        for kind in WRITABLE_ORDER
    ]
    return ApiError(400, "body failed validation. Fix one:\n" + "\n".join(lines), "validation_error")


def property_value(store: NotionStore, schema: Json, request: Any, path: str) -> Json:
    """The read shape `{"id", "type", <type>: value}` of one property of a create or update body."""
    kind = schema["type"]
    if kind in COMPUTED:
        raise _computed_refusal(schema["name"])
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
    """A property nobody set, as a page stores it: null for scalars, [] for lists, false for a
    checkbox, and a status property's first option (Notion's "Not started"). Computed properties are
    filled when the page is read (computed.py)."""
    kind = schema["type"]
    lists = ("title", "rich_text", "multi_select", "people", "relation", "files")
    empty: Any = [] if kind in lists else None
    if kind == "checkbox":
        empty = False
    elif kind == "status" and schema["status"]["options"]:
        first = schema["status"]["options"][0]
        empty = {"id": first["id"], "name": first["name"], "color": first["color"]}
    shaped: Json = {"id": schema["id"], "type": kind, kind: empty}
    if kind == "relation":
        shaped["has_more"] = False
    return shaped
