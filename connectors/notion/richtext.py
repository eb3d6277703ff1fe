"""Rich text both ways: join a rich-text array into plain text, split long text into segments.

Notion limits one rich-text segment's `text.content` to 2,000 characters and an array to 100
segments (https://developers.notion.com/reference/request-limits). It counts characters as UTF-16
code units, so an emoji outside the Basic Multilingual Plane counts twice: a 2,000-code-point text of
emoji is rejected. Splitting here counts the way Notion does and never cuts a surrogate pair. Text is
never truncated: beyond 100 segments the write is refused with BadData.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors.errors import BadData

SEGMENT_LIMIT = 2000  # UTF-16 code units per text.content
SEGMENTS_PER_ARRAY = 100
# Prefer to end a segment at a line break or a space found in its last stretch, so that a reader of
# the raw segments sees whole words; any cut point round-trips, since reads concatenate.
_SOFT_BREAK_WINDOW = 200


def utf16_length(text: str) -> int:
    """The length Notion measures: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(segments: Iterable[Mapping[str, Any]] | None) -> str:
    """The concatenated `plain_text` of a rich-text array (`text.content` when plain_text is absent)."""
    parts = []
    for segment in segments or ():
        text = segment.get("plain_text")
        if text is None:
            text = (segment.get("text") or {}).get("content", "")
        parts.append(str(text))
    return "".join(parts)


def split_text(text: str, limit: int = SEGMENT_LIMIT) -> list[str]:
    """`text` cut into pieces of at most `limit` UTF-16 code units; "".join(result) == text."""
    pieces = []
    rest = text
    while rest:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces


def _cut_point(text: str, limit: int) -> int:
    """Index (in code points) of the longest prefix within `limit` code units, at a soft break if any."""
    units = 0
    hard = len(text)
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            hard = max(index, 1)  # a limit below one character still makes progress
            break
    if hard == len(text):
        return hard
    window_start = max(1, hard - _SOFT_BREAK_WINDOW)
    soft = max(text.rfind("\n", window_start, hard), text.rfind(" ", window_start, hard))
    return soft + 1 if soft >= window_start else hard


def rich_text(text: str, *, where: str = "text") -> list[dict[str, Any]]:
    """A rich-text request array holding `text` exactly; [] for an empty text.

    Raises BadData when the text needs more than 100 segments (200,000 characters or so): Notion
    would refuse it, and cutting it short would lose data silently.
    """
    segments = [{"type": "text", "text": {"content": piece}} for piece in split_text(text)]
    if len(segments) > SEGMENTS_PER_ARRAY:
        raise BadData(
            f"notion {where} is too long: {utf16_length(text)} characters need {len(segments)} "
            f"rich-text segments, Notion takes at most {SEGMENTS_PER_ARRAY} of {SEGMENT_LIMIT}",
            service="notion",
        )
    return segments
