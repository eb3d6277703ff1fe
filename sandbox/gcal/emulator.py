"""A local Google Calendar v3 (one calendar per sandbox business) plus its OAuth token endpoint.

- Base path `/calendar/v3`; the token endpoint `POST /token` at the root (settings' `token_uri`).
  Faults never touch the token endpoint: it answers OAuth error bodies, not Calendar ones.
- Authentication: only access tokens this emulator issued and that have not expired; anything else is
  the real 401 `authError` "Invalid Credentials" (NOTES.md §2.5).
- Rate limit: 600 requests per minute per user (NOTES.md §2.4), counted per token OWNER so a refreshed
  token does not reset the count. Exceeding it answers 403 `usageLimits`/`userRateLimitExceeded`
  "User Rate Limit Exceeded": the per-user quota is the one a single hub meets, and that is the
  documented example for it. No Retry-After, as documented.
- Storms (the `storm` fault) answer in one of the three forms the Calendar documents for "slow down"
  (`STORM_FORMS`), chosen at random unless the `storm_forms` fault narrows them: "we will return a 403
  usageLimits response or a 429 response" (https://developers.google.com/workspace/calendar/api/guides/quota),
  with the bodies of https://developers.google.com/calendar/api/guides/errors (403
  `userRateLimitExceeded`, 403 `rateLimitExceeded`, 429 `rateLimitExceeded`).
- Undetected id collisions (`silent_duplicates`, `duplicate_forms`): see `quirks.py`.

One-shot actions (`POST /_sandbox/actions/{name}`, or the methods below from Python):
`expire_sync_tokens`, `expire_access_tokens`, `purge_deleted`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.business import Business
from sandbox.emulator import ApiError, Emulator, sandbox_action
from sandbox.gcal import oauth
from sandbox.gcal.oauth import TokenIssuer
from sandbox.gcal.quirks import DUPLICATE_FORMS
from sandbox.gcal.routes import TOKEN_PATH, register, register_token
from sandbox.gcal.seed import seed_store
from sandbox.gcal.store import CalendarStore
from sandbox.limits import Window

# The credential the gate sees for token-endpoint calls: they carry no bearer token and are not
# counted against the Calendar quota.
TOKEN_CLIENT = "oauth-token-endpoint"
# Reason and message per status when a handler gives none (https://developers.google.com/calendar/api/guides/errors).
DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("badRequest", "Bad Request"),
    401: ("authError", "Invalid Credentials"),
    403: ("forbidden", "Forbidden"),
    404: ("notFound", "Not Found"),
    405: ("httpMethodNotAllowed", "Method Not Allowed"),
    409: ("duplicate", "The requested identifier already exists."),
    410: ("deleted", "Resource has been deleted"),
    412: ("conditionNotMet", "Precondition Failed"),
    429: ("rateLimitExceeded", "Rate Limit Exceeded"),
    500: ("backendError", "Backend Error"),
    502: ("backendError", "Bad Gateway"),
    503: ("backendError", "Backend Error"),
}
# The Calendar's rate-limit answers: form name -> (status, reason, message), all in domain usageLimits.
STORM_FORMS: dict[str, tuple[int, str, str]] = {
    "403 userRateLimitExceeded": (403, "userRateLimitExceeded", "User Rate Limit Exceeded"),
    "403 rateLimitExceeded": (403, "rateLimitExceeded", "Rate Limit Exceeded"),
    "429 rateLimitExceeded": (429, "rateLimitExceeded", "Rate Limit Exceeded"),
}


class GoogleCalendarEmulator(Emulator):
    service = "google"
    prefix = "/calendar/v3"
    windows: ClassVar[tuple[Window, ...]] = (Window(600, 60.0),)
    fault_forms: ClassVar[dict[str, tuple[str, ...]]] = {
        "storm_forms": tuple(STORM_FORMS),
        "duplicate_forms": DUPLICATE_FORMS,
    }
    fault_exempt_paths: ClassVar[frozenset[str]] = frozenset({TOKEN_PATH})

    def __init__(self, business: Business | Sequence[Business], **options: Any) -> None:
        businesses = (business,) if isinstance(business, Business) else tuple(business)
        owner = next(p.email for p in businesses[0].people if p.role == "owner")
        self.issuer = TokenIssuer(owner, frozenset(p.email for b in businesses for p in b.people))
        self.calendars: dict[str, CalendarStore] = {}
        # Wall-clock time by default, not the business's: google-auth stamps its assertions (iat, exp)
        # and reads token lifetimes with the real clock, and the token endpoint must agree with it.
        options.setdefault("clock", lambda: datetime.now(UTC))
        super().__init__(business, **options)

    # -- one-shot actions ----------------------------------------------------------------------

    @sandbox_action
    def expire_sync_tokens(self) -> None:
        """Every sync token issued so far answers 410 `fullSyncRequired` from now on."""
        for store in self.calendars.values():
            store.sync_epoch += 1
        self.save()

    @sandbox_action
    def expire_access_tokens(self) -> None:
        """Every access token issued so far answers 401 from now on; clients must refresh."""
        self.issuer.expire_all()
        self.save()

    @sandbox_action
    def fail_token_requests(self, count: int = 1, form: str = "unavailable") -> None:
        """The next `count` token requests fail: `unavailable` (503), `rate_limited` (429), `truncated`.

        Not the grant's fault, so a client should retry them (the token endpoint is exempt from the
        fault knobs, whose bodies are Calendar API ones, not OAuth ones).
        """
        self.issuer.fail_next(count, form)

    @sandbox_action
    def purge_deleted(self) -> list[str]:
        """Deleted events disappear for good (later reads, writes and deletes of them answer 404)."""
        purged = self.store.purge_cancelled()
        # A sync token from before the purge could no longer report those deletions: the sandbox
        # voids them all, as a service that forgets deletions must (a sandbox choice).
        self.store.sync_epoch += 1
        self.save()
        return purged

    def calendar(self, calendar_id: str) -> CalendarStore:
        """One business's calendar; `primary` is the first business's (its owner's token)."""
        found = self.store if calendar_id == "primary" else self.calendars.get(calendar_id)
        if found is None:
            raise ApiError(404, "Not Found", "notFound", domain="global")
        return found

    # -- Emulator ------------------------------------------------------------------------------

    def seed(self, businesses: tuple[Business, ...]) -> None:
        self._keep([seed_store(business) for business in businesses])

    def _keep(self, stores: list[CalendarStore]) -> None:
        self.store = stores[0]  # the demo business's calendar
        self.calendars = {store.calendar_id: store for store in stores}

    def register_routes(self, router: APIRouter) -> None:
        register(router, self)

    def register_root_routes(self, router: APIRouter) -> None:
        register_token(router, self)

    def identify(self, request: Request) -> str | None:
        if request.url.path == TOKEN_PATH:
            return TOKEN_CLIENT
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.issuer.owner_of(token.strip(), self.now())

    def unauthenticated(self, request: Request) -> Response:
        response = self.error(
            401,
            "Invalid Credentials",
            "authError",
            domain="global",
            locationType="header",
            location="Authorization",
        )
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        )
        return response

    def error(
        self, status: int, message: str | None = None, code: str | None = None, **extra: Any
    ) -> Response:
        reason, default_message = DEFAULT_ERRORS.get(status, ("backendError", "Backend Error"))
        detail = {
            "domain": extra.pop("domain", "global"),
            "reason": code or reason,
            "message": message or default_message,
        }
        detail.update({key: str(value) for key, value in extra.items()})
        body = {"error": {"errors": [detail], "code": status, "message": detail["message"]}}
        return JSONResponse(body, status_code=status)

    def rate_limited(self, retry_after: float, credential: str) -> Response:
        return self._usage_limit("403 userRateLimitExceeded")

    def storm_response(self, credential: str) -> Response:
        return self._usage_limit(self.faults.choose(self.faults.storm_forms or tuple(STORM_FORMS)))

    def _usage_limit(self, form: str) -> Response:
        status, reason, message = STORM_FORMS[form]
        return self.error(status, message, reason, domain="usageLimits")  # no Retry-After, as documented

    def check_limits(self, credential: str, request: Request) -> Response | None:
        if credential == TOKEN_CLIENT:
            return None
        for counter in self._limits:
            if counter.hit(credential) is not None:
                return self.rate_limited(0.0, credential)
        return None

    def settings_update(self, root_url: str) -> dict[str, Any]:
        return {
            "base_url": root_url + self.prefix,
            "token_uri": root_url + TOKEN_PATH,
            "client_id": oauth.CLIENT_ID,
            "client_secret": oauth.CLIENT_SECRET,
            "refresh_token": oauth.REFRESH_TOKEN,
        }

    def dump_state(self) -> dict[str, Any]:
        others = [store.dump() for store in self.calendars.values() if store is not self.store]
        return {"calendar": self.store.dump(), "calendars": others, "access_tokens": self.issuer.dump()}

    def load_state(self, data: dict[str, Any]) -> None:
        stores = [CalendarStore.load(data["calendar"])]
        self._keep(stores + [CalendarStore.load(other) for other in data.get("calendars", [])])
        self.issuer.load(data.get("access_tokens", {}))
