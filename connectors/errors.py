"""Connector errors, grouped by what the caller does next.

    ConnectorError                 base; str() is safe to show a user, never holds a body or a secret
    ├── AuthError                  fix the credentials (or re-authorise), then run again
    ├── RateLimited                wait `retry_after` seconds, then retry
    ├── Unavailable                the service or the network failed; retry later
    ├── Conflict                   the item moved under us; re-read and re-plan it
    ├── NotFound                   the item is gone (after a re-check, treat as deleted)
    ├── CursorExpired              the incremental cursor is dead; do a full read
    ├── PlanRequired               the service's plan lacks a feature the request used; no wait helps
    └── BadData                    the request or the response is malformed; skip the item, report it

Conflict, NotFound and BadData are also the engine's item-level errors (`sync.errors`): the applier
records them and goes on with the next item; the others stop a run's writes.

HTTP statuses become errors through `classify()`: a service-specific table keyed by (service, status,
service error code), then a table keyed by status. Both are data, not an if-chain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from sync.errors import ItemConflict, ItemGone, ItemRejected

BODY_LIMIT = 500


class ConnectorError(Exception):
    """A failed call to a service. Details are attributes; `str()` is the safe summary."""

    action = "see the service's status and try again"

    def __init__(
        self,
        message: str,
        *,
        service: str,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        body: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.service = service
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.request_id = request_id
        self.body = body[:BODY_LIMIT] if body else body
        self.retry_after = retry_after


class AuthError(ConnectorError):
    action = "check the credentials for this service, or re-authorise the hub"


class RateLimited(ConnectorError):
    action = "the hub waits and retries; if this persists, lower the sync frequency"


class Unavailable(ConnectorError):
    action = "the service or the network is down; the next run will retry"


class Conflict(ConnectorError, ItemConflict):
    action = "the item changed while the hub was writing; it will be re-read and re-planned"


class NotFound(ConnectorError, ItemGone):
    action = "the item is gone or not shared with the hub"


class CursorExpired(ConnectorError):
    action = "the incremental cursor expired; the next read is a full one"


class PlanRequired(ConnectorError):
    action = "upgrade the service's plan for this workspace, or turn off what the hub uses it for"


class BadData(ConnectorError, ItemRejected):
    action = "the item is skipped and reported"


# What each status means for the caller, whatever the service.
STATUS_TABLE: dict[int, type[ConnectorError]] = {
    400: BadData,
    401: AuthError,
    403: AuthError,
    404: NotFound,
    409: Conflict,
    410: NotFound,
    412: Conflict,
    413: BadData,
    422: BadData,
    429: RateLimited,
    500: Unavailable,
    502: Unavailable,
    503: Unavailable,
    504: Unavailable,
    529: Unavailable,  # Notion's service_overload
}

# Where a service gives a status a meaning of its own, keyed by (service, status, error code).
# A code of None matches any code for that status.
SERVICE_TABLE: dict[tuple[str, int, str | None], type[ConnectorError]] = {
    ("google", 403, "rateLimitExceeded"): RateLimited,
    ("google", 403, "userRateLimitExceeded"): RateLimited,
    ("google", 403, "quotaExceeded"): RateLimited,
    ("google", 410, "fullSyncRequired"): CursorExpired,
    ("google", 410, "updatedMinTooLongAgo"): CursorExpired,
    # Toggl answers 402 when the hourly quota is spent (support.toggl.com/en/articles/11484112; the
    # reset time is in a header), and 402 when "the workspace should be upgraded to have access to
    # said feature" (engineering.toggl.com/docs), which no wait fixes. `_toggl_body` tells them apart;
    # a 402 it cannot place (no quota header, a text it does not know) is taken for the quota, the
    # documented meaning of an unexplained 402, and retried no sooner than the backoff allows.
    ("toggl", 402, None): RateLimited,
    ("toggl", 402, "quota_exceeded"): RateLimited,
    ("toggl", 402, "plan_feature"): PlanRequired,
}

# Toggl's texts for a plan feature the workspace lacks (the 402 descriptions of the official v9 and
# Reports v3 specs); the named feature, when the text names one, goes into the error's message.
TOGGL_PLAN_TEXTS = (
    re.compile(r"Workspace needs to have the (?P<feature>.{1,60}?) feature enabled"),
    re.compile(r"Must be a premium user to use (?P<feature>[\w ]{1,60})"),
    re.compile(r"(?P<feature>[\w ]{1,60}?) (?:is|are) a premium feature"),
    re.compile(r"(?P<feature>[\w ]{1,60}?) (?:is|are) available for [\w ]{1,40} plans"),
    re.compile(r"(?P<feature>[\w ]{1,60}?) requires a premium subscription"),
    re.compile(r"Workspace needs to have this feature enabled|Available only for premium workspaces"),
)


@dataclass(frozen=True)
class ErrorBody:
    code: str | None
    message: str | None
    request_id: str | None = None
    feature: str | None = None  # the plan feature a 402 names (a service's fixed text, never data)


def _json_or_none(response: httpx.Response) -> object:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _trello_body(response: httpx.Response) -> ErrorBody:
    # Plain text for most errors ("invalid token"), JSON {"error", "message"} for 429s.
    data = _json_or_none(response)
    if isinstance(data, dict):
        return ErrorBody(_str(data.get("error")), _str(data.get("message")))
    return ErrorBody(None, response.text.strip() or None)


def _google_body(response: httpx.Response) -> ErrorBody:
    data = _json_or_none(response)
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return ErrorBody(None, None)
    details = error.get("errors") or [{}]
    reason = details[0].get("reason") if isinstance(details[0], dict) else None
    return ErrorBody(_str(reason), _str(error.get("message")))


def _toggl_body(response: httpx.Response) -> ErrorBody:
    # A bare JSON string ("'since' and 'before' can not be present simultaneously") or plain text.
    # Toggl sends no error codes; the code names what the headers and the text tell apart: a spent
    # hourly quota, a plan feature the workspace lacks, a request without credentials.
    data = _json_or_none(response)
    message = (data if isinstance(data, str) else response.text.strip()) or None
    request_id = response.headers.get("X-Toggl-Request-Id")
    if response.status_code == 402:
        code, feature = _toggl_402(response, message or "")
        return ErrorBody(code, message, request_id, feature)
    code = None
    if response.status_code == 401 and response.headers.get("X-Authorization-Missing") == "true":
        code = "authorization_missing"
    return ErrorBody(code, message, request_id)


def _toggl_402(response: httpx.Response, message: str) -> tuple[str | None, str | None]:
    """(code, feature) of a 402: the quota when its header says none is left; a plan feature when a
    quota is left or the text is one of Toggl's plan texts; unknown otherwise."""
    remaining = response.headers.get("X-Toggl-Quota-Remaining")
    if remaining == "0":
        return "quota_exceeded", None
    match = next((m for m in (p.search(message) for p in TOGGL_PLAN_TEXTS) if m), None)
    if match is None:
        return ("plan_feature", None) if remaining is not None else (None, None)
    return "plan_feature", match.groupdict().get("feature")


def _notion_body(response: httpx.Response) -> ErrorBody:
    data = _json_or_none(response)
    if not isinstance(data, dict):
        return ErrorBody(None, None)
    return ErrorBody(_str(data.get("code")), _str(data.get("message")), _str(data.get("request_id")))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


ERROR_BODIES: dict[str, Callable[[httpx.Response], ErrorBody]] = {
    "trello": _trello_body,
    "google": _google_body,
    "toggl": _toggl_body,
    "notion": _notion_body,
}


def read_error_body(service: str, response: httpx.Response) -> ErrorBody:
    parser = ERROR_BODIES.get(service)
    return parser(response) if parser else ErrorBody(None, None)


def classify(service: str, status: int, code: str | None) -> type[ConnectorError]:
    """The error class for a failed response."""
    for key in ((service, status, code), (service, status, None)):
        if key in SERVICE_TABLE:
            return SERVICE_TABLE[key]
    if status in STATUS_TABLE:
        return STATUS_TABLE[status]
    return Unavailable if status >= 500 else BadData
