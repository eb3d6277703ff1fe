"""Cursor pagination that fails loudly instead of looping.

A page fetcher takes the cursor (None for the first page) and returns the page's items and the next
cursor (None on the last page). A cursor seen twice means the service or our state is broken: walking
on would loop forever or silently duplicate items, so it raises BadData.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from connectors.errors import BadData

T = TypeVar("T")
Cursor = str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: Cursor | None


def iterate_pages(
    fetch: Callable[[Cursor | None], Page[T]], *, service: str, max_pages: int = 10_000
) -> Iterator[Page[T]]:
    """Yield pages until one has no next cursor. Empty pages with a cursor are walked through."""
    seen: set[Cursor] = set()
    cursor: Cursor | None = None
    for _ in range(max_pages):
        page = fetch(cursor)
        yield page
        if page.next_cursor is None:
            return
        if page.next_cursor in seen:
            raise BadData(
                f"{service} returned the same page cursor twice; pagination stopped", service=service
            )
        seen.add(page.next_cursor)
        cursor = page.next_cursor
    raise BadData(f"{service} pagination did not end after {max_pages} pages", service=service)


def iterate_items(fetch: Callable[[Cursor | None], Page[T]], *, service: str) -> Iterator[T]:
    for page in iterate_pages(fetch, service=service):
        yield from page.items
