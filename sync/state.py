"""What the engine knows between runs, as plain values: the items last read (with tombstones) and the
links with their per-side bases. The store reads and writes these; the planner only reads them.

Glossary (see also `sync.model`)
- snapshot: every item of one service's collection as last read, including tombstones: `deleted`
  (the service said it is gone) and `left` (it moved out of the collection, e.g. to another board).
- link: one item synced across services, identified by the hub's link id; a link has one side per
  service, and each side a remote id (None while its create is pending) and a base.
- base: the canonical record as that side held it when the hub last synced it. A field differs from
  its base on one side only: that side changed it. Per-side bases make lossy mappings safe: each side
  is compared with what it held itself, never with another service's rendering of the item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, TypeVar

from sync.connector import Remote
from sync.model import Record

T = TypeVar("T", bound=Record)

ItemState = Literal["present", "deleted", "left"]
LinkState = Literal["active", "archived", "unlinked", "dismissed"]


@dataclass(frozen=True)
class Seen(Generic[T]):
    """One item as last read, with what the hub noticed about it over time."""

    remote: Remote[T]
    state: ItemState = "present"
    first_seen_at: datetime | None = None
    done_since: datetime | None = None
    status_since: datetime | None = None
    content_hash: str | None = None  # as stored; computed when not given

    @property
    def present(self) -> bool:
        return self.state == "present"

    def hash(self) -> str:
        return self.content_hash or self.remote.item.content_hash()


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """A service's collection as the store knows it: items by remote id, tombstones included."""

    service: str
    items: Mapping[str, Seen[T]] = field(default_factory=dict)

    def present(self) -> list[Remote[T]]:
        return [seen.remote for seen in self.items.values() if seen.present]

    def get(self, remote_id: str | None) -> Seen[T] | None:
        return self.items.get(remote_id) if remote_id is not None else None


@dataclass(frozen=True)
class Side(Generic[T]):
    """A link's copy on one service."""

    remote_id: str | None  # None: the create was recorded as pending and is not confirmed yet
    base: T | None = None  # None while pending
    base_hash: str | None = None  # the base's content hash, as stored; computed when not given
    version: str | None = None  # the copy's version when the base was taken

    @property
    def pending(self) -> bool:
        return self.remote_id is None

    def hash(self) -> str | None:
        if self.base is None:
            return None
        return self.base_hash or self.base.content_hash()


@dataclass(frozen=True)
class Link(Generic[T]):
    link_id: str
    state: LinkState = "active"
    sides: Mapping[str, Side[T]] = field(default_factory=dict)

    def side(self, name: str) -> Side[T] | None:
        return self.sides.get(name)
