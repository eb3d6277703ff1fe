"""What the four emulators share: the request gate (faults, authentication, rate limits), the request
log, service-shaped errors, state persistence and the admin endpoints.

A service emulator subclasses `Emulator`, declares its base path and credentials, registers its
routes on a FastAPI router and says how its service words errors. Handlers are `async def` so that
all state changes happen on the emulator's own event loop thread.

Admin endpoints (`sandbox/admin.py`; not part of any real API, never logged, never faulted), so that a
hub or a script in another process reaches every knob:
- `GET /_sandbox/requests`, `DELETE /_sandbox/requests`: the request log;
- `GET /_sandbox/faults`, `POST /_sandbox/faults`: read or replace the `Faults` (a JSON object of its
  fields; lists for tuples; 400 for an unknown field or a form the service does not have); the read
  also says how many requests the `hold` knob holds now (`held`);
- `GET /_sandbox/actions`: the one-shot actions this emulator offers, with what each does;
  `POST /_sandbox/actions/{name}`: run one (an optional JSON object body gives its keyword arguments);
  it answers `{"action": name, "result": ...}`, 404 for an unknown name.

An action is an emulator method marked `@sandbox_action`; its docstring's first line is its
description. It runs on the emulator's event loop thread, and the state is saved after it:

    @sandbox_action
    def expire_sync_tokens(self) -> None:
        '''Every sync token issued so far answers 410 from now on.'''
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.admin import add_admin_routes
from sandbox.business import Business
from sandbox.faults import Faults
from sandbox.limits import Window, WindowCounter
from sandbox.requestlog import LoggedRequest, RequestLog

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ADMIN_PREFIX = "/_sandbox/"

F = TypeVar("F", bound=Callable[..., Any])


def sandbox_action(method: F) -> F:
    """Mark an emulator method as a one-shot action: `POST /_sandbox/actions/{its name}` runs it."""
    method._sandbox_action = True  # type: ignore[attr-defined]
    return method


def business_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and runs at the real pace from there."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


class ApiError(Exception):
    """Raised by handlers; the emulator renders it the way its service does."""

    def __init__(
        self, status: int, message: str | None = None, code: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message or str(status))
        self.status = status
        self.message = message
        self.code = code
        self.extra = extra


class Emulator(ABC):
    service: ClassVar[str]
    prefix: ClassVar[str]  # the real API's base path: "/1", "/calendar/v3", "/api/v9", "/v1"
    windows: ClassVar[tuple[Window, ...]] = ()  # documented rate limits, per credential
    # The values this service gives the `Faults` knobs it interprets ("storm_forms", "duplicate_forms").
    fault_forms: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Paths that faults never touch (Google's OAuth token endpoint answers OAuth bodies, not API ones).
    fault_exempt_paths: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        business: Business | Sequence[Business],
        *,
        log: RequestLog | None = None,
        state_path: Path | None = None,
        rate_limits: bool = True,
        clock: Callable[[], datetime] | None = None,
        limit_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`business` is one business or several, all served at once (the first is the demo one);
        `clock` stamps what the service writes (default: the business's `now`, running on at the
        real pace, so writes and seeded data share one timeline); `limit_clock` drives the rate limits
        (tests pass a fake one instead of waiting)."""
        self.businesses = (business,) if isinstance(business, Business) else tuple(business)
        self.business = self.businesses[0]
        self.log = log or RequestLog()
        self.faults = Faults()
        self.state_path = state_path
        self.clock = clock or business_clock(self.business.now)
        self.rate_limits = rate_limits
        self.limit_clock = limit_clock
        self._limits = (
            [WindowCounter(window, clock=limit_clock) for window in self.windows] if rate_limits else []
        )
        if state_path is not None and state_path.exists():
            self.load_state(json.loads(state_path.read_text(encoding="utf-8")))
        else:
            self.seed(self.businesses)
            self.save()
        self.app = _Gate(self, self._build_app())

    # -- what a service provides ---------------------------------------------------------------

    @abstractmethod
    def seed(self, businesses: tuple[Business, ...]) -> None:
        """Fill the store from the businesses (deterministically), each in its own board, database,
        calendar or workspace."""

    @abstractmethod
    def register_routes(self, router: APIRouter) -> None:
        """Add the service's endpoints; paths are relative to `prefix`."""

    def register_root_routes(self, router: APIRouter) -> None:  # noqa: B027 - optional hook
        """Add endpoints outside the base path (Google's token endpoint); none by default."""

    @abstractmethod
    def identify(self, request: Request) -> str | None:
        """The credential the request carries when it is valid, else None."""

    @abstractmethod
    def error(
        self, status: int, message: str | None = None, code: str | None = None, **extra: Any
    ) -> Response:
        """An error response shaped like the service's own."""

    @abstractmethod
    def settings_update(self, root_url: str) -> dict[str, Any]:
        """This service's settings pointed at the emulator: base URL (and token URI) plus the sandbox
        credentials, as keyword values for the service's settings model."""

    @abstractmethod
    def dump_state(self) -> dict[str, Any]: ...

    @abstractmethod
    def load_state(self, data: dict[str, Any]) -> None: ...

    def unauthenticated(self, request: Request) -> Response:
        return self.error(401, "unauthorized")

    def conflicted(self) -> Response:
        """The service's answer to a write that collided with another one (the "conflict" fault)."""
        return self.error(409, None)

    def rate_limited(self, retry_after: float, credential: str) -> Response:
        response = self.error(429, "rate limited")
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
        return response

    def storm_response(self, credential: str) -> Response:
        """The answer to a request caught in a storm; services with several forms pick one."""
        return self.rate_limited(self.faults.storm_retry_after, credential)

    def check_limits(self, credential: str, request: Request) -> Response | None:
        """None when the request may go on; otherwise the service's rate-limit answer."""
        for counter in self._limits:
            wait = counter.hit(credential)
            if wait is not None:
                return self.rate_limited(wait, credential)
        return None

    def response_headers(self, credential: str | None, request: Request) -> dict[str, str]:
        """Headers the service adds to every answer (rate-limit counters, quotas)."""
        return {}

    # -- shared machinery ----------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def set_faults(self, settings: dict[str, Any]) -> Faults:
        """Replace the faults; ValueError for an unknown field, or a form this service does not have."""
        faults = Faults.from_json(settings)
        for name in ("storm_forms", "duplicate_forms"):
            known = self.fault_forms.get(name, ())
            unknown = set(getattr(faults, name)) - set(known)
            if unknown:
                raise ValueError(f"{self.service} has no {name} {sorted(unknown)}; known: {list(known)}")
        self.faults, replaced = faults, self.faults
        replaced.release()  # a request the old faults hold goes on
        return faults

    def actions(self) -> dict[str, Callable[..., Any]]:
        """The one-shot actions (methods marked `@sandbox_action`), by name."""
        cls = type(self)
        marked = [name for name in dir(cls) if getattr(getattr(cls, name), "_sandbox_action", False)]
        return {name: getattr(self, name) for name in marked}

    def save(self) -> None:
        """Write the state atomically, so a crash never leaves half a file."""
        if self.state_path is None:
            return
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.dump_state(), indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.state_path)

    def template(self, scope: Scope) -> str:
        """The route's path template relative to the base path, or the raw path when nothing matches."""
        for route in self._fastapi.router.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:  # PARTIAL: the path matches, the method does not
                return str(getattr(route, "path", scope["path"])).removeprefix(self.prefix) or "/"
        return scope["path"].removeprefix(self.prefix) or "/"

    def _build_app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        router, root = APIRouter(prefix=self.prefix), APIRouter()
        self.register_routes(router)
        self.register_root_routes(root)
        # Routes are added flat (not include_router) so `template()` can match them one by one.
        app.router.routes.extend([*router.routes, *root.routes])
        add_admin_routes(app, self)

        async def api_error(_: Request, exc: Exception) -> Response:
            assert isinstance(exc, ApiError)
            return self.error(exc.status, exc.message, exc.code, **exc.extra)

        async def http_error(_: Request, exc: Exception) -> Response:
            assert isinstance(exc, StarletteHTTPException)
            return self.error(exc.status_code, None)

        async def invalid(_: Request, exc: Exception) -> Response:
            return self.error(400, "invalid request")

        app.add_exception_handler(ApiError, api_error)
        app.add_exception_handler(StarletteHTTPException, http_error)
        app.add_exception_handler(RequestValidationError, invalid)
        self._fastapi = app
        return app


class _Gate:
    """ASGI middleware: log every request; apply faults, authentication and rate limits first."""

    def __init__(self, emulator: Emulator, app: ASGIApp) -> None:
        self.emulator = emulator
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        template = self.emulator.template(scope)
        state = {"status": 0, "logged": False}

        def record() -> None:
            # Called before the last byte goes out, so a client that has its answer finds it logged.
            if state["logged"]:
                return
            state["logged"] = True
            self.emulator.log.add(
                LoggedRequest(
                    service=self.emulator.service,
                    method=scope["method"],
                    path=template,
                    status=int(state["status"]),
                    ms=(time.perf_counter() - started) * 1000,
                    raw_path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                )
            )

        try:
            await self._handle(scope, receive, send, state, record)
        finally:
            record()

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any], record: Callable[[], None]
    ) -> None:
        emulator = self.emulator
        request = Request(scope, receive)
        faults = emulator.faults
        applies = scope["path"] not in emulator.fault_exempt_paths and faults.applies_to(
            scope["method"], scope["path"]
        )
        if applies and faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        credential = emulator.identify(request)
        fault = ("storm" if faults.take_storm() else faults.pick()) if applies else None
        hold = applies and faults.take_hold()
        if hold and faults.hold_at == "before":
            await faults.stall()
            fault = "503"  # it never got through: answered as an outage, not handled
        if fault == "reset":
            state["status"] = 200
            await _reset(send)
            return
        if fault == "timeout":
            await asyncio.sleep(faults.timeout_seconds)
        sender = self._sender(
            send,
            state,
            record,
            credential,
            request,
            mutating=scope["method"] not in SAFE_METHODS,
            hold=faults if hold and faults.hold_at == "after" else None,
        )
        refusal = self._refusal(fault, request, credential)
        if refusal is not None:
            await refusal(scope, receive, sender)
        elif fault == "malformed":
            await _malformed(self.app, scope, receive, sender)
        else:
            await self.app(scope, receive, sender)

    def _refusal(self, fault: str | None, request: Request, credential: str | None) -> Response | None:
        """The answer that stops the request before the handler: a fault, bad credentials, a limit."""
        emulator = self.emulator
        if fault == "storm":
            return emulator.storm_response(credential or "")
        if fault in {"500", "502", "503"}:
            return emulator.error(int(fault), "injected fault")
        if fault == "timeout":
            return emulator.error(503, "injected timeout")  # sent after the client gave up
        if fault == "conflict" and request.method not in SAFE_METHODS:
            return emulator.conflicted()
        if credential is None:
            return emulator.unauthenticated(request)
        return emulator.check_limits(credential, request)

    def _sender(
        self,
        send: Send,
        state: dict[str, Any],
        record: Callable[[], None],
        credential: str | None,
        request: Request,
        *,
        mutating: bool,
        hold: Faults | None = None,
    ) -> Send:
        emulator = self.emulator

        async def finish() -> None:
            # Before the client has its whole answer: a client that saw success finds it saved and logged.
            if state.get("finished"):
                return
            state["finished"] = True
            if mutating and 200 <= state["status"] < 400:
                emulator.save()
            record()
            if hold is not None:  # done and logged; the answer waits (see `Faults.hold`)
                await hold.stall()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                extra = emulator.response_headers(credential, request)
                message["headers"] = [*message.get("headers", []), *_encode(extra)]
                if _bodyless(message):  # the client has its whole answer with the headers
                    await finish()
            elif not message.get("more_body"):
                await finish()
            await send(message)

        return send_with_headers


def _bodyless(start: Message) -> bool:
    if start["status"] in (204, 304):
        return True
    headers = start["headers"]
    return any(name.lower() == b"content-length" and value.strip() == b"0" for name, value in headers)


def _encode(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


async def _reset(send: Send) -> None:
    """Promise a body, send part of it and stop: the client sees the connection drop mid-response."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
    raise ConnectionResetError("injected connection reset")


async def _malformed(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the real handler, then deliver its JSON cut in half (with a matching length)."""
    messages: list[Message] = []

    async def capture(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, capture)
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    cut = body[: max(1, len(body) // 2)]
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    await send({**start, "headers": [*headers, (b"content-length", str(len(cut)).encode())]})
    await send({"type": "http.response.body", "body": cut})
