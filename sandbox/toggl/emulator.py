"""The Toggl Track emulator: the hub's API v9 endpoints under /api/v9 and the Reports API v3 detailed
search under /reports/api/v3 (`reports.py`), with Toggl's auth, errors and limits.

- Auth: HTTP Basic `<api token>:api_token`. No Authorization header: 401 with an empty body and
  `X-Authorization-Missing: true` (recorded); a wrong token: 403 ("If authentication fails, HTTP
  status code 403 is returned"), body a JSON string.
- Errors: a bare JSON string with `application/json` ("'since' and 'before' can not be present
  simultaneously"), as Toggl sends them.
- Limits (see `limits.py`): 1 request/s per token (429), the hourly quotas (402) with
  `X-Toggl-Quota-Remaining` / `X-Toggl-Quota-Resets-In` on every authenticated answer. The gate's
  hooks only get the credential, so `identify()` returns "<user id>/<bucket>", the quota bucket being
  decided by the path (`/me...` or a workspace).
- Time: the sandbox's clock starts at the business's `now` and runs on from there, so that entries
  written during a run come after the seeded ones.
"""

from __future__ import annotations

import base64
import binascii
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.business import Business
from sandbox.emulator import Emulator, sandbox_action
from sandbox.toggl import reports, routes
from sandbox.toggl.limits import PLAN_QUOTAS, Bucket, TogglLimits
from sandbox.toggl.seed import hub_person, seed_store, token_for
from sandbox.toggl.store import TogglStore, User

BAD_CREDENTIALS = "Incorrect username and/or password"  # wording unverified; the status is documented
TOO_FAST = "Too Many Requests"
QUOTA_SPENT = "You have hit your hourly API quota; it resets in {seconds} seconds"  # wording unverified


class TogglEmulator(Emulator):
    """Toggl Track for the demo business. `limit_clock` drives both limits (tests pass a fake)."""

    service = "toggl"
    prefix = "/api/v9"
    windows = ()  # the 1 request/s bucket lives in TogglLimits, whose clock tests can move

    def __init__(self, business: Business, **options: Any) -> None:
        self.store = TogglStore()
        super().__init__(business, **options)
        self.limits = TogglLimits(enforced=self.rate_limits, clock=self.limit_clock, plan=self.plan)

    @property
    def plan(self) -> str:
        """The organization's plan (the demo business is on Starter)."""
        return next(iter(self.store.workspaces.values())).plan

    @sandbox_action
    def set_plan(self, plan: str) -> None:
        """Move the organization to another plan ("free", "starter", "premium"): its hourly quota
        for workspace requests and the "premium" features it has (support.toggl.com/en/articles/11484112)."""
        if plan not in PLAN_QUOTAS:
            raise ValueError(f"unknown Toggl plan {plan!r}; known: {sorted(PLAN_QUOTAS)}")
        for workspace in self.store.workspaces.values():
            workspace.plan = plan
        self.limits.totals["org"] = PLAN_QUOTAS[plan]
        self.save()

    @sandbox_action
    def limit_public_project_data(self, limited: bool = True) -> None:
        """Set every workspace's "limit public project data" setting: with it on, members who are not
        admins no longer see public projects' data in reports (the workspace object's
        `limit_public_project_data`, engineering.toggl.com/docs/api/workspaces)."""
        for workspace in self.store.workspaces.values():
            workspace.limit_public_project_data = limited
        self.save()

    # -- state --------------------------------------------------------------------------------

    def seed(self, businesses: tuple[Business, ...]) -> None:
        self.store = seed_store(businesses[0])
        hub_user = hub_person(businesses[0]).toggl_user_id
        for business in businesses[1:]:
            seed_store(business, self.store)
        for workspace in self.store.workspaces.values():
            # The hub's token (the first business's OBM) administers every client's workspace, as an
            # OBM who runs several businesses' time tracking does.
            if hub_user is not None and hub_user not in workspace.admins:
                workspace.members.append(hub_user)
                workspace.admins.append(hub_user)

    def dump_state(self) -> dict[str, Any]:
        return self.store.dump()

    def load_state(self, data: dict[str, Any]) -> None:
        self.store = TogglStore.load(data)

    def register_routes(self, router: APIRouter) -> None:
        routes.register(router, self)

    def register_root_routes(self, router: APIRouter) -> None:
        reports.register(router, self)  # the Reports API v3 lives under its own base path

    def settings_update(self, root_url: str) -> dict[str, Any]:
        return {"base_url": root_url + self.prefix, "api_token": token_for(hub_person(self.business))}

    # -- authentication -----------------------------------------------------------------------

    def identify(self, request: Request) -> str | None:
        user = self._user(request)
        return None if user is None else str(user.id)

    def _bucket(self, request: Request) -> Bucket:
        """Requests about the user count against the user's quota, the rest against the plan's."""
        return "me" if request.url.path.startswith(self.prefix + "/me") else "org"

    def caller(self, request: Request) -> User:
        """The authenticated user (the gate has already refused anyone else)."""
        user = self._user(request)
        assert user is not None, "the gate lets only authenticated requests through"
        return user

    def _user(self, request: Request) -> User | None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            username, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return self.store.user_by_token(username) if password == "api_token" else None

    def unauthenticated(self, request: Request) -> Response:
        if "Authorization" not in request.headers:
            return Response(status_code=401, headers={"X-Authorization-Missing": "true"})
        return self.error(403, BAD_CREDENTIALS)

    # -- errors and limits --------------------------------------------------------------------

    def error(
        self, status: int, message: str | None = None, code: str | None = None, **extra: Any
    ) -> Response:
        return JSONResponse(message or HTTPStatus(status).phrase, status_code=status)

    def rate_limited(self, retry_after: float, credential: str) -> Response:
        """429 without `Retry-After`: Toggl documents the status and "a safe window will be 1 request
        per second", never the header (engineering.toggl.com/docs, NOTES.md §3.5). The `retry_after`
        fault knob adds it (a storm only reaches the requests its knobs apply to)."""
        return self._too_fast(retry_after, header=self.faults.retry_after)

    def _too_fast(self, retry_after: float, *, header: bool) -> Response:
        response = self.error(429, TOO_FAST)
        if header:
            response.headers["Retry-After"] = str(max(1, round(retry_after)))
        return response

    def check_limits(self, credential: str, request: Request) -> Response | None:
        refusal = self.limits.admit(int(credential), self._bucket(request))
        if refusal is None:
            return None
        if refusal.status == 429:
            # The knob obeys path_pattern and methods, like every knob.
            knob = self.faults.retry_after and self.faults.applies_to(request.method, request.url.path)
            return self._too_fast(refusal.retry_after, header=knob)
        return self.error(402, QUOTA_SPENT.format(seconds=round(refusal.retry_after)))

    def response_headers(self, credential: str | None, request: Request) -> dict[str, str]:
        return self.limits.headers(int(credential), self._bucket(request)) if credential else {}

    def quota_report(self, user: User) -> list[dict[str, Any]]:
        """`GET /me/quota`: the user-level bucket (organization null), then the organization's."""
        organizations = sorted(
            {w.organization_id for w in self.store.workspaces.values() if user.id in w.members}
        )
        buckets: list[tuple[int | None, Bucket]] = [(None, "me"), *((o, "org") for o in organizations)]
        report = []
        for organization, bucket in buckets:
            remaining, resets_in = self.limits.remaining(user.id, bucket)
            report.append(
                {
                    "organization_id": organization,
                    "remaining": remaining,
                    "resets_in_secs": resets_in,
                    "total": self.limits.totals[bucket],
                }
            )
        return report
