"""The Jinja2 environments of the renderers, loading `summary/templates/`.

Markdown is not HTML: its environment does not autoescape, and text from the services goes through
the `md` filter (which escapes what Markdown would read as formatting or table borders) instead.
"""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from summary.render.rows import Cell, Link

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_BLANKS = re.compile(r"[ \t\r\n]+")


def md(value: object) -> str:
    """Text from a service, safe in Markdown: formatting characters escaped, on one line."""
    # Only line breaks and ASCII blanks fold: a non-breaking space is typography, kept as it is.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _BLANKS.sub(" ", str(value)).strip())


def md_cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        return f"[{md(cell.text)}]({url(cell.url)})"
    return md(cell)


def url(address: str) -> str:
    """An address safe inside Markdown's parentheses."""
    return address.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


@cache
def markdown_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("summary", "templates"),
        autoescape=False,  # Markdown: the md filter escapes what needs it
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["md"] = md
    env.filters["md_cell"] = md_cell
    env.filters["url"] = url
    return env


@cache
def html_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("summary", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.tests["link"] = lambda cell: isinstance(cell, Link)
    return env
