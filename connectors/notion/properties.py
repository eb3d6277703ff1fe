"""Page property values both ways, one reader and one writer per property type, as a table.

Reads take the value a page carries (`page.properties[name].value`) and tolerate both kinds of empty
Notion sends: `null` (date, select, status, number, url, email, phone_number) and `[]` (title,
rich_text, multi_select, people, relation, files). Writes build the request shapes of
https://developers.notion.com/reference/page-property-values.

Dates: a date without a time is a `date`; a datetime is made aware (its offset, else the value's
`time_zone`, else UTC) and normalised to UTC so that the same instant read from any service compares
and hashes equal. Writes send a datetime with its own offset and no `time_zone` (the mapping converts
it to the workspace's zone first, so the Notion UI shows the workspace's wall-clock time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.errors import BadData
from connectors.notion.richtext import plain_text, rich_text

When = date | datetime


def _names(value: Any) -> list[str]:
    return [str(item["name"]) for item in value or () if isinstance(item, dict) and item.get("name")]


def _ids(value: Any) -> list[str]:
    return [str(item["id"]) for item in value or () if isinstance(item, dict) and item.get("id")]


def _option_name(value: Any) -> str | None:
    return str(value["name"]) if isinstance(value, dict) and value.get("name") else None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a number property holds {value!r}")
    return float(value)


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise TypeError(f"a text property holds {value!r}")


def _checkbox(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"a checkbox property holds {value!r}")
    return value


def parse_when(text: str, time_zone: str | None = None) -> When:
    """A Notion date string: `2026-11-27`, `2026-11-27T17:00:00.000+01:00`, or naive with `time_zone`."""
    if "T" not in text:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        zone: tzinfo = UTC
        if time_zone:
            try:
                zone = ZoneInfo(time_zone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time_zone {time_zone!r}") from exc
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def read_date(value: Any) -> When | None:
    """The start of a date value (a task's due date has no end); None when empty."""
    if not value:
        return None
    start = value.get("start")
    return parse_when(start, value.get("time_zone")) if start else None


def write_date(when: When | None) -> dict[str, Any] | None:
    """A date value with the datetime's own offset (convert to the workspace's zone first)."""
    if when is None:
        return None
    if isinstance(when, datetime):
        if when.utcoffset() is None:
            raise ValueError("a naive datetime has no instant; Notion would read it as UTC")
        start = when.isoformat(timespec="milliseconds")
    else:
        start = when.isoformat()
    return {"start": start, "end": None, "time_zone": None}


@dataclass(frozen=True)
class Codec:
    read: Callable[[Any], Any]
    write: Callable[[Any], Any]


def _text_codec() -> Codec:
    return Codec(read=plain_text, write=lambda text: rich_text(text or ""))


def _option_codec() -> Codec:
    return Codec(read=_option_name, write=lambda name: {"name": name} if name else None)


CODECS: dict[str, Codec] = {
    "title": _text_codec(),
    "rich_text": _text_codec(),
    "status": _option_codec(),
    "select": _option_codec(),
    "multi_select": Codec(_names, lambda names: [{"name": n} for n in sorted(names)]),
    "date": Codec(read_date, write_date),
    "number": Codec(_number, _number),
    "people": Codec(_ids, lambda ids: [{"object": "user", "id": i} for i in ids]),
    "relation": Codec(_ids, lambda ids: [{"id": i} for i in ids]),
    "url": Codec(_string, _string),
    "email": Codec(_string, _string),
    "phone_number": Codec(_string, _string),
    "checkbox": Codec(_checkbox, _checkbox),
}


def read_value(kind: str, value: Any, *, name: str) -> Any:
    """The Python value of a property of type `kind`; BadData when the value is malformed."""
    codec = CODECS.get(kind)
    if codec is None:
        raise BadData(f"notion property {name!r} has unsupported type {kind!r}", service="notion")
    try:
        return codec.read(value)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadData(f"notion property {name!r} ({kind}) is malformed: {exc}", service="notion") from exc


def write_value(kind: str, value: Any, *, name: str) -> dict[str, Any]:
    """The request value `{kind: payload}` for a property of type `kind`."""
    codec = CODECS.get(kind)
    if codec is None:
        raise BadData(f"notion property {name!r} has unsupported type {kind!r}", service="notion")
    try:
        return {kind: codec.write(value)}
    except BadData as exc:
        raise BadData(f"notion property {name!r}: {exc}", service="notion") from exc
    except (TypeError, ValueError) as exc:
        raise BadData(
            f"notion property {name!r} ({kind}) cannot hold {value!r}: {exc}", service="notion"
        ) from exc
