"""Rich-text spans to Markdown that reads back as the same spans (markdown_parse.py), and reads well.

The encoding, chosen so that a Trello user sees ordinary Markdown and Notion keeps its formatting:

| Notion | Markdown |
|---|---|
| bold, italic, strikethrough, code | `**x**`, `*x*`, `~~x~~`, `` `x` `` |
| a link | `[x](https://...)`, or the bare URL when the text is the URL |
| underline | `<u>x</u>` |
| a colour (text or background) | `<span color="red">x</span>`, `<span color="yellow_background">x</span>` |
| an inline equation | `$E = mc^2$` (or `<math>...</math>` when `$` would be ambiguous) |
| a user, page, database mention | `[@Sophie](notion-mention:user/<id>)`, `[Plan](notion-mention:page/<id>)`|
| a date mention | `[2026-11-27](notion-mention:date/2026-11-27)`, with `/<end>` and `?time_zone=` when set |
| other mentions (templates, link previews) | `[label](notion-mention:<type>/<payload as JSON>)` |

A mention's label is Notion's display text; it is not written back (Notion computes it).
Text is escaped only where it would otherwise read as one of these constructs, and a wrapper that
Markdown cannot express (bold text ending in a space) becomes `<b>`, `<i>` or `<s>`. Every rendering is
checked by parsing it back; on a mismatch the next, more explicit, rendering is used. The last one
escapes everything and uses tags only, and always reads back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from connectors.notion.markdown_parse import MENTION_SCHEME, parse_markdown
from connectors.notion.spans import Span, canonical

FULL_ESCAPE = frozenset("\\`*_~[]<$")
_SPECIAL = re.compile(r"[\\`*_~\[\]<$]|https?://")
_BARE = re.compile(r"https?://[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*[^\s<()*_~\[\]`$\\]*[A-Za-z0-9/#=&+\-]")
# Wrappers shared across adjacent spans, outermost first when two start and end together.
ATTRIBUTES = ("color", "underline", "strikethrough", "bold", "italic", "link")
MARKDOWN = {"bold": "**", "italic": "*", "strikethrough": "~~"}
TAGS = {"bold": "b", "italic": "i", "strikethrough": "s", "underline": "u"}


@dataclass(frozen=True)
class _Plan:
    escape_all: bool = False  # escape every text span, not only those with special characters
    escape_special: bool = False  # escape text spans that hold special characters
    tags: bool = False  # emphasis as <b>, <i>, <s> tags instead of Markdown delimiters
    bare_links: bool = True
    dollar_math: bool = True


PLANS = (
    _Plan(),
    _Plan(escape_special=True, bare_links=False),
    _Plan(escape_special=True, tags=True, bare_links=False, dollar_math=False),
    _Plan(escape_all=True, tags=True, bare_links=False, dollar_math=False),
)


def to_markdown(spans: Sequence[Span]) -> str:
    """The Markdown for `spans`; parse_markdown(to_markdown(s)) == canonical(s)."""
    wanted = canonical(spans)
    for plan in PLANS:
        rendered = _Renderer(wanted, plan).render()
        if parse_markdown(rendered) == wanted:
            return rendered
    raise AssertionError("the fully escaped rendering did not read back")  # a bug in the renderer


def normalise(markdown: str) -> str:
    """The Markdown as it reads back after a trip through Notion: to_markdown(parse_markdown(x))."""
    return to_markdown(parse_markdown(markdown))


def escape(content: str) -> str:
    escaped = "".join(f"\\{char}" if char in FULL_ESCAPE else char for char in content)
    return re.sub(r"(https?):(?=//)", r"\1\\:", escaped)


def _value(span: Span, attribute: str) -> object:
    style = span.style
    if attribute == "color":
        return style.color if style.color != "default" else None
    if attribute == "link":
        return span.link if span.kind == "text" else None
    return True if getattr(style, attribute) else None


class _Renderer:
    def __init__(self, spans: list[Span], plan: _Plan) -> None:
        self.spans = spans
        self.plan = plan
        self.out: list[str] = []
        self.stack: list[tuple[str, object, int]] = []  # (attribute, value, index in out of its opener)
        self.rendered: list[tuple[int, Span]] = []  # (index in out, span) of each span rendered

    def render(self) -> str:
        for index, span in enumerate(self.spans):
            self._close_changed(span)
            self._open(index)
            self.out.append(self._inner(span))
        self._close_from(0)
        return "".join(self.out)

    # -- wrappers --------------------------------------------------------------------------------

    def _close_changed(self, span: Span) -> None:
        depth = next(
            (d for d, (attr, value, _) in enumerate(self.stack) if _value(span, attr) != value), None
        )
        if depth is not None:
            self._close_from(depth)

    def _close_from(self, depth: int) -> None:
        while len(self.stack) > depth:
            attribute, value, opened = self.stack.pop()
            self._wrap(attribute, value, opened)

    def _open(self, index: int) -> None:
        span = self.spans[index]
        present = {attribute for attribute, _, _ in self.stack}
        values = {attribute: _value(span, attribute) for attribute in ATTRIBUTES if attribute not in present}
        wanted = [(attribute, value) for attribute, value in values.items() if value is not None]
        wanted.sort(key=lambda pair: (-self._run_end(index, *pair), ATTRIBUTES.index(pair[0])))
        for attribute, value in wanted:
            self.stack.append((attribute, value, len(self.out)))
            self.out.append("")  # the opener's place, filled when the wrapper closes

    def _run_end(self, index: int, attribute: str, value: object) -> int:
        end = index
        while end + 1 < len(self.spans) and _value(self.spans[end + 1], attribute) == value:
            end += 1
        return end

    def _wrap(self, attribute: str, value: object, opened: int) -> None:
        """Fill the opener placeholder and append the closer, now that the content is known."""
        content = "".join(self.out[opened + 1 :])
        if attribute == "link":
            self._wrap_link(str(value), opened, content)
            return
        if attribute == "color":
            opener, closer = f'<span color="{value}">', "</span>"
        elif attribute in MARKDOWN and not self.plan.tags and content.strip() == content and content:
            opener = closer = MARKDOWN[attribute]
        else:
            opener, closer = f"<{TAGS[attribute]}>", f"</{TAGS[attribute]}>"
        self.out[opened] = opener
        self.out.append(closer)

    def _wrap_link(self, url: str, opened: int, content: str) -> None:
        inner = [span for position, span in self.rendered if position > opened]
        bare = (
            self.plan.bare_links
            and len(inner) == 1
            and inner[0].text == url
            and inner[0].style.is_plain()
            and _BARE.fullmatch(url) is not None
        )
        if bare:
            del self.out[opened + 1 :]
            self.out[opened] = url
            return
        self.out[opened] = "["
        self.out.append(f"]({destination(url)})")

    # -- one span ----------------------------------------------------------------------------------

    def _inner(self, span: Span) -> str:
        self.rendered.append((len(self.out), span))
        if span.kind == "mention" and span.mention is not None:
            url = MENTION_SCHEME + span.mention.type + "/" + quote(span.mention.ref, safe=":/+?=-._~@,")
            rendered = f"[{self._text(span.text)}]({destination(url)})"
            return f"<code>{rendered}</code>" if span.style.code else rendered
        if span.kind == "equation":
            rendered = self._equation(span.text)
            return f"<code>{rendered}</code>" if span.style.code else rendered
        if span.style.code:
            return code_span(span.text)
        return self._text(span.text)

    def _text(self, content: str) -> str:
        if self.plan.escape_all or (self.plan.escape_special and _SPECIAL.search(content)):
            return escape(content)
        return content

    def _equation(self, expression: str) -> str:
        simple = expression.strip() == expression and expression and "$" not in expression
        if self.plan.dollar_math and simple:
            return f"${expression}$"
        return "<math>" + expression.replace("&", "&amp;").replace("<", "&lt;") + "</math>"


def code_span(content: str) -> str:
    """A code span holding `content` exactly (CommonMark strips one space on each side when both)."""
    runs = {len(run) for run in re.findall(r"`+", content)}
    length = 3 if "\n" in content and 3 not in runs else 1
    while length in runs:
        length += 1
    fence = "`" * length
    pad = content.startswith("`") or content.endswith("`")
    pad = pad or (content.startswith(" ") and content.endswith(" ") and content.strip(" ") != "")
    return f"{fence} {content} {fence}" if pad else f"{fence}{content}{fence}"


def destination(url: str) -> str:
    """A link destination that reads back as `url`: raw when it can be, else `<...>` with escapes."""
    plain = not re.search(r"[\s<>\\]", url) and _balanced(url) and all(ord(c) >= 0x20 for c in url)
    if plain:
        return url
    cleaned = url.replace("\n", "%0A").replace("\r", "%0D")
    return "<" + re.sub(r"([\\<>])", r"\\\1", cleaned) + ">"


def _balanced(url: str) -> bool:
    depth = 0
    for char in url:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
