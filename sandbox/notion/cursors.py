"""Cursor pagination as Notion documents it: `start_cursor` is "a cursor returned from a previous
response ... Treat this as an opaque value", and "the response may contain fewer than page_size
results" (https://developers.notion.com/reference/intro#pagination).

A cursor names a position in the result list as it stood when the walk began: the first page freezes
the ordered ids, and each cursor is (that list, an offset). So trashing or editing the page a cursor
stands on does not invalidate it, and an edit that moves a page in a `last_edited_time` sort does not
return it twice: Notion documents neither behaviour, so the emulator shows neither. Pages that no
longer match when their turn comes (trashed meanwhile) are left out, which shortens that page, and
pages created meanwhile wait for the next read. The `short_pages` fault shortens or empties pages at
random while `has_more` stays true.

Cursors are UUIDs from a counter, kept in memory (the most recent 10,000): a cursor from before an
emulator restart, from another list, or made up is refused with Notion's validation error.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.notion.checks import invalid
from sandbox.notion.store import Json, stable_id

MAX_PAGE_SIZE = 100
REMEMBERED = 10_000


@dataclass(frozen=True)
class _Position:
    scope: str  # which list: a query of one data source, one block's children, ...
    ids: tuple[str, ...]
    offset: int


class Cursors:
    def __init__(self) -> None:
        self._positions: OrderedDict[str, _Position] = OrderedDict()
        self._counter = 0

    def page(
        self,
        scope: str,
        items: Sequence[Json],
        start_cursor: Any,
        page_size: Any,
        *,
        where: str = "body",
        keep: Callable[[int], int] = lambda count: count,
        keys: Sequence[str] | None = None,
    ) -> tuple[list[Json], str | None]:
        """One page of `items` (in order) and the next cursor, or None at the end.

        Items are told apart by their "id", or by `keys` when they have none of their own; `where` is
        "body" for POST queries and "query" for GET lists, as in Notion's messages; `keep` decides how
        many of a full page to send (the `short_pages` fault).
        """
        size = _page_size(page_size, where)
        keyed = list(keys) if keys is not None else [item["id"] for item in items]
        position = self._resolve(scope, keyed, start_cursor, where)
        window = position.ids[position.offset : position.offset + size]
        window = window[: keep(len(window))]
        end = position.offset + len(window)
        current: Mapping[str, Json] = dict(zip(keyed, items, strict=True))
        results = [current[item_id] for item_id in window if item_id in current]
        if end >= len(position.ids):
            return results, None
        return results, self._remember(_Position(scope, position.ids, end))

    def _resolve(self, scope: str, keys: Sequence[str], start_cursor: Any, where: str) -> _Position:
        if start_cursor is None:
            return _Position(scope, tuple(keys), 0)
        position = self._positions.get(start_cursor) if isinstance(start_cursor, str) else None
        if position is None or position.scope != scope:
            raise invalid(f"{where}.start_cursor", "a cursor returned by a previous request", start_cursor)
        self._positions.move_to_end(start_cursor)
        return position

    def _remember(self, position: _Position) -> str:
        self._counter += 1
        cursor = stable_id("cursor", id(self), self._counter)
        self._positions[cursor] = position
        while len(self._positions) > REMEMBERED:
            self._positions.popitem(last=False)
        return cursor


def _page_size(page_size: Any, where: str) -> int:
    size = MAX_PAGE_SIZE if page_size is None else page_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise invalid(f"{where}.page_size", "a positive integer", page_size)
    if size > MAX_PAGE_SIZE:
        raise invalid(f"{where}.page_size", f"≤ `{MAX_PAGE_SIZE}`", size)
    return size
