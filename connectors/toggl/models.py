"""Raw Toggl Track shapes, as the APIs send them (unknown fields kept), and the one way to parse them.

Reference: https://engineering.toggl.com/docs/api/time_entries and .../docs/reports/detailed_reports
(the official Swagger 2.0 specs are in tests/contract/specs/toggl/). Times stay strings here: v9
writes `+00:00` in lists, `Z` in the answers to writes, and `at` with up to six fractional digits
(trailing zeros dropped); the Reports API writes start and stop with the caller's offset and `at`
in whole seconds. The mapping module parses them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from connectors.parsing import parse

SERVICE = "toggl"
EARLIEST_START = datetime(2006, 1, 1, tzinfo=UTC)  # Toggl opened in 2006: no timer started before
M = TypeVar("M", bound=BaseModel)


def one(model: type[M], data: object, what: str) -> M:
    """`data` as `model`, `what` being the call ("GET /me"): the shared `connectors.parsing.parse`,
    whose BadData names the call, the model and the field, never the values."""
    method, _, path = what.partition(" ")
    return parse(model, data, service=SERVICE, method=method, path=path)


def many(model: type[M], data: object, what: str) -> list[M]:
    """`data` as a list of `model` (see `one`)."""
    method, _, path = what.partition(" ")
    return parse(list[model], data, service=SERVICE, method=method, path=path)  # type: ignore[valid-type]


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


class TogglWorkspace(_Raw):
    """`workspace.WithActiveProjectCount` (GET /me/workspaces): `role` is the user's role there."""

    id: int
    name: str | None = None
    organization_id: int | None = None
    role: str | None = None
    admin: bool | None = None  # deprecated twin of role == "admin"

    @property
    def administered(self) -> bool:
        return self.role == "admin" if self.role is not None else bool(self.admin)


class TogglReportEntry(_Raw):
    """`detailed.SingleTimeEntry`: one entry of a report row; running entries are never reported."""

    id: int
    seconds: int
    start: str
    stop: str
    at: str


class TogglReportRow(_Raw):
    """`detailed.GroupedTimeEntry`: a row of the detailed search (one entry, or a group with
    `grouped`). The names come only with `enrich_response`."""

    user_id: int
    username: str | None = None
    project_id: int | None = None
    project_name: str | None = None
    description: str | None = None
    billable: bool = False
    tag_ids: list[int] | None = None
    tag_names: list[str] | None = None
    time_entries: list[TogglReportEntry] = Field(default_factory=list)
    row_number: int | None = None


class TogglActivity(_Raw):
    """`dashboard.allActivities` (GET /workspaces/{id}/dashboard/all_activity): a member's latest
    activity. No entry id, no start, no tags, no `at`: `project_id` is 0 without a project, `duration`
    of a running entry is minus its start epoch, `description` is absent when empty, `stop` while
    running, `tid` without a task."""

    user_id: int
    project_id: int | None = None
    duration: int
    description: str | None = None
    stop: str | None = None
    tid: int | None = None

    @property
    def running(self) -> bool:
        return self.duration < 0 and self.stop is None

    @property
    def started(self) -> datetime | None:
        """A running activity's start (minus its duration, in epoch seconds); None when that is no
        start: stopped, or a duration like the -1 of timers started through the API (Toggl opened in
        2006)."""
        if not self.running:
            return None
        start = datetime.fromtimestamp(-self.duration, UTC)
        return start if start >= EARLIEST_START else None


class TogglReportQuery(BaseModel):
    """`detailed.Post`: the body of the detailed search. Only the fields set are sent."""

    model_config = ConfigDict(extra="forbid")

    start_date: str  # YYYY-MM-DD, in the token user's time zone, inclusive
    end_date: str
    user_ids: list[int] | None = None
    tag_ids: list[int | None] | None = None
    time_entry_ids: list[int] | None = None
    billable: bool | None = None  # a paid-plan filter ("premium feature"): 402 on Free
    enrich_response: bool = True  # names of projects and tags: no projects or tags call
    order_by: Literal["date"] = "date"
    order_dir: Literal["ASC", "DESC"] = "ASC"  # new entries land on the last page, not shifting rows
    page_size: int = 50
    first_id: int | None = None
    first_row_number: int | None = None

    def body(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True)


class TogglUser(_Raw):
    """`related.UserWithRelated` (GET /me); the related lists only with `with_related_data=true`
    (her workspaces among them, each with her role there: the admin check's one request)."""

    id: int
    email: str
    fullname: str | None = None
    timezone: str | None = None
    default_workspace_id: int | None = None
    projects: list[TogglProject] | None = None
    tags: list[TogglTag] | None = None
    time_entries: list[TogglTimeEntry] | None = None
    workspaces: list[TogglWorkspace] | None = None  # with `role` (or `admin`): hers in each


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
    user_id: int | None = None  # whose entry: "if omitted will use the requester user ID"

    def body(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True)
