"""The small interface every connector offers, and the envelopes it returns.

A connector reads what changed since a cursor, and writes canonical items: create, update (with a
version check) and archive. Everything service-specific stays behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

from config.errors import ConfigError, ConfigProblem
from config.hub_file import Workspace
from config.loader import credential_problems
from config.settings import ServiceSettings
from sync.model import Record

T = TypeVar("T", bound=Record)
T_co = TypeVar("T_co", bound=Record, covariant=True)

# Where the hub's link id is kept in each service's copy: see each connector's mapping module.
LINK_MARKER = "obm-hub:"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def require_ready(service: str, settings: ServiceSettings, workspace: Workspace) -> None:
    """ConfigError naming everything a connector for `workspace` still lacks: its table, its credentials."""
    problems = credential_problems(service, settings, f"the {service} connector needs it")
    if getattr(workspace, service) is None:
        problems.insert(0, ConfigProblem(service, f"workspace {workspace.name!r}", f"no [{service}] table"))
    if problems:
        raise ConfigError(problems)


class Closing:
    """Connectors are context managers: `with TrelloConnector.from_settings(...) as trello:`."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


C = TypeVar("C", bound=Closing)


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
    visible). An incremental batch lists changed items and the ids of deleted ones; `cursor` is where
    the next read starts, to be stored only once the batch has been applied.
    """

    items: Sequence[Remote[T]]
    deleted: Sequence[str] = ()
    cursor: str | None = None
    full: bool = False
    skipped: Sequence[str] = field(default_factory=tuple)  # remote ids of items that failed to map


class Connector(Protocol[T]):
    service: str

    def fetch_changes(self, cursor: str | None) -> ChangeBatch[T]:
        """Changes since `cursor`; a full snapshot when `cursor` is None or has expired."""
        ...

    def create(self, item: T, *, link_id: str) -> Remote[T]:
        """Create the item, marked with the hub's link id."""
        ...

    def update(self, remote_id: str, item: T, *, if_version: str | None = None) -> Remote[T]:
        """Write the item over `remote_id`; raise Conflict if it moved past `if_version`."""
        ...

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Archive (or the service's nearest reversible equivalent of deleting) the item."""
        ...

    def close(self) -> None:
        """Release the HTTP connections."""
        ...
