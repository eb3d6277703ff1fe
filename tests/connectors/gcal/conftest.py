"""Shared pieces of the Google Calendar connector tests: URLs, secrets, a respx-ready connector."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from config.settings import GoogleSettings
from connectors.accounting import RequestStats
from connectors.gcal import GoogleCalendarConnector
from connectors.http import CoreOptions, RetryPolicy
from connectors.ratelimit import RateLimit, SlidingWindowLimiter
from sandbox.business import load_workspace

API = "https://www.googleapis.com/calendar/v3"
TOKEN_URI = "https://oauth2.googleapis.com/token"
CALENDAR = "c_brightpath.team@group.calendar.google.com"
EVENTS_URL = f"{API}/calendars/c_brightpath.team%40group.calendar.google.com/events"
CLIENT_ID = "1234567890-abcdefghij.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-client-secret-0123456789"
REFRESH_TOKEN = "1//04test-refresh-token-abcdefghijklmnopqrstuvwxyz"
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SA_EMAIL = "obm-hub@brightpath-ops.iam.gserviceaccount.com"


def event_url(event_id: str) -> str:
    return f"{EVENTS_URL}/{event_id}"


def token_answer(access_token: str, expires_in: int = 3599) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": access_token, "expires_in": expires_in, "token_type": "Bearer"}
    )


def google_error(status: int, reason: str, message: str, domain: str = "global") -> httpx.Response:
    body = {
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }
    return httpx.Response(status, json=body)


def page(
    items: list[dict[str, Any]], *, next_page: str | None = None, sync: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": '"p32c9fd2e0f4e00"',
        "summary": "Bright Path Coaching — Team",
        "timeZone": "Europe/Paris",
        "accessRole": "owner",
        "items": items,
    }
    if next_page:
        body["nextPageToken"] = next_page
    if sync:
        body["nextSyncToken"] = sync
    return httpx.Response(200, json=body)


def timed(event_id: str, summary: str = "Coaching session", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "calendar#event",
        "etag": f'"{abs(hash(event_id)) % 10**16:016d}"',
        "id": event_id,
        "status": "confirmed",
        "summary": summary,
        "start": {"dateTime": "2026-11-26T10:00:00+01:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-11-26T11:00:00+01:00", "timeZone": "Europe/Paris"},
        **extra,
    }


def bearer(call: Any) -> str:
    return str(call.request.headers.get("Authorization", ""))


def form(call: Any) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(call.request.content.decode()))


def body(call: Any) -> Any:
    return json.loads(call.request.content)


@pytest.fixture
def options(clock) -> CoreOptions:
    return CoreOptions(
        limiter=SlidingWindowLimiter(RateLimit(1000, 1.0, "test"), clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
        retry=RetryPolicy(random=lambda: 1.0),
        stats=RequestStats(),
    )


@pytest.fixture
def settings() -> GoogleSettings:
    return GoogleSettings(
        client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET), refresh_token=SecretStr(REFRESH_TOKEN)
    )


@pytest.fixture
def connector(settings: GoogleSettings, options: CoreOptions) -> Iterator[GoogleCalendarConnector]:
    with GoogleCalendarConnector.from_settings(
        settings, load_workspace(), options, clock=lambda: NOW
    ) as built:
        yield built


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def service_account_json(private_key_pem: str) -> str:
    # The key is generated for the test run; it signs nothing outside it.
    return json.dumps(
        dict(
            type="service_account",
            project_id="brightpath-ops",
            private_key_id="0123456789abcdef0123456789abcdef01234567",
            private_key=private_key_pem,
            client_email=SA_EMAIL,
            client_id="109876543210987654321",
            token_uri="https://oauth2.googleapis.com/token",
        )
    )
