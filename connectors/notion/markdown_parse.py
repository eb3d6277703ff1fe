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
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from urllib.parse import unquote

from connectors.notion.spans import COLORS, PLAIN, Mention, Span, Style, canonical, text

MENTION_SCHEME = "notion-mention:"
ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
TAG_STYLES = {"u": "underline", "b": "bold", "i": "italic", "s": "strikethrough", "code": "code"}
_TAG = re.compile(r'<(/?)(u|b|i|s|code)>|<span color="([a-z_]+)">|</span>')
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_BARE_URL = re.compile(r"https?://[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*[^\s<]*")
_MENTION = re.compile(r"notion-mention:([a-z_]+)/(.*)", re.DOTALL)
_URL_TRAILING = "?!.,:*_~'\""
_MATH_END = "</math>"


@dataclass(eq=False)
class _Item:
    span: Span  # what the item reads as if nothing consumes it
    delim: str = ""  # "*", "_", "~": an emphasis run; "[": a link opener; "<x": an opening tag
    count: int = 0
    length: int = 0
    can_open: bool = False
    can_close: bool = False
    closing_tag: str = ""  # the tag name of a closing tag
    active: bool = True
    dropped: bool = False  # consumed: contributes no text


@dataclass
class _Scan:
    source: str
    items: list[_Item] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def literal(self, chars: str) -> None:
        self.pending.append(chars)

    def add(self, item: _Item) -> None:
        self.flush()
        self.items.append(item)

    def flush(self) -> None:
        if self.pending:
            self.items.append(_Item(text("".join(self.pending))))
            self.pending.clear()


def parse_markdown(source: str) -> list[Span]:
    """The canonical spans `source` reads as."""
    scan = _Scan(source)
    runs = _Runs(source)
    position = 0
    while position < len(source):
        position = _step(scan, runs, position)
    scan.flush()
    _emphasis(scan.items, [item for item in scan.items if item.delim in ("*", "_", "~")])
    _tags(scan.items)
    return canonical(_flatten(scan.items))


def _step(scan: _Scan, runs: _Runs, at: int) -> int:
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


def _escape(scan: _Scan, runs: _Runs, at: int) -> int | None:
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


def _code(scan: _Scan, runs: _Runs, at: int) -> int:
    length = _run_length(scan.source, at, "`")
    closers = runs.after("`", length, at + length)
    if not closers:
        scan.literal("`" * length)
        return at + length
    end = closers[0]
    content = scan.source[at + length : end]
    if len(content) >= 2 and content[0] == content[-1] == " " and content.strip(" "):
        content = content[1:-1]
    scan.add(_Item(text(content, Style(code=True))))
    return end + length


def _math(scan: _Scan, runs: _Runs, at: int) -> int:
    source = scan.source
    length = _run_length(source, at, "$")
    opens = at + length < len(source) and not source[at + length].isspace()
    for end in runs.after("$", length, at + length + 1) if opens else ():
        after = end + length
        if not source[end - 1].isspace() and not (after < len(source) and source[after].isdigit()):
            scan.add(_Item(Span("equation", source[at + length : end])))
            return after
    scan.literal("$" * length)
    return at + length


def _angle(scan: _Scan, runs: _Runs, at: int) -> int | None:
    source = scan.source
    if source.startswith("<math>", at):
        end = source.find(_MATH_END, at + 6)
        if end < 0:
            return None
        expression = source[at + 6 : end].replace("&lt;", "<").replace("&amp;", "&")
        scan.add(_Item(Span("equation", expression)))
        return end + len(_MATH_END)
    tag = _TAG.match(source, at)
    if tag is not None:
        return _tag(scan, tag)
    autolink = _AUTOLINK.match(source, at)
    if autolink is not None:
        scan.add(_Item(text(autolink.group(1), link=autolink.group(1))))
        return autolink.end()
    return None


def _tag(scan: _Scan, tag: re.Match[str]) -> int | None:
    closing, name, color = tag.group(1), tag.group(2), tag.group(3)
    literal = text(tag.group(0))
    if color is not None:
        if color not in COLORS or color == "default":
            return None
        scan.add(_Item(literal, delim=f"<span:{color}"))
    elif name is None:
        scan.add(_Item(literal, closing_tag="span"))
    elif closing:
        scan.add(_Item(literal, closing_tag=name))
    else:
        scan.add(_Item(literal, delim=f"<{name}"))
    return tag.end()


def _bare_url(scan: _Scan, at: int) -> int | None:
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
    scan.add(_Item(text(url, link=url)))
    return at + len(url)


# -- emphasis delimiters -------------------------------------------------------------------------


def _kind_of(char: str) -> str:
    if char.isspace():
        return "space"
    if char in ASCII_PUNCT or unicodedata.category(char)[0] in "PS":
        return "punct"
    return "other"


def _delimiter(scan: _Scan, runs: _Runs, at: int) -> int:
    source = scan.source
    char = source[at]
    length = _run_length(source, at, char)
    if char == "~" and length != 2:  # GFM strikethrough, as Trello writes it: exactly two tildes
        scan.literal(char * length)
        return at + length
    before = _kind_of(source[at - 1]) if at > 0 else "space"
    after = _kind_of(source[at + length]) if at + length < len(source) else "space"
    left = after != "space" and (after != "punct" or before in ("space", "punct"))
    right = before != "space" and (before != "punct" or after in ("space", "punct"))
    can_open, can_close = left, right
    if char == "_":  # no emphasis inside words: snake_case stays literal
        can_open = left and (not right or before == "punct")
        can_close = right and (not left or after == "punct")
    item = _Item(text(char * length), char, length, length, can_open, can_close)
    scan.add(item)
    return at + length


def _odd_match(opener: _Item, closer: _Item) -> bool:
    """CommonMark's rule of 3, for runs that can both open and close."""
    if opener.delim == "~":
        return opener.length != 2 or closer.length != 2
    both = opener.can_close or closer.can_open
    total = opener.length + closer.length
    return both and total % 3 == 0 and not (opener.length % 3 == 0 and closer.length % 3 == 0)


def _emphasis(items: list[_Item], delims: list[_Item]) -> None:
    """CommonMark's "process emphasis" over `delims` (in order), styling the items they enclose."""
    stack = [d for d in delims if d.active]
    bottoms: dict[tuple[str, bool, int], _Item | None] = {}
    index = 0
    while index < len(stack):
        closer = stack[index]
        if not closer.can_close:
            index += 1
            continue
        key = (closer.delim, closer.can_open, closer.length % 3)
        opener_at = _find_opener(stack, index, bottoms.get(key))
        if opener_at is None:
            bottoms[key] = stack[index - 1] if index > 0 else None
            if not closer.can_open:
                del stack[index]
            else:
                index += 1
            continue
        index = _match(items, stack, opener_at, index)


def _find_opener(stack: list[_Item], closer_at: int, bottom: _Item | None) -> int | None:
    """The nearest opener for the closer, down to `bottom` (openers below it were already tried)."""
    closer = stack[closer_at]
    for at in range(closer_at - 1, -1, -1):
        opener = stack[at]
        if opener is bottom:
            return None
        if opener.delim == closer.delim and opener.can_open and not _odd_match(opener, closer):
            return at
    return None


def _match(items: list[_Item], stack: list[_Item], opener_at: int, closer_at: int) -> int:
    """Apply one emphasis match; the stack index to continue from."""
    opener, closer = stack[opener_at], stack[closer_at]
    use = 2 if opener.count >= 2 and closer.count >= 2 else 1
    flag = "strikethrough" if opener.delim == "~" else ("bold" if use == 2 else "italic")
    _apply(items, items.index(opener) + 1, items.index(closer), flag)
    for item in (opener, closer):
        item.count -= use
        item.span = replace(item.span, text=item.delim * item.count)
    del stack[opener_at + 1 : closer_at]  # delimiters inside are literal now
    closer_at = opener_at + 1
    if opener.count == 0:
        del stack[opener_at]
        closer_at -= 1
    if closer.count == 0:
        del stack[closer_at]
    return closer_at


def _apply(items: list[_Item], start: int, end: int, flag: str, value: object = True) -> None:
    for item in items[start:end]:
        style = item.span.style
        if flag == "color":
            if style.color == "default":
                item.span = replace(item.span, style=replace(style, color=str(value)))
        else:
            flags: dict[str, bool] = {flag: True}
            item.span = replace(item.span, style=replace(style, **flags))  # type: ignore[arg-type]


# -- links and mentions --------------------------------------------------------------------------


def _open_bracket(scan: _Scan, runs: _Runs, at: int) -> int:
    scan.add(_Item(text("["), delim="["))
    return at + 1


def _close_bracket(scan: _Scan, runs: _Runs, at: int) -> int | None:
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
    _emphasis(scan.items, [item for item in inner if item.delim in ("*", "_", "~")])
    for item in inner:
        if item.delim in ("*", "_", "~"):
            item.active = False
    for item in scan.items[:opener_at]:
        if item.delim == "[":
            item.active = False  # no links inside links
    opener.dropped = True
    _link(scan, opener_at, url)
    return end


def _link(scan: _Scan, opener_at: int, url: str) -> None:
    mention = _MENTION.fullmatch(url)
    if mention is None:
        for item in scan.items[opener_at + 1 :]:
            if item.span.kind == "text" and not item.dropped:
                item.span = replace(item.span, link=url)
        return
    label = "".join(item.span.text for item in scan.items[opener_at + 1 :] if not item.dropped)
    ref = Mention(mention.group(1), unquote(mention.group(2)))
    del scan.items[opener_at + 1 :]
    scan.items.append(_Item(Span("mention", label, PLAIN, mention=ref)))


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


# -- tags and the final spans --------------------------------------------------------------------


def _tags(items: list[_Item]) -> None:
    """Match closing tags to the nearest open tag of the same name; unmatched tags stay literal."""
    open_tags: list[int] = []
    for index, item in enumerate(items):
        if item.delim.startswith("<"):
            open_tags.append(index)
        elif item.closing_tag:
            name = item.closing_tag
            found = next(
                (i for i in reversed(open_tags) if items[i].delim.split(":")[0] == f"<{name}"), None
            )
            if found is None:
                continue
            open_tags.remove(found)
            opener = items[found]
            if name == "span":
                _apply(items, found + 1, index, "color", opener.delim.split(":", 1)[1])
            else:
                _apply(items, found + 1, index, TAG_STYLES[name])
            opener.dropped = item.dropped = True


def _flatten(items: list[_Item]) -> list[Span]:
    return [item.span for item in items if not item.dropped]


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
