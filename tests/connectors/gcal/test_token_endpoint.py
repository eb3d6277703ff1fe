"""Google's token endpoint (issue 7, defect 9): only a refused grant or client means re-authorise;
429, 5xx, timeouts and truncated or malformed answers are transient, retried by one layer with the
core's policy, then `Unavailable`. Never a TypeError, never "re-authorise" for a server's bad day."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.errors import AuthError, Unavailable
from connectors.gcal import GoogleCalendarConnector
from tests.conftest import fast_options
from tests.connectors.gcal.conftest import EVENTS_URL, NOW, TOKEN_URI, page, token_answer

FIRST = "ya29.FAKE-token-endpoint"
TRUNCATED = httpx.Response(
    200, content=b'{"access_token": "ya29.FAKE-trun', headers={"Content-Type": "application/json"}
)


@pytest.mark.parametrize(
    "transient",
    [
        httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "rate_limit_exceeded"}),
        httpx.Response(500, json={"error": "internal_failure"}),
        httpx.Response(502, text="<html>Bad Gateway</html>"),  # google-auth would not retry this one
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(400, json={"error": "temporarily_unavailable"}),
        TRUNCATED,
        httpx.Response(200, json={"token_type": "Bearer", "expires_in": 3599}),  # no access_token
        httpx.Response(200, json=["ya29.not-an-object"]),
    ],
    ids=["429", "500", "502", "503", "temporarily_unavailable", "truncated", "no-token", "not-an-object"],
)
def test_a_transient_answer_is_retried_then_the_token_is_used(
    transient, connector: GoogleCalendarConnector, respx_mock: respx.MockRouter, clock
):
    token = respx_mock.post(TOKEN_URI).mock(side_effect=[transient, token_answer(FIRST)])
    respx_mock.get(EVENTS_URL).mock(return_value=page([], sync="s1"))
    assert connector.fetch_changes(None).cursor == "s1"
    assert token.call_count == 2
    assert clock.sleeps == ([7.0] if transient.status_code == 429 else [0.5])  # Retry-After, or backoff


@pytest.mark.parametrize("status", [429, 500, 503, 504])
def test_a_token_endpoint_that_keeps_failing_is_unavailable_after_one_layer_of_attempts(
    status, connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    token = respx_mock.post(TOKEN_URI).mock(return_value=httpx.Response(status, json={"error": "x"}))
    with pytest.raises(Unavailable) as caught:
        connector.fetch_changes(None)
    assert token.call_count == 6  # the core's policy; not multiplied by google-auth's own loop
    assert f"answered {status}" in str(caught.value) and "re-authorise" not in str(caught.value)


def test_a_truncated_answer_every_time_is_unavailable_not_a_type_error(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    respx_mock.post(TOKEN_URI).mock(return_value=TRUNCATED)
    with pytest.raises(Unavailable, match="answered 200 without a readable token") as caught:
        connector.fetch_changes(None)
    assert "ya29.FAKE-trun" not in str(caught.value)


def test_a_retry_after_beyond_the_cap_is_not_slept_through(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter, clock
):
    token = respx_mock.post(TOKEN_URI).mock(return_value=httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(Unavailable, match="asked to wait 3600 s"):
        connector.fetch_changes(None)
    assert token.call_count == 1 and clock.sleeps == []


def test_an_unreadable_expiry_is_unavailable(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    odd = httpx.Response(200, json={"access_token": FIRST, "expires_in": "soon"})
    respx_mock.post(TOKEN_URI).mock(return_value=odd)
    with pytest.raises(Unavailable, match="could not read"):
        connector.fetch_changes(None)


def test_a_refusal_without_an_oauth_error_is_not_a_credential_problem(
    connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    token = respx_mock.post(TOKEN_URI).mock(return_value=httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(Unavailable):
        connector.fetch_changes(None)
    assert token.call_count == 1  # final, but not the user's credentials


@pytest.mark.parametrize("error", ["invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope"])
def test_only_a_refused_grant_or_client_is_an_auth_error(
    error, connector: GoogleCalendarConnector, respx_mock: respx.MockRouter
):
    token = respx_mock.post(TOKEN_URI).mock(return_value=httpx.Response(400, json={"error": error}))
    with pytest.raises(AuthError) as caught:
        connector.fetch_changes(None)
    assert caught.value.code == error and token.call_count == 1


# -- against the Calendar emulator's token endpoint, over real HTTP ------------------------------------


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


def _read(sandbox, **overrides: object) -> None:
    from config.settings import HubSettings

    settings = sandbox.settings(HubSettings()).google.model_copy(update=overrides)
    workspace = sandbox.business.workspace
    with GoogleCalendarConnector.from_settings(
        settings, workspace, fast_options(), clock=lambda: NOW
    ) as google:
        google.fetch_changes(None)


def _token_statuses(sandbox) -> list[int]:
    return [entry.status for entry in sandbox.log.entries("google") if entry.path == "/token"]


@pytest.mark.parametrize(
    ("form", "status"), [("unavailable", 503), ("rate_limited", 429), ("truncated", 200)]
)
def test_the_emulator_failing_its_token_endpoint_once_costs_one_more_request(sandbox, form, status):
    sandbox.emulators["google"].fail_token_requests(count=1, form=form)
    _read(sandbox)
    assert _token_statuses(sandbox) == [status, 200]


@pytest.mark.parametrize("form", ["unavailable", "truncated"])
def test_the_emulator_failing_its_token_endpoint_every_time_makes_google_unavailable(sandbox, form):
    sandbox.emulators["google"].fail_token_requests(count=10, form=form)
    with pytest.raises(Unavailable) as caught:
        _read(sandbox)
    assert len(_token_statuses(sandbox)) == 6 and "re-authorise" not in str(caught.value)
    assert [e.path for e in sandbox.log.entries("google") if e.path != "/token"] == []


def test_the_emulator_refusing_the_refresh_token_asks_to_reauthorise(sandbox):
    from pydantic import SecretStr

    with pytest.raises(AuthError, match="re-authorise") as caught:
        _read(sandbox, refresh_token=SecretStr("a-revoked-refresh-token"))
    assert caught.value.code == "invalid_grant" and _token_statuses(sandbox) == [400]


def test_an_unreachable_token_endpoint_is_unavailable_after_the_retries(sandbox):
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(Unavailable, match="unreachable"):
        _read(sandbox, token_uri=f"http://127.0.0.1:{port}/token")
