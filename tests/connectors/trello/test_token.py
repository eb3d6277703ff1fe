"""The Trello token's expiry (`GET /tokens/{token}`), with respx: what is sent, what is read, and
that the token, which this one call carries in its path, reaches no log line nor error text."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest
import respx

from connectors.errors import AuthError, BadData
from tests.connectors.trello.conftest import API, KEY, TOKEN

# The spec's example record, with a 30-day expiry.
RECORD = {
    "id": "5da728c55235b443c5b97181",
    "identifier": "obm-hub",
    "idMember": "5589c3ea49b40cedc28cf70e",
    "dateCreated": "2026-11-01T08:00:00.000Z",
    "dateExpires": "2026-12-01T08:00:00.000Z",
    "permissions": [{"idModel": "*", "modelType": "board", "read": True, "write": True}],
}


@respx.mock
def test_the_expiry_is_read_from_the_tokens_record_asking_for_that_field_only(connector, caplog):
    route = respx.get(f"{API}/tokens/{TOKEN}").mock(return_value=httpx.Response(200, json=RECORD))
    with caplog.at_level(logging.INFO, logger="connectors"):
        expires = connector.token_expiry()
    assert expires == datetime(2026, 12, 1, 8, tzinfo=UTC)
    request = route.calls.last.request
    assert dict(request.url.params) == {"fields": "dateExpires"}
    assert request.headers["Authorization"] == f'OAuth oauth_consumer_key="{KEY}", oauth_token="{TOKEN}"'
    [line] = [record.getMessage() for record in caplog.records if "service=trello" in record.getMessage()]
    assert "path=/tokens/{token} status=200" in line and TOKEN not in line


@respx.mock
def test_a_token_that_never_expires_has_no_expiry(connector):
    respx.get(f"{API}/tokens/{TOKEN}").mock(
        return_value=httpx.Response(200, json={"id": RECORD["id"], "dateExpires": None})
    )
    assert connector.token_expiry() is None


@respx.mock
def test_a_refused_token_is_an_auth_error_that_does_not_show_it(connector):
    respx.get(f"{API}/tokens/{TOKEN}").mock(
        return_value=httpx.Response(401, text="invalid token", headers={"Content-Type": "text/plain"})
    )
    with pytest.raises(AuthError) as caught:
        connector.token_expiry()
    assert "/tokens/{token}" in str(caught.value) and TOKEN not in str(caught.value)


@respx.mock
def test_an_unreadable_expiry_is_bad_data_naming_the_field_not_the_value(connector):
    respx.get(f"{API}/tokens/{TOKEN}").mock(
        return_value=httpx.Response(200, json={"id": RECORD["id"], "dateExpires": "soon"})
    )
    with pytest.raises(BadData) as caught:
        connector.token_expiry()
    assert "dateExpires" in str(caught.value) and "soon" not in str(caught.value)
