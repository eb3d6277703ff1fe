"""A small typed client for the Toggl Track API v9: the calls the hub makes, named after the API.

Reference: https://engineering.toggl.com/docs/ (Swagger: tests/contract/specs/toggl/).

Auth is HTTP Basic with the API token as the user name and the literal `api_token` as the password.

Toggl counts requests in two hourly buckets (support.toggl.com/en/articles/11484112): requests about
the user (`/me...`) get 30 per hour whatever the plan; workspace and organization requests get the
plan's quota (Starter 240 per hour, per user and organization). Each answer reports its own bucket in
`X-Toggl-Quota-Remaining` / `X-Toggl-Quota-Resets-In`, and a spent bucket answers 402. So the client
keeps one HTTP core per bucket, each with its own `QuotaGate`: a spent `/me` bucket must not stop the
workspace calls, and the other way round. Both cores share the one per-token limiter (1 request/s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from config.redaction import register_secret
from connectors.errors import BadData
from connectors.http import CoreOptions, HttpCore, build_core
from connectors.pagination import Page, iterate_items
from connectors.ratelimit import QuotaGate
from connectors.toggl.models import (
    TogglProject,
    TogglTag,
    TogglTimeEntry,
    TogglTimeEntryPayload,
    TogglUser,
    TogglWorkspaceUser,
)

SERVICE = "toggl"
CREATED_WITH = "obm-hub"  # required on create: "should identify the service/application"
QUOTA_HEADERS = ("X-Toggl-Quota-Remaining", "X-Toggl-Quota-Resets-In")
ENTRY_LIMIT = 1000  # "The limit of returned time entries is 1000" (GET /me/time_entries)
PROJECTS_PER_PAGE = 200  # "default 151. Cannot exceed 200"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class QuotaReading:
    """One quota bucket as last reported: None until an answer carried the headers."""

    remaining: int | None
    resets_in: float | None  # seconds


@dataclass(frozen=True)
class TogglQuota:
    me: QuotaReading  # user-level requests (/me...): 30 per hour on every plan
    workspace: QuotaReading  # workspace requests: the organization's plan (Starter: 240 per hour)


class TogglClient:
    """Toggl Track v9 over two HttpCores (one per quota bucket). Build it with `TogglClient.build`."""

    def __init__(self, *, me: HttpCore, workspace: HttpCore) -> None:
        self._me = me
        self._workspace = workspace

    @classmethod
    def build(cls, base_url: str, api_token: str, *, options: CoreOptions | None = None) -> TogglClient:
        register_secret(api_token)
        auth = httpx.BasicAuth(api_token, "api_token")

        def core() -> HttpCore:
            gate = QuotaGate(*QUOTA_HEADERS)
            return build_core(SERVICE, base_url, credential=api_token, auth=auth, quota=gate, options=options)

        return cls(me=core(), workspace=core())

    def close(self) -> None:
        self._me.close()
        self._workspace.close()

    @property
    def quota(self) -> TogglQuota:
        """What the last answers said about both hourly buckets."""
        return TogglQuota(me=_reading(self._me.quota), workspace=_reading(self._workspace.quota))

    # -- the user -----------------------------------------------------------------------------

    def get_me(self, *, with_related_data: bool = False) -> TogglUser:
        """The token's user. https://engineering.toggl.com/docs/api/me#get-me"""
        params = {"with_related_data": "true"} if with_related_data else None
        return _one(TogglUser, self._me.request_json("GET", "/me", params=params), "GET /me")

    # -- time entries -------------------------------------------------------------------------

    def list_time_entries(
        self,
        *,
        since: int | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        before: datetime | str | None = None,
        meta: bool = True,
    ) -> list[TogglTimeEntry]:
        """The token user's entries, newest first, at most 1000 (no pagination).

        `since` (unix seconds): entries modified since then, deleted ones included; it cannot be
        combined with `before`. `start_date` and `end_date` go together and bound the start time;
        datetimes are sent as RFC 3339 (a bare `YYYY-MM-DD` end date means 00:00 of that day).
        `meta` adds `project_name` and `client_name`, which saves a projects call.
        https://engineering.toggl.com/docs/api/time_entries#get-timeentries
        """
        if since is not None and before is not None:
            raise ValueError("Toggl refuses 'since' together with 'before' (400)")
        if (start_date is None) != (end_date is None):
            raise ValueError("'start_date' and 'end_date' are used together")
        params: dict[str, Any] = {"meta": _flag(meta)}
        if since is not None:
            params["since"] = since
        if start_date is not None and end_date is not None:
            params["start_date"], params["end_date"] = _rfc3339(start_date), _rfc3339(end_date)
        if before is not None:
            params["before"] = _rfc3339(before)
        data = self._me.request_json("GET", "/me/time_entries", params=params)
        return _many(TogglTimeEntry, data, "GET /me/time_entries")

    def get_time_entry(self, time_entry_id: int) -> TogglTimeEntry:
        """One entry the user can see (404 once deleted).
        https://engineering.toggl.com/docs/api/me#get-a-time-entry-by-id"""
        data = self._me.request_json(
            "GET", "/me/time_entries/{time_entry_id}", path={"time_entry_id": time_entry_id}, params=_META
        )
        return _one(TogglTimeEntry, data, "GET /me/time_entries/{time_entry_id}")

    def get_current_time_entry(self) -> TogglTimeEntry | None:
        """The running entry, or None: the API answers a literal `null` when nothing runs.
        https://engineering.toggl.com/docs/api/time_entries#get-get-current-time-entry"""
        data = self._me.request_json("GET", "/me/time_entries/current")
        return None if data is None else _one(TogglTimeEntry, data, "GET /me/time_entries/current")

    def create_time_entry(self, workspace_id: int, payload: TogglTimeEntryPayload) -> TogglTimeEntry:
        """Create an entry (`duration: -1` and no stop starts a timer and stops the running one).
        `created_with` and `workspace_id` are filled in when the payload lacks them.
        https://engineering.toggl.com/docs/api/time_entries#post-timeentries"""
        body = {"created_with": CREATED_WITH, "workspace_id": workspace_id, **payload.body()}
        data = self._workspace.request_json(
            "POST",
            "/workspaces/{workspace_id}/time_entries",
            path={"workspace_id": workspace_id},
            params=_META,
            json=body,
        )
        return _one(TogglTimeEntry, data, "POST /workspaces/{workspace_id}/time_entries")

    def update_time_entry(
        self, workspace_id: int, time_entry_id: int, payload: TogglTimeEntryPayload
    ) -> TogglTimeEntry:
        """Partial update: only the fields set in `payload` change; `tags` replaces the names.
        https://engineering.toggl.com/docs/api/time_entries#put-timeentries"""
        template = "/workspaces/{workspace_id}/time_entries/{time_entry_id}"
        data = self._workspace.request_json(
            "PUT",
            template,
            path={"workspace_id": workspace_id, "time_entry_id": time_entry_id},
            params=_META,
            json=payload.body(),
        )
        return _one(TogglTimeEntry, data, f"PUT {template}")

    def delete_time_entry(self, workspace_id: int, time_entry_id: int) -> None:
        """Delete an entry (200 with an empty body); `since` reads then show it with
        `server_deleted_at`. https://engineering.toggl.com/docs/api/time_entries#delete-timeentries"""
        self._workspace.request(
            "DELETE",
            "/workspaces/{workspace_id}/time_entries/{time_entry_id}",
            path={"workspace_id": workspace_id, "time_entry_id": time_entry_id},
        )

    def stop_time_entry(self, workspace_id: int, time_entry_id: int) -> TogglTimeEntry:
        """Stop a running entry now; an entry already stopped answers 409 (Conflict).
        https://engineering.toggl.com/docs/api/time_entries#patch-stop-timeentry"""
        template = "/workspaces/{workspace_id}/time_entries/{time_entry_id}/stop"
        data = self._workspace.request_json(
            "PATCH", template, path={"workspace_id": workspace_id, "time_entry_id": time_entry_id}
        )
        return _one(TogglTimeEntry, data, f"PATCH {template}")

    # -- the workspace ------------------------------------------------------------------------

    def list_projects(self, workspace_id: int, *, active: str = "both") -> list[TogglProject]:
        """All projects, archived ones too by default (`active` is true, false or 'both'); pages
        of 200 until a short one. https://engineering.toggl.com/docs/api/projects#get-workspaceprojects"""

        def fetch(cursor: str | None) -> Page[TogglProject]:
            page = int(cursor or 1)
            data = self._workspace.request_json(
                "GET",
                "/workspaces/{workspace_id}/projects",
                path={"workspace_id": workspace_id},
                params={"active": active, "page": page, "per_page": PROJECTS_PER_PAGE},
            )
            items = _many(TogglProject, data, "GET /workspaces/{workspace_id}/projects")
            return Page(items, str(page + 1) if len(items) == PROJECTS_PER_PAGE else None)

        return list(iterate_items(fetch, service=SERVICE))

    def list_tags(self, workspace_id: int) -> list[TogglTag]:
        """The workspace's tags (names are what entries carry).
        https://engineering.toggl.com/docs/api/tags#get-tags"""
        data = self._workspace.request_json(
            "GET", "/workspaces/{workspace_id}/tags", path={"workspace_id": workspace_id}
        )
        return _many(TogglTag, data, "GET /workspaces/{workspace_id}/tags")

    def list_workspace_users(self, workspace_id: int) -> list[TogglWorkspaceUser]:
        """The workspace's members; `id` is the user id time entries carry.
        https://engineering.toggl.com/docs/api/workspaces#get-workspace-users"""
        data = self._workspace.request_json(
            "GET", "/workspaces/{workspace_id}/users", path={"workspace_id": workspace_id}
        )
        return _many(TogglWorkspaceUser, data, "GET /workspaces/{workspace_id}/users")


_META = {"meta": "true"}


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _rfc3339(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("Toggl times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reading(gate: QuotaGate | None) -> QuotaReading:
    if gate is None:
        return QuotaReading(None, None)
    return QuotaReading(gate.remaining, gate.resets_in())


def _one(model: type[M], data: object, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadData(
            f"toggl {what} returned an unexpected shape ({exc.error_count()} problems)", service=SERVICE
        ) from None


def _many(model: type[M], data: object, what: str) -> list[M]:
    if not isinstance(data, list):
        raise BadData(f"toggl {what} returned {type(data).__name__}, not an array", service=SERVICE)
    return [_one(model, item, what) for item in data]
