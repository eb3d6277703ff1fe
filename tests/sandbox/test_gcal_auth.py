"""Authentication and rate limits of the Calendar emulator: the token endpoint, 401s, and 600 requests
per minute per user."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from sandbox.business import generate
from sandbox.gcal import oauth
from sandbox.gcal.emulator import GoogleCalendarEmulator
from tests.conftest import FIXED_NOW_ISO, FakeClock
from tests.sandbox.test_gcal_api import EVENTS, REFRESH_FORM, api_client, error_of, shared_sandbox
from tests.sandbox.test_gcal_sync import Sandboxish, served

SCOPE = "https://www.googleapis.com/auth/calendar.events"
INVALID_CREDENTIALS = {
    "error": {
        "errors": [
            {
                "domain": "global",
                "reason": "authError",
                "message": "Invalid Credentials",
                "locationType": "header",
                "location": "Authorization",
            }
        ],
        "code": 401,
        "message": "Invalid Credentials",
    }
}


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


@pytest.fixture
def raw(sandbox) -> Iterator[httpx.Client]:
    """No credentials at all."""
    with httpx.Client(base_url=sandbox.root_url("google"), timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def token_endpoint() -> Iterator[httpx.Client]:
    """The token endpoint of a sandbox shared by the tests that only ask it for tokens."""
    with shared_sandbox() as shared, httpx.Client(base_url=shared.root_url("google"), timeout=5) as client:
        yield client


def token(raw: httpx.Client, **form: str) -> httpx.Response:
    return raw.post("/token", data=form)


def jwt(**claims: Any) -> str:
    """A JWT with these claims; the sandbox does not verify signatures, so the signature is a stub."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def sa_claims(**changes: Any) -> dict[str, Any]:
    issued = int(time.time())
    return {
        "iss": "obm-hub@brightpath-ops.iam.gserviceaccount.com",
        "aud": oauth.JWT_AUDIENCE,
        "scope": SCOPE,
        "iat": issued,
        "exp": issued + 3600,
        **changes,
    }


def test_requests_without_a_valid_token_get_google_401(sandbox, raw):
    api = sandbox.base_url("google").removeprefix(sandbox.root_url("google"))
    for headers in ({}, {"Authorization": "Bearer ya29.forged"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = raw.get(api + EVENTS, headers=headers)
        assert response.status_code == 401 and response.json() == INVALID_CREDENTIALS
        assert response.headers["WWW-Authenticate"].startswith("Bearer realm=")
    assert sandbox.log.count("google", "GET", "/calendars/{calendarId}/events") == 3


def test_expired_access_tokens_are_refused(sandbox):
    with api_client(sandbox) as api:
        assert api.get(EVENTS).status_code == 200
        sandbox.emulators["google"].expire_access_tokens()
        assert api.get(EVENTS).json() == INVALID_CREDENTIALS


def test_an_access_token_lives_an_hour():
    now = [datetime.fromisoformat(FIXED_NOW_ISO)]
    emulator = GoogleCalendarEmulator(generate(now=now[0]), rate_limits=False, clock=lambda: now[0])
    with served(emulator) as url, api_client(Sandboxish(url)) as api:
        now[0] += timedelta(minutes=59)
        assert api.get(EVENTS).status_code == 200
        now[0] += timedelta(minutes=2)
        assert api.get(EVENTS).status_code == 401


def test_the_refresh_grant(token_endpoint):
    raw = token_endpoint
    granted = token(raw, **REFRESH_FORM, scope=SCOPE)
    assert granted.status_code == 200 and granted.headers["Cache-Control"] == "no-store"
    body = granted.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599 and body["scope"] == SCOPE
    assert body["access_token"].startswith("ya29.")


@pytest.mark.parametrize(
    ("change", "status", "answer"),
    [
        (
            {"refresh_token": "1//revoked"},
            400,
            {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
        ),
        (
            {"client_id": "someone-else.apps.googleusercontent.com"},
            401,
            {"error": "invalid_client", "error_description": "The OAuth client was not found."},
        ),
        ({"client_secret": "guessed"}, 401, {"error": "invalid_client", "error_description": "Unauthorized"}),
        (
            {"scope": "https://www.googleapis.com/auth/drive"},
            400,
            {"error": "invalid_scope", "error_description": "Bad Request"},
        ),
        (
            {"grant_type": "password"},
            400,
            {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: password"},
        ),
    ],
)
def test_refused_refresh_grants(token_endpoint, change, status, answer):
    raw = token_endpoint
    response = token(raw, **{**REFRESH_FORM, **change})
    assert (response.status_code, response.json()) == (status, answer)


def test_the_service_account_grant(sandbox, raw):
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    granted = token(raw, grant_type=grant, assertion=jwt(**sa_claims(sub="lea@brightpath.coach")))
    assert granted.status_code == 200
    access = granted.json()["access_token"]
    assert sandbox.emulators["google"].issuer.tokens[access].owner == "lea@brightpath.coach"
    shared = token(raw, grant_type=grant, assertion=jwt(**sa_claims())).json()["access_token"]
    owner = sandbox.emulators["google"].issuer.tokens[shared].owner
    assert owner == "obm-hub@brightpath-ops.iam.gserviceaccount.com"  # no delegation: the account itself


@pytest.mark.parametrize(
    ("claims", "status", "error", "description"),
    [
        (sa_claims(aud="https://example.com/token"), 400, "invalid_grant", "Failed audience check"),
        (sa_claims(iss="someone@gmail.com"), 400, "invalid_grant", "account not found"),
        (sa_claims(exp=int(time.time()) - 10), 400, "invalid_grant", "short-lived token"),
        (
            sa_claims(scope="https://www.googleapis.com/auth/drive"),
            400,
            "invalid_scope",
            "Invalid OAuth scope",
        ),
        (sa_claims(sub="stranger@example.com"), 401, "unauthorized_client", "Client is unauthorized"),
    ],
)
def test_refused_service_account_grants(token_endpoint, claims, status, error, description):
    raw = token_endpoint
    response = token(raw, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=jwt(**claims))
    assert response.status_code == status and response.json()["error"] == error
    assert description in response.json()["error_description"]
    not_a_jwt = token(raw, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion="nope")
    assert (not_a_jwt.status_code, not_a_jwt.json()["error"]) == (400, "invalid_grant")


@pytest.fixture
def limited() -> Iterator[tuple[FakeClock, str]]:
    """An emulator WITH its rate limit, on a fake clock that only moves when told."""
    clock = FakeClock()
    emulator = GoogleCalendarEmulator(
        generate(now=datetime.fromisoformat(FIXED_NOW_ISO)), rate_limits=True, limit_clock=clock
    )
    with served(emulator) as url:
        yield clock, url


def test_600_requests_per_minute_per_user(limited):
    clock, url = limited
    grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}
    with api_client(Sandboxish(url)) as api, api_client(Sandboxish(url)) as same_user:
        statuses = [api.get(f"{EVENTS}/nosuchevent0").status_code for _ in range(599)]
        assert set(statuses) == {404}  # counted whatever the answer
        assert (
            same_user.get(f"{EVENTS}/nosuchevent0").status_code == 404
        )  # the 600th: another token, same user
        refused = api.get(EVENTS)
        assert error_of(refused) == (403, "userRateLimitExceeded", "User Rate Limit Exceeded")
        assert refused.json()["error"]["errors"][0]["domain"] == "usageLimits"
        assert "Retry-After" not in refused.headers  # none is documented
        assert same_user.get(EVENTS).status_code == 403
        # The token endpoint is not this quota, and another user (Léa, through delegation) has her own.
        other = api.post(
            url + "/token", data={**grant, "assertion": jwt(**sa_claims(sub="lea@brightpath.coach"))}
        )
        assert (
            api.get(EVENTS, headers={"Authorization": f"Bearer {other.json()['access_token']}"}).status_code
            == 200
        )
        clock.now += 60
        assert api.get(EVENTS).status_code == 200
