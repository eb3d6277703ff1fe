"""A small typed client for the Toggl Track API v9: the calls the hub makes, named after the API.

Reference: https://engineering.toggl.com/docs/ (Swagger: tests/contract/specs/toggl/).

Auth is HTTP Basic with the API token as the user name and the literal `api_token` as the password.

Toggl counts requests in two hourly buckets (support.toggl.com/en/articles/11484112): requests about
the user (`/me...`) get 30 per hour whatever the plan; workspace and organization requests, the
Reports API's included, get the plan's quota (Free 30, Starter 240 per hour, per user and
organization). Each answer reports its own bucket in `X-Toggl-Quota-Remaining` /
`X-Toggl-Quota-Resets-In`, and a spent bucket answers 402. So the client keeps one HTTP core per
bucket (and one for the Reports API's base path, on the workspace bucket), each with the process-wide
`QuotaGate` of its bucket and token (`shared_quota`): a spent `/me` bucket must not stop the workspace
calls, and a retry or the next connector must not forget what the last answer said. All cores share
the one per-token limiter (1 request/s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from config.redaction import register_secret
from connectors.http import CoreOptions, HttpCore, build_core
from connectors.pagination import Page, iterate_items
from connectors.ratelimit import QuotaGate, shared_quota
from connectors.toggl.models import (
    TogglActivity,
    TogglProject,
    TogglTag,
    TogglTimeEntry,
    TogglTimeEntryPayload,
    TogglUser,
    TogglWorkspace,
    TogglWorkspaceUser,
    many,
    one,
)
from connectors.toggl.reports import TogglReports

SERVICE = "toggl"
CREATED_WITH = "obm-hub"  # required on create: "should identify the service/application"
QUOTA_HEADERS = ("X-Toggl-Quota-Remaining", "X-Toggl-Quota-Resets-In")
ENTRY_LIMIT = 1000  # "The limit of returned time entries is 1000" (GET /me/time_entries)
PROJECTS_PER_PAGE = 200  # "default 151. Cannot exceed 200"


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
    """Toggl Track v9 over two HttpCores (one per quota bucket), and the Reports API v3 (`reports`).
    Build it with `TogglClient.build`."""

    def __init__(self, *, me: HttpCore, workspace: HttpCore, reports: HttpCore) -> None:
        self._me = me
        self._workspace = workspace
        self.reports = TogglReports(reports)

    @classmethod
    def build(
        cls,
        base_url: str,
        api_token: str,
        *,
        reports_url: str | None = None,
        options: CoreOptions | None = None,
    ) -> TogglClient:
        """`reports_url` defaults to the Reports API beside `base_url` (`.../api/v9` ->
        `.../reports/api/v3`), as Toggl serves both from one host."""
        register_secret(api_token)
        auth = httpx.BasicAuth(api_token, "api_token")

        def core(url: str, bucket: str) -> HttpCore:
            gate = shared_quota(SERVICE, url, api_token, bucket, QUOTA_HEADERS)
            return build_core(SERVICE, url, credential=api_token, auth=auth, quota=gate, options=options)

        reports = reports_url or reports_url_for(base_url)
        return cls(
            me=core(base_url, "me"),
            workspace=core(base_url, "workspaces"),
            reports=core(reports, "workspaces"),
        )

    def close(self) -> None:
        self._me.close()
        self._workspace.close()
        self.reports.close()

    @property
    def quota(self) -> TogglQuota:
        """What the last answers said about both hourly buckets."""
        return TogglQuota(me=_reading(self._me.quota), workspace=_reading(self._workspace.quota))

    # -- the user -----------------------------------------------------------------------------

    def get_me(self, *, with_related_data: bool = False) -> TogglUser:
        """The token's user. https://engineering.toggl.com/docs/api/me#get-me"""
        params = {"with_related_data": "true"} if with_related_data else None
        return one(TogglUser, self._me.request_json("GET", "/me", params=params), "GET /me")

    def list_my_workspaces(self) -> list[TogglWorkspace]:
        """The user's workspaces, each with her `role` in it (`admin` is its deprecated twin).
        https://engineering.toggl.com/docs/api/me#get-workspaces"""
        return many(TogglWorkspace, self._me.request_json("GET", "/me/workspaces"), "GET /me/workspaces")

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
        return many(TogglTimeEntry, data, "GET /me/time_entries")

    def get_time_entry(self, time_entry_id: int) -> TogglTimeEntry:
        """One entry the user can see (404 once deleted).
        https://engineering.toggl.com/docs/api/me#get-a-time-entry-by-id"""
        data = self._me.request_json(
            "GET", "/me/time_entries/{time_entry_id}", path={"time_entry_id": time_entry_id}, params=_META
        )
        return one(TogglTimeEntry, data, "GET /me/time_entries/{time_entry_id}")

    def get_current_time_entry(self) -> TogglTimeEntry | None:
        """The running entry, or None: the API answers a literal `null` when nothing runs.
        https://engineering.toggl.com/docs/api/time_entries#get-get-current-time-entry"""
        data = self._me.request_json("GET", "/me/time_entries/current")
        return None if data is None else one(TogglTimeEntry, data, "GET /me/time_entries/current")

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
        return one(TogglTimeEntry, data, "POST /workspaces/{workspace_id}/time_entries")

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
        return one(TogglTimeEntry, data, f"PUT {template}")

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
        return one(TogglTimeEntry, data, f"PATCH {template}")

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
            items = many(TogglProject, data, "GET /workspaces/{workspace_id}/projects")
            return Page(items, str(page + 1) if len(items) == PROJECTS_PER_PAGE else None)

        return list(iterate_items(fetch, service=SERVICE))

    def create_project(self, workspace_id: int, name: str) -> TogglProject:
        """A new active project; private, as Toggl makes them by default. Workspaces may let only
        admins create projects (403 otherwise); names are unique in a workspace.
        https://engineering.toggl.com/docs/api/projects#post-workspaceprojects"""
        data = self._workspace.request_json(
            "POST",
            "/workspaces/{workspace_id}/projects",
            path={"workspace_id": workspace_id},
            json={"name": name, "active": True},
        )
        return one(TogglProject, data, "POST /workspaces/{workspace_id}/projects")

    def list_tags(self, workspace_id: int) -> list[TogglTag]:
        """The workspace's tags (names are what entries carry).
        https://engineering.toggl.com/docs/api/tags#get-tags"""
        data = self._workspace.request_json(
            "GET", "/workspaces/{workspace_id}/tags", path={"workspace_id": workspace_id}
        )
        return many(TogglTag, data, "GET /workspaces/{workspace_id}/tags")

    def list_workspace_users(self, workspace_id: int) -> list[TogglWorkspaceUser]:
        """The workspace's members; `id` is the user id time entries carry.
        https://engineering.toggl.com/docs/api/workspaces#get-workspace-users"""
        data = self._workspace.request_json(
            "GET", "/workspaces/{workspace_id}/users", path={"workspace_id": workspace_id}
        )
        return many(TogglWorkspaceUser, data, "GET /workspaces/{workspace_id}/users")

    def list_all_activity(self, workspace_id: int) -> list[TogglActivity]:
        """Each member's latest activity, her running timer included (a workspace request). The
        spec's `since` is a formData parameter of a GET, so the hub does not send it.
        (official spec, operation `get-workspace-all-activities`)"""
        template = "/workspaces/{workspace_id}/dashboard/all_activity"
        data = self._workspace.request_json("GET", template, path={"workspace_id": workspace_id})
        return many(TogglActivity, data, f"GET {template}")


_META = {"meta": "true"}
REPORTS_PATH = "/reports/api/v3"


def reports_url_for(base_url: str) -> str:
    """The Reports API's base beside the v9 base: both live on one host (NOTES.md §3.1)."""
    root = base_url.rstrip("/")
    if not root.endswith("/api/v9"):
        raise ValueError(f"cannot place the Reports API beside {base_url!r}; set toggl.reports_base_url")
    return root.removesuffix("/api/v9") + REPORTS_PATH


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
