"""Page content: Append Block Children, Retrieve Block Children and Delete a block.

The rules Notion enforces on an append (https://developers.notion.com/reference/patch-block-children
and /reference/request-limits): at most 100 children per array (`body.children.length should be ≤
`100``), at most two levels of nesting in one request, at most 1,000 blocks in all, rich text as for
properties. Only some blocks hold children (paragraphs, list items, to-dos, toggles, quotes, callouts;
a table holds only `table_row`s, every row with exactly `table_width` cells, and is created with at
least one row: https://developers.notion.com/changelog/simple-tables-and-simple-table-rows-are-now-available).
Appending content edits the parent, so its `last_edited_time` moves. Deleting a block moves it to the
trash (https://developers.notion.com/reference/delete-a-block); listed children leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.emulator import ApiError
from sandbox.notion.checks import invalid, too_long
from sandbox.notion.richtext import COLORS, rich_text
from sandbox.notion.store import Json, NotionStore, minute_stamp, partial_user

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
KINDS = TEXT_BLOCKS | {"divider", "table", "table_row"}
HOLDERS = frozenset(
    {"paragraph", "bulleted_list_item", "numbered_list_item", "to_do", "quote", "toggle", "callout"}
)
CHILDREN_LIMIT = 100
NESTING_LIMIT = 2
BLOCKS_PER_REQUEST = 1000
ARCHIVED = "Can't edit block that is archived. You must unarchive the block before editing."


@dataclass
class _Tree:
    kind: str
    content: Json
    children: list[_Tree] = field(default_factory=list)


@dataclass
class _Budget:
    blocks: int = 0


def block_fields(
    store: NotionStore, parent: Json, block_id: str, kind: str, content: Json, now: datetime
) -> Json:
    stamp = minute_stamp(now)
    parent_type = "page_id" if parent["object"] == "page" else "block_id"
    return {
        "object": "block",
        "id": block_id,
        "parent": {"type": parent_type, parent_type: parent["id"]},
        "created_time": stamp,
        "last_edited_time": stamp,
        "created_by": partial_user(store.bot_id),
        "last_edited_by": partial_user(store.bot_id),
        "has_children": False,
        "archived": False,
        "in_trash": False,
        "type": kind,
        kind: content,
    }


def check_children(store: NotionStore, body: Json, path: str, parent_kind: str | None = None) -> list[_Tree]:
    """The blocks a request's `children` describe, checked; nothing is stored."""
    children = body.get("children")
    if not isinstance(children, list):
        raise (
            invalid(f"{path}.children", "an array", children)
            if "children" in body
            else invalid(f"{path}.children", "defined")
        )
    budget = _Budget()
    trees = _trees(store, children, f"{path}.children", depth=0, parent_kind=parent_kind, budget=budget)
    if budget.blocks > BLOCKS_PER_REQUEST:
        raise too_long(f"{path}.children (all levels)", BLOCKS_PER_REQUEST, budget.blocks)
    return trees


def _trees(
    store: NotionStore,
    children: list[Any],
    path: str,
    *,
    depth: int,
    parent_kind: str | None,
    budget: _Budget,
) -> list[_Tree]:
    if len(children) > CHILDREN_LIMIT:
        raise too_long(path, CHILDREN_LIMIT, len(children))
    budget.blocks += len(children)
    trees = []
    for index, request in enumerate(children):
        at = f"{path}[{index}]"
        tree = _tree(store, request, at, parent_kind)
        nested = tree.content.pop("children", None)
        if nested is not None:
            _check_nesting(tree, nested, f"{at}.{tree.kind}.children", depth)
            tree.children = _trees(
                store,
                nested,
                f"{at}.{tree.kind}.children",
                depth=depth + 1,
                parent_kind=tree.kind,
                budget=budget,
            )
        if tree.kind == "table":
            _check_rows(tree, f"{at}.table")
        trees.append(tree)
    return trees


def _check_nesting(tree: _Tree, nested: Any, path: str, depth: int) -> None:
    if not isinstance(nested, list):
        raise invalid(path, "an array", nested)
    if nested and depth + 1 > NESTING_LIMIT:
        raise invalid(path, "not present (two levels of nesting at most in one request)", nested)
    holder = tree.kind in HOLDERS or tree.kind == "table" or tree.content.get("is_toggleable") is True
    if nested and not holder:
        raise invalid(path, f"not present: a {tree.kind} block holds no children", nested)


def _check_rows(tree: _Tree, path: str) -> None:
    width = tree.content["table_width"]
    if not tree.children:
        raise invalid(f"{path}.children", "an array of at least one table_row", [])
    for index, row in enumerate(tree.children):
        cells = row.content["cells"]
        if len(cells) != width:
            raise invalid(
                f"{path}.children[{index}].table_row.cells.length", f"`{width}` (table_width)", len(cells)
            )


def _tree(store: NotionStore, request: Any, at: str, parent_kind: str | None) -> _Tree:
    if not isinstance(request, dict):
        raise invalid(at, "an object", request)
    kind = request.get("type") or next((key for key in request if key in KINDS), None)
    if kind not in KINDS:
        raise invalid(f"{at}.type", f"one of {sorted(KINDS)}", kind)
    if (kind == "table_row") != (parent_kind == "table"):
        expected = "a table_row: a table holds only rows" if parent_kind == "table" else "not a table_row"
        raise invalid(f"{at}.type", expected, kind)
    value = request.get(kind)
    if kind == "divider":
        children = value.get("children") if isinstance(value, dict) else None
        return _Tree(kind, {"children": children} if children else {})
    if not isinstance(value, dict):
        raise invalid(f"{at}.{kind}", "an object", value)
    return _Tree(kind, CONTENT[kind](store, value, f"{at}.{kind}"))


def _text_content(store: NotionStore, value: Json, at: str) -> Json:
    content: Json = {"rich_text": rich_text(store, value.get("rich_text", []), f"{at}.rich_text")}
    color = value.get("color", "default")
    if color not in COLORS:
        raise invalid(f"{at}.color", "a Notion colour", color)
    content["color"] = color
    if "children" in value:
        content["children"] = value["children"]
    return content


def _heading(store: NotionStore, value: Json, at: str) -> Json:
    content = _text_content(store, value, at)
    content["is_toggleable"] = value.get("is_toggleable", False) is True
    return content


def _to_do(store: NotionStore, value: Json, at: str) -> Json:
    content = _text_content(store, value, at)
    checked = value.get("checked", False)
    if not isinstance(checked, bool):
        raise invalid(f"{at}.checked", "a boolean", checked)
    content["checked"] = checked
    return content


def _callout(store: NotionStore, value: Json, at: str) -> Json:
    content = _text_content(store, value, at)
    icon = value.get("icon")
    emoji = icon.get("emoji") if isinstance(icon, dict) else None
    if icon is not None and not (isinstance(emoji, str) and emoji):
        raise invalid(f"{at}.icon.emoji", "a string", icon)
    content["icon"] = {"type": "emoji", "emoji": emoji or "💡"}
    return content


def _table(store: NotionStore, value: Json, at: str) -> Json:
    width = value.get("table_width")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise invalid(f"{at}.table_width", "a positive integer", width)
    content: Json = {"table_width": width}
    for flag in ("has_column_header", "has_row_header"):
        if not isinstance(value.get(flag, False), bool):
            raise invalid(f"{at}.{flag}", "a boolean", value[flag])
        content[flag] = value.get(flag, False)
    content["children"] = value.get("children", [])
    return content


def _table_row(store: NotionStore, value: Json, at: str) -> Json:
    cells = value.get("cells")
    if not isinstance(cells, list):
        raise invalid(f"{at}.cells", "an array", cells)
    return {"cells": [rich_text(store, cell, f"{at}.cells[{i}]") for i, cell in enumerate(cells)]}


CONTENT = {
    **dict.fromkeys(TEXT_BLOCKS - {"heading_1", "heading_2", "heading_3", "to_do", "callout"}, _text_content),
    **dict.fromkeys(("heading_1", "heading_2", "heading_3"), _heading),
    "to_do": _to_do,
    "callout": _callout,
    "table": _table,
    "table_row": _table_row,
}


def append_children(store: NotionStore, parent: Json, body: Json, now: datetime) -> list[Json]:
    """Check every child first (a refused request appends nothing), then append them in order."""
    if parent.get("in_trash"):
        raise ApiError(400, ARCHIVED, "validation_error")
    parent_kind = parent.get("type") if parent["object"] == "block" else None
    if parent_kind is not None and parent_kind not in HOLDERS and parent_kind != "table":
        raise ApiError(400, f"Block type {parent_kind} does not support children.", "validation_error")
    trees = check_children(store, body, "body", parent_kind)
    created = [_store(store, parent, tree, now) for tree in trees]
    store.touch(parent, now)
    return created


def _store(store: NotionStore, parent: Json, tree: _Tree, now: datetime) -> Json:
    block = block_fields(store, parent, store.new_id("block"), tree.kind, tree.content, now)
    store.blocks[block["id"]] = block
    store.children.setdefault(parent["id"], []).append(block["id"])
    if parent["object"] == "block":
        parent["has_children"] = True
    for child in tree.children:
        _store(store, block, child, now)
    return block


def live_children(store: NotionStore, parent_id: str) -> list[Json]:
    blocks = (store.blocks[i] for i in store.children.get(parent_id, []))
    return [block for block in blocks if not block["in_trash"]]


def delete(store: NotionStore, block_id: str, now: datetime) -> Json:
    """Move a block (or a page: its id is a block id too) to the trash; the deleted object."""
    found = [obj for obj in (store.blocks.get(block_id), store.pages.get(block_id)) if obj is not None]
    if any(obj["in_trash"] for obj in found):
        raise ApiError(400, ARCHIVED, "validation_error")
    for obj in found:
        obj["in_trash"] = obj["archived"] = True
        store.touch(obj, now)
    return found[0]
