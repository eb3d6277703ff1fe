"""The shared emulator machinery, on a tiny service: gate, log, faults, limits, persistence."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.business import generate
from sandbox.emulator import ApiError, Emulator, sandbox_action
from sandbox.limits import Window
from sandbox.server import ServerThread


class TinyEmulator(Emulator):
    service = "tiny"
    prefix = "/api"
    windows = (Window(5, 10.0),)

    def seed(self, business) -> None:
        self.items = {"1": {"id": "1", "name": "first"}}

    @sandbox_action
    def rename(self, name: str) -> dict[str, str]:
        """Rename the first item.

        More lines of explanation are not part of the description."""
        self.items["1"]["name"] = name
        return self.items["1"]

    def register_routes(self, router: APIRouter) -> None:
        @router.get("/items/{item_id}")
        async def get_item(item_id: str) -> Any:
            if item_id not in self.items:
                raise ApiError(404, "no such item", "not_found")
            return self.items[item_id]

        @router.post("/items")
        async def create(request: Request) -> Any:
            body = await request.json()
            item = {"id": str(len(self.items) + 1), "name": body["name"]}
            self.items[item["id"]] = item
            return item

    def identify(self, request: Request) -> str | None:
        return "t" if request.headers.get("Authorization") == "Bearer good" else None

    def error(
        self, status: int, message: str | None = None, code: str | None = None, **extra: Any
    ) -> Response:
        return JSONResponse({"error": code or "error", "message": message}, status_code=status)

    def settings_update(self, root_url: str) -> dict[str, Any]:
        return {"base_url": root_url + self.prefix}

    def response_headers(self, credential: str | None, request: Request) -> dict[str, str]:
        return {"X-Tiny": "yes"}

    def dump_state(self) -> dict[str, Any]:
        return {"items": self.items}

    def load_state(self, data: dict[str, Any]) -> None:
        self.items = data["items"]


@pytest.fixture(scope="module")
def business():
    return generate()


@pytest.fixture
def tiny(business, tmp_path):
    emulator = TinyEmulator(business, state_path=tmp_path / "tiny.json")
    server = ServerThread(emulator.app).start()
    client = httpx.Client(base_url=server.url + "/api", headers={"Authorization": "Bearer good"}, timeout=2)
    yield emulator, client
    client.close()
    server.stop()


def test_routes_log_and_headers(tiny):
    emulator, client = tiny
    response = client.get("/items/1")
    assert response.json() == {"id": "1", "name": "first"}
    assert response.headers["X-Tiny"] == "yes"
    assert client.get("/items/9").status_code == 404
    assert client.get("/nowhere").status_code == 404
    entries = [(e.method, e.path, e.status) for e in emulator.log.entries()]
    assert entries == [
        ("GET", "/items/{item_id}", 200),
        ("GET", "/items/{item_id}", 404),
        ("GET", "/nowhere", 404),
    ]


def test_authentication_is_checked_and_logged(tiny):
    emulator, client = tiny
    response = client.get("/items/1", headers={"Authorization": "Bearer bad"})
    assert response.status_code == 401
    assert emulator.log.count(path="/items/{item_id}") == 1


def test_rate_limit_per_credential(tiny):
    emulator, client = tiny
    statuses = [client.get("/items/1").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert emulator.log.count(method="GET") == 7
    assert int(client.get("/items/1").headers["Retry-After"]) >= 1


def test_storm_error_rate_and_malformed(tiny):
    emulator, client = tiny
    emulator.faults.storm = 2
    assert [client.get("/items/1").status_code for _ in range(3)] == [429, 429, 200]
    from sandbox.faults import Faults

    emulator.faults = Faults(error_rate=1.0, kinds=("malformed",))
    response = client.get("/items/1")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    emulator.faults = Faults(error_rate=1.0, kinds=("502",))
    assert client.get("/items/1").status_code == 502


def test_reset_drops_the_connection(tiny):
    emulator, client = tiny
    emulator.log.clear()
    from sandbox.faults import Faults

    emulator.faults = Faults(error_rate=1.0, kinds=("reset",))
    with pytest.raises(httpx.TransportError):
        client.get("/items/1")
    assert [e.status for e in emulator.log.entries()] == [200]  # logged although the client saw no answer


def test_timeout_answers_too_late(tiny):
    emulator, client = tiny
    from sandbox.faults import Faults

    emulator.faults = Faults(error_rate=1.0, kinds=("timeout",), timeout_seconds=1.0)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/items/1", timeout=0.3)
    assert emulator.faults.kinds == ("timeout",)


def test_state_survives_a_restart(tiny, business, tmp_path):
    _, client = tiny
    assert client.post("/items", json={"name": "second"}).status_code == 200
    again = TinyEmulator(business, state_path=tmp_path / "tiny.json")
    assert again.items["2"] == {"id": "2", "name": "second"}


def test_admin_endpoints(tiny):
    _, client = tiny
    client.get("/items/1")
    root = str(client.base_url).removesuffix("/api/")
    assert len(httpx.get(root + "/_sandbox/requests").json()) == 1
    response = httpx.post(root + "/_sandbox/faults", json={"storm": 1})
    assert response.json()["faults"]["storm"] == 1
    assert client.get("/items/1").status_code == 429
    assert httpx.post(root + "/_sandbox/faults", json={"bogus": 1}).status_code == 400


def test_actions_are_listed_run_with_arguments_and_saved(tiny, business, tmp_path):
    emulator, client = tiny
    root = str(client.base_url).removesuffix("/api/")
    assert httpx.get(root + "/_sandbox/actions").json() == {
        "actions": [{"name": "rename", "description": "Rename the first item."}]
    }
    ran = httpx.post(root + "/_sandbox/actions/rename", json={"name": "renamed"})
    assert ran.json() == {"action": "rename", "result": {"id": "1", "name": "renamed"}}
    assert TinyEmulator(business, state_path=tmp_path / "tiny.json").items["1"]["name"] == "renamed"
    assert httpx.post(root + "/_sandbox/actions/rename").status_code == 400  # a missing argument
    assert httpx.post(root + "/_sandbox/actions/rename", content=b"[1]").status_code == 400
    assert httpx.post(root + "/_sandbox/actions/seed").status_code == 404  # only marked methods
    assert emulator.log.entries() == []  # admin calls are not logged


def test_forms_a_service_does_not_name_are_refused(tiny):
    emulator, _ = tiny
    with pytest.raises(ValueError, match="storm_forms"):
        emulator.set_faults({"storm_forms": ["429"]})
    assert emulator.set_faults({"kinds": ["502"], "short_pages": 0.5}).kinds == ("502",)


def _post_in_background(client: httpx.Client, name: str) -> tuple[threading.Thread, list[httpx.Response]]:
    answers: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answers.append(client.post("/items", json={"name": name})))
    thread.start()
    return thread, answers


def test_a_held_request_waits_after_it_was_done_until_released(tiny):
    emulator, client = tiny
    root = str(client.base_url).removesuffix("/api/")
    faults = emulator.set_faults({"hold": 2, "methods": ["POST"], "hold_seconds": 10})
    assert client.post("/items", json={"name": "second"}).status_code == 200  # the first goes through
    thread, answers = _post_in_background(client, "third")
    assert faults.wait_for_hold(5)
    # Done, saved and logged while its answer waits: a client killed now leaves it done.
    assert emulator.items["3"]["name"] == "third" and emulator.log.count(method="POST") == 2
    assert httpx.get(root + "/_sandbox/faults").json()["held"] == 1 and answers == []
    emulator.set_faults({})  # replacing the faults lets it go
    thread.join(5)
    assert [a.json() for a in answers] == [{"id": "3", "name": "third"}] and faults.held == 0


def test_a_request_held_before_it_is_handled_never_gets_through(tiny):
    emulator, client = tiny
    faults = emulator.set_faults({"hold": 1, "hold_at": "before", "hold_seconds": 10})
    thread, answers = _post_in_background(client, "second")
    assert faults.wait_for_hold(5)
    assert "2" not in emulator.items and emulator.log.entries() == []
    emulator.set_faults({})
    thread.join(5)
    assert [a.status_code for a in answers] == [503] and "2" not in emulator.items
    with pytest.raises(ValueError, match="hold_at"):
        emulator.set_faults({"hold_at": "during"})
