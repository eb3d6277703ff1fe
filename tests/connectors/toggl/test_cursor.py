"""The `since=` cursor: watermark from the newest `at`, overlap, and de-duplication at the boundary."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.toggl.cursor import CLOCK_MARGIN_SECONDS, OVERLAP_SECONDS, TogglCursor
from connectors.toggl.models import TogglTimeEntry

T0 = int(datetime(2026, 11, 25, 9, 0, tzinfo=UTC).timestamp())


def entry(entry_id: int, at: str) -> TogglTimeEntry:
    return TogglTimeEntry(id=entry_id, workspace_id=1, start="2026-11-25T08:00:00+00:00", duration=60, at=at)


def test_a_full_read_starts_from_the_newest_at_minus_the_overlap() -> None:
    entries = [entry(1, "2026-11-25T08:59:00.25Z"), entry(2, "2026-11-25T09:00:00.000001Z")]
    cursor = TogglCursor.after(entries, read_at=datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert cursor.since == T0 - OVERLAP_SECONDS
    assert cursor.seen == {(2, T0 * 1_000_000 + 1)}  # entry 1 is older than the overlap: not kept
    assert not cursor.is_new(entries[1]) and cursor.is_new(entry(2, "2026-11-25T09:00:03Z"))


def test_a_full_read_with_no_entries_starts_from_our_clock_with_a_margin() -> None:
    cursor = TogglCursor.after([], read_at=datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert cursor == TogglCursor(T0 - CLOCK_MARGIN_SECONDS)


def test_the_boundary_is_deduplicated_across_reads() -> None:
    first = TogglCursor(T0 - 100).advance([entry(1, "2026-11-25T09:00:00.5Z")])
    # The next read overlaps: entry 1 comes back unchanged, entry 2 is new, entry 3 changed twice.
    again = [
        entry(1, "2026-11-25T09:00:00.5Z"),
        entry(2, "2026-11-25T08:59:58Z"),
        entry(3, "2026-11-25T09:00:04Z"),
    ]
    assert [e.id for e in again if first.is_new(e)] == [2, 3]
    second = first.advance(again)
    assert second.since == T0 + 4 - OVERLAP_SECONDS
    assert not any(second.is_new(e) for e in again)
    assert second.is_new(entry(1, "2026-11-25T09:00:05Z"))  # changed again: delivered again


def test_the_cursor_never_moves_back_and_stays_put_on_an_empty_read() -> None:
    cursor = TogglCursor(T0, frozenset({(1, T0 * 1_000_000)}))
    assert cursor.advance([]) == cursor
    assert cursor.advance([entry(9, "2026-11-25T09:00:01Z")]).since == T0


def test_encoding_round_trips_and_rejects_foreign_text() -> None:
    cursor = TogglCursor(T0, frozenset({(4200000001, T0 * 1_000_000 + 7), (12, T0 * 1_000_000)}))
    text = cursor.encode()
    assert text == f"toggl1:{T0}:12@{T0 * 1_000_000},4200000001@{T0 * 1_000_000 + 7}"
    assert TogglCursor.decode(text) == cursor
    assert TogglCursor.decode(TogglCursor(T0).encode()) == TogglCursor(T0)
    for foreign in ("CPDAlvWDx70CEPDAlvWDx70CGAU=", "toggl1:x:", "trello:5:1@2", "toggl1:5:1-2"):
        with pytest.raises(ValueError):
            TogglCursor.decode(foreign)
