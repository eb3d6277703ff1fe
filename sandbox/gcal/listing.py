"""What `events.list` returns for a query: the views of the stored events, filtered and ordered.

Semantics (discovery `events.list`, NOTES.md §2.2-2.3):
- `singleEvents=false` lists masters (with `recurrence`), exceptions and single events; `true`
  expands each series into instances, an exception standing in for the instance it replaces;
- `timeMin` is an exclusive bound on the END, `timeMax` on the START; a series is listed (unexpanded)
  when one of its occurrences falls in the window;
- cancelled events appear with `showDeleted`, on incremental reads (`syncToken`) and, when deleted
  after it, with `updatedMin`; they are minimal: `{kind, etag, id, status}` plus `recurringEventId`
  and `originalStartTime` for a cancelled instance;
- with `singleEvents=false` and `showDeleted=false`, cancelled exceptions of a live series are still
  listed: "Cancelled instances of recurring events (but not the underlying recurring event) will still
  be included if showDeleted and singleEvents are both False" (discovery, `showDeleted`);
- `privateExtendedProperty` filters are ANDed; `orderBy=startTime` (singleEvents only) or `updated`;
  incremental results come in change order.

Each row carries its key in the listing's order, unique (the event id breaks ties): a page token
names the key of the last row it returned, so a page resumes after it however the rows before it
changed (see `paging.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.gcal.recurrence import instant, parse_bound
from sandbox.gcal.store import CalendarStore, rfc3339

_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Query:
    single_events: bool = False
    show_deleted: bool = False
    time_min: datetime | None = None
    time_max: datetime | None = None
    order_by: str | None = None
    private: tuple[tuple[str, str], ...] = ()
    updated_min: datetime | None = None
    since: int | None = None  # the change number a sync token carries

    @property
    def order(self) -> str:
        """The listing's order, which a page token must have been issued for."""
        if self.since is not None:
            return "changes"
        return "updated" if self.order_by == "updated" else "start"


Key = tuple[Any, ...]


@dataclass(frozen=True)
class Row:
    key: Key  # the row's place in the listing's order
    resource: dict[str, Any]


@dataclass(frozen=True)
class _View:
    resource: dict[str, Any]
    seq: int
    spans: tuple[tuple[datetime, datetime], ...]  # (start, end) of each occurrence it stands for
    of_live_series: bool = False  # an exception of a recurring event that is not deleted

    @property
    def cancelled(self) -> bool:
        return self.resource.get("status") == "cancelled"

    @property
    def updated(self) -> str:
        return str(self.resource.get("updated", ""))


def list_events(store: CalendarStore, query: Query) -> list[Row]:
    """Every row of the listing, in order (the route cuts it into pages)."""
    views = [view for view in _views(store, query.single_events) if _selected(view, query)]
    rows = [Row(_key(view, query.order), _render(view)) for view in views]
    return sorted(rows, key=lambda row: row.key)


def _key(view: _View, order: str) -> Key:
    if order == "changes":
        return (view.seq, view.resource["id"])
    if order == "updated":
        return (view.updated, view.resource["id"])
    start = view.spans[0][0] if view.spans else _END_OF_TIME  # startTime, and the default order
    return (start.astimezone(UTC).isoformat(), view.resource["id"])


def _views(store: CalendarStore, single_events: bool) -> Iterator[_View]:
    for event_id, resource in store.events.items():
        seq = store.changed[event_id]
        master = store.events.get(resource.get("recurringEventId", ""))
        if master is not None and master.get("status") == "cancelled":
            # An exception goes with its deleted series (and is listed as changed with it).
            seq, resource = max(seq, store.changed[master["id"]]), {**resource, "status": "cancelled"}
        if master is not None or not resource.get("recurrence"):
            live_series = master is not None and master.get("status") != "cancelled"
            yield _View(resource, seq, (_span(store, resource),), of_live_series=live_series)
        elif single_events:
            yield from _instances(store, resource, seq)
        else:
            yield _View(resource, seq, tuple(_occurrence_spans(store, resource)))


def _instances(store: CalendarStore, master: dict[str, Any], seq: int) -> Iterator[_View]:
    overridden = set(store.exceptions_of(master["id"]))
    for occurrence in store.occurrences(master):
        if occurrence.instance_id(master["id"]) in overridden:
            continue
        view = store.instance_view(master, occurrence)
        yield _View(view, seq, (_span(store, view),))


def _occurrence_spans(store: CalendarStore, master: dict[str, Any]) -> Iterator[tuple[datetime, datetime]]:
    zone = _zone(store, master)
    for occurrence in store.occurrences(master):
        yield instant(occurrence.start, zone), instant(occurrence.end, zone)


def _span(store: CalendarStore, resource: dict[str, Any]) -> tuple[datetime, datetime]:
    zone = _zone(store, resource)
    start = instant(parse_bound(resource["start"], zone), zone)
    return start, instant(parse_bound(resource["end"], zone), zone)


def _zone(store: CalendarStore, resource: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo(resource["start"].get("timeZone") or store.time_zone)


def _selected(view: _View, query: Query) -> bool:
    if query.since is not None:
        return view.seq > query.since  # changes only; deletions always included
    if view.cancelled and not (
        query.show_deleted or _deleted_since(view, query.updated_min) or _cancelled_instance(view, query)
    ):
        return False
    if query.updated_min is not None and view.updated < rfc3339(query.updated_min):
        return False
    private = (view.resource.get("extendedProperties") or {}).get("private") or {}
    if any(private.get(name) != value for name, value in query.private):
        return False
    return any(_in_window(start, end, query) for start, end in view.spans)


def _cancelled_instance(view: _View, query: Query) -> bool:
    # Listed unexpanded, a series needs its cancelled exceptions to know which occurrences are gone.
    return view.of_live_series and not query.single_events


def _deleted_since(view: _View, updated_min: datetime | None) -> bool:
    # "entries deleted since this time will always be included regardless of showDeleted"
    return updated_min is not None and view.updated >= rfc3339(updated_min)


def _in_window(start: datetime, end: datetime, query: Query) -> bool:
    after_min = query.time_min is None or end > query.time_min
    return after_min and (query.time_max is None or start < query.time_max)


def _render(view: _View) -> dict[str, Any]:
    if not view.cancelled:
        return view.resource
    # "only the id field is guaranteed"; a cancelled instance also names its series and slot.
    minimal = {key: view.resource[key] for key in ("kind", "etag", "id") if key in view.resource}
    minimal["status"] = "cancelled"
    for key in ("recurringEventId", "originalStartTime"):
        if key in view.resource:
            minimal[key] = view.resource[key]
    return minimal
