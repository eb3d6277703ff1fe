"""Who is who across services, and which statuses count as done: the workspace's shared mappings.

Built once per workspace from the hub file; the connectors' mapping functions use it in both
directions. People resolve by email first, then by each service's own identifier, then by alias.
Service-specific rules (which Trello list holds which status) live with their connector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from config.hub_file import Person as PersonConfig
from config.hub_file import Workspace
from sync.model import Person


def normalise(text: str) -> str:
    """For comparing names: case and spacing ignored."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Directory:
    people: tuple[PersonConfig, ...] = ()
    done_statuses: tuple[str, ...] = ("Done",)

    @classmethod
    def from_workspace(cls, workspace: Workspace) -> Directory:
        return cls(workspace.people, workspace.done_statuses)

    # -- people ------------------------------------------------------------------------------

    def person(self, key: str) -> Person | None:
        found = self._find(lambda p: p.email == key.casefold())
        return Person(key=found.email, name=found.name) if found else None

    def by_email(self, email: str | None) -> str | None:
        return self._key(lambda p: email is not None and p.email == email.casefold())

    def by_trello_username(self, username: str | None) -> str | None:
        return self._key(lambda p: username is not None and p.trello_username == username)

    def by_notion_user(self, user_id: str | None) -> str | None:
        wanted = (user_id or "").replace("-", "")
        return self._key(lambda p: bool(wanted) and (p.notion_user_id or "").replace("-", "") == wanted)

    def by_toggl_user(self, user_id: int | None) -> str | None:
        return self._key(lambda p: user_id is not None and p.toggl_user_id == user_id)

    def by_name(self, name: str | None) -> str | None:
        """A display name or a configured alias, ignoring case and spacing."""
        if not name:
            return None
        wanted = normalise(name)
        return self._key(lambda p: wanted in {normalise(p.name), *(normalise(alias) for alias in p.aliases)})

    def trello_username(self, key: str) -> str | None:
        found = self._find(lambda p: p.email == key)
        return found.trello_username if found else None

    def notion_user(self, key: str) -> str | None:
        found = self._find(lambda p: p.email == key)
        return found.notion_user_id if found else None

    def toggl_user(self, key: str) -> int | None:
        found = self._find(lambda p: p.email == key)
        return found.toggl_user_id if found else None

    def _find(self, predicate: Callable[[PersonConfig], bool]) -> PersonConfig | None:
        return next((p for p in self.people if predicate(p)), None)

    def _key(self, predicate: Callable[[PersonConfig], bool]) -> str | None:
        found = self._find(predicate)
        return found.email if found else None

    # -- statuses ----------------------------------------------------------------------------

    def is_done(self, status: str | None) -> bool:
        return status is not None and status in self.done_statuses
