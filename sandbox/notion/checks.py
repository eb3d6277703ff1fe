"""Notion's request validation, in its own words: `<part> failed validation: <path> should be
<expected>, instead was `<value>`.` (https://developers.notion.com/reference/status-codes: 400
`validation_error`), and the limits every endpoint shares
(https://developers.notion.com/reference/request-limits).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sandbox.emulator import ApiError

MISSING = object()
TEXT_LIMIT = 2000  # UTF-16 code units per text.content, link.url, any URL
ARRAY_LIMIT = 100  # elements of a rich-text array, options of a multi-select, pages of a relation


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


def moment(text: Any, time_zone: str | None, path: str) -> str:
    """A date or datetime string as Notion returns it: `2026-11-27` or `...T17:00:00.000+01:00`.

    Seconds are dropped: Notion's date record holds a date and an `HH:mm` time (the client's own data
    model, jamalex/notion-py `NotionDate`, formats `start_time` with `%H:%M`), and its editor has no
    seconds either.
    """
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
    return parsed.replace(second=0, microsecond=0).isoformat(timespec="milliseconds")
