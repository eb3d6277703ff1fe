"""The inline items a Markdown scan produces, and the CommonMark passes over them: emphasis
(https://spec.commonmark.org/0.31.2/#process-emphasis, with its flanking rules and rule of 3) and
the hub's tags (`<u>`, `<span color>`, `<b>`, ...). Styles are flat flags on spans, so "wrapping" a
range of items is setting a flag on each of them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

from connectors.notion.spans import Span, text

ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
TAG_STYLES = {"u": "underline", "b": "bold", "i": "italic", "s": "strikethrough", "code": "code"}


@dataclass(eq=False)
class Item:
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
class Scan:
    source: str
    items: list[Item] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def literal(self, chars: str) -> None:
        self.pending.append(chars)

    def add(self, item: Item) -> None:
        self.flush()
        self.items.append(item)

    def flush(self) -> None:
        if self.pending:
            self.items.append(Item(text("".join(self.pending))))
            self.pending.clear()


def kind_of(char: str) -> str:
    if char.isspace():
        return "space"
    if char in ASCII_PUNCT or unicodedata.category(char)[0] in "PS":
        return "punct"
    return "other"


def _odd_match(opener: Item, closer: Item) -> bool:
    """CommonMark's rule of 3, for runs that can both open and close."""
    if opener.delim == "~":
        return opener.length != 2 or closer.length != 2
    both = opener.can_close or closer.can_open
    total = opener.length + closer.length
    return both and total % 3 == 0 and not (opener.length % 3 == 0 and closer.length % 3 == 0)


def emphasis(items: list[Item], delims: list[Item]) -> None:
    """CommonMark's "process emphasis" over `delims` (in order), styling the items they enclose."""
    stack = [d for d in delims if d.active]
    bottoms: dict[tuple[str, bool, int], Item | None] = {}
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


def _find_opener(stack: list[Item], closer_at: int, bottom: Item | None) -> int | None:
    """The nearest opener for the closer, down to `bottom` (openers below it were already tried)."""
    closer = stack[closer_at]
    for at in range(closer_at - 1, -1, -1):
        opener = stack[at]
        if opener is bottom:
            return None
        if opener.delim == closer.delim and opener.can_open and not _odd_match(opener, closer):
            return at
    return None


def _match(items: list[Item], stack: list[Item], opener_at: int, closer_at: int) -> int:
    """Apply one emphasis match; the stack index to continue from."""
    opener, closer = stack[opener_at], stack[closer_at]
    use = 2 if opener.count >= 2 and closer.count >= 2 else 1
    flag = "strikethrough" if opener.delim == "~" else ("bold" if use == 2 else "italic")
    apply_style(items, items.index(opener) + 1, items.index(closer), flag)
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


def apply_style(items: list[Item], start: int, end: int, flag: str, value: object = True) -> None:
    for item in items[start:end]:
        style = item.span.style
        if flag == "color":
            if style.color == "default":
                item.span = replace(item.span, style=replace(style, color=str(value)))
        else:
            flags: dict[str, bool] = {flag: True}
            item.span = replace(item.span, style=replace(style, **flags))  # type: ignore[arg-type]


def tags(items: list[Item]) -> None:
    """Match closing tags to the nearest open tag of the same name; unmatched tags stay literal."""
    open_tags: list[int] = []
    for index, item in enumerate(items):
        if item.delim.startswith("<"):
            open_tags.append(index)
        elif item.closing_tag:
            name = item.closing_tag
            found = next((i for i in reversed(open_tags) if items[i].delim.split(":")[0] == f"<{name}"), None)
            if found is None:
                continue
            open_tags.remove(found)
            opener = items[found]
            if name == "span":
                apply_style(items, found + 1, index, "color", opener.delim.split(":", 1)[1])
            else:
                apply_style(items, found + 1, index, TAG_STYLES[name])
            opener.dropped = item.dropped = True


def flatten(items: list[Item]) -> list[Span]:
    return [item.span for item in items if not item.dropped]
