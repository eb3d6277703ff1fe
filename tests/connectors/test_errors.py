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
    PlanRequired,
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
        ("toggl", 402, "quota_exceeded", RateLimited),
        ("toggl", 402, "plan_feature", PlanRequired),
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


QUOTA_LEFT = {"X-Toggl-Quota-Remaining": "212", "X-Toggl-Quota-Resets-In": "1500"}


@pytest.mark.parametrize(
    ("text", "headers", "code", "feature"),
    [
        ("You have hit your hourly API quota", {"X-Toggl-Quota-Remaining": "0"}, "quota_exceeded", None),
        ("Tasks are a premium feature", {}, "plan_feature", "Tasks"),
        ("Billable rates are available for Starter and higher plans.", {}, "plan_feature", "Billable rates"),
        (
            "Workspace needs to have the Locking time entries feature enabled",
            {},
            "plan_feature",
            "Locking time entries",
        ),
        ("Must be a premium user to use rounding_minutes", {}, "plan_feature", "rounding_minutes"),
        ("Workspace needs to have this feature enabled", QUOTA_LEFT, "plan_feature", None),
        ("Something we have never seen", QUOTA_LEFT, "plan_feature", None),  # quota left: not the quota
        ("Something we have never seen", {}, None, None),  # nothing to go by: taken for the quota
    ],
)
def test_toggls_two_402s_are_told_apart(text, headers, code, feature):
    body = read_error_body("toggl", httpx.Response(402, json=text, headers=headers))
    assert (body.code, body.feature) == (code, feature)


@respx.mock
def test_a_missing_plan_feature_is_not_retried_and_names_the_feature(clock):
    url = "https://api.track.toggl.com/api/v9/workspaces/7/projects"
    route = respx.post(url).mock(
        return_value=httpx.Response(402, json="Billable rates are available for Starter and higher plans.")
    )
    core = make_core(clock, service="toggl", base_url="https://api.track.toggl.com/api/v9")
    with pytest.raises(PlanRequired) as caught:
        # Even a request safe to repeat: no wait fixes a plan.
        core.request("POST", "/workspaces/{wid}/projects", path={"wid": 7}, json={}, idempotent=True)
    assert route.call_count == 1 and clock.sleeps == []
    message = str(caught.value)
    expected = "toggl POST /workspaces/{wid}/projects returned 402 plan_feature (Billable rates): "
    assert message.startswith(expected)
    assert "upgrade the service's plan" in message and caught.value.retry_after is None
