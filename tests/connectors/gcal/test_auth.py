"""OAuth for the Calendar connector (respx): refresh before expiry and once after a 401, refused grants,
service accounts, and no token or secret in any log line or error."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from google.oauth2 import credentials as user_credentials
from pydantic import SecretStr

from config.errors import ConfigError
from config.settings import GoogleSettings
from connectors.errors import AuthError, Unavailable
from connectors.gcal import SCOPES, GoogleAuth, GoogleCalendarClient, GoogleCalendarConnector, HttpxRequest
from connectors.http import CoreOptions, build_core
from sandbox.business import load_workspace
from tests.connectors.gcal.conftest import (
    API,
    CALENDAR,
    CLIENT_ID,
    CLIENT_SECRET,
    EVENTS_URL,
    NOW,
    REFRESH_TOKEN,
    SA_EMAIL,
    TOKEN_URI,
    bearer,
    event_url,
    form,
    google_error,
    page,
    service_account_json,
    timed,
    token_answer,
)

# Shaped like Google access tokens (the redactor knows the prefix), obviously fake.
FIRST, SECOND = "ya29.FAKE-first-token", "ya29.FAKE-second-token"
INVALID_GRANT = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
AUTH_ERROR = google_error(401, "authError", "Invalid Credentials")


def claims(assertion: str) -> dict:
    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_401_refreshes_the_token_once_and_resends(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    token = respx_mock.post(TOKEN_URI).mock(side_effect=[token_answer(FIRST), token_answer(SECOND)])
    api = respx_mock.get(EVENTS_URL).mock(side_effect=[AUTH_ERROR, page([timed("aaaaa1")], sync="s1")])
    batch = connector.fetch_changes(None)
    assert batch.cursor == "s1"
    assert [bearer(call) for call in api.calls] == [f"Bearer {FIRST}", f"Bearer {SECOND}"]
    assert token.call_count == 2  # no token yet, then the refresh after the 401
    sent = form(token.calls.last)
    assert sent["grant_type"] == "refresh_token" and sent["client_id"] == CLIENT_ID
    assert sent["refresh_token"] == REFRESH_TOKEN and sent["scope"] == " ".join(SCOPES)


def test_a_token_refused_again_after_the_refresh_is_an_auth_error(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    token = respx_mock.post(TOKEN_URI).mock(side_effect=[token_answer(FIRST), token_answer(SECOND)])
    api = respx_mock.get(EVENTS_URL).mock(return_value=AUTH_ERROR)
    with pytest.raises(AuthError) as caught:
        connector.fetch_changes(None)
    assert caught.value.status == 401 and caught.value.code == "authError"
    assert api.call_count == 2 and token.call_count == 2  # one refresh, one resend, no loop


def core_with(credentials, options: CoreOptions) -> GoogleCalendarClient:
    auth = GoogleAuth(credentials, HttpxRequest(httpx.Client(), options.stats))
    return GoogleCalendarClient(build_core("google", API, credential="test", auth=auth, options=options))


def user_credentials_with(token: str, expiry: datetime) -> user_credentials.Credentials:
    return user_credentials.Credentials(
        token=token,
        expiry=expiry,  # google-auth keeps naive UTC
        refresh_token=REFRESH_TOKEN,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        token_uri=TOKEN_URI,
        scopes=list(SCOPES),
    )


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # google-auth keeps expiry as naive UTC


def test_expired_credentials_are_refreshed_before_the_call(
    options: CoreOptions, respx_mock: respx.MockRouter
):
    client = core_with(user_credentials_with(FIRST, utcnow() - timedelta(minutes=1)), options)
    token = respx_mock.post(TOKEN_URI).mock(return_value=token_answer(SECOND))
    api = respx_mock.get(event_url("bbbbb1")).mock(return_value=httpx.Response(200, json=timed("bbbbb1")))
    client.get_event(CALENDAR, "bbbbb1")
    assert [call.request.url.host for call in respx_mock.calls] == [
        "oauth2.googleapis.com",
        "www.googleapis.com",
    ]
    assert token.call_count == 1 and [bearer(c) for c in api.calls] == [f"Bearer {SECOND}"]


def test_a_valid_token_is_used_as_it_is(options: CoreOptions, respx_mock: respx.MockRouter):
    client = core_with(user_credentials_with(FIRST, utcnow() + timedelta(hours=1)), options)
    token = respx_mock.post(TOKEN_URI).mock(return_value=token_answer(SECOND))
    api = respx_mock.get(event_url("bbbbb2")).mock(return_value=httpx.Response(200, json=timed("bbbbb2")))
    client.get_event(CALENDAR, "bbbbb2")
    assert token.call_count == 0 and bearer(api.calls.last) == f"Bearer {FIRST}"


def test_invalid_grant_asks_the_user_to_reauthorise(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    respx_mock.post(TOKEN_URI).mock(return_value=httpx.Response(400, json=INVALID_GRANT))
    api = respx_mock.get(EVENTS_URL).mock(return_value=page([], sync="s"))
    with pytest.raises(AuthError) as caught:
        connector.fetch_changes(None)
    message = str(caught.value)
    assert "re-authorise" in message and "invalid_grant" in message and caught.value.code == "invalid_grant"
    assert REFRESH_TOKEN not in message and CLIENT_SECRET not in message
    assert api.call_count == 0


@pytest.mark.parametrize(
    ("status", "error", "advice"),
    [
        (401, "invalid_client", "check client_id and client_secret"),
        (400, "invalid_scope", "re-authorise the hub"),
    ],
)
def test_other_refusals_say_what_to_fix(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter, status: int, error: str, advice: str
):
    answer = httpx.Response(status, json={"error": error, "error_description": "Bad Request"})
    respx_mock.post(TOKEN_URI).mock(return_value=answer)
    with pytest.raises(AuthError, match=advice) as caught:
        connector.fetch_changes(None)
    assert caught.value.code == error


def test_an_unreachable_token_endpoint_is_unavailable(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    respx_mock.post(TOKEN_URI).mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(Unavailable, match="token endpoint unreachable"):
        connector.fetch_changes(None)


def test_tokens_and_secrets_never_reach_logs_or_errors(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter, caplog
):
    respx_mock.post(TOKEN_URI).mock(side_effect=[token_answer(FIRST), token_answer(SECOND)])
    echoed = google_error(403, "forbidden", f"Request with Bearer {SECOND} may not read this calendar")
    respx_mock.get(EVENTS_URL).mock(side_effect=[AUTH_ERROR, echoed])
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError) as caught:
        connector.fetch_changes(None)
    error = caught.value
    shown = [caplog.text, str(error), repr(error.args), error.body or ""]
    assert "403" in str(error) and error.body  # the body is kept, redacted
    for secret in (FIRST, SECOND, REFRESH_TOKEN, CLIENT_SECRET):
        assert all(secret not in text for text in shown), secret
    assert "method=POST path=/token status=200" in caplog.text  # the refresh is logged, without its body


@pytest.fixture
def sa_settings(private_key_pem: str) -> GoogleSettings:
    return GoogleSettings(
        service_account_json=SecretStr(service_account_json(private_key_pem)),
        subject="sophie@brightpath.coach",
        token_uri=TOKEN_URI,
    )


@pytest.fixture
def sa_connector(sa_settings: GoogleSettings, options: CoreOptions) -> Iterator[GoogleCalendarConnector]:
    with GoogleCalendarConnector.from_settings(
        sa_settings, load_workspace(), options, clock=lambda: NOW
    ) as built:
        yield built


def test_a_service_account_impersonates_its_subject(
    sa_connector: GoogleCalendarConnector, private_key_pem: str, respx_mock: respx.MockRouter, caplog
):
    token = respx_mock.post(TOKEN_URI).mock(return_value=token_answer(FIRST))
    api = respx_mock.get(EVENTS_URL).mock(return_value=page([], sync="s"))
    with caplog.at_level(logging.DEBUG):
        sa_connector.fetch_changes(None)
    sent = form(token.calls.last)
    assert sent["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    jwt = claims(sent["assertion"])
    assert jwt["iss"] == SA_EMAIL and jwt["sub"] == "sophie@brightpath.coach"
    assert jwt["scope"] == " ".join(SCOPES) and jwt["aud"] == "https://oauth2.googleapis.com/token"
    assert bearer(api.calls.last) == f"Bearer {FIRST}"
    assert "PRIVATE KEY" not in caplog.text and FIRST not in caplog.text


def test_a_service_account_key_file_works_too(
    private_key_pem: str, options: CoreOptions, tmp_path: Path, respx_mock: respx.MockRouter
):
    key_file = tmp_path / "key.json"
    key_file.write_text(service_account_json(private_key_pem), encoding="utf-8")
    settings = GoogleSettings(service_account_file=key_file, token_uri=TOKEN_URI)
    token = respx_mock.post(TOKEN_URI).mock(return_value=token_answer(FIRST))
    respx_mock.get(EVENTS_URL).mock(return_value=page([], sync="s"))
    with GoogleCalendarConnector.from_settings(
        settings, load_workspace(), options, clock=lambda: NOW
    ) as built:
        built.fetch_changes(None)
    assert "sub" not in claims(form(token.calls.last)["assertion"])  # shared calendar, no delegation


def test_a_refused_service_account_points_at_delegation(
    sa_connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    respx_mock.post(TOKEN_URI).mock(
        return_value=httpx.Response(
            401, json={"error": "unauthorized_client", "error_description": "Client is unauthorized..."}
        )
    )
    with pytest.raises(AuthError, match="domain-wide delegation") as caught:
        sa_connector.fetch_changes(None)
    assert caught.value.code == "unauthorized_client"


def test_missing_user_credentials_are_a_config_error_naming_each_variable(options: CoreOptions):
    with pytest.raises(ConfigError) as caught:
        GoogleCalendarConnector.from_settings(GoogleSettings(client_id=CLIENT_ID), load_workspace(), options)
    assert [p.field for p in caught.value.problems] == ["google.client_secret", "google.refresh_token"]
    assert "OBM_HUB_GOOGLE__REFRESH_TOKEN" in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (GoogleSettings(service_account_json=SecretStr("{not json")), "not valid JSON"),
        (GoogleSettings(service_account_json=SecretStr('{"client_email": "x"}')), "lacks private_key"),
    ],
)
def test_unusable_credentials_are_named(settings: GoogleSettings, problem: str, options: CoreOptions):
    with pytest.raises(AuthError, match=problem):
        GoogleCalendarConnector.from_settings(settings, load_workspace(), options)
