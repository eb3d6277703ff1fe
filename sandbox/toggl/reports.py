"""Toggl's Reports API v3 detailed search, served by the Toggl emulator beside v9.

`POST /reports/api/v3/workspace/{workspace_id}/search/time_entries` (toggl-reports-v3.swagger.json,
engineering.toggl.com/docs/reports/detailed_reports; the row shape recorded from the real API is in
NOTES.md §3.3):

- The range is `start_date`..`end_date` (`YYYY-MM-DD`, both inclusive, in the caller's time zone,
  entries by their start). Without dates: the week up to today (the v2 default, "today - 6 days";
  the v3 answer says what it used in `X-Range-Start` / `X-Range-End`). A range over a year is
  refused ("maximum timespan of a report is one year", Toggl staff in toggl/toggl_api_docs#162).
- Running entries are not reported until they stop ("the Reports API ... excludes the currently
  running activity", beauraines/toggl-cli#149); deleted ones are gone.
- Who sees what (support.toggl.com "Access rights and privileges"): a workspace admin sees everyone's
  time; a member sees her own, and other members' time on public projects unless the workspace limits
  public project data to admins. A caller outside the workspace gets 403.
- Pages hold 50 rows ("API results for Detailed Reports are paginated, returning 50 entries at a
  time", engineering.toggl.com/docs/reports_start): a larger `page_size` still gets 50. A page with
  more after it carries `X-Next-ID` and `X-Next-Row-Number`; the client sends the latter back as
  `first_row_number`. Rows are numbered in the report's order, so a row number is a position: an
  entry deleted between two pages shifts the rest up by one (the emulator does not promise more).
- Rows are one entry each; `grouped: true` groups entries sharing user, description, project, task,
  billable and tags. `enrich_response: true` adds names (project, client, tags, email).
- Errors are bare JSON strings, with the spec's documented texts where it has them ("At least one
  parameter must be set", "Invalid '{parameter}' value, allowed values are: '{valid_values}'"); the
  billable filter, a "premium feature", is refused with 402 "Workspace needs to have this feature
  enabled" on the Free plan. Other wording is ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.emulator import ApiError
from sandbox.toggl.shapes import iso_offset
from sandbox.toggl.store import Entry, TogglStore, User, Workspace

if TYPE_CHECKING:
    from sandbox.toggl.emulator import TogglEmulator

PREFIX = "/reports/api/v3"
SEARCH = PREFIX + "/workspace/{workspace_id}/search/time_entries"
PAGE_SIZE = 50
MAX_RANGE = timedelta(days=366)
DEFAULT_SPAN = timedelta(days=6)
ORDER_BY = ("date", "user", "duration", "description", "last_update")
ORDER_DIR = ("ASC", "DESC")
NOT_ACCESSIBLE = "Workspace not found/accessible"
FEATURE_NEEDED = "Workspace needs to have this feature enabled"
NOTHING_SET = "At least one parameter must be set"
ID_FILTERS = ("user_ids", "project_ids", "tag_ids", "client_ids", "time_entry_ids")


@dataclass(frozen=True)
class Search:
    """One detailed search, validated."""

    start: date
    end: date
    filters: dict[str, set[int | None]]
    description: str | None = None
    billable: bool | None = None
    min_seconds: int | None = None
    max_seconds: int | None = None
    grouped: bool = False
    enrich: bool = False
    order_by: str = "date"
    order_dir: str = "DESC"
    page_size: int = PAGE_SIZE
    first_row: int = 1


def register(router: APIRouter, emulator: TogglEmulator) -> None:
    @router.post(SEARCH)
    async def search(workspace_id: int, request: Request) -> Response:
        user = emulator.caller(request)
        workspace = _workspace(emulator.store, user, workspace_id)
        zone = ZoneInfo(user.timezone)
        query = parse_search(await _body(request), emulator.now().astimezone(zone).date())
        if query.billable is not None and not workspace.paid:
            raise ApiError(402, FEATURE_NEEDED)
        rows = report_rows(emulator.store, workspace, user, query, zone)
        chunk = rows[query.first_row - 1 : query.first_row - 1 + query.page_size]
        headers = {"X-Range-Start": query.start.isoformat(), "X-Range-End": query.end.isoformat()}
        following = query.first_row - 1 + query.page_size
        if following < len(rows):
            headers["X-Next-ID"] = str(rows[following]["time_entries"][0]["id"])
            headers["X-Next-Row-Number"] = str(rows[following]["row_number"])
        return JSONResponse(chunk, headers=headers)


def _workspace(store: TogglStore, user: User, workspace_id: int) -> Workspace:
    workspace = store.workspaces.get(workspace_id)
    if workspace is None or user.id not in workspace.members:
        raise ApiError(403, NOT_ACCESSIBLE)
    return workspace


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "Invalid JSON input") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid JSON input")
    if not body:
        raise ApiError(400, NOTHING_SET)
    return body


# -- the query ----------------------------------------------------------------------------------


def parse_search(body: dict[str, Any], today: date) -> Search:
    """The search a body asks for; ApiError(400) with Toggl's wording for what it refuses."""
    end = _date(body, "end_date") or today
    start = _date(body, "start_date") or end - DEFAULT_SPAN
    if end < start:
        raise ApiError(400, "end_date must not be earlier than start_date")
    if end - start > MAX_RANGE:
        raise ApiError(400, "The maximum date range of a report is one year")
    return Search(
        start=start,
        end=end,
        filters={name: _ids(body, name) for name in ID_FILTERS if body.get(name) is not None},
        description=_typed(body, "description", str),
        billable=_typed(body, "billable", bool),
        min_seconds=_typed(body, "min_duration_seconds", int),
        max_seconds=_typed(body, "max_duration_seconds", int),
        grouped=_typed(body, "grouped", bool) or False,
        enrich=_typed(body, "enrich_response", bool) or False,
        order_by=_choice(body, "order_by", ORDER_BY, "date"),
        order_dir=_choice(body, "order_dir", ORDER_DIR, "DESC"),
        page_size=min(_positive(body, "page_size", PAGE_SIZE), PAGE_SIZE),
        first_row=_positive(body, "first_row_number", 1),
    )


def _date(body: dict[str, Any], name: str) -> date | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:  # time.DateOnly: "2006-01-02"
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ApiError(400, f"Invalid '{name}' value, expected a date like 2006-01-02")


def _typed(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    # JSON true is an int to Python, not a number to Toggl.
    if value is None or (isinstance(value, kind) and (kind is bool or not isinstance(value, bool))):
        return value
    raise ApiError(400, f"Invalid '{name}' value")


def _positive(body: dict[str, Any], name: str, default: int) -> int:
    value = _typed(body, name, int)
    if value is None:
        return default
    if value < 1:
        raise ApiError(400, f"Invalid '{name}' value")
    return int(value)


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = body.get(name, default)
    if value not in allowed:
        raise ApiError(400, f"Invalid '{name}' value, allowed values are: '{', '.join(allowed)}'")
    return str(value)


def _ids(body: dict[str, Any], name: str) -> set[int | None]:
    # "To filter records with no projects, use [null]" (and so for clients, tags and tasks).
    values = body[name]
    if not isinstance(values, list) or not all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values
    ):
        raise ApiError(400, f"Invalid '{name}' value")
    return set(values)


# -- the rows -----------------------------------------------------------------------------------


def report_rows(
    store: TogglStore, workspace: Workspace, user: User, query: Search, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Every row the search matches, in its order, numbered from 1."""
    entries = [e for e in store.entries.values() if _reported(store, workspace, user, e, query, zone)]
    entries.sort(key=_sort_key(store, query.order_by), reverse=query.order_dir == "DESC")
    groups: dict[tuple[Any, ...], list[Entry]] = {}
    for entry in entries:
        key = _group_key(entry) if query.grouped else (entry.id,)
        groups.setdefault(key, []).append(entry)
    return [
        _row(store, members, number, query.enrich, zone)
        for number, members in enumerate(groups.values(), start=1)
    ]


def _reported(
    store: TogglStore, workspace: Workspace, user: User, entry: Entry, query: Search, zone: ZoneInfo
) -> bool:
    if entry.workspace_id != workspace.id or entry.deleted or entry.running:
        return False
    if not query.start <= entry.start.astimezone(zone).date() <= query.end:
        return False
    return visible(store, workspace, user, entry) and _matches(store, entry, query)


def visible(store: TogglStore, workspace: Workspace, user: User, entry: Entry) -> bool:
    """Admins see everyone's time; members their own, and public projects' unless limited."""
    if user.id in workspace.admins or entry.user_id == user.id:
        return True
    project = store.projects.get(entry.project_id) if entry.project_id is not None else None
    return project is not None and not project.is_private and not workspace.limit_public_project_data


def _matches(store: TogglStore, entry: Entry, query: Search) -> bool:
    project = store.projects.get(entry.project_id) if entry.project_id is not None else None
    facets: dict[str, set[int | None]] = {
        "user_ids": {entry.user_id},
        "project_ids": {entry.project_id},
        "client_ids": {project.client_id if project else None},
        "tag_ids": set(entry.tag_ids or []) or {None},
        "time_entry_ids": {entry.id},
    }
    if any(not (facets[name] & wanted) for name, wanted in query.filters.items()):
        return False
    wanted_text = (query.description or "").casefold()
    described = not wanted_text or wanted_text in (entry.description or "").casefold()
    return described and _within(entry, query)


def _within(entry: Entry, query: Search) -> bool:
    return (
        (query.billable is None or entry.billable == query.billable)
        and (query.min_seconds is None or entry.duration >= query.min_seconds)
        and (query.max_seconds is None or entry.duration <= query.max_seconds)
    )


def _sort_key(store: TogglStore, order_by: str) -> Callable[[Entry], tuple[Any, ...]]:
    keys: dict[str, Callable[[Entry], Any]] = {
        "date": lambda e: e.start,
        "user": lambda e: store.users[e.user_id].fullname.casefold(),
        "duration": lambda e: e.duration,
        "description": lambda e: (e.description or "").casefold(),
        "last_update": lambda e: e.at,
    }
    primary = keys[order_by]
    return lambda e: (primary(e), e.start, e.id)


def _group_key(entry: Entry) -> tuple[Any, ...]:
    tags = tuple(sorted(entry.tag_ids or []))
    return (entry.user_id, entry.description or "", entry.project_id, entry.billable, tags)


def _row(
    store: TogglStore, members: list[Entry], number: int, enrich: bool, zone: ZoneInfo
) -> dict[str, Any]:
    first = members[0]
    user = store.users[first.user_id]
    row: dict[str, Any] = {
        "user_id": user.id,
        "username": user.fullname,
        "project_id": first.project_id,
        "task_id": None,
        "billable": first.billable,
        "description": first.description or "",
        "tag_ids": list(first.tag_ids or []),
        "billable_amount_in_cents": None,
        "hourly_rate_in_cents": None,
        "currency": "EUR",
        "time_entries": [_entry(e, zone) for e in sorted(members, key=lambda e: (e.start, e.id))],
        "row_number": number,
    }
    if enrich:
        row |= _names(store, first, user)
    return row


def _entry(entry: Entry, zone: ZoneInfo) -> dict[str, Any]:
    assert entry.stop is not None, "running entries are not reported"
    at = entry.at.replace(microsecond=0)
    return {
        "id": entry.id,
        "seconds": entry.duration,
        "start": _local(entry.start, zone),
        "stop": _local(entry.stop, zone),
        "at": iso_offset(at),
        "at_tz": _local(at, zone),
    }


def _local(moment: datetime, zone: ZoneInfo) -> str:
    """The caller's wall clock with its offset, as the real rows show it ("...T07:00:00+02:00")."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _names(store: TogglStore, entry: Entry, user: User) -> dict[str, Any]:
    project = store.projects.get(entry.project_id) if entry.project_id is not None else None
    client = store.clients.get(project.client_id) if project and project.client_id is not None else None
    return {
        "project_name": project.name if project else None,
        "project_color": project.color if project else None,
        "project_hex": project.color if project else None,
        "client_name": client.name if client else None,
        "tag_names": list(entry.tags or []),
        "email": user.email,
        "task_name": None,
    }
