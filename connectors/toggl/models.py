"""Raw Toggl Track API v9 shapes, as the API sends them (unknown fields kept).

Reference: https://engineering.toggl.com/docs/api/time_entries (the official Swagger 2.0 is in
tests/contract/specs/toggl/). Times stay strings here: Toggl writes `+00:00` in lists, `Z` in the
answers to writes, and `at` with up to six fractional digits (trailing zeros dropped); the mapping
module parses them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Raw(BaseModel):
    # Real APIs add fields; nothing here may break on one we have not seen.
    model_config = ConfigDict(extra="allow")


class TogglTimeEntry(_Raw):
    """`models.TimeEntry`. A negative `duration` means the timer runs (-1, or minus the start epoch)."""

    id: int
    workspace_id: int
    user_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    description: str | None = None  # null when never given
    start: str
    stop: str | None = None
    duration: int
    billable: bool = False
    tags: list[str] | None = None  # null until tags are set, or until the entry is stopped
    tag_ids: list[int] | None = None
    at: str  # last update
    server_deleted_at: str | None = None
    # Present with meta=true.
    project_name: str | None = None
    client_name: str | None = None

    @property
    def running(self) -> bool:
        return self.duration < 0

    @property
    def deleted(self) -> bool:
        return self.server_deleted_at is not None


class TogglProject(_Raw):
    """`models.Project`."""

    id: int
    name: str
    workspace_id: int | None = None
    client_id: int | None = None
    active: bool = True
    billable: bool | None = None
    color: str | None = None
    at: str | None = None


class TogglTag(_Raw):
    """`models.Tag`."""

    id: int
    name: str
    workspace_id: int


class TogglWorkspaceUser(_Raw):
    """`models.SimpleWorkspaceUser`: `id` is the global user id that time entries carry."""

    id: int
    email: str | None = None
    fullname: str | None = None
    is_admin: bool | None = None
    role: str | None = None


class TogglUser(_Raw):
    """`related.UserWithRelated` (GET /me); the related lists only with `with_related_data=true`."""

    id: int
    email: str
    fullname: str | None = None
    timezone: str | None = None
    default_workspace_id: int | None = None
    projects: list[TogglProject] | None = None
    tags: list[TogglTag] | None = None
    time_entries: list[TogglTimeEntry] | None = None


class TogglTimeEntryPayload(BaseModel):
    """`timeentry.Payload`, the body of create and update. Only the fields set are sent: on an
    update an absent field is left alone ("send only the fields that have changed"), and a field
    set to None is sent as null (`project_id: null` removes the project)."""

    model_config = ConfigDict(extra="forbid")

    created_with: str | None = None  # required on create
    workspace_id: int | None = None  # required on create
    start: str | None = None  # required on create, "2006-01-02T15:04:05Z"
    stop: str | None = None
    duration: int | None = None  # -1 starts a running timer
    description: str | None = None
    project_id: int | None = None
    billable: bool | None = None
    tags: list[str] | None = None  # names; unknown ones are created
    tag_action: Literal["add", "delete"] | None = None

    def body(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True)
