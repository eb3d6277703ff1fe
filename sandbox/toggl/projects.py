"""Project creation with Toggl's rules: `POST /workspaces/{workspace_id}/projects` (`project.Payload`).

- A name is required and unique in the workspace, whatever its case (our wording for both refusals).
- "Only admins may create projects" is a workspace setting (`only_admins_may_create_projects`, on in
  the demo workspace): then a member gets the documented 403 "User does not have access to this
  resource.".
- Projects are private unless `is_private: false` ("By default, all projects are created as private
  projects", support.toggl.com "Manage your team's time"); the color defaults to Toggl's first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.emulator import ApiError
from sandbox.toggl.store import NO_ACCESS, Project, TogglStore, User, Workspace

DEFAULT_COLOR = "#0b83d9"
NAME_TAKEN = "Name has already been taken"


def create_project(store: TogglStore, user: User, workspace: Workspace, body: Any, now: datetime) -> Project:
    if workspace.only_admins_may_create_projects and user.id not in workspace.admins:
        raise ApiError(403, NO_ACCESS)
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid JSON input")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "Project name must not be empty")
    taken = {p.name.casefold() for p in store.projects.values() if p.workspace_id == workspace.id}
    if name.strip().casefold() in taken:
        raise ApiError(400, NAME_TAKEN)
    project = Project(
        id=store.new_id(),
        workspace_id=workspace.id,
        name=name.strip(),
        color=_typed(body, "color", str) or DEFAULT_COLOR,
        billable=bool(_typed(body, "billable", bool)),
        active=_typed(body, "active", bool) is not False,
        client_id=_client(store, workspace, body),
        created_at=now,
        at=now,
        is_private=_typed(body, "is_private", bool) is not False,
    )
    store.projects[project.id] = project
    return project


def _typed(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is None or (isinstance(value, kind) and (kind is bool or not isinstance(value, bool))):
        return value
    raise ApiError(400, f"{name} has the wrong type")


def _client(store: TogglStore, workspace: Workspace, body: dict[str, Any]) -> int | None:
    client_id = _typed(body, "client_id", int)
    if client_id is None:
        return None
    client = store.clients.get(client_id)
    if client is None or client.workspace_id != workspace.id:
        raise ApiError(400, "Invalid client_id")
    return int(client_id)
