"""Rich-text splitting (Notion's UTF-16 length) and summary blocks: request shapes and batches."""

from __future__ import annotations

import json

import pytest

from connectors.errors import BadData
from connectors.notion.blocks import batches, block_request
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
        block_request({"type": "table", "text": "x"})


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
