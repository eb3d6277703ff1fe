"""Page content for the operations summary: simple block dicts to Notion block requests, and the
batches an append request may carry.

The format (what the summary renderer produces; one dict per block, in page order):

| block | keys |
|---|---|
| `{"type": "heading_1" \\| "heading_2" \\| "heading_3", "text": ...}` | a heading |
| `{"type": "paragraph", "text": ...}` | a paragraph |
| `{"type": "bulleted_list_item" \\| "numbered_list_item", "text": ...}` | a list item |
| `{"type": "to_do", "text": ..., "checked": bool}` | a to-do (unchecked by default) |
| `{"type": "quote", "text": ...}` | a quote |
| `{"type": "callout", "text": ..., "emoji": "⚠️"}` | a callout (💡 by default) |
| `{"type": "divider"}` | a divider |
| `{"type": "table", "rows": [[str, ...], ...], "header": bool}` | a table; `header` styles the first row |

`text` (and each table cell) is plain text with simple Markdown: `**bold**`, `*italic*`,
`` `code` ``, `~~struck~~` and `[links](https://...)` (the hub's Markdown, markdown_parse.py). Text of
any length is split into 2,000-character rich-text elements; more than 100 elements is refused. A table
is as wide as its widest row: shorter rows get empty cells (Notion refuses rows of another width).

Limits (https://developers.notion.com/reference/patch-block-children, /reference/request-limits): at
most 100 children per array and 1,000 blocks per request, a payload of at most 500 KB (batches keep a
margin for the rest of the body). A table holds its rows as children: its first 100 go with it, the
rest are appended to it afterwards (`table_rows_after`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from connectors.errors import BadData
from connectors.notion.markdown_parse import parse_markdown
from connectors.notion.spans import rich_text_request

TEXT_BLOCKS = frozenset(
    {
        "paragraph",
        "heading_1",
        "heading_2",
        "heading_3",
        "bulleted_list_item",
        "numbered_list_item",
        "to_do",
        "quote",
        "callout",
    }
)
KNOWN = TEXT_BLOCKS | {"divider", "table"}
CHILDREN_PER_REQUEST = 100
BLOCKS_PER_REQUEST = 1000
PAYLOAD_BUDGET = 450_000  # bytes of JSON children per request, under Notion's 500 KB


def rich(text: Any, where: str) -> list[dict[str, Any]]:
    return rich_text_request(parse_markdown(str(text or "")), where=where)


def block_request(block: Mapping[str, Any]) -> dict[str, Any]:
    """The request shape of one simple block; BadData for a type the hub does not write."""
    kind = block.get("type")
    if kind == "divider":
        return {"type": "divider", "divider": {}}
    if kind == "table":
        return _table(block)
    if kind not in TEXT_BLOCKS:
        raise BadData(
            f"notion block type {kind!r} is not written by the hub (known: {', '.join(sorted(KNOWN))})",
            service="notion",
        )
    content: dict[str, Any] = {"rich_text": rich(block.get("text"), f"{kind} block")}
    if kind == "to_do":
        content["checked"] = bool(block.get("checked", False))
    if kind == "callout":
        content["icon"] = {"type": "emoji", "emoji": str(block.get("emoji") or "💡")}
    return {"type": kind, kind: content}


def _table(block: Mapping[str, Any]) -> dict[str, Any]:
    rows = [list(row) for row in block.get("rows") or ()]
    width = max((len(row) for row in rows), default=0)
    if width == 0:
        raise BadData("notion table block without rows or cells: Notion needs at least one", service="notion")
    children = [
        {
            "type": "table_row",
            "table_row": {"cells": [rich(c, "table cell") for c in row + [""] * (width - len(row))]},
        }
        for row in rows
    ]
    content = {
        "table_width": width,
        "has_column_header": bool(block.get("header", False)),
        "children": children,
    }
    return {"type": "table", "table": content}


def table_rows_after(request: dict[str, Any]) -> list[dict[str, Any]]:
    """Split off a table's rows beyond the first 100 (appended to the table once it exists)."""
    if request.get("type") != "table":
        return []
    rows = request["table"]["children"]
    request["table"]["children"] = rows[:CHILDREN_PER_REQUEST]
    return list(rows[CHILDREN_PER_REQUEST:])


def _count(child: Mapping[str, Any]) -> int:
    content = child.get(str(child.get("type"))) or {}
    return 1 + sum(_count(grandchild) for grandchild in content.get("children") or ())


B = TypeVar("B", bound=Mapping[str, Any])


def batches(children: Sequence[B]) -> Iterator[list[B]]:
    """Consecutive batches of at most 100 children, 1,000 blocks in all and about 450 KB, in order."""
    batch: list[B] = []
    size = blocks = 0
    for child in children:
        child_size = len(json.dumps(child, ensure_ascii=False).encode())
        child_blocks = _count(child)
        full = len(batch) == CHILDREN_PER_REQUEST or blocks + child_blocks > BLOCKS_PER_REQUEST
        if batch and (full or size + child_size > PAYLOAD_BUDGET):
            yield batch
            batch, size, blocks = [], 0, 0
        batch.append(child)
        size += child_size
        blocks += child_blocks
    if batch:
        yield batch
