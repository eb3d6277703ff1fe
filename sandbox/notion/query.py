"""Query a data source: filters, sorts and cursor pagination, as Notion evaluates them.

Filters (https://developers.notion.com/reference/filter-data-source-entries): `and`/`or` compounds;
timestamp filters on `last_edited_time`/`created_time` (a page's own, minute-rounded times); property
filters keyed by the property's type: text (title, rich_text, url), number, checkbox, select, status,
multi_select, date, people and relation, with their operators. A date given without a time compares
by day. Sorts by property or timestamp, empty values last. Pagination is cursors.py's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sandbox.emulator import ApiError
from sandbox.notion.checks import invalid
from sandbox.notion.pages import find_property
from sandbox.notion.store import Json, canonical_id, plain

TEXT_TYPES = frozenset({"title", "rich_text", "url", "email", "phone_number"})
TIMESTAMPS = frozenset({"created_time", "last_edited_time"})


def when(value: Any) -> date | datetime | None:
    if not isinstance(value, str) or not value:
        return None
    if "T" not in value:
        return date.fromisoformat(value)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _day(value: date | datetime) -> date:
    return value.astimezone(UTC).date() if isinstance(value, datetime) else value


def _aligned(left: date | datetime, right: date | datetime) -> tuple[Any, Any]:
    """Two instants compare as instants; when either is a bare date, both compare as days."""
    if isinstance(left, datetime) and isinstance(right, datetime):
        return left, right
    return _day(left), _day(right)


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(actual: Any, expected: Any) -> bool:
        if actual is None:
            return False
        target = when(expected)
        if target is None:
            raise ValueError(expected)
        return test(*_aligned(actual, target))

    return check


def _empty(actual: Any, expected: Any) -> bool:
    return actual in (None, "", [])


def _contains_text(actual: Any, expected: Any) -> bool:
    return str(expected).casefold() in (actual or "").casefold()


OPERATORS: dict[str, dict[str, Callable[[Any, Any], bool]]] = {
    "text": {
        "equals": lambda a, e: a == e,
        "does_not_equal": lambda a, e: a != e,
        "contains": _contains_text,
        "does_not_contain": lambda a, e: not _contains_text(a, e),
        "starts_with": lambda a, e: (a or "").casefold().startswith(str(e).casefold()),
        "ends_with": lambda a, e: (a or "").casefold().endswith(str(e).casefold()),
        "is_empty": _empty,
        "is_not_empty": lambda a, e: not _empty(a, e),
    },
    "number": {
        "equals": lambda a, e: a is not None and a == e,
        "does_not_equal": lambda a, e: a != e,
        "greater_than": lambda a, e: a is not None and a > e,
        "less_than": lambda a, e: a is not None and a < e,
        "greater_than_or_equal_to": lambda a, e: a is not None and a >= e,
        "less_than_or_equal_to": lambda a, e: a is not None and a <= e,
        "is_empty": _empty,
        "is_not_empty": lambda a, e: not _empty(a, e),
    },
    "checkbox": {"equals": lambda a, e: a is e, "does_not_equal": lambda a, e: a is not e},
    "option": {
        "equals": lambda a, e: a == e,
        "does_not_equal": lambda a, e: a != e,
        "is_empty": _empty,
        "is_not_empty": lambda a, e: not _empty(a, e),
    },
    "list": {
        "contains": lambda a, e: e in a,
        "does_not_contain": lambda a, e: e not in a,
        "is_empty": _empty,
        "is_not_empty": lambda a, e: not _empty(a, e),
    },
    "date": {
        "equals": _compare(operator.eq),
        "before": _compare(operator.lt),
        "after": _compare(operator.gt),
        "on_or_before": _compare(operator.le),
        "on_or_after": _compare(operator.ge),
        "is_empty": _empty,
        "is_not_empty": lambda a, e: not _empty(a, e),
    },
}
FAMILY = {
    **dict.fromkeys(TEXT_TYPES, "text"),
    "number": "number",
    "checkbox": "checkbox",
    "select": "option",
    "status": "option",
    "multi_select": "list",
    "people": "list",
    "relation": "list",
    "date": "date",
}


def comparable(value: Json) -> Any:
    """A page property value reduced to what filters and sorts compare."""
    kind, raw = value["type"], value.get(value["type"])
    if kind in ("title", "rich_text"):
        return plain(raw)
    if kind in ("select", "status"):
        return raw["name"] if raw else None
    if kind == "multi_select":
        return [option["name"] for option in raw or ()]
    if kind in ("people", "relation"):
        return [item["id"] for item in raw or ()]
    if kind == "date":
        return when(raw["start"]) if raw else None
    return raw


def matches(page: Json, source: Json, condition: Any, path: str = "body.filter") -> bool:
    if not isinstance(condition, dict):
        raise invalid(path, "an object", condition)
    if "and" in condition or "or" in condition:
        key = "and" if "and" in condition else "or"
        parts = condition[key]
        if not isinstance(parts, list):
            raise invalid(f"{path}.{key}", "an array", parts)
        results = (matches(page, source, part, f"{path}.{key}[{i}]") for i, part in enumerate(parts))
        return all(results) if key == "and" else any(results)
    if "timestamp" in condition:
        stamp = condition["timestamp"]
        if stamp not in TIMESTAMPS:
            raise invalid(f"{path}.timestamp", '"created_time" or "last_edited_time"', stamp)
        return _apply("date", condition.get(stamp), when(page[stamp]), f"{path}.{stamp}")
    return _property_matches(page, source, condition, path)


def _property_matches(page: Json, source: Json, condition: Json, path: str) -> bool:
    name = condition.get("property")
    if not isinstance(name, str):
        raise invalid(f"{path}.property", "a string", name)
    schema = find_property(source, name)
    if schema is None:
        raise ApiError(400, f"Could not find property with name or id: {name}", "validation_error")
    kind = schema["type"]
    if kind not in condition:
        raise invalid(f"{path}.{kind}", "defined")
    actual = comparable(page["properties"].get(schema["name"], {"type": kind, kind: None}))
    spec = condition[kind]
    if kind in ("people", "relation") and isinstance(spec, dict):  # ids match with or without dashes
        spec = {op: canonical_id(v) or v if isinstance(v, str) else v for op, v in spec.items()}
    return _apply(FAMILY.get(kind, "text"), spec, actual, f"{path}.{kind}")


def _apply(family: str, spec: Any, actual: Any, path: str) -> bool:
    if not isinstance(spec, dict) or len(spec) != 1:
        raise invalid(path, "an object with one operator", spec)
    ((name, expected),) = spec.items()
    test = OPERATORS[family].get(name)
    if test is None:
        raise invalid(path, f"one of {sorted(OPERATORS[family])}", spec)
    try:
        return test(actual, expected)
    except (ValueError, TypeError):
        raise invalid(f"{path}.{name}", "a valid value for this filter", expected) from None


def _sort_key(page: Json, source: Json, sort: Json) -> Any:
    if "timestamp" in sort:
        return when(page[sort["timestamp"]])
    schema = find_property(source, str(sort.get("property")))
    if schema is None:
        raise ApiError(
            400, f"Could not find sort property with name or id: {sort.get('property')}", "validation_error"
        )
    value = comparable(page["properties"].get(schema["name"], {"type": schema["type"], schema["type"]: None}))
    if schema["type"] in ("select", "status"):  # options sort in the schema's order
        names = [option["name"] for option in schema[schema["type"]]["options"]]
        return names.index(value) if value in names else None
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.casefold() if isinstance(value, str) else value


def sort_pages(pages: list[Json], source: Json, sorts: Any) -> list[Json]:
    """Pages in the requested order (stable; earlier sorts win); by creation when none is given."""
    if sorts is None:
        sorts = []
    if not isinstance(sorts, list):
        raise invalid("body.sorts", "an array", sorts)
    ordered = sorted(pages, key=lambda page: (page["created_time"], page["id"]))
    for index, sort in reversed(list(enumerate(sorts))):
        if not isinstance(sort, dict) or sort.get("direction") not in ("ascending", "descending"):
            raise invalid(f"body.sorts[{index}].direction", '"ascending" or "descending"', sort)
        keyed = [(_sort_key(page, source, sort), page) for page in ordered]
        present = [item for item in keyed if item[0] not in (None, "")]
        empty = [page for key, page in keyed if key in (None, "")]
        present.sort(key=lambda item: item[0], reverse=sort["direction"] == "descending")
        ordered = [page for _, page in present] + empty  # empty values last, either direction
    return ordered


def timestamps_only(condition: Any) -> bool:
    """Whether a filter names no property: the data sources of a wiki can match it."""
    if not isinstance(condition, dict):
        return False
    for key in ("and", "or"):
        if key in condition:
            return isinstance(condition[key], list) and all(timestamps_only(part) for part in condition[key])
    return "timestamp" in condition
