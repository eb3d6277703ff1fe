"""The canonical model: what the hub syncs, independent of any service.

Glossary
- key: the canonical identity of a person (her email) or a project (its name, case-folded).
- link id: the hub's own id for one synced item; every copy the hub writes carries it, so links can be
  rebuilt from the services alone.
- remote id: a service's id for its copy of an item (Trello card id, Notion page id, ...).
- version: what a service says about its copy's revision (an etag, `last_edited_time`, `at`), used
  for preconditions or re-read-and-compare.
- content hash: a digest over the synced fields only; two copies with the same hash need no write.
- cursor: where the next incremental read starts (a sync token, a timestamp, an action id).

Records are strict and frozen. Times are timezone-aware; a calendar date without a time is a `date`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value


def _aware_or_date(value: date | datetime | None) -> date | datetime | None:
    return _aware(value) if isinstance(value, datetime) else value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
# A due date or an event bound: an instant (aware) or a whole calendar day.
When = Annotated[datetime | date, AfterValidator(_aware_or_date)]


class Record(BaseModel):
    """Base of canonical records: strict, frozen, unknown fields refused."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    # Fields that describe the copy, not the content; excluded from the content hash.
    UNSYNCED: ClassVar[frozenset[str]] = frozenset()

    @property
    def retired(self) -> bool:
        """Whether this copy is archived (a task) or cancelled (an event): kept, but out of play."""
        return False

    def content_hash(self) -> str:
        """SHA-256 over the synced fields, stable across processes, field order, set order and the
        offset an instant is written with."""
        data = self.model_dump(exclude=set(self.UNSYNCED))
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=_canonical)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    # Sets are sorted (iteration order varies with the hash seed); instants are compared in UTC.
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Person(Record):
    key: str = Field(min_length=3, description="Lower-case email address.")
    name: str


class Project(Record):
    key: str = Field(min_length=1, description="Case-folded name.")
    name: str

    @classmethod
    def named(cls, name: str) -> Project:
        return cls(key=name.strip().casefold(), name=name.strip())


class Task(Record):
    title: str
    description: str = ""
    status: str | None = None
    done: bool = False
    due: When | None = None
    assignees: frozenset[str] = frozenset()  # person keys
    labels: frozenset[str] = frozenset()
    estimate_hours: float | None = Field(None, ge=0)
    tracked_hours: float | None = Field(None, ge=0)  # rolled up from the team's time entries
    project: str | None = None  # project key
    archived: bool = False
    # About the copy, not the task:
    url: str | None = None  # this copy's address
    peer_url: str | None = None  # the linked copy's address on the other service, when it has one
    refs: frozenset[str] = frozenset()  # how people name it in time entries: "#17", a card's short link
    edited_at: AwareDatetime | None = None  # the service's last edit of this copy

    UNSYNCED = frozenset({"url", "peer_url", "refs", "edited_at"})

    @property
    def retired(self) -> bool:
        return self.archived


class Event(Record):
    title: str
    description: str = ""
    start: When
    end: When
    all_day: bool
    timezone: str | None = None
    status: Literal["confirmed", "tentative", "cancelled"] = "confirmed"
    task_link: str | None = None  # the link id of the task this event stands for
    attendees: frozenset[str] = frozenset()  # person keys of the workspace's people who attend
    url: str | None = None

    UNSYNCED = frozenset({"url"})

    @property
    def retired(self) -> bool:
        return self.status == "cancelled"

    @model_validator(mode="after")
    def _bounds_agree(self) -> Event:
        dated = [isinstance(bound, datetime) for bound in (self.start, self.end)]
        if self.all_day and any(dated):
            raise ValueError("an all-day event has date bounds (end exclusive)")
        if not self.all_day and not all(dated):
            raise ValueError("a timed event has datetime bounds")
        if self.end < self.start:
            raise ValueError("event ends before it starts")
        return self


class TimeEntry(Record):
    person: str | None = None  # person key
    project: str | None = None  # project key
    task_ref: str | None = None  # link id or remote id of the task the entry names, when known
    description: str = ""
    start: AwareDatetime
    stop: AwareDatetime | None = None  # None while the timer runs
    duration_seconds: int | None = Field(None, ge=0)  # None while the timer runs
    billable: bool = False
    tags: frozenset[str] = frozenset()

    @property
    def running(self) -> bool:
        return self.stop is None

    def elapsed(self, now: datetime) -> timedelta:
        """Time tracked so far; a running entry counts up to `now`."""
        if self.stop is not None:
            return self.stop - self.start
        return max(now - self.start, timedelta(0))

    @model_validator(mode="after")
    def _running_or_stopped(self) -> TimeEntry:
        if (self.stop is None) != (self.duration_seconds is None):
            raise ValueError("a running entry has neither stop nor duration; a stopped one has both")
        if self.stop is not None and self.stop < self.start:
            raise ValueError("entry stops before it starts")
        return self
