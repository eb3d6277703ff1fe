"""Canary secrets planted in settings never reach logs, exceptions or reprs."""

from __future__ import annotations

import base64
import logging

import httpx
import pytest
import respx

from config import ConfigError, load_settings
from config.redaction import MASK, RedactingFilter, redact, register_secret
from connectors.errors import ConnectorError
from connectors.http import RetryPolicy
from tests.connectors.helpers import make_core

CANARIES = {
    "OBM_HUB_TRELLO__API_KEY": "canarytrellokey0000000000000000a1",
    "OBM_HUB_TRELLO__TOKEN": "canarytrellotoken00000000000000000000000000000000b2",
    "OBM_HUB_TOGGL__API_TOKEN": "canarytoggltoken000000000000c3",
    "OBM_HUB_NOTION__TOKEN": "ntn_CANARY_notion_token_d4",
    "OBM_HUB_GOOGLE__CLIENT_ID": "canary-client.apps.googleusercontent.com",
    "OBM_HUB_GOOGLE__CLIENT_SECRET": "canary-google-client-secret-e5",
    "OBM_HUB_GOOGLE__REFRESH_TOKEN": "1//canary-google-refresh-token-f6",
}
# Shaped like the real formats (so the shape rules must catch them) and built so that no line of this
# file reads like a credential.
FAKE_GOOGLE_TOKEN = "ya29." + "a0FAKE" + "x" * 20
FAKE_NOTION_TOKEN = "ntn_" + "FAKE" + "0" * 24
FAKE_PEM = "-----BEGIN " + "PRIVATE KEY-----\nMIIEv\n-----END " + "PRIVATE KEY-----"
SECRET_CANARIES = [v for k, v in CANARIES.items() if not k.endswith("CLIENT_ID")]


def _all_forms(secret: str) -> list[str]:
    return [secret, base64.b64encode(f"{secret}:api_token".encode()).decode()]


@pytest.fixture
def settings(monkeypatch):
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def _failing_calls(settings, clock):
    """Requests that fail in every way, each authenticated with a canary, each echoing it back."""
    trello_header = (
        f'OAuth oauth_consumer_key="{settings.trello.api_key.get_secret_value()}", '
        f'oauth_token="{settings.trello.token.get_secret_value()}"'
    )
    trello = make_core(clock, headers={"Authorization": trello_header}, retry=RetryPolicy(attempts=2))
    toggl = make_core(
        clock,
        service="toggl",
        base_url="https://api.track.toggl.com/api/v9",
        auth=httpx.BasicAuth(settings.toggl.api_token.get_secret_value(), "api_token"),
        retry=RetryPolicy(attempts=2),
    )
    notion = make_core(
        clock,
        service="notion",
        base_url="https://api.notion.com/v1",
        headers={"Authorization": f"Bearer {settings.notion.token.get_secret_value()}"},
        retry=RetryPolicy(attempts=2),
    )
    echo = " ".join(SECRET_CANARIES)
    respx.get("https://api.trello.com/1/members/me").mock(
        return_value=httpx.Response(401, text=f"invalid token {echo}")
    )
    respx.get("https://api.trello.com/1/boards/b").mock(side_effect=httpx.ConnectError(f"refused for {echo}"))
    respx.get("https://api.track.toggl.com/api/v9/me").mock(
        side_effect=lambda request: httpx.Response(
            500, text=f"boom {request.headers['Authorization']} {echo}"
        )
    )
    respx.post("https://api.notion.com/v1/pages").mock(
        return_value=httpx.Response(
            400, json={"object": "error", "code": "validation_error", "message": echo}
        )
    )
    respx.get("https://api.notion.com/v1/users").mock(
        return_value=httpx.Response(200, text=f"{{not json {echo}")
    )
    return [
        lambda: trello.request("GET", "/members/me"),
        lambda: trello.request("GET", "/boards/{id}", path={"id": "b"}),
        lambda: toggl.request("GET", "/me"),
        lambda: notion.request(
            "POST",
            "/pages",
            json={
                "parent": {"data_source_id": "d"},
                "properties": {"Name": {"title": [{"text": {"content": echo}}]}},
            },
        ),
        lambda: notion.request_json("GET", "/users"),
    ]


@respx.mock
def test_no_canary_in_logs_exceptions_or_reprs(settings, clock, caplog):
    errors: list[ConnectorError] = []
    with caplog.at_level(logging.DEBUG):
        for call in _failing_calls(settings, clock):
            with pytest.raises(ConnectorError) as caught:
                call()
            errors.append(caught.value)
            logging.getLogger("obm-hub.test").exception("request failed: %s", caught.value)
    assert len(errors) == 5
    shown = [caplog.text, repr(settings), str(settings), settings.model_dump_json()]
    for error in errors:
        shown += [str(error), repr(error), str(error.args), error.body or ""]
    leaks = [
        (form[:12], text[:80])
        for text in shown
        for canary in SECRET_CANARIES
        for form in _all_forms(canary)
        if form in text
    ]
    assert leaks == []
    assert any(MASK in (error.body or "") for error in errors)  # bodies were recorded, with the canary masked


def test_config_errors_never_echo_a_rejected_value(monkeypatch):
    # A secret pasted into the wrong variable must not be printed back.
    monkeypatch.setenv("OBM_HUB_SANDBOX", SECRET_CANARIES[0])
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert SECRET_CANARIES[0] not in str(caught.value)
    assert SECRET_CANARIES[0] not in repr(caught.value)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("GET https://api.trello.com/1/cards?key=abc123&token=def456&fields=name", "fields=name"),
        ('Authorization: OAuth oauth_consumer_key="k1", oauth_token="t1"', "Authorization"),
        (f"Authorization: Bearer {FAKE_GOOGLE_TOKEN}", "Authorization"),
        ('{"refresh_token": "1//abc", "client_id": "x.apps"}', '"client_id": "x.apps"'),
        (f"token {FAKE_NOTION_TOKEN} leaked", "leaked"),
        (FAKE_PEM, ""),
    ],
)
def test_credential_shapes_are_masked(text, kept):
    result = redact(text)
    for secret in ("abc123", "def456", "k1", "t1", "ya29.a0", "1//abc", "ntn_FAKE", "MIIEv"):
        assert secret not in result
    assert kept in result


def test_registered_secret_is_masked_anywhere_and_filter_cleans_records():
    register_secret("plain-looking-value-42")
    assert redact("x plain-looking-value-42 y") == f"x {MASK} y"
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "value=%s", ("plain-looking-value-42",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == f"value={MASK}"
