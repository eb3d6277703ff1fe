"""The status table: what each failure means for the caller, per service."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.errors import (
    AuthError,
    BadData,
    Conflict,
    CursorExpired,
    NotFound,
    RateLimited,
    Unavailable,
    classify,
    read_error_body,
)
from tests.connectors.helpers import make_core


@pytest.mark.parametrize(
    ("service", "status", "code", "expected"),
    [
        ("trello", 400, None, BadData),
        ("trello", 401, None, AuthError),
        ("notion", 403, "restricted_resource", AuthError),
        ("notion", 404, "object_not_found", NotFound),
        ("notion", 409, "conflict_error", Conflict),
        ("google", 412, None, Conflict),
        ("notion", 429, "rate_limited", RateLimited),
        ("google", 403, "userRateLimitExceeded", RateLimited),
        ("google", 403, "forbidden", AuthError),
        ("google", 410, "fullSyncRequired", CursorExpired),
        ("google", 410, "deleted", NotFound),
        ("toggl", 402, None, RateLimited),
        ("notion", 529, "service_overload", Unavailable),
        ("toggl", 500, None, Unavailable),
        ("toggl", 599, None, Unavailable),
        ("trello", 418, None, BadData),
    ],
)
def test_classify(service, status, code, expected):
    assert classify(service, status, code) is expected


def test_error_bodies_of_each_service():
    google = httpx.Response(
        410,
        json={
            "error": {
                "errors": [{"domain": "calendar", "reason": "fullSyncRequired"}],
                "code": 410,
                "message": "Sync token is no longer valid",
            }
        },
    )
    assert read_error_body("google", google).code == "fullSyncRequired"
    notion = httpx.Response(
        404,
        json={
            "object": "error",
            "status": 404,
            "code": "object_not_found",
            "message": "Could not find page",
            "request_id": "r-1",
        },
    )
    body = read_error_body("notion", notion)
    assert (body.code, body.request_id) == ("object_not_found", "r-1")
    assert read_error_body(
        "trello", httpx.Response(404, text="The requested resource was not found.")
    ).message == ("The requested resource was not found.")
    assert read_error_body(
        "toggl", httpx.Response(400, json="'since' and 'before' can not be present")
    ).message == ("'since' and 'before' can not be present")
    # A body that is not what the service documents must not break error handling.
    assert read_error_body("google", httpx.Response(500, text="<html>")).code is None


@respx.mock
def test_google_410_becomes_cursor_expired_with_safe_message(clock):
    respx.get("https://www.googleapis.com/calendar/v3/calendars/primary/events").mock(
        return_value=httpx.Response(
            410,
            json={
                "error": {
                    "errors": [{"reason": "fullSyncRequired"}],
                    "code": 410,
                    "message": "Sync token is no longer valid",
                }
            },
        )
    )
    core = make_core(clock, service="google", base_url="https://www.googleapis.com/calendar/v3")
    with pytest.raises(CursorExpired) as caught:
        core.request("GET", "/calendars/{calendar_id}/events", path={"calendar_id": "primary"})
    error = caught.value
    assert str(error).startswith("google GET /calendars/{calendar_id}/events returned 410 fullSyncRequired")
    assert "Sync token is no longer valid" not in str(error)  # bodies are attributes, not the message
    assert "Sync token is no longer valid" in error.body
    assert (error.status, error.code, error.service) == (410, "fullSyncRequired", "google")
