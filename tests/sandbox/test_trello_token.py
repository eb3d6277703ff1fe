"""The Trello emulator's token record (`GET /1/tokens/{token}`) over HTTP: the spec's shape, `fields`
and `webhooks`, Trello's 401 for a token it does not honour, and the expiry set from another process
through the admin action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from sandbox import Sandbox
from sandbox.trello.emulator import API_KEY, TOKEN
from tests.contract.spec import load_spec


@pytest.fixture
def sandbox(sandbox_factory) -> Sandbox:
    return sandbox_factory(services=("trello",), rate_limits=False)


@pytest.fixture
def api(sandbox) -> Iterator[httpx.Client]:
    header = f'OAuth oauth_consumer_key="{API_KEY}", oauth_token="{TOKEN}"'
    with httpx.Client(base_url=sandbox.base_url("trello"), headers={"Authorization": header}) as api:
        yield api


def conforms(response: httpx.Response) -> list[str]:
    request = response.request
    return load_spec("trello").check_response(
        request.method, str(request.url), response.status_code, response.json()
    )


def action(sandbox: Sandbox, **arguments: object) -> httpx.Response:
    """The admin endpoint another process would call."""
    url = sandbox.root_url("trello") + "/_sandbox/actions/set_token_expiry"
    return httpx.post(url, json=arguments, timeout=5)


def test_the_token_record_has_the_specs_shape_and_never_expires_by_default(api, sandbox):
    record = api.get(f"/tokens/{TOKEN}")
    assert record.status_code == 200 and conforms(record) == []
    body = record.json()
    store = sandbox.emulators["trello"].store
    assert body["dateExpires"] is None and body["idMember"] == store.operator
    assert {"id", "identifier", "dateCreated", "permissions"} <= set(body)
    chosen = api.get(f"/tokens/{TOKEN}", params={"fields": "dateExpires,idMember", "webhooks": "true"})
    assert chosen.json() == {
        "id": body["id"],
        "dateExpires": None,
        "idMember": store.operator,
        "webhooks": [],
    }
    assert conforms(chosen) == []
    refused = api.get(f"/tokens/{TOKEN}", params={"fields": "dateExpires,secret"})
    assert (refused.status_code, refused.text) == (400, "invalid value for fields")


def test_a_token_trello_does_not_honour_is_a_401_and_no_token_a_404(api, sandbox):
    other = api.get("/tokens/ATTAnot-a-token-the-sandbox-issued")
    assert (other.status_code, other.text) == (401, "invalid token")
    assert other.headers["content-type"].startswith("text/plain")
    wrong = httpx.get(
        sandbox.base_url("trello") + f"/tokens/{TOKEN}",
        headers={"Authorization": f'OAuth oauth_consumer_key="{API_KEY}", oauth_token="wrong"'},
    )
    assert (wrong.status_code, wrong.text) == (401, "invalid token")
    assert api.get("/tokens/").status_code == 404


def test_the_expiry_is_set_from_another_process_and_a_passed_one_refuses_everything(api, sandbox):
    emulator = sandbox.emulators["trello"]
    now = emulator.now()
    soon = (now + timedelta(days=3)).isoformat()
    set_soon = action(sandbox, expires=soon)
    assert set_soon.status_code == 200
    assert api.get(f"/tokens/{TOKEN}").json()["dateExpires"] == set_soon.json()["result"]["dateExpires"]
    assert set_soon.json()["result"]["dateExpires"].startswith((now + timedelta(days=3)).strftime("%Y-%m-%d"))
    a_day = action(sandbox, expiration="1day").json()["result"]["dateExpires"]
    assert a_day.startswith((now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    assert action(sandbox, expiration="1week").status_code == 400
    assert action(sandbox, expiration="never").json()["result"]["dateExpires"] is None

    # Expired: the token authenticates nothing any more, its own record included.
    assert action(sandbox, expires=(now - timedelta(minutes=1)).isoformat()).status_code == 200
    board = emulator.business.workspace.trello.board_id
    for path in (f"/tokens/{TOKEN}", f"/boards/{board}/lists"):
        refused = api.get(path)
        assert (refused.status_code, refused.text) == (401, "invalid token")
    assert action(sandbox).status_code == 200  # no argument: never again
    assert api.get(f"/boards/{board}/lists").status_code == 200


def test_the_expiry_survives_a_restart_from_the_state_dir(sandbox_factory, tmp_path):
    first = sandbox_factory(services=("trello",), rate_limits=False, state_dir=tmp_path / "state")
    expires = action(first, expiration="30days").json()["result"]["dateExpires"]
    first.stop()
    again = sandbox_factory(services=("trello",), rate_limits=False, state_dir=tmp_path / "state")
    assert again.emulators["trello"].store.token["dateExpires"] == expires
