"""The Toggl emulator's state: users, a workspace, clients, projects, tags and time entries.

Records are pydantic models, so the state file is their JSON dump. Time entries follow the real
semantics (NOTES.md §3.2-3.4): start and stop in whole seconds, `at` to the microsecond on every
change, a negative duration while running, deletes kept with `server_deleted_at` for `since` reads,
starting a timer stops the one running, stopping fills null tags with [].
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel

from sandbox.emulator import ApiError

ENTRY_LIMIT = 1000  # "The limit of returned time entries is 1000"
NO_ACCESS = "User does not have access to this resource."
ENTRY_NOT_FOUND = "Time entry not found"


class Record(BaseModel):
    pass


class User(Record):
    id: int
    email: str
    fullname: str
    api_token: str
    timezone: str
    default_workspace_id: int
    created_at: datetime


class Workspace(Record):
    id: int
    organization_id: int
    name: str
    admins: list[int]
    members: list[int]
    created_at: datetime
    plan: str = "starter"  # the organization's plan: free, starter or premium
    # "Limit public projects data in reports to admins" (workspace setting; support.toggl.com
    # access-rights article): members then see only their own time, public projects included.
    limit_public_project_data: bool = False
    only_admins_may_create_projects: bool = True

    @property
    def paid(self) -> bool:
        """Starter and up: what the API calls a "premium" feature needs (workspace `premium`)."""
        return self.plan != "free"


class Client(Record):
    id: int
    workspace_id: int
    name: str
    at: datetime


class Project(Record):
    id: int
    workspace_id: int
    name: str
    color: str
    billable: bool
    active: bool
    client_id: int | None
    created_at: datetime
    at: datetime
    is_private: bool = True  # Toggl creates projects private unless told otherwise


class Tag(Record):
    id: int
    workspace_id: int
    name: str
    creator_id: int
    at: datetime


class Entry(Record):
    id: int
    workspace_id: int
    user_id: int
    project_id: int | None = None
    description: str | None = None
    start: datetime
    stop: datetime | None = None
    duration: int
    billable: bool = False
    tags: list[str] | None = None
    tag_ids: list[int] | None = None
    at: datetime
    server_deleted_at: datetime | None = None
    created_with: str

    @property
    def running(self) -> bool:
        return self.duration < 0

    @property
    def deleted(self) -> bool:
        return self.server_deleted_at is not None


class TogglStore:
    """All records by id; ids for new records come from one counter, like Toggl's int64 ids."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.workspaces: dict[int, Workspace] = {}
        self.clients: dict[int, Client] = {}
        self.projects: dict[int, Project] = {}
        self.tags: dict[int, Tag] = {}
        self.entries: dict[int, Entry] = {}
        self.next_id = 4_200_000_000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    # -- lookups ------------------------------------------------------------------------------

    def user_by_token(self, token: str) -> User | None:
        return next((user for user in self.users.values() if user.api_token == token), None)

    def workspace_for(self, user: User, workspace_id: int) -> Workspace:
        """The workspace, when the user is a member; 403 otherwise (Toggl does not say which)."""
        workspace = self.workspaces.get(workspace_id)
        if workspace is None or user.id not in workspace.members:
            raise ApiError(403, NO_ACCESS)
        return workspace

    def entry_for_write(self, user: User, workspace: Workspace, entry_id: int) -> Entry:
        """An entry the user may change: her own, or any in a workspace she administers."""
        entry = self.entries.get(entry_id)
        if entry is None or entry.deleted or entry.workspace_id != workspace.id:
            raise ApiError(404, ENTRY_NOT_FOUND)
        if entry.user_id != user.id and user.id not in workspace.admins:
            raise ApiError(403, NO_ACCESS)
        return entry

    def running_entry(self, user_id: int) -> Entry | None:
        return next(
            (e for e in self.entries.values() if e.user_id == user_id and e.running and not e.deleted), None
        )

    def project_name(self, project_id: int | None) -> str | None:
        project = self.projects.get(project_id) if project_id is not None else None
        return project.name if project else None

    def tag_ids(self, workspace_id: int, names: list[str], creator: int, now: datetime) -> list[int]:
        """Ids for tag names, creating the unknown ones ("one will be created automatically")."""
        ids = []
        for name in names:
            tag = next(
                (t for t in self.tags.values() if t.workspace_id == workspace_id and t.name == name), None
            )
            if tag is None:
                tag = Tag(id=self.new_id(), workspace_id=workspace_id, name=name, creator_id=creator, at=now)
                self.tags[tag.id] = tag
            ids.append(tag.id)
        return ids

    # -- reads --------------------------------------------------------------------------------

    def entries_of(
        self,
        user_id: int,
        *,
        since: datetime | None = None,
        start_from: datetime | None = None,
        start_until: datetime | None = None,
        before: datetime | None = None,
    ) -> list[Entry]:
        """The user's entries, newest start first, at most 1000. `since` (modified at or after)
        includes deleted entries; the start-time filters do not."""
        found = []
        for entry in self.entries.values():
            if entry.user_id != user_id:
                continue
            if since is not None:
                if entry.at < since:
                    continue
            elif entry.deleted:
                continue
            if (start_from and entry.start < start_from) or (start_until and entry.start > start_until):
                continue
            if before and entry.start >= before:
                continue
            found.append(entry)
        found.sort(key=lambda e: (e.start, e.id), reverse=True)
        return found[:ENTRY_LIMIT]

    def latest_activities(self, workspace: Workspace, since: datetime | None, now: datetime) -> list[Entry]:
        """Each member's latest activity in the workspace (`dashboard/all_activity`): her running
        entry, else the entry she started last; deleted entries are no activity. With `since`, only
        activities still going on at or after it (running, or stopped since). Latest first."""
        latest: list[Entry] = []
        for user_id in workspace.members:
            mine = [
                e
                for e in self.entries.values()
                if e.user_id == user_id and e.workspace_id == workspace.id and not e.deleted
            ]
            if not mine:
                continue
            entry = max(mine, key=lambda e: (e.running, e.start, e.id))
            if since is None or (entry.stop or now) >= since:
                latest.append(entry)
        latest.sort(key=lambda e: (e.running, e.stop or now, e.id), reverse=True)
        return latest

    # -- persistence --------------------------------------------------------------------------

    _TABLES: ClassVar[dict[str, type[Record]]] = {
        "users": User,
        "workspaces": Workspace,
        "clients": Client,
        "projects": Project,
        "tags": Tag,
        "entries": Entry,
    }

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {"next_id": self.next_id}
        for name in self._TABLES:
            table: dict[int, Record] = getattr(self, name)
            data[name] = [record.model_dump(mode="json") for record in table.values()]
        return data

    @classmethod
    def load(cls, data: dict[str, Any]) -> TogglStore:
        store = cls()
        store.next_id = data["next_id"]
        for name, model in cls._TABLES.items():
            records = [model.model_validate(row) for row in data[name]]
            setattr(store, name, {record.id: record for record in records})  # type: ignore[attr-defined]
        return store
