"""The admin endpoints every emulator serves under `/_sandbox/` (described in `sandbox/emulator.py`):
the request log, the fault knobs and the one-shot actions. Not part of any real API; the gate lets
them through unlogged and unfaulted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

if TYPE_CHECKING:
    from sandbox.emulator import Emulator


def add_admin_routes(app: FastAPI, emulator: Emulator) -> None:
    """The `/_sandbox/` endpoints (see `sandbox/emulator.py`'s docstring)."""

    @app.get("/_sandbox/requests")
    async def requests() -> list[dict[str, object]]:
        return emulator.log.as_json() if emulator.log else []

    @app.delete("/_sandbox/requests")
    async def clear_requests() -> dict[str, str]:
        emulator.log.clear()
        return {"status": "cleared"}

    @app.get("/_sandbox/faults")
    async def get_faults() -> dict[str, object]:
        return {"faults": emulator.faults.as_json(), "held": emulator.faults.held}

    @app.post("/_sandbox/faults")
    async def set_faults(request: Request) -> Response:
        try:
            faults = emulator.set_faults(await _json_object(request) or {})
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"faults": faults.as_json()})

    _add_action_routes(app, emulator)


def _add_action_routes(app: FastAPI, emulator: Emulator) -> None:
    @app.get("/_sandbox/actions")
    async def list_actions() -> dict[str, object]:
        described = [
            {"name": name, "description": next(iter((action.__doc__ or "").strip().splitlines()), "")}
            for name, action in sorted(emulator.actions().items())
        ]
        return {"actions": described}

    @app.post("/_sandbox/actions/{name}")
    async def run_action(name: str, request: Request) -> Response:
        action = emulator.actions().get(name)
        if action is None:
            unknown = {"error": f"no action {name!r}; see GET /_sandbox/actions"}
            return JSONResponse(unknown, status_code=404)
        try:
            result = action(**(await _json_object(request) or {}))
        except (TypeError, ValueError) as exc:
            return JSONResponse({"error": f"{name}: {exc}"}, status_code=400)
        emulator.save()
        return JSONResponse({"action": name, "result": result})


async def _json_object(request: Request) -> dict[str, Any] | None:
    """The request's JSON object body, None when empty; anything else is a ValueError."""
    raw = await request.body()
    if not raw.strip():
        return None
    body = json.loads(raw)
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body
