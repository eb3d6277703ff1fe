"""The incremental cursor for Toggl: a `since=` watermark with an overlap, and de-duplication.

Toggl has no server-side cursor: `GET /me/time_entries?since=<unix seconds>` returns the entries
modified since then (deleted ones too), and each entry's `at` says when it last changed, to the
microsecond. The next read starts a little before the newest `at` seen (`OVERLAP_SECONDS`), because
`since` has whole seconds and because Toggl documents that a write may take a few seconds to show
up; a change made just before our read, but not yet visible, is then still caught next time.

The overlap returns some entries twice. The cursor remembers which `(id, at)` pairs it delivered at
or after its `since`, and those are not delivered again: an entry comes back only when it changed.
Encoded, a cursor reads `toggl1:<since>:<id>@<at in µs>,...`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from connectors.toggl.mapping import parse_time
from connectors.toggl.models import TogglTimeEntry

OVERLAP_SECONDS = 10  # Toggl: "newly created entities may take 2-5 s to appear"
CLOCK_MARGIN_SECONDS = 900  # our clock against Toggl's, when no `at` is there to go by
_PREFIX = "toggl1"

Seen = frozenset[tuple[int, int]]  # (entry id, `at` in microseconds since the epoch)


def _micros(entry: TogglTimeEntry) -> int:
    at = parse_time(entry.at)
    return int(at.timestamp()) * 1_000_000 + at.microsecond


@dataclass(frozen=True)
class TogglCursor:
    since: int  # unix seconds for the next `since=` read
    seen: Seen = frozenset()  # what was delivered at or after `since`

    @classmethod
    def after(cls, entries: Iterable[TogglTimeEntry], *, read_at: datetime) -> TogglCursor:
        """The cursor after a full read: from the newest `at` it saw (the server's clock). A read
        that saw no entry at all falls back on our clock, with a margin for the two clocks."""
        entries = list(entries)
        if not entries:
            return cls(since=int(read_at.timestamp()) - CLOCK_MARGIN_SECONDS)
        return cls(since=0).advance(entries)

    def is_new(self, entry: TogglTimeEntry) -> bool:
        return (entry.id, _micros(entry)) not in self.seen

    def advance(self, entries: Iterable[TogglTimeEntry]) -> TogglCursor:
        """The cursor once `entries` (the answer to a read from this cursor) are delivered.

        It never moves back, and it only moves forward to the newest change the read saw.
        """
        stamped = {(entry.id, _micros(entry)) for entry in entries}
        newest = max((at for _, at in stamped), default=None)
        since = self.since
        if newest is not None:
            since = max(since, newest // 1_000_000 - OVERLAP_SECONDS)
        floor = since * 1_000_000
        seen = frozenset(pair for pair in self.seen | stamped if pair[1] >= floor)
        return TogglCursor(since, seen)

    def encode(self) -> str:
        pairs = ",".join(f"{entry_id}@{at}" for entry_id, at in sorted(self.seen))
        return f"{_PREFIX}:{self.since}:{pairs}"

    @classmethod
    def decode(cls, text: str) -> TogglCursor:
        """The cursor `encode()` wrote; ValueError for anything else."""
        prefix, since, pairs = text.split(":", 2)
        if prefix != _PREFIX:
            raise ValueError(f"not a Toggl cursor: {text[:40]!r}")
        seen = set()
        for pair in filter(None, pairs.split(",")):
            entry_id, at = pair.split("@")
            seen.add((int(entry_id), int(at)))
        return cls(int(since), frozenset(seen))
