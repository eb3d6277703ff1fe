"""Records as Toggl writes them (field order and formats from the recorded answers, NOTES.md §3).

- `start`/`stop`: `+00:00` in reads, `Z` in the answers to writes; whole seconds.
- `at`: microseconds with `Z`, trailing zeros dropped as Go does ("2024-12-12T16:50:39.1067Z").
- `server_deleted_at`: whole seconds with `+00:00`.
- `tags`/`tag_ids`: null until set or until the entry is stopped; list reads show [] for null.
- `meta=true` adds the project, client and user names.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.toggl.store import Entry, Project, Tag, TogglStore, User, Workspace

AVATAR = "https://assets.track.toggl.com/images/profile.png"


def iso_offset(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def iso_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_at(value: datetime) -> str:
    value = value.astimezone(UTC)
    fraction = f"{value.microsecond:06d}".rstrip("0")
    return value.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def _maybe(value: datetime | None, fmt: Any) -> str | None:
    return fmt(value) if value is not None else None


def entry(
    store: TogglStore, e: Entry, *, written: bool = False, meta: bool = False, listed: bool = False
) -> dict[str, Any]:
    moment = iso_z if written else iso_offset
    shape: dict[str, Any] = {
        "id": e.id,
        "workspace_id": e.workspace_id,
        "project_id": e.project_id,
        "task_id": None,
        "billable": e.billable,
        "start": moment(e.start),
        "stop": _maybe(e.stop, moment),
        "duration": e.duration,
        "description": e.description,
        "tags": e.tags if e.tags is not None or not listed else [],
        "tag_ids": e.tag_ids if e.tag_ids is not None or not listed else [],
        "duronly": True,
        "at": iso_at(e.at),
        "server_deleted_at": _maybe(e.server_deleted_at, iso_offset),
        "user_id": e.user_id,
        "uid": e.user_id,
        "wid": e.workspace_id,
    }
    if e.project_id is not None:
        shape["pid"] = e.project_id
    if meta:
        shape.update(_entry_meta(store, e))
    return shape


def _entry_meta(store: TogglStore, e: Entry) -> dict[str, Any]:
    user = store.users[e.user_id]
    fields: dict[str, Any] = {"user_name": user.fullname, "user_avatar_url": AVATAR}
    project = store.projects.get(e.project_id) if e.project_id is not None else None
    if project is not None:
        client = store.clients.get(project.client_id) if project.client_id is not None else None
        fields |= {
            "project_name": project.name,
            "project_color": project.color,
            "project_active": project.active,
            "project_billable": project.billable,
            "client_id": project.client_id,
            "client_name": client.name if client else None,
        }
    return fields


def project(store: TogglStore, p: Project) -> dict[str, Any]:
    seconds = sum(
        e.duration
        for e in store.entries.values()
        if e.project_id == p.id and not e.deleted and e.duration > 0
    )
    return {
        "id": p.id,
        "workspace_id": p.workspace_id,
        "client_id": p.client_id,
        "name": p.name,
        "is_private": p.is_private,
        "active": p.active,
        "at": iso_offset(p.at),
        "created_at": iso_offset(p.created_at),
        "server_deleted_at": None,
        "color": p.color,
        "billable": p.billable,
        "template": None,
        "auto_estimates": None,
        "estimated_hours": None,
        "estimated_seconds": None,
        "rate": None,
        "rate_last_updated": None,
        "currency": None,
        "recurring": False,
        "template_id": None,
        "recurring_parameters": None,
        "fixed_fee": None,
        "actual_hours": seconds // 3600,
        "actual_seconds": seconds,
        "can_track_time": True,
        "start_date": p.created_at.date().isoformat(),
        "status": "active" if p.active else "archived",
        "wid": p.workspace_id,
        "cid": p.client_id,
        "is_shared": False,
        "pinned": False,
    }


def tag(t: Tag) -> dict[str, Any]:
    return {
        "id": t.id,
        "workspace_id": t.workspace_id,
        "name": t.name,
        "at": iso_at(t.at),
        "creator_id": t.creator_id,
    }


def workspace_user(w: Workspace, u: User) -> dict[str, Any]:
    admin = u.id in w.admins
    return {
        "id": u.id,
        "email": u.email,
        "fullname": u.fullname,
        "inactive": False,
        "is_active": True,
        "is_admin": admin,
        "role": "admin" if admin else "user",
    }


def workspace(w: Workspace, u: User, store: TogglStore) -> dict[str, Any]:
    admin = u.id in w.admins
    active = sum(1 for p in store.projects.values() if p.workspace_id == w.id and p.active)
    return {
        "id": w.id,
        "active_project_count": active,
        "organization_id": w.organization_id,
        "name": w.name,
        "premium": w.paid,
        "business_ws": False,
        "admin": admin,
        "role": "admin" if admin else "user",
        "suspended_at": None,
        "server_deleted_at": None,
        "default_hourly_rate": None,
        "default_currency": "EUR",
        "only_admins_may_create_projects": w.only_admins_may_create_projects,
        "limit_public_project_data": w.limit_public_project_data,
        "only_admins_may_create_tags": False,
        "projects_billable_by_default": False,
        "rounding": 0,
        "rounding_minutes": 0,
        "at": iso_offset(w.created_at),
        "logo_url": "https://assets.track.toggl.com/images/workspace.jpg",
    }


def me(u: User, at: datetime) -> dict[str, Any]:
    return {
        "id": u.id,
        "api_token": u.api_token,
        "email": u.email,
        "fullname": u.fullname,
        "timezone": u.timezone,
        "default_workspace_id": u.default_workspace_id,
        "beginning_of_week": 1,
        "image_url": AVATAR,
        "created_at": iso_at(u.created_at),
        "updated_at": iso_at(u.created_at),
        "openid_email": None,
        "openid_enabled": False,
        "country_id": None,
        "has_password": True,
        "at": iso_at(at),
        "oauth_providers": [],
        "authorization_updated_at": iso_at(u.created_at),
    }


def activity(e: Entry) -> dict[str, Any]:
    """`dashboard.allActivities`: one member's latest activity. The spec's description: `project_id`
    is 0 without a project; `duration` of a running entry is minus its start epoch ("denoting the
    start of the time entry in seconds since epoch"), whatever the entry itself holds (-1 for timers
    started through the API); `description` is absent when empty, `stop` while running, `tid` ("task
    id, if applicable") without a task. No entry id, no start and no tags: the object has none."""
    shape: dict[str, Any] = {
        "user_id": e.user_id,
        "project_id": e.project_id or 0,
        "duration": -int(e.start.timestamp()) if e.running else e.duration,
    }
    if e.description:
        shape["description"] = e.description
    if e.stop is not None and not e.running:
        shape["stop"] = iso_offset(e.stop)
    return shape
