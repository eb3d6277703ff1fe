"""The canonical model: strict records and a content hash that only moves when content does."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from sync.model import Event, Task, TimeEntry

PARIS_WINTER = timezone(timedelta(hours=1))


def test_hash_ignores_set_order_offsets_and_unsynced_fields():
    a = Task(
        title="x", labels=frozenset({"0", "10", "060"}), due=datetime(2026, 1, 2, 9, tzinfo=UTC), url="u1"
    )
    b = Task(
        title="x",
        labels=frozenset({"060", "10", "0"}),
        due=datetime(2026, 1, 2, 10, tzinfo=PARIS_WINTER),
        url="u2",
    )
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != a.model_copy(update={"title": "y"}).content_hash()
    assert a.content_hash() != a.model_copy(update={"due": date(2026, 1, 2)}).content_hash()


def test_hash_is_stable_across_processes_with_different_hash_seeds():
    code = (
        "from sync.model import Task;"
        "labels = frozenset(str(i) for i in range(40));"
        "print(Task(title='t', labels=labels, assignees=frozenset({'a@b.c', 'd@e.f'})).content_hash())"
    )
    hashes = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": "."},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(hashes) == 1


def test_naive_datetimes_are_refused():
    with pytest.raises(ValidationError, match="timezone-aware"):
        Task(title="x", due=datetime(2026, 1, 2, 9))
    with pytest.raises(ValidationError, match="timezone-aware"):
        TimeEntry(start=datetime(2026, 1, 2, 9))


def test_event_bounds_must_agree_with_all_day():
    Event(title="off", start=date(2026, 1, 2), end=date(2026, 1, 4), all_day=True)
    with pytest.raises(ValidationError, match="all-day"):
        Event(title="x", start=datetime(2026, 1, 2, 9, tzinfo=UTC), end=date(2026, 1, 3), all_day=True)
    with pytest.raises(ValidationError, match="ends before"):
        Event(title="x", start=date(2026, 1, 3), end=date(2026, 1, 2), all_day=True)


def test_running_entry_has_neither_stop_nor_duration():
    start = datetime(2026, 1, 2, 9, tzinfo=UTC)
    running = TimeEntry(start=start)
    assert running.running and running.elapsed(start + timedelta(minutes=5)) == timedelta(minutes=5)
    with pytest.raises(ValidationError, match="running entry"):
        TimeEntry(start=start, stop=start + timedelta(hours=1))


def test_records_are_frozen():
    task = Task(title="x")
    with pytest.raises(ValidationError):
        task.title = "y"  # type: ignore[misc]
