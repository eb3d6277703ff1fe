"""Markdown to rich-text spans: the inline constructs the hub writes, read the CommonMark way.

What is read (everything else is literal text, kept as typed):
- backslash escapes of ASCII punctuation; code spans (any backtick run length);
- emphasis `*x*`/`_x_` (italic), `**x**`/`__x__` (bold), `~~x~~` (strikethrough), with CommonMark's
  flanking rules (https://spec.commonmark.org/0.31.2/#emphasis-and-strong-emphasis), so `2 * 3` and
  `snake_case` stay literal;
- links `[text](url)` and `[text](<url>)`, autolinks `<https://...>` and bare `http(s)://` URLs (GFM);
- inline equations `$x$` (a `$` run; the opener is followed and the closer preceded by a non-space,
  the closer is not followed by a digit: `$5 and $10` stays literal) and `<math>x</math>`;
- `<u>`, `<span color="red">` (a Notion colour), and `<b>`, `<i>`, `<s>`, `<code>` for what Markdown
  delimiters cannot wrap (a bold run that ends with a space);
- mentions: a link to `notion-mention:<type>/<ref>` (see markdown_render.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from urllib.parse import unquote

from connectors.notion.markdown_inline import (
    ASCII_PUNCT,
    Item,
    Scan,
    emphasis,
    flatten,
    kind_of,
    tags,
)
from connectors.notion.spans import COLORS, PLAIN, Mention, Span, Style, canonical, text

MENTION_SCHEME = "notion-mention:"
_TAG = re.compile(r'<(/?)(u|b|i|s|code)>|<span color="([a-z_]+)">|</span>')
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_BARE_URL = re.compile(r"https?://[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*[^\s<]*")
_MENTION = re.compile(r"notion-mention:([a-z_]+)/(.*)", re.DOTALL)
_URL_TRAILING = "?!.,:*_~'\""
_MATH_END = "</math>"


def parse_markdown(source: str) -> list[Span]:
    """The canonical spans `source` reads as."""
    scan = Scan(source)
    runs = _Runs(source)
    position = 0
    while position < len(source):
        position = _step(scan, runs, position)
    scan.flush()
    emphasis(scan.items, [item for item in scan.items if item.delim in ("*", "_", "~")])
    tags(scan.items)
    return canonical(flatten(scan.items))


def _step(scan: Scan, runs: _Runs, at: int) -> int:
    """Read the construct starting at `at`; the position after it."""
    char = scan.source[at]
    handler = _HANDLERS.get(char)
    if handler is not None:
        found = handler(scan, runs, at)
        if found is not None:
            return found
    if char == "h" and (found := _bare_url(scan, at)) is not None:
        return found
    scan.literal(char)
    return at + 1


# -- escapes, code, math, tags -------------------------------------------------------------------


def _escape(scan: Scan, runs: _Runs, at: int) -> int | None:
    following = scan.source[at + 1 : at + 2]
    if following and following in ASCII_PUNCT:
        scan.literal(following)
        return at + 2
    return None


def _run_length(source: str, at: int, char: str) -> int:
    end = at
    while end < len(source) and source[end] == char:
        end += 1
    return end - at


class _Runs:
    """Where each run of backticks and dollars starts, by length: closers are found by bisection."""

    def __init__(self, source: str) -> None:
        self.starts: dict[tuple[str, int], list[int]] = {}
        index = 0
        while index < len(source):
            char = source[index]
            if char in "`$":
                length = _run_length(source, index, char)
                self.starts.setdefault((char, length), []).append(index)
                index += length
            else:
                index += 1

    def after(self, char: str, length: int, start: int) -> list[int]:
        found = self.starts.get((char, length), [])
        return found[bisect_left(found, start) :]


def _code(scan: Scan, runs: _Runs, at: int) -> int:
    length = _run_length(scan.source, at, "`")
    closers = runs.after("`", length, at + length)
    if not closers:
        scan.literal("`" * length)
        return at + length
    end = closers[0]
    content = scan.source[at + length : end]
    if len(content) >= 2 and content[0] == content[-1] == " " and content.strip(" "):
        content = content[1:-1]
    scan.add(Item(text(content, Style(code=True))))
    return end + length


def _math(scan: Scan, runs: _Runs, at: int) -> int:
    source = scan.source
    length = _run_length(source, at, "$")
    opens = at + length < len(source) and not source[at + length].isspace()
    for end in runs.after("$", length, at + length + 1) if opens else ():
        after = end + length
        if not source[end - 1].isspace() and not (after < len(source) and source[after].isdigit()):
            scan.add(Item(Span("equation", source[at + length : end])))
            return after
    scan.literal("$" * length)
    return at + length


def _angle(scan: Scan, runs: _Runs, at: int) -> int | None:
    source = scan.source
    if source.startswith("<math>", at):
        end = source.find(_MATH_END, at + 6)
        if end < 0:
            return None
        expression = source[at + 6 : end].replace("&lt;", "<").replace("&amp;", "&")
        scan.add(Item(Span("equation", expression)))
        return end + len(_MATH_END)
    tag = _TAG.match(source, at)
    if tag is not None:
        return _tag(scan, tag)
    autolink = _AUTOLINK.match(source, at)
    if autolink is not None:
        scan.add(Item(text(autolink.group(1), link=autolink.group(1))))
        return autolink.end()
    return None


def _tag(scan: Scan, tag: re.Match[str]) -> int | None:
    closing, name, color = tag.group(1), tag.group(2), tag.group(3)
    literal = text(tag.group(0))
    if color is not None:
        if color not in COLORS or color == "default":
            return None
        scan.add(Item(literal, delim=f"<span:{color}"))
    elif name is None:
        scan.add(Item(literal, closing_tag="span"))
    elif closing:
        scan.add(Item(literal, closing_tag=name))
    else:
        scan.add(Item(literal, delim=f"<{name}"))
    return tag.end()


def _bare_url(scan: Scan, at: int) -> int | None:
    """A GFM extended autolink: after a space, a line start or `*_~(`; trailing punctuation excluded."""
    source = scan.source
    if at > 0 and not (source[at - 1].isspace() or source[at - 1] in "*_~("):
        return None
    found = _BARE_URL.match(source, at)
    if found is None:
        return None
    url = found.group(0)
    while url and (url[-1] in _URL_TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    if "://" not in url or url.endswith("://"):
        return None
    scan.add(Item(text(url, link=url)))
    return at + len(url)


# -- emphasis delimiters --------------------------------------------------------------------------


def _delimiter(scan: Scan, runs: _Runs, at: int) -> int:
    source = scan.source
    char = source[at]
    length = _run_length(source, at, char)
    if char == "~" and length != 2:  # GFM strikethrough, as Trello writes it: exactly two tildes
        scan.literal(char * length)
        return at + length
    before = kind_of(source[at - 1]) if at > 0 else "space"
    after = kind_of(source[at + length]) if at + length < len(source) else "space"
    left = after != "space" and (after != "punct" or before in ("space", "punct"))
    right = before != "space" and (before != "punct" or after in ("space", "punct"))
    can_open, can_close = left, right
    if char == "_":  # no emphasis inside words: snake_case stays literal
        can_open = left and (not right or before == "punct")
        can_close = right and (not left or after == "punct")
    item = Item(text(char * length), char, length, length, can_open, can_close)
    scan.add(item)
    return at + length


# -- links and mentions --------------------------------------------------------------------------


def _open_bracket(scan: Scan, runs: _Runs, at: int) -> int:
    scan.add(Item(text("["), delim="["))
    return at + 1


def _close_bracket(scan: Scan, runs: _Runs, at: int) -> int | None:
    scan.flush()
    openers = [i for i, item in enumerate(scan.items) if item.delim == "[" and item.active]
    opener_at = openers[-1] if openers else None
    if opener_at is None:
        return None
    destination = _destination(scan.source, at + 1)
    opener = scan.items[opener_at]
    if destination is None:
        opener.active, opener.delim = False, ""
        return None
    url, end = destination
    inner = scan.items[opener_at + 1 :]
    emphasis(scan.items, [item for item in inner if item.delim in ("*", "_", "~")])
    for item in inner:
        if item.delim in ("*", "_", "~"):
            item.active = False
    for item in scan.items[:opener_at]:
        if item.delim == "[":
            item.active = False  # no links inside links
    opener.dropped = True
    _link(scan, opener_at, url)
    return end


def _link(scan: Scan, opener_at: int, url: str) -> None:
    mention = _MENTION.fullmatch(url)
    if mention is None:
        for item in scan.items[opener_at + 1 :]:
            if item.span.kind == "text" and not item.dropped:
                item.span = replace(item.span, link=url)
        return
    label = "".join(item.span.text for item in scan.items[opener_at + 1 :] if not item.dropped)
    ref = Mention(mention.group(1), unquote(mention.group(2)))
    del scan.items[opener_at + 1 :]
    scan.items.append(Item(Span("mention", label, PLAIN, mention=ref)))


def _destination(source: str, at: int) -> tuple[str, int] | None:
    """`(url)`, `(<url>)` or either with a title, right after `]`: the URL and the end position."""
    if not source.startswith("(", at):
        return None
    position = at + 1
    if source.startswith("<", position):
        url, position = _read_until(source, position + 1, ">", stop="<\n")
        if url is None:
            return None
        position += 1
    else:
        url, position = _raw_destination(source, position)
    title = re.compile(r'\s+(?:"[^"]*"|\'[^\']*\')').match(source, position)
    position = title.end() if title else position
    return (url, position + 1) if source.startswith(")", position) else None


def _read_until(source: str, at: int, end: str, stop: str) -> tuple[str | None, int]:
    chars: list[str] = []
    while at < len(source):
        char = source[at]
        if char == "\\" and source[at + 1 : at + 2] in ASCII_PUNCT and at + 1 < len(source):
            chars.append(source[at + 1])
            at += 2
        elif char == end:
            return "".join(chars), at
        elif char in stop:
            return None, at
        else:
            chars.append(char)
            at += 1
    return None, at


def _raw_destination(source: str, at: int) -> tuple[str, int]:
    chars: list[str] = []
    depth = 0
    while at < len(source):
        char = source[at]
        if char == "\\" and at + 1 < len(source) and source[at + 1] in ASCII_PUNCT:
            chars.append(source[at + 1])
            at += 2
            continue
        if char.isspace() or ord(char) < 0x20 or (char == ")" and depth == 0):
            break
        depth += {"(": 1, ")": -1}.get(char, 0)
        chars.append(char)
        at += 1
    return "".join(chars), at


_HANDLERS = {
    "\\": _escape,
    "`": _code,
    "$": _math,
    "<": _angle,
    "*": _delimiter,
    "_": _delimiter,
    "~": _delimiter,
    "[": _open_bracket,
    "]": _close_bracket,
}
