"""The Trello emulator: the REST API v1 under `/1`, for the boards seeded from the sandbox's businesses.

Authentication is Trello's: the API key and token as `key`/`token` query parameters or in an
`Authorization: OAuth oauth_consumer_key="…", oauth_token="…"` header; a wrong key is a 401
`invalid key`, a wrong token a 401 `invalid token`, both plain text. Rate limits are the documented
ones, 100 requests per 10 s per token and 300 per 10 s per key, answered with Trello's 429 JSON body
and no Retry-After (Trello documents none); every answer carries the `X-Rate-Limit-Api-Token-*` and
`X-Rate-Limit-Api-Key-*` counters. Sources: NOTES.md §1 (rate-limit guide, recorded cassettes).

The sandbox token never expires unless an action says so (`set_token_expiry`, as a token granted with
the authorize route's `expiration` of 1hour, 1day or 30days does); once its `dateExpires` has passed
by the sandbox's clock, every request it authenticates is a 401 `invalid token`, as Trello answers a
token it no longer honours ("If a token has been revoked, the API will respond with a 401 HTTP status
and the message: invalid token", https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from sandbox.business import Business
from sandbox.emulator import Emulator, sandbox_action
from sandbox.limits import Window
from sandbox.trello import routes
from sandbox.trello.seed import seed_store
from sandbox.trello.store import Json, TrelloStore, parse_time, trello_time

API_KEY = "sandbox-trello-key"
TOKEN = "sandbox-trello-token"
TOKEN_WINDOW = Window(100, 10.0)
KEY_WINDOW = Window(300, 10.0)
MESSAGES = {
    400: "invalid request",
    401: "unauthorized permission requested",
    404: "The requested resource was not found.",
    405: "Method not allowed",
}
# The authorize route's `expiration` choices (authorization guide, above): how long a grant lasts.
EXPIRATIONS: dict[str, timedelta | None] = {
    "1hour": timedelta(hours=1),
    "1day": timedelta(days=1),
    "30days": timedelta(days=30),
    "never": None,
}
_OAUTH_FIELD = re.compile(r'(oauth_[a-z_]+)="([^"]*)"')


class TrelloEmulator(Emulator):
    service = "trello"
    prefix = "/1"
    windows = (TOKEN_WINDOW, KEY_WINDOW)

    # -- state -------------------------------------------------------------------------------

    def seed(self, businesses: tuple[Business, ...]) -> None:
        self.store = seed_store(businesses)

    def dump_state(self) -> dict[str, Any]:
        return self.store.dump()

    def load_state(self, data: dict[str, Any]) -> None:
        self.store = TrelloStore.load(data)

    def register_routes(self, router: APIRouter) -> None:
        routes.register(router, self)

    # -- the token -----------------------------------------------------------------------------

    @sandbox_action
    def set_token_expiry(self, expires: str | None = None, expiration: str | None = None) -> Json:
        """Expire the token at `expires` (ISO 8601) or after `expiration` (1hour, 1day, 30days, never).

        With neither, it never expires (the default). `expiration` counts from the sandbox's clock,
        which is the demo business's time, not the wall clock: a test on another clock passes
        `expires`. Answers the token's record as `GET /1/tokens/{token}` shows it.
        """
        if expires is not None and expiration is not None:
            raise ValueError("give `expires` or `expiration`, not both")
        if expiration is not None and expiration not in EXPIRATIONS:
            raise ValueError(f"unknown expiration {expiration!r}; known: {list(EXPIRATIONS)}")
        moment: datetime | None = None
        if expires is not None:
            moment = parse_time(expires)
        elif expiration is not None and (length := EXPIRATIONS[expiration]) is not None:
            moment = self.now() + length
        self.store.token["dateExpires"] = trello_time(moment) if moment is not None else None
        self.save()
        return dict(self.store.token)

    def token_record(self, value: str) -> Json | None:
        """The record of the token `value` while Trello would honour it; None for any other value."""
        if value != TOKEN or self.token_expired():
            return None
        return self.store.token

    def token_expired(self) -> bool:
        expires = self.store.token.get("dateExpires")
        return expires is not None and parse_time(expires) <= self.now()

    def settings_update(self, root_url: str) -> dict[str, Any]:
        return {"base_url": root_url + self.prefix, "api_key": API_KEY, "token": TOKEN}

    # -- authentication ----------------------------------------------------------------------

    def identify(self, request: Request) -> str | None:
        key, token = _credentials(request)
        valid = (key, token) == (API_KEY, TOKEN) and not self.token_expired()
        return f"{key}:{token}" if valid else None

    def unauthenticated(self, request: Request) -> Response:
        key, _ = _credentials(request)
        return self.error(401, "invalid key" if key != API_KEY else "invalid token")

    def error(
        self, status: int, message: str | None = None, code: str | None = None, **extra: Any
    ) -> Response:
        if status == 429:
            body = {"error": code or "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
            return JSONResponse(body, status_code=429)
        return PlainTextResponse(message or MESSAGES.get(status, "error"), status_code=status)

    # -- rate limits -------------------------------------------------------------------------

    def rate_limited(self, retry_after: float, credential: str) -> Response:
        return self.error(429, code="API_TOKEN_LIMIT_EXCEEDED")  # no Retry-After: Trello sends none

    def check_limits(self, credential: str, request: Request) -> Response | None:
        if not self._limits:
            return None
        # Trello counts per token and per key: one window each, keyed by its own credential.
        key, _, token = credential.partition(":")
        token_counter, key_counter = self._limits
        if token_counter.hit(token) is not None:
            return self.error(429, code="API_TOKEN_LIMIT_EXCEEDED")
        if key_counter.hit(key) is not None:
            return self.error(429, code="API_KEY_LIMIT_EXCEEDED")
        return None

    def response_headers(self, credential: str | None, request: Request) -> dict[str, str]:
        if credential is None:
            return {}
        key, _, token = credential.partition(":")
        headers = {}
        for name, window, who, index in (("Token", TOKEN_WINDOW, token, 0), ("Key", KEY_WINDOW, key, 1)):
            counter = self._limits[index] if self._limits else None
            left = counter.remaining(who) if counter is not None else window.requests
            headers[f"X-Rate-Limit-Api-{name}-Interval-Ms"] = str(int(window.per_seconds * 1000))
            headers[f"X-Rate-Limit-Api-{name}-Max"] = str(window.requests)
            headers[f"X-Rate-Limit-Api-{name}-Remaining"] = str(left)
        return headers


def _credentials(request: Request) -> tuple[str | None, str | None]:
    """Key and token from the query string, else from the OAuth header."""
    header = request.headers.get("authorization", "")
    oauth = dict(_OAUTH_FIELD.findall(header)) if header.startswith("OAuth ") else {}
    key = request.query_params.get("key") or oauth.get("oauth_consumer_key")
    token = request.query_params.get("token") or oauth.get("oauth_token")
    return key, token
