"""The Notion API emulator (version 2025-09-03) for the sandbox.

Serves the endpoints the hub uses under the real base path `/v1` (see routes.py) from a store seeded
with the demo business (seed.py). What it checks, as Notion does:

- `Authorization: Bearer <token>`; anything else is 401 `unauthorized` "API token is invalid.";
- `Notion-Version` on every request; missing (or another version) is 400 `missing_version`;
- the rate limit, "an average of three requests per second" per integration: beyond it, 429
  `rate_limited` with an integer `Retry-After` in seconds;
- request bodies, with 400 `validation_error` in Notion's wording; unknown ids are 404
  `object_not_found`; an unknown path or method is 400 `invalid_request_url`.

Every error body is `{"object": "error", "status", "code", "message", "request_id"}`.

One-shot action (`POST /_sandbox/actions/delete_permanently` with `{"page_id": ...}`): a page emptied
from the trash, as a person does in the Notion UI (the API itself only trashes pages).
Sources: https://developers.notion.com/reference/status-codes, /reference/request-limits.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.business import Business
from sandbox.emulator import Emulator, sandbox_action
from sandbox.limits import Window
from sandbox.notion.routes import NotionRoutes
from sandbox.notion.seed import seed_store
from sandbox.notion.store import NotionStore, canonical_id

TOKEN = "sandbox-notion-token"

# status -> (code, message) when a handler gives none (https://developers.notion.com/reference/status-codes)
DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("validation_error", "body failed validation."),
    401: ("unauthorized", "API token is invalid."),
    403: ("restricted_resource", "API token does not have access to this resource."),
    404: ("object_not_found", "Could not find the object."),
    409: ("conflict_error", "Conflict occurred while saving. Please try again."),
    429: ("rate_limited", "You have been rate limited. Please try again in a few minutes."),
    500: ("internal_server_error", "Unexpected error occurred."),
    502: ("bad_gateway", "Bad Gateway"),
    503: ("service_unavailable", "Notion is unavailable, please try again later."),
    504: ("gateway_timeout", "Gateway Timeout"),
}


class NotionEmulator(Emulator):
    service = "notion"
    prefix = "/v1"
    # "An average of three requests per second"; the bursts Notion tolerates are not emulated, so a
    # client that passes here stays within the real limit.
    windows = (Window(3, 1.0),)

    store: NotionStore

    def seed(self, businesses: tuple[Business, ...]) -> None:
        self.store = seed_store(businesses[0])
        for business in businesses[1:]:  # one integration, shared with every business's databases
            seed_store(business, self.store)

    def register_routes(self, router: APIRouter) -> None:
        NotionRoutes(self).register(router)

    # -- one-shot actions ----------------------------------------------------------------------

    @sandbox_action
    def delete_permanently(self, page_id: str) -> bool:
        """A page deleted for good (emptied from the trash): later reads and writes of it answer 404."""
        found = canonical_id(page_id)
        if found is None or self.store.pages.pop(found, None) is None:
            return False
        pending = self.store.children.pop(found, [])
        while pending:
            block_id = pending.pop()
            self.store.blocks.pop(block_id, None)
            pending += self.store.children.pop(block_id, [])
        self.save()
        return True

    def identify(self, request: Request) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" and token == TOKEN else None

    def error(
        self, status: int, message: str | None = None, code: str | None = None, **extra: Any
    ) -> Response:
        if code is None and status in (404, 405):
            # No route matched (a handler's 404 always names its code): Notion's answer to a bad URL.
            status, code, message = 400, "invalid_request_url", "Invalid request URL."
        default_code, default_message = DEFAULTS.get(
            status, ("internal_server_error", "Unexpected error occurred.")
        )
        body: dict[str, Any] = {
            "object": "error",
            "status": status,
            "code": code or default_code,
            "message": message or default_message,
            "request_id": str(uuid.uuid4()),
        }
        if extra:
            body["additional_data"] = extra
        return JSONResponse(body, status_code=status)

    def unauthenticated(self, request: Request) -> Response:
        return self.error(401, "API token is invalid.", "unauthorized")

    def rate_limited(self, retry_after: float, credential: str) -> Response:
        response = self.error(429, None, "rate_limited")
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
        return response

    def settings_update(self, root_url: str) -> dict[str, Any]:
        return {"base_url": root_url + self.prefix, "token": TOKEN}

    def dump_state(self) -> dict[str, Any]:
        return self.store.dump()

    def load_state(self, data: dict[str, Any]) -> None:
        self.store = NotionStore.load(data)
