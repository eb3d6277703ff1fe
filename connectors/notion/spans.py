"""Rich text as styled spans: the one model between Notion's rich-text arrays and Markdown.

A span is one rich-text element: text (with an optional link), a mention, or an inline equation, with
its annotations. `spans_from_rich_text` reads the read shape (https://developers.notion.com/reference/rich-text),
`rich_text_request` builds the request shape, and `canonical` merges adjacent text spans of the same
style and link (Notion may split one run of text into several elements; Markdown cannot tell).

Mentions are kept as (type, ref): `user`, `page` and `database` refs are ids; a `date` ref is
`start[/end][?time_zone=Zone]` with the strings Notion sent; a `link_preview` ref is its URL; other
types (`template_mention`, `link_mention`, `custom_emoji`, ...) carry their payload as compact JSON.
Requests can create user, page, database, date and template mentions; `link_preview` and
`link_mention` are read-only in the API (the request union of
https://developers.notion.com/reference/rich-text#mention lacks them), so they are written back as a
link on their URL: the one formatting a write can change, and only when the text around them changed.

Limits (https://developers.notion.com/reference/request-limits): `text.content` at most 2,000
characters (longer text is split into several spans of the same style), `link.url` 2,000,
`equation.expression` 1,000, and 100 elements per array.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import parse_qs, quote

from connectors.errors import BadData
from connectors.notion.richtext import SEGMENT_LIMIT, SEGMENTS_PER_ARRAY, split_text, utf16_length

COLORS = frozenset(
    [
        f"{name}{suffix}"
        for name in ("gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red")
        for suffix in ("", "_background")
    ]
    + ["default"]
)
URL_LIMIT = 2000
EQUATION_LIMIT = 1000
WRITABLE_MENTIONS = frozenset({"user", "page", "database", "date", "template_mention"})
ID_MENTIONS = frozenset({"user", "page", "database"})
Kind = Literal["text", "mention", "equation"]


@dataclass(frozen=True)
class Style:
    bold: bool = False
    italic: bool = False
    strikethrough: bool = False
    underline: bool = False
    code: bool = False
    color: str = "default"

    def is_plain(self) -> bool:
        return self == PLAIN


PLAIN = Style()


@dataclass(frozen=True)
class Mention:
    type: str
    ref: str  # an id, a date range, or the payload's compact JSON (see the module docstring)


@dataclass(frozen=True)
class Span:
    kind: Kind
    text: str  # text content, equation expression, or a mention's plain text
    style: Style = PLAIN
    link: str | None = None  # text spans only
    mention: Mention | None = None  # mention spans only


def text(content: str, style: Style = PLAIN, link: str | None = None) -> Span:
    return Span("text", content, style, link)


# -- read shape -> spans -------------------------------------------------------------------------


def _style(annotations: Any) -> Style:
    if not isinstance(annotations, Mapping):
        return PLAIN
    flags = {name: annotations.get(name) is True for name in ("bold", "italic", "strikethrough")}
    flags.update(underline=annotations.get("underline") is True, code=annotations.get("code") is True)
    color = annotations.get("color")
    return Style(**flags, color=color if color in COLORS else "default")


def _mention(payload: Mapping[str, Any]) -> Mention:
    kind = str(payload.get("type"))
    value = payload.get(kind)
    if kind in ID_MENTIONS and isinstance(value, Mapping) and value.get("id"):
        return Mention(kind, str(value["id"]))
    if kind == "date" and isinstance(value, Mapping) and value.get("start"):
        return Mention(kind, date_ref(value))
    if kind == "link_preview" and isinstance(value, Mapping) and set(value) == {"url"}:
        return Mention(kind, str(value["url"]))
    return Mention(kind, json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def date_ref(value: Mapping[str, Any]) -> str:
    ref = str(value["start"])
    if value.get("end"):
        ref += f"/{value['end']}"
    if value.get("time_zone"):
        ref += f"?time_zone={quote(str(value['time_zone']), safe='/')}"
    return ref


def _span(element: Mapping[str, Any]) -> Span:
    kind = element.get("type")
    style = _style(element.get("annotations"))
    plain = element.get("plain_text")
    if kind == "equation":
        expression = (element.get("equation") or {}).get("expression", plain or "")
        return Span("equation", str(expression), style)
    if kind == "mention" and isinstance(element.get("mention"), Mapping):
        return Span("mention", str(plain or ""), style, mention=_mention(element["mention"]))
    body = element.get("text") or {}
    content = body.get("content", plain or "")
    link = (body.get("link") or {}).get("url") if isinstance(body.get("link"), Mapping) else None
    return text(str(content), style, str(link) if link else None)


def spans_from_rich_text(elements: Iterable[Mapping[str, Any]] | None) -> list[Span]:
    """The canonical spans of a rich-text array as Notion returns it."""
    return canonical(_span(element) for element in elements or () if isinstance(element, Mapping))


def canonical(spans: Iterable[Span]) -> list[Span]:
    """Adjacent text spans with the same style and link merged; empty text spans dropped."""
    merged: list[Span] = []
    for span in spans:
        if span.kind == "text" and not span.text:
            continue
        last = merged[-1] if merged else None
        if last and span.kind == last.kind == "text" and (span.style, span.link) == (last.style, last.link):
            merged[-1] = replace(last, text=last.text + span.text)
        else:
            merged.append(span)
    return merged


# -- spans -> request shape ----------------------------------------------------------------------


def _annotations(style: Style) -> dict[str, Any]:
    return {
        "bold": style.bold,
        "italic": style.italic,
        "strikethrough": style.strikethrough,
        "underline": style.underline,
        "code": style.code,
        "color": style.color,
    }


def _mention_request(mention: Mention) -> dict[str, Any]:
    if mention.type in ID_MENTIONS:
        return {"type": mention.type, mention.type: {"id": mention.ref}}
    if mention.type == "date":
        return {"type": "date", "date": parse_date_ref(mention.ref)}
    return {"type": mention.type, mention.type: json.loads(mention.ref)}


def parse_date_ref(ref: str) -> dict[str, Any]:
    bounds, _, query = ref.partition("?")
    start, _, end = bounds.partition("/")
    zone = parse_qs(query).get("time_zone", [None])[0]
    return {"start": start, "end": end or None, "time_zone": zone}


def mention_url(mention: Mention) -> str | None:
    """The URL a read-only mention (link preview, link mention) points to, if it names one."""
    if mention.type == "link_preview" and not mention.ref.startswith("{"):
        return mention.ref
    try:
        payload = json.loads(mention.ref)
    except ValueError:
        return None
    url = payload.get("url") or payload.get("href") if isinstance(payload, Mapping) else None
    return str(url) if url else None


def _element(span: Span, where: str) -> list[dict[str, Any]]:
    """The request element(s) of one span: long text is split, read-only mentions become links."""
    if span.kind == "mention" and span.mention is not None:
        if span.mention.type in WRITABLE_MENTIONS:
            return [{"type": "mention", "mention": _mention_request(span.mention)}]
        url = mention_url(span.mention)
        span = text(url or span.text, span.style, url)
    if span.kind == "equation":
        if utf16_length(span.text) > EQUATION_LIMIT:
            raise BadData(f"notion {where}: an equation is longer than {EQUATION_LIMIT}", service="notion")
        return [{"type": "equation", "equation": {"expression": span.text}}]
    if span.link is not None and len(span.link) > URL_LIMIT:
        raise BadData(f"notion {where}: a link is longer than {URL_LIMIT} characters", service="notion")
    link = {"link": {"url": span.link}} if span.link else {}
    return [{"type": "text", "text": {"content": piece, **link}} for piece in split_text(span.text)]


def rich_text_request(spans: Sequence[Span], *, where: str = "text") -> list[dict[str, Any]]:
    """The request array for `spans`; BadData when it breaks a limit Notion would refuse."""
    elements: list[dict[str, Any]] = []
    for span in spans:
        for element in _element(span, where):
            if not span.style.is_plain():
                element["annotations"] = _annotations(span.style)
            elements.append(element)
    if len(elements) > SEGMENTS_PER_ARRAY:
        raise BadData(
            f"notion {where} is too long: it needs {len(elements)} rich-text elements, Notion takes at "
            f"most {SEGMENTS_PER_ARRAY} (of at most {SEGMENT_LIMIT} characters each)",
            service="notion",
        )
    return elements
