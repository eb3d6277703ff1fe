"""The interface every connector implements, and the envelopes it returns.

The engine is the root of the dependency graph: it declares here what it needs of a service, and each
connector (in `connectors/`) implements it. Nothing here knows HTTP, settings or Prefect.

Rules every connector follows (the interface suite in tests/connectors checks each one):
- `fetch_changes(None)` is a complete snapshot (`full=True`): an item absent from it is gone, except
  the ids listed in `skipped` (seen but unreadable: their last good state stands).
- `fetch_changes(cursor)` returns what changed since the cursor; a cursor the service no longer honours
  falls back on a snapshot, which says so with `full=True`.
- `fetch_changes(cursor, known=)`: `known` is what the store holds of the collection (remote id -> the
  copy as last read or written, its version included). A connector may use it to skip reading again
  what the store already holds (the hub's own writes, seen again in a change log), never to skip a
  change made after that copy; it may ignore it. The engine hands it to incremental reads only.
- `create(item, link_id=)` marks the copy with the link id, so `find_by_link(link_id)` finds it again
  (a create whose answer was lost must never be repeated blindly).
- `update(remote_id, item, if_version=, fields=, link_id=)` writes only `fields` (all synced fields
  when None), marks the copy with `link_id` when given (a copy matched at first contact), and raises
  `Conflict` (a `sync.errors.ItemConflict`) when the copy moved past `if_version`. What the service
  holds beyond the canonical model (Notion's rich-text formatting, a card's checklists) is never
  destroyed.
- `archive(remote_id)` of an item that is already archived or gone succeeds and does nothing.
- `represent(item)` is pure: the item as this service would hold it after a write and a read (fields
  it cannot hold dropped, values rounded the way it rounds). The engine compares across services
  through it, so a lossy mapping is never mistaken for an edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

from sync.model import Project, Record

T = TypeVar("T", bound=Record)

# The prefix that marks the hub's link id in each service's copy (a tag, a property, a link line).
LINK_MARKER = "obm-hub:"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Remote(Generic[T]):
    """One service's copy of an item: its id, revision, the hub link it carries, and the content."""

    remote_id: str
    version: str | None
    item: T
    link_id: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ChangeBatch(Generic[T]):
    """What a read returned.

    `full` says the batch is a snapshot: an item absent from it no longer exists (or was never
    visible), except those in `skipped`. An incremental batch lists changed items and the ids of
    deleted ones; `cursor` is where the next read starts, to be stored only once the batch has been
    applied.
    """

    items: Sequence[Remote[T]]
    deleted: Sequence[str] = ()
    cursor: str | None = None
    full: bool = False
    skipped: Sequence[str] = field(default_factory=tuple)  # remote ids of items that failed to map
    # Remote ids that left the collection without being deleted (a card moved to another board).
    left: Sequence[str] = ()
    # With `full`: the snapshot is complete only for items that start at or after this instant (a
    # time-window read); older items keep their last known state.
    window_start: datetime | None = None


class Connector(Protocol[T]):
    """What the engine needs of one service's collection (a board, a data source, a calendar)."""

    service: str

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[T]] | None = None
    ) -> ChangeBatch[T]:
        """Changes since `cursor`; a full snapshot when `cursor` is None or has expired. `known`: the
        store's copies by remote id (see the module docstring)."""
        ...

    def create(self, item: T, *, link_id: str) -> Remote[T]:
        """Create the item, marked with the hub's link id."""
        ...

    def update(
        self,
        remote_id: str,
        item: T,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[T]:
        """Write `fields` of the item (all when None); Conflict if the copy moved past `if_version`."""
        ...

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Archive (or the service's nearest reversible equivalent of deleting) the item."""
        ...

    def find_by_link(self, link_id: str) -> list[Remote[T]]:
        """The copies (live or archived) that carry `link_id`: how a lost create answer is repaired."""
        ...

    def represent(self, item: T) -> T:
        """The item as this service would hold it (pure, no I/O)."""
        ...

    def close(self) -> None:
        """Release the HTTP connections."""
        ...


class ProjectCatalog(Protocol):
    """A service's projects (Notion's project pages, Toggl's projects), for the time relation."""

    service: str

    def list_projects(self) -> list[Project]:
        """Every project, by name."""
        ...

    def create_project(self, name: str) -> Project:
        """Create a project with this name (Toggl), returning it."""
        ...
