"""Page content: Append Block Children and Retrieve Block Children for simple text blocks.

At most 100 children per append (`body failed validation: body.children.length should be ≤ `100`,
instead was `250`.`), rich text as for properties. Appending content edits the page, so its
`last_edited_time` moves. Nested children are not emulated.
https://developers.notion.com/reference/patch-block-children
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.emulator import ApiError
from sandbox.notion.store import Json, NotionStore, minute_stamp, partial_user
from sandbox.notion.values import invalid, rich_text, too_long

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
        "toggle",
        "callout",
    }
)
CHILDREN_LIMIT = 100


def _content(kind: str, request: Any, path: str) -> Json:
    if kind == "divider":
        return {}
    if not isinstance(request, dict):
        raise invalid(path, "an object", request)
    if "children" in request:
        raise ApiError(400, "The sandbox does not emulate nested block children.", "validation_error")
    content: Json = {
        "rich_text": rich_text(request.get("rich_text"), f"{path}.rich_text"),
        "color": "default",
    }
    if kind == "to_do":
        checked = request.get("checked", False)
        if not isinstance(checked, bool):
            raise invalid(f"{path}.checked", "a boolean", checked)
        content["checked"] = checked
    return content


def _kind(request: Json, path: str) -> str:
    kind = request.get("type")
    if kind is None:
        known = [key for key in request if key in TEXT_BLOCKS or key == "divider"]
        kind = known[0] if len(known) == 1 else None
    if kind not in TEXT_BLOCKS and kind != "divider":
        raise invalid(f"{path}.type", f"one of {sorted(TEXT_BLOCKS | {'divider'})}", kind)
    return str(kind)


def new_block(store: NotionStore, parent: Json, request: Any, path: str, now: datetime) -> Json:
    if not isinstance(request, dict):
        raise invalid(path, "an object", request)
    kind = _kind(request, path)
    stamp = minute_stamp(now)
    parent_type = "page_id" if parent["object"] == "page" else "block_id"
    return {
        "object": "block",
        "id": store.new_id("block"),
        "parent": {"type": parent_type, parent_type: parent["id"]},
        "created_time": stamp,
        "last_edited_time": stamp,
        "created_by": partial_user(store.bot_id),
        "last_edited_by": partial_user(store.bot_id),
        "has_children": False,
        "archived": False,
        "in_trash": False,
        "type": kind,
        kind: _content(kind, request.get(kind), f"{path}.{kind}"),
    }


def append_children(store: NotionStore, parent: Json, body: Json, now: datetime) -> list[Json]:
    """Check every child first (a refused request appends nothing), then append them in order."""
    children = body.get("children")
    if not isinstance(children, list):
        raise (
            invalid("body.children", "an array", children)
            if "children" in body
            else invalid("body.children", "defined")
        )
    if len(children) > CHILDREN_LIMIT:
        raise too_long("body.children", CHILDREN_LIMIT, len(children))
    blocks = [new_block(store, parent, child, f"body.children[{i}]", now) for i, child in enumerate(children)]
    for block in blocks:
        store.blocks[block["id"]] = block
    store.children.setdefault(parent["id"], []).extend(block["id"] for block in blocks)
    if parent["object"] == "block":
        parent["has_children"] = True
    store.touch(parent, now)
    return blocks
