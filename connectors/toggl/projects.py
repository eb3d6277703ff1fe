"""The workspace's projects as the connector knows them: names by id, learned from what it reads
(entries' `project_name` with `meta=true`, report rows' with `enrich_response`), listed once when a
name is missing, and created when the engine needs one."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.errors import BadData
from connectors.toggl.client import TogglClient
from connectors.toggl.mapping import project_key
from connectors.toggl.models import SERVICE, TogglProject
from sync.model import Project


class ProjectBook:
    def __init__(self, client: TogglClient, workspace_id: int) -> None:
        self._client = client
        self._workspace_id = workspace_id
        self.names: dict[int, str] = {}  # id -> name
        self._listed = False

    def learn(self, known: Iterable[tuple[int | None, str | None]]) -> None:
        """Remember (id, name) pairs; list the workspace's projects once if an id came without a name."""
        missing = False
        for project_id, name in known:
            if project_id is None:
                continue
            if name:
                self.names[project_id] = name
            elif project_id not in self.names:
                missing = True
        if missing:
            self.list()

    def list(self) -> list[Project]:
        """Every project of the workspace, archived ones too (listed once per connector)."""
        if not self._listed:
            for project in self._client.list_projects(self._workspace_id):
                self.names[project.id] = project.name
            self._listed = True
        return sorted({Project.named(name) for name in self.names.values()}, key=lambda p: p.key)

    def find(self, key: str) -> int | None:
        """The project id for a canonical key; the projects list on a miss."""
        found = self._match(key)
        if found is None and not self._listed:
            self.list()
            found = self._match(key)
        return found

    def require(self, key: str | None) -> int | None:
        if key is None:
            return None
        found = self.find(key)
        if found is None:
            raise BadData(
                f"toggl workspace {self._workspace_id} has no project named {key!r}", service=SERVICE
            )
        return found

    def create(self, name: str) -> Project:
        """The project named `name`: an existing one with that name (Toggl keeps names unique, so a
        create whose answer was lost is not repeated), else a new one."""
        wanted = Project.named(name)
        found = self.find(wanted.key)
        if found is not None:
            return Project.named(self.names[found])
        created: TogglProject = self._client.create_project(self._workspace_id, wanted.name)
        self.names[created.id] = created.name
        return Project.named(created.name)

    def _match(self, key: str) -> int | None:
        # Toggl keeps project names unique in a workspace; min() only makes a clash deterministic.
        return min((pid for pid, name in self.names.items() if project_key(name) == key), default=None)
