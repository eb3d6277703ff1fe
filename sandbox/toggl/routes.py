"""The Toggl v9 endpoints the hub uses, under /api/v9, named and shaped as in the official spec.

`/me/time_entries` reads only the caller's entries, like the real API; workspace endpoints check
membership (403 "User does not have access to this resource.") and let workspace admins change
their team's entries.

History limits of `/me/time_entries` (Toggl states them loosely; its staff report them):
- no parameters: the entries started in the last 9 days ("If start_date and end_date are not
  specified, time entries started during the last 9 days are returned", toggl/toggl_api_docs
  chapters/time_entries.md; Toggl's watchOS team in toggl/watchos-app#59: "the last 9 days by
  default"; its mobile team in toggl/mobileapp#536: "By default we get 10 days of data");
- `since` or `start_date` further back than 3 months: 400 (toggl/mobileapp#405, Toggl's mobile team:
  "API will fail when asking for >3 months ago"; toggl/toggl_api_docs#294, Toggl staff: "For fetching
  time entries for longer period than 3 months use the reporting API", answered 400 "Invalid start
  date"). The Reports API (`reports.py`) serves longer periods.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from sandbox.emulator import ApiError
from sandbox.toggl import entries, projects, shapes
from sandbox.toggl.store import TogglStore, User

if TYPE_CHECKING:
    from sandbox.toggl.emulator import TogglEmulator

SINCE_AND_BEFORE = "'since' and 'before' can not be present simultaneously"
DEFAULT_HISTORY = timedelta(days=9)  # what a read without parameters returns (see above)
HISTORY_LIMIT = timedelta(days=90)  # "about 3 months": older `since` / `start_date` are refused
START_TOO_OLD = "Invalid start date"  # the recorded 400 body for a start_date out of range
SINCE_TOO_OLD = "Invalid since: entries modified more than 3 months ago can not be listed"  # our wording
MAX_PER_PAGE = 200  # "Number of items per page, default 151. Cannot exceed 200."
DEFAULT_PER_PAGE = 151


def register(router: APIRouter, emulator: TogglEmulator) -> None:
    _register_me(router, emulator)
    _register_writes(router, emulator)
    _register_workspace(router, emulator)


def _register_me(router: APIRouter, emulator: TogglEmulator) -> None:

    @router.get("/me")
    async def get_me(request: Request) -> Response:
        user = emulator.caller(request)
        body = shapes.me(user, emulator.now())
        if _flag(request, "with_related_data"):
            body |= _related(emulator.store, user, emulator.now())
        return JSONResponse(body)

    @router.get("/me/workspaces")
    async def my_workspaces(request: Request) -> Response:
        """The caller's workspaces, each with her `role` there (`admin` is its deprecated twin)."""
        user = emulator.caller(request)
        mine = [w for w in emulator.store.workspaces.values() if user.id in w.members]
        return JSONResponse([shapes.workspace(w, user, emulator.store) for w in mine])

    @router.get("/me/quota")
    async def get_quota(request: Request) -> Response:
        return JSONResponse(emulator.quota_report(emulator.caller(request)))

    @router.get("/me/time_entries")
    async def list_entries(request: Request) -> Response:
        user = emulator.caller(request)
        found = emulator.store.entries_of(user.id, **_entry_filters(request, emulator.now()))
        meta = _flag(request, "meta")
        return JSONResponse([shapes.entry(emulator.store, e, meta=meta, listed=True) for e in found])

    # Before /me/time_entries/{time_entry_id}: the first matching route answers.
    @router.get("/me/time_entries/current")
    async def current_entry(request: Request) -> Response:
        running = emulator.store.running_entry(emulator.caller(request).id)
        return JSONResponse(shapes.entry(emulator.store, running) if running else None)

    @router.get("/me/time_entries/{time_entry_id}")
    async def get_entry(time_entry_id: int, request: Request) -> Response:
        user = emulator.caller(request)
        entry = emulator.store.entries.get(time_entry_id)
        if entry is None or entry.deleted or entry.user_id != user.id:
            raise ApiError(404, "Resource can not be found")
        return JSONResponse(shapes.entry(emulator.store, entry, meta=_flag(request, "meta")))


def _register_writes(router: APIRouter, emulator: TogglEmulator) -> None:
    one = "/workspaces/{workspace_id}/time_entries/{time_entry_id}"

    @router.post("/workspaces/{workspace_id}/time_entries")
    async def create(workspace_id: int, request: Request) -> Response:
        user = emulator.caller(request)
        workspace = emulator.store.workspace_for(user, workspace_id)
        entry = entries.create_entry(emulator.store, user, workspace, await _json(request), emulator.now())
        return JSONResponse(shapes.entry(emulator.store, entry, written=True, meta=_flag(request, "meta")))

    @router.put(one)
    async def update(workspace_id: int, time_entry_id: int, request: Request) -> Response:
        user = emulator.caller(request)
        workspace = emulator.store.workspace_for(user, workspace_id)
        entry = emulator.store.entry_for_write(user, workspace, time_entry_id)
        body = await _json(request)
        updated = entries.update_entry(emulator.store, user, workspace, entry, body, emulator.now())
        return JSONResponse(shapes.entry(emulator.store, updated, written=True, meta=_flag(request, "meta")))

    @router.delete(one)
    async def delete(workspace_id: int, time_entry_id: int, request: Request) -> Response:
        user = emulator.caller(request)
        entry = emulator.store.entry_for_write(
            user, emulator.store.workspace_for(user, workspace_id), time_entry_id
        )
        entries.delete_entry(entry, emulator.now())
        # "Returns only status code." Streamed (chunked) rather than `Content-Length: 0`: with a
        # length of 0 the client has its answer with the headers, before the sandbox's gate has
        # logged and saved the request on the final body message.
        return StreamingResponse(iter(()), status_code=200)

    @router.patch(one + "/stop")
    async def stop(workspace_id: int, time_entry_id: int, request: Request) -> Response:
        user = emulator.caller(request)
        entry = emulator.store.entry_for_write(
            user, emulator.store.workspace_for(user, workspace_id), time_entry_id
        )
        return JSONResponse(
            shapes.entry(emulator.store, entries.stop_entry(entry, emulator.now()), written=True)
        )


def _register_workspace(router: APIRouter, emulator: TogglEmulator) -> None:

    @router.get("/workspaces/{workspace_id}/projects")
    async def list_projects(workspace_id: int, request: Request) -> Response:
        emulator.store.workspace_for(emulator.caller(request), workspace_id)
        active = request.query_params.get("active", "true")
        if active not in {"true", "false", "both"}:
            raise ApiError(400, "active must be true, false or 'both'")
        found = sorted(
            (p for p in emulator.store.projects.values() if p.workspace_id == workspace_id),
            key=lambda p: (p.name.casefold(), p.id),
        )
        found = [p for p in found if active == "both" or p.active == (active == "true")]
        page, per_page = _paging(request)
        chunk = found[(page - 1) * per_page : page * per_page]
        return JSONResponse([shapes.project(emulator.store, p) for p in chunk])

    @router.post("/workspaces/{workspace_id}/projects")
    async def create_project(workspace_id: int, request: Request) -> Response:
        user = emulator.caller(request)
        workspace = emulator.store.workspace_for(user, workspace_id)
        body = await _json(request)
        created = projects.create_project(emulator.store, user, workspace, body, emulator.now())
        return JSONResponse(shapes.project(emulator.store, created))

    @router.get("/workspaces/{workspace_id}/tags")
    async def list_tags(workspace_id: int, request: Request) -> Response:
        emulator.store.workspace_for(emulator.caller(request), workspace_id)
        found = sorted(
            (t for t in emulator.store.tags.values() if t.workspace_id == workspace_id), key=lambda t: t.name
        )
        return JSONResponse([shapes.tag(t) for t in found])

    @router.get("/workspaces/{workspace_id}/users")
    async def list_users(workspace_id: int, request: Request) -> Response:
        workspace = emulator.store.workspace_for(emulator.caller(request), workspace_id)
        members = [emulator.store.users[user_id] for user_id in workspace.members]
        return JSONResponse([shapes.workspace_user(workspace, u) for u in members])

    @router.get("/workspaces/{workspace_id}/dashboard/all_activity")
    async def all_activity(workspace_id: int, request: Request) -> Response:
        """ "Get last activity for every workspace user" (the operation's summary). The description,
        which `top_activity` shares ("Return objects are same as with ... all_activity"), says "the
        data of 20 latest actions in the workspace or latest activity for every workspace user": the
        20 latest actions are `top_activity`'s, one latest activity per member is `all_activity`'s,
        so this lists one per member, however many. A member's latest activity is her running entry
        when she has one (what the dashboard is for: "what users in the workspace are doing"), else
        the entry she started last. `since` (UNIX seconds; the spec puts it in formData, a GET
        sends it in the query) keeps the activities still going on at or after it."""
        now = emulator.now()
        workspace = emulator.store.workspace_for(emulator.caller(request), workspace_id)
        since = _since(request.query_params.get("since"), now)
        found = emulator.store.latest_activities(workspace, since, now)
        return JSONResponse([shapes.activity(e) for e in found])


# -- request parsing ----------------------------------------------------------------------------


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ApiError(400, "Invalid JSON input") from None


def _entry_filters(request: Request, now: datetime) -> dict[str, datetime | None]:
    query = request.query_params
    if "since" in query and "before" in query:
        raise ApiError(400, SINCE_AND_BEFORE)
    if ("start_date" in query) != ("end_date" in query):
        raise ApiError(400, "start_date and end_date must be used together")
    since = _since(query.get("since"), now)
    start_from = _moment(query.get("start_date"), "start_date")
    if start_from is not None and start_from < now - HISTORY_LIMIT:
        raise ApiError(400, START_TOO_OLD)
    before = _moment(query.get("before"), "before")
    if since is None and start_from is None and before is None:
        start_from = now - DEFAULT_HISTORY
    return {
        "since": since,
        "start_from": start_from,
        "start_until": _moment(query.get("end_date"), "end_date"),
        "before": before,
    }


def _since(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    try:
        since = datetime.fromtimestamp(int(value), UTC)
    except ValueError:
        raise ApiError(400, "since must be a UNIX timestamp") from None
    if since < now - HISTORY_LIMIT:
        raise ApiError(400, SINCE_TOO_OLD)
    return since


def _moment(value: str | None, name: str) -> datetime | None:
    """YYYY-MM-DD (00:00 that day, UTC here) or RFC 3339."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ApiError(400, f"{name} must be YYYY-MM-DD or an RFC 3339 time")
    return parsed.astimezone(UTC)


def _paging(request: Request) -> tuple[int, int]:
    try:
        page = int(request.query_params.get("page", 1))
        per_page = int(request.query_params.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        raise ApiError(400, "page and per_page must be integers") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(400, f"per_page must be between 1 and {MAX_PER_PAGE}")
    return page, per_page


def _related(store: TogglStore, user: User, now: datetime) -> dict[str, Any]:
    """`with_related_data=true`: the user's workspaces and what is in them, and her recent entries."""
    workspaces = [w for w in store.workspaces.values() if user.id in w.members]
    ids = {w.id for w in workspaces}
    recent = store.entries_of(user.id, start_from=now - timedelta(days=9))  # the real window is undocumented
    return {
        "workspaces": [shapes.workspace(w, user, store) for w in workspaces],
        "clients": [
            {
                "id": c.id,
                "wid": c.workspace_id,
                "archived": False,
                "name": c.name,
                "at": shapes.iso_offset(c.at),
            }
            for c in store.clients.values()
            if c.workspace_id in ids
        ],
        "projects": [shapes.project(store, p) for p in store.projects.values() if p.workspace_id in ids],
        "tags": [shapes.tag(t) for t in store.tags.values() if t.workspace_id in ids],
        "time_entries": [shapes.entry(store, e, listed=True) for e in recent],
    }
