"""Page and sync tokens of the Calendar emulator, and how a listing is cut into pages.

Both tokens are opaque to clients (base64 of a small record, prefixed like Google's `CP...` sync
tokens) and checked when they come back (https://developers.google.com/calendar/api/guides/sync):
- a page token is a stable position: the order it was issued for, the change number the read began
  at (the next sync token starts there), a page counter, and the key of the last row it returned. The
  next page resumes after that key, so an event deleted or added between two pages never makes the
  read skip or repeat an unrelated one (an offset into a list rebuilt per request would);
- a sync token carries the change number, the sync epoch, its issue time and `singleEvents`.

Short pages: `maxResults` is a maximum, "the number of events in the resulting page may be less than
this value, or none at all, even if there are more events" (discovery, `events.list`). The route
passes the `short_pages` fault as `page_length`; an emptied page still carries a (new) page token.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sandbox.emulator import ApiError
from sandbox.gcal.listing import Key, Row
from sandbox.gcal.store import bad_request


@dataclass(frozen=True)
class PagePosition:
    order: str
    snapshot: int  # the store's change number when the read began
    page: int = 0
    after: Key | None = None  # the key of the last row returned so far

    def rest(self, rows: Sequence[Row]) -> list[Row]:
        return list(rows) if self.after is None else [row for row in rows if row.key > self.after]

    def encode(self) -> str:
        record = {"o": self.order, "s": self.snapshot, "n": self.page, "a": self.after}
        return _encode("PG", json.dumps(record, separators=(",", ":")))

    @classmethod
    def decode(cls, text: str, order: str) -> PagePosition:
        try:
            record = json.loads(_decode("PG", text, "pageToken"))
            after = None if record["a"] is None else tuple(record["a"])
            position = cls(record["o"], int(record["s"]), int(record["n"]), after)
        except (ValueError, KeyError, TypeError):
            raise _invalid("pageToken") from None
        if position.order != order:  # issued for another query
            raise _invalid("pageToken")
        return position


def cut(
    rows: Sequence[Row], position: PagePosition, size: int, page_length: Callable[[int], int]
) -> tuple[list[Row], PagePosition | None]:
    """This page's rows, and where the next page starts (None on the last page)."""
    try:
        rest = position.rest(rows)
    except TypeError:  # a key of another shape: not a token this listing issued
        raise _invalid("pageToken") from None
    count = page_length(min(size, len(rest)))
    if count >= len(rest):
        return rest, None
    after = rest[count - 1].key if count else position.after
    return rest[:count], replace(position, page=position.page + 1, after=after)


@dataclass(frozen=True)
class SyncToken:
    epoch: int
    seq: int
    issued: int  # seconds since the epoch
    single_events: bool

    def encode(self) -> str:
        return _encode("CP", f"{self.epoch}:{self.seq}:{self.issued}:{int(self.single_events)}")

    @classmethod
    def decode(cls, text: str) -> SyncToken:
        parts = _decode("CP", text, "syncToken").split(":")
        try:
            epoch, seq, issued, single = (int(part) for part in parts)
        except ValueError:
            raise _invalid("syncToken") from None
        return cls(epoch, seq, issued, bool(single))


def _encode(prefix: str, text: str) -> str:
    return prefix + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(prefix: str, text: str, name: str) -> str:
    body = text.removeprefix(prefix)
    try:
        if not text.startswith(prefix):
            raise ValueError(text)
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid(name) from None


def _invalid(name: str) -> ApiError:
    label = "sync token" if name == "syncToken" else "page token"
    return bad_request(f"Invalid {label} value.", location=name, locationType="parameter")
