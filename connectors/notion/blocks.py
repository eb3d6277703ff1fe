"""Page content for the operations summary: simple block dicts to Notion block requests, and the
batches an append request may carry.

A simple block is `{"type": "heading_2", "text": "Today"}`; `to_do` also takes `checked`, `divider`
takes nothing. Text of any length is split into 2,000-character rich-text segments (see richtext.py).

Append Block Children takes at most 100 children per request (changelog, September 2023) and a
payload of at most 500 KB (https://developers.notion.com/reference/request-limits): batches respect
both, the size with a margin for the rest of the body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from connectors.errors import BadData
from connectors.notion.richtext import rich_text

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
    }
)
CHILDREN_PER_REQUEST = 100
PAYLOAD_BUDGET = 450_000  # bytes of JSON children per request, under Notion's 500 KB


def block_request(block: Mapping[str, Any]) -> dict[str, Any]:
    """The request shape of one simple block; BadData for a type the hub does not write."""
    kind = block.get("type")
    if kind == "divider":
        return {"type": "divider", "divider": {}}
    if kind not in TEXT_BLOCKS:
        known = ", ".join(sorted(TEXT_BLOCKS | {"divider"}))
        raise BadData(
            f"notion block type {kind!r} is not written by the hub (known: {known})", service="notion"
        )
    content: dict[str, Any] = {"rich_text": rich_text(str(block.get("text", "")), where=f"{kind} block")}
    if kind == "to_do":
        content["checked"] = bool(block.get("checked", False))
    return {"type": kind, kind: content}


def batches(children: Sequence[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    """Consecutive batches of at most 100 children and about 450 KB, in order."""
    batch: list[Mapping[str, Any]] = []
    size = 0
    for child in children:
        child_size = len(json.dumps(child, ensure_ascii=False).encode())
        if batch and (len(batch) == CHILDREN_PER_REQUEST or size + child_size > PAYLOAD_BUDGET):
            yield batch
            batch, size = [], 0
        batch.append(child)
        size += child_size
    if batch:
        yield batch
