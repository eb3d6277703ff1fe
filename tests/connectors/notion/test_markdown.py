"""Notion rich text <-> Markdown: every rich-text kind Notion documents survives the round trip
(https://developers.notion.com/reference/rich-text): text with each annotation and colour, links,
each mention type, equations; Markdown written by people reads as they meant it and comes back as
they wrote it; the request shape respects Notion's limits."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import BadData
from connectors.notion.markdown_parse import parse_markdown
from connectors.notion.markdown_render import normalise, to_markdown
from connectors.notion.spans import (
    COLORS,
    Mention,
    Span,
    Style,
    canonical,
    rich_text_request,
    spans_from_rich_text,
    text,
)

USER = "1c8f8d3b-2e4a-4f6b-8c9d-8e7f6a5b4c32"
PAGE = "3c612f56-fdd0-4a30-a4d6-bda7d7426309"
BOLD, ITALIC, CODE = Style(bold=True), Style(italic=True), Style(code=True)


def read_shape(element: dict) -> dict:
    """What Notion returns for a request element: annotations filled in, plain_text, href."""
    annotations = {"bold": False, "italic": False, "strikethrough": False, "underline": False,
                   "code": False, "color": "default", **element.get("annotations", {})}  # fmt: skip
    shaped = {**element, "annotations": annotations}
    if element["type"] == "text":
        link = element["text"].get("link")
        shaped["text"] = {"content": element["text"]["content"], "link": link}
        shaped["plain_text"], shaped["href"] = element["text"]["content"], (link or {}).get("url")
    elif element["type"] == "equation":
        shaped["plain_text"], shaped["href"] = element["equation"]["expression"], None
    else:
        shaped["plain_text"], shaped["href"] = "@Someone", None
    return shaped


# -- every rich-text kind, by example --------------------------------------------------------------


@pytest.mark.parametrize(
    ("spans", "markdown"),
    [
        ([text("plain words")], "plain words"),
        ([text("bold", BOLD)], "**bold**"),
        ([text("italic", ITALIC)], "*italic*"),
        ([text("gone", Style(strikethrough=True))], "~~gone~~"),
        ([text("under", Style(underline=True))], "<u>under</u>"),
        ([text("x = 1", CODE)], "`x = 1`"),
        ([text("red", Style(color="red"))], '<span color="red">red</span>'),
        ([text("marked", Style(color="yellow_background"))], '<span color="yellow_background">marked</span>'),
        ([text("the SOP", link="https://docs.example.com/sop")], "[the SOP](https://docs.example.com/sop)"),
        ([text("https://example.com/a", link="https://example.com/a")], "https://example.com/a"),
        ([Span("equation", "E = mc^2")], "$E = mc^2$"),
        ([Span("mention", "@Sophie Martin", mention=Mention("user", USER))],
         f"[@Sophie Martin](notion-mention:user/{USER})"),
        ([Span("mention", "Launch plan", mention=Mention("page", PAGE))],
         f"[Launch plan](notion-mention:page/{PAGE})"),
        ([Span("mention", "Tasks", mention=Mention("database", PAGE))],
         f"[Tasks](notion-mention:database/{PAGE})"),
        ([Span("mention", "2026-11-27 → 2026-11-28", mention=Mention("date", "2026-11-27/2026-11-28"))],
         "[2026-11-27 → 2026-11-28](notion-mention:date/2026-11-27/2026-11-28)"),
        ([text("Call "), text("Amélie", BOLD), text(" about "), text("it", Style(bold=True, italic=True))],
         "Call **Amélie** about ***it***"),
        ([text("bold ", BOLD), text("then plain")], "<b>bold </b>then plain"),
    ],
)  # fmt: skip
def test_each_kind_has_a_readable_markdown_form_that_reads_back(spans, markdown):
    assert to_markdown(spans) == markdown
    assert parse_markdown(markdown) == canonical(spans)


@pytest.mark.parametrize(
    "written",
    [
        "Plain text, with punctuation: yes! (really) 50% off.",
        "2 * 3 * 4 = 24 and snake_case_name stays",
        "Prices: $5-$10, or $20 to $30",
        "# Not a heading here\n- item one\n* item two\n1. first",
        "**Bold** then *italic* then ~~struck~~ and `code` with [a link](https://example.com/x_(y))",
        "see https://example.com/path?q=1. Then more",
        "```\nmulti-line code\n```",
        "tilde ~ alone, ~~~ three, and a lone ` backtick",
        "Email me: ops@brightpath.coach <3",
    ],
)
def test_markdown_people_write_comes_back_as_they_wrote_it(written):
    assert normalise(written) == written


def test_other_markdown_is_normalised_once_then_stable():
    written = "_italic_ and __bold__ and <https://example.com>"
    once = normalise(written)
    assert once == "*italic* and **bold** and https://example.com"
    assert normalise(once) == once


def test_literal_markdown_characters_in_notion_text_are_escaped_only_where_needed():
    spans = [text("2*3*4 costs $5$ and [x](y) is *not* a link")]
    markdown = to_markdown(spans)
    assert parse_markdown(markdown) == spans
    assert "costs" in markdown and markdown.count("\\") <= 12


def test_read_shape_to_request_keeps_every_kind_and_annotation():
    elements = [
        {"type": "text", "text": {"content": "Hi ", "link": None}},
        {"type": "text", "text": {"content": "there", "link": {"url": "https://x.example"}},
         "annotations": {"bold": True, "color": "blue"}},
        {"type": "mention", "mention": {"type": "user", "user": {"id": USER}}},
        {"type": "mention", "mention": {"type": "date", "date": {"start": "2026-11-27", "end": None}}},
        {"type": "equation", "equation": {"expression": "a^2"}},
    ]  # fmt: skip
    spans = spans_from_rich_text([read_shape(e) for e in elements])
    request = rich_text_request(spans)
    assert request[1]["annotations"]["bold"] is True and request[1]["text"]["link"] == {
        "url": "https://x.example"
    }
    assert request[2] == {"type": "mention", "mention": {"type": "user", "user": {"id": USER}}}
    assert request[3]["mention"]["date"] == {"start": "2026-11-27", "end": None, "time_zone": None}
    assert request[4] == {"type": "equation", "equation": {"expression": "a^2"}}
    assert spans_from_rich_text([read_shape(e) for e in request]) == spans


def test_read_only_mentions_are_written_as_a_link_to_their_url():
    url = "https://github.com/o/r/pull/1"
    preview = {"type": "mention", "plain_text": url, "href": url,
               "mention": {"type": "link_preview", "link_preview": {"url": url}}}  # fmt: skip
    spans = spans_from_rich_text([preview])
    markdown = to_markdown(spans)
    assert (
        markdown
        == "[https://github.com/o/r/pull/1](notion-mention:link_preview/https://github.com/o/r/pull/1)"
    )
    assert parse_markdown(markdown) == spans  # the mention survives Markdown...
    assert rich_text_request(spans) == [  # ...and is written as a link, all the API lets a client write
        {"type": "text", "text": {"content": "https://github.com/o/r/pull/1",
                                  "link": {"url": "https://github.com/o/r/pull/1"}}}
    ]  # fmt: skip


def test_limits_long_text_is_split_and_too_many_elements_refused():
    long = [text("x" * 4500, BOLD)]
    request = rich_text_request(long)
    assert [len(e["text"]["content"]) for e in request] == [2000, 2000, 500]
    assert all(e["annotations"]["bold"] for e in request)
    with pytest.raises(BadData, match="at most 100"):
        rich_text_request([Span("equation", f"x_{n}") for n in range(101)])
    with pytest.raises(BadData, match="equation"):
        rich_text_request([Span("equation", "x" * 1001)])


# -- properties ----------------------------------------------------------------------------------

_styles = st.builds(
    Style,
    bold=st.booleans(),
    italic=st.booleans(),
    strikethrough=st.booleans(),
    underline=st.booleans(),
    code=st.booleans(),
    color=st.sampled_from(sorted(COLORS)),
)
_chars = st.sampled_from([*"ab xyz09*_~`$[]()<>\\!#:/.-é🎉\n", "http://", "https://", "<u>", "</b>", "&lt;"])
_content = st.lists(_chars, min_size=1, max_size=12).map("".join)
_urls = st.sampled_from(
    ["https://example.com", "https://example.com/a_(b)", "https://x.io/p?q=1&r=2", "mailto:a@b.c",
     "https://example.com/with space", "https://e.com/<x>\\y"]
)  # fmt: skip
_mentions = st.one_of(
    st.builds(Mention, st.sampled_from(["user", "page", "database"]), st.just(USER)),
    st.builds(Mention, st.just("date"), st.sampled_from(
        ["2026-11-27", "2026-11-27T17:00:00.000+01:00/2026-11-28", "2026-11-27?time_zone=Europe/Paris"])),
    st.builds(Mention, st.just("template_mention"),
              st.just(json.dumps({"type": "template_mention_date", "template_mention_date": "today"}))),
)  # fmt: skip
_spans = st.one_of(
    st.builds(text, _content, _styles, st.one_of(st.none(), _urls)),
    st.builds(Span, st.just("equation"), _content, _styles),
    st.builds(lambda label, s, ref: Span("mention", label, s, mention=ref), _content, _styles, _mentions),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_spans, max_size=8))
def test_any_rich_text_reads_back_from_its_markdown(spans):
    wanted = canonical(spans)
    assert parse_markdown(to_markdown(spans)) == wanted


@settings(max_examples=400, deadline=None)
@given(st.lists(_chars, max_size=30).map("".join))
def test_any_markdown_normalises_to_a_fixed_point(markdown):
    once = normalise(markdown)
    assert normalise(once) == once
