"""Rich-text splitting (Notion's UTF-16 length) and summary blocks: request shapes and batches."""

from __future__ import annotations

import json

import pytest

from connectors.errors import BadData
from connectors.notion.blocks import batches, block_request, table_rows_after
from connectors.notion.richtext import plain_text, rich_text, split_text, utf16_length


def test_short_text_is_one_segment_and_empty_text_none():
    assert rich_text("Hello") == [{"type": "text", "text": {"content": "Hello"}}]
    assert rich_text("") == []


def test_splitting_counts_utf16_code_units_and_never_cuts_an_emoji():
    text = "a" + "😀" * 1500  # 3001 code units
    pieces = split_text(text)
    assert "".join(pieces) == text
    assert [utf16_length(p) for p in pieces] == [1999, 1002]  # 2000 would cut the 1000th emoji in half
    assert all(not ("\ud800" <= p[-1] <= "\udbff") for p in pieces)


def test_splitting_prefers_a_line_break_or_a_space_near_the_limit():
    text = "word " * 500  # 2500 characters
    first, second = split_text(text)
    assert first.endswith(" ") and len(first) <= 2000 and first + second == text


def test_plain_text_joins_segments_and_falls_back_to_the_content():
    segments = [{"plain_text": "a"}, {"type": "text", "text": {"content": "b"}}, {"plain_text": "c"}]
    assert plain_text(segments) == "abc"
    assert plain_text(None) == "" and plain_text([]) == ""


def test_simple_blocks_become_notion_block_requests():
    assert block_request({"type": "heading_2", "text": "Today"}) == {
        "type": "heading_2",
        "heading_2": {"rich_text": [{"type": "text", "text": {"content": "Today"}}]},
    }
    assert (
        block_request({"type": "to_do", "text": "Call Amélie", "checked": True})["to_do"]["checked"] is True
    )
    assert block_request({"type": "divider"}) == {"type": "divider", "divider": {}}


def test_a_long_paragraph_is_split_into_segments_of_one_block():
    block = block_request({"type": "paragraph", "text": "z" * 4500})
    assert [len(s["text"]["content"]) for s in block["paragraph"]["rich_text"]] == [2000, 2000, 500]


def test_an_unknown_block_type_is_refused_with_the_known_ones():
    with pytest.raises(BadData, match="heading_2"):
        block_request({"type": "embed", "text": "x"})
    with pytest.raises(BadData, match="at least one"):
        block_request({"type": "table", "rows": []})


def test_text_carries_simple_markdown_and_callouts_tables_and_numbered_items_have_their_shapes():
    paragraph = block_request(
        {"type": "paragraph", "text": "**2** overdue, see [board](https://trello.com/b/x)"}
    )
    elements = paragraph["paragraph"]["rich_text"]
    assert elements[0] == {
        "type": "text",
        "text": {"content": "2"},
        "annotations": {
            "bold": True,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "code": False,
            "color": "default",
        },
    }
    assert elements[-1]["text"] == {"content": "board", "link": {"url": "https://trello.com/b/x"}}
    assert block_request({"type": "callout", "text": "Heads up", "emoji": "⚠️"})["callout"]["icon"] == {
        "type": "emoji",
        "emoji": "⚠️",
    }
    assert block_request({"type": "numbered_list_item", "text": "one"})["type"] == "numbered_list_item"
    table = block_request({"type": "table", "rows": [["Task", "Due"], ["Invoice"]], "header": True})["table"]
    assert table["table_width"] == 2 and table["has_column_header"] is True
    assert [len(row["table_row"]["cells"]) for row in table["children"]] == [2, 2]  # the short row padded
    assert table["children"][1]["table_row"]["cells"][1] == []


def test_a_table_over_100_rows_keeps_100_and_hands_back_the_rest():
    request = block_request({"type": "table", "rows": [[str(n)] for n in range(250)]})
    rest = table_rows_after(request)
    assert len(request["table"]["children"]) == 100 and len(rest) == 150
    assert [len(batch) for batch in batches(rest)] == [100, 50]


def test_batches_count_nested_blocks_against_the_1000_per_request():
    tables = [block_request({"type": "table", "rows": [["x"]] * 99}) for _ in range(12)]  # 100 blocks each
    assert [len(batch) for batch in batches(tables)] == [10, 2]


def test_batches_hold_at_most_100_children_in_order():
    children = [{"type": "paragraph", "paragraph": {"rich_text": [], "n": i}} for i in range(250)]
    sizes = [len(batch) for batch in batches(children)]
    assert sizes == [100, 100, 50]
    assert [c["paragraph"]["n"] for b in batches(children) for c in b] == list(range(250))


def test_batches_also_stay_under_the_payload_limit():
    heavy = [block_request({"type": "paragraph", "text": "é" * 20000}) for _ in range(30)]
    found = list(batches(heavy))
    assert len(found) > 1
    assert all(len(json.dumps(batch, ensure_ascii=False).encode()) < 500_000 for batch in found)
