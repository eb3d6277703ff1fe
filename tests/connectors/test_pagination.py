"""Cursor pagination: walks pages, tolerates empty ones, refuses to loop."""

from __future__ import annotations

import pytest

from connectors.errors import BadData
from connectors.pagination import Page, iterate_items, iterate_pages


def pages_from(sequence):
    calls = []

    def fetch(cursor):
        calls.append(cursor)
        return sequence[len(calls) - 1]

    return fetch, calls


def test_walks_every_page_including_empty_ones():
    fetch, calls = pages_from([Page([1, 2], "a"), Page([], "b"), Page([3], None)])
    assert list(iterate_items(fetch, service="notion")) == [1, 2, 3]
    assert calls == [None, "a", "b"]


def test_single_page():
    fetch, calls = pages_from([Page([], None)])
    assert list(iterate_items(fetch, service="notion")) == []
    assert calls == [None]


def test_repeated_cursor_fails_loudly():
    fetch, _ = pages_from([Page([1], "a"), Page([2], "b"), Page([3], "a")])
    with pytest.raises(BadData, match="same page cursor twice"):
        list(iterate_pages(fetch, service="google"))
