"""The HTTP core every connector uses: one synchronous httpx client with retries, throttling,
error mapping, accounting, redaction and one log line per request.

Retry rules (after notion-sdk-py and dlt):
- 429 (and the service-specific rate-limit answers) always, waiting `Retry-After` (seconds or an HTTP
  date) when the service gives it, exponential backoff with jitter otherwise;
- 5xx, timeouts and dropped connections only for idempotent requests, since a POST that reached the
  server may have been applied;
- a connection that was never established is retried for any method: nothing was sent.
A wait longer than `max_retry_after` is not slept through: the RateLimited error carries it instead.

Tests inject `transport` and `sleep` (and `clock` for the limiter) and never really wait.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from config.redaction import redact, register_secret
from connectors.accounting import STATS, RequestKey, RequestStats
from connectors.errors import BadData, ConnectorError, RateLimited, Unavailable, classify, read_error_body
from connectors.ratelimit import Limiter, QuotaGate, SlidingWindowLimiter, shared_limiter

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class RetryPolicy:
    attempts: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 120.0
    random: Callable[[], float] = random.random

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, capped."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2 ** (attempt - 1))
        return ceiling * (0.5 + self.random() / 2)


@dataclass(frozen=True)
class _Call:
    method: str
    template: str
    url: str
    params: Any
    body: Any
    headers: Mapping[str, str] | None
    safe: bool
    expect_json: bool


@dataclass
class _Retryable(Exception):
    """Internal: wraps a ConnectorError that may be retried."""

    error: ConnectorError
    wait: float | None = None


@dataclass
class HttpCore:
    """A service's HTTP client. Build one per connector; share the limiter across clients."""

    service: str
    base_url: str
    limiter: Limiter
    auth: httpx.Auth | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    quota: QuotaGate | None = None
    stats: RequestStats = field(default_factory=lambda: STATS)
    timeout: float = 30.0
    observers: Iterable[Callable[[str, httpx.Request], None]] = ()

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            base_url=self.base_url.rstrip("/") + "/",
            auth=self.auth,
            headers={"User-Agent": "obm-hub", **self.headers},
            transport=self.transport,
            timeout=self.timeout,
            event_hooks={"request": [self._observe_request]},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public API --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        template: str,
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expect_json: bool = False,
    ) -> httpx.Response:
        """Send one logical request (several attempts at most) and return a 2xx/3xx response.

        `template` is the API path with `{name}` placeholders filled from `path`; it is what the logs
        and the accounting show. `idempotent` overrides the method's default (Notion's POST query is
        a read and may be retried). With `expect_json`, a malformed body is an error (retried when
        the request is safe to repeat).
        """
        method = method.upper()
        call = _Call(
            method=method,
            template=template,
            url=_fill(template, path or {}),
            params=params,
            body=json,
            headers=headers,
            safe=method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
            expect_json=expect_json,
        )
        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            retry=retry_if_exception(lambda exc: isinstance(exc, _Retryable)),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, call)
        except _Retryable as final:
            raise final.error from None

    def request_json(self, method: str, template: str, **kwargs: Any) -> Any:
        """`request()` and return the decoded JSON body (None for an empty body)."""
        response = self.request(method, template, expect_json=True, **kwargs)
        return response.json() if response.content else None

    # -- one attempt -------------------------------------------------------------------------

    def _attempt(self, call: _Call) -> httpx.Response:
        self._check_quota(call.method, call.template)
        self.limiter.acquire()
        key = RequestKey(self.service, call.method, call.template)
        safe = call.safe
        started = time.perf_counter()
        try:
            response = self._client.request(
                call.method, call.url, params=call.params, json=call.body, headers=call.headers
            )
        except httpx.TransportError as exc:
            ms = (time.perf_counter() - started) * 1000
            self.stats.record(key, None, ms)
            self._log(key, None, ms, error=type(exc).__name__)
            raise self._transport_error(exc, key, safe) from None
        ms = (time.perf_counter() - started) * 1000
        self.stats.record(key, response.status_code, ms)
        self._log(key, response.status_code, ms)
        if self.quota is not None:
            self.quota.observe(response)
        if response.status_code >= 400:
            raise self._status_error(response, key, safe)
        if call.expect_json:
            self._check_json(response, key, safe)
        return response

    def _check_quota(self, method: str, template: str) -> None:
        wait = self.quota.seconds_until_reset() if self.quota else None
        if wait is not None:
            raise RateLimited(
                f"{self.service} quota exhausted; it resets in {wait:.0f} s "
                f"(request {method} {template} not sent)",
                service=self.service,
                method=method,
                path=template,
                retry_after=wait,
            )

    def _transport_error(self, exc: httpx.TransportError, key: RequestKey, safe: bool) -> Exception:
        kind = (
            "timed out"
            if isinstance(exc, httpx.TimeoutException)
            else "failed to connect or lost the connection"
        )
        error = Unavailable(
            f"{self.service} {key.method} {key.path} {kind} ({type(exc).__name__}: {redact(exc)})",
            service=self.service,
            method=key.method,
            path=key.path,
        )
        return _Retryable(error) if safe or isinstance(exc, _NOT_SENT) else error

    def _status_error(self, response: httpx.Response, key: RequestKey, safe: bool) -> Exception:
        body = read_error_body(self.service, response)
        cls = classify(self.service, response.status_code, body.code)
        retry_after = retry_after_seconds(response)
        if retry_after is None and cls is RateLimited and self.quota is not None:
            # The quota's reset time is the wait only when the quota is what ran out: a 429 for going
            # too fast (Toggl sends no Retry-After) waits the backoff, paced by the limiter.
            retry_after = self.quota.seconds_until_reset()
        detail = f" {body.code}" if body.code else ""
        if body.feature:
            detail += f" ({redact(body.feature)})"
        error = cls(
            f"{self.service} {key.method} {key.path} returned {response.status_code}{detail}: {cls.action}",
            service=self.service,
            method=key.method,
            path=key.path,
            status=response.status_code,
            code=body.code,
            request_id=body.request_id or response.headers.get("x-request-id"),
            body=redact(response.text),
            retry_after=retry_after,
        )
        if cls is RateLimited:
            if retry_after is not None and retry_after > self.retry.max_retry_after:
                return error  # too long to sleep through: the caller decides when to come back
            return _Retryable(error, wait=retry_after)
        if cls is Unavailable and safe:
            return _Retryable(error, wait=retry_after)
        return error

    def _check_json(self, response: httpx.Response, key: RequestKey, safe: bool) -> None:
        if not response.content:
            return
        try:
            response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            error = BadData(
                f"{self.service} {key.method} {key.path} returned a malformed JSON body",
                service=self.service,
                method=key.method,
                path=key.path,
                status=response.status_code,
                body=redact(response.text),
            )
            # A truncated body on a read is a transient fault; after a write, re-reading is the caller's call.
            raise (_Retryable(error) if safe else error) from None

    # -- hooks -------------------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome.exception() if state.outcome else None
        if isinstance(outcome, _Retryable) and outcome.wait is not None:
            return max(outcome.wait, 0.0)
        return self.retry.backoff(state.attempt_number)

    def _observe_request(self, request: httpx.Request) -> None:
        # Whatever credential the auth flow put on the wire is a secret from now on.
        authorization = request.headers.get("Authorization")
        if authorization:
            register_secret(authorization)
            register_secret(authorization.partition(" ")[2])
        for observer in (*_GLOBAL_OBSERVERS, *self.observers):
            observer(self.service, request)

    def _log(self, key: RequestKey, status: int | None, ms: float, error: str | None = None) -> None:
        suffix = f" error={error}" if error else ""
        logger.info(
            "service=%s method=%s path=%s status=%s ms=%.0f%s",
            key.service,
            key.method,
            key.path,
            status if status is not None else "-",
            ms,
            suffix,
        )


# Observers every core calls with (service, request) on every request; the contract tests register one.
_GLOBAL_OBSERVERS: list[Callable[[str, httpx.Request], None]] = []


def add_request_observer(observer: Callable[[str, httpx.Request], None]) -> None:
    _GLOBAL_OBSERVERS.append(observer)


def remove_request_observer(observer: Callable[[str, httpx.Request], None]) -> None:
    _GLOBAL_OBSERVERS.remove(observer)


@dataclass(frozen=True)
class CoreOptions:
    """How a connector's core is wired; tests inject a transport, a fast limiter and a fake sleep."""

    transport: httpx.BaseTransport | None = None
    limiter: SlidingWindowLimiter | None = None  # None: the shared limiter at the documented rate
    # Or one limiter per service and credential from this factory (the Prefect server's, across workers).
    limiters: Callable[[str, str | None], Limiter] | None = None
    sleep: Callable[[float], None] = time.sleep
    retry: RetryPolicy | None = None
    stats: RequestStats | None = None
    timeout: float = 30.0


def build_core(
    service: str,
    base_url: str,
    *,
    credential: str | None,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    quota: QuotaGate | None = None,
    options: CoreOptions | None = None,
) -> HttpCore:
    """The one way connectors build their core. `credential` keys the shared per-token limiter."""
    options = options or CoreOptions()
    return HttpCore(
        service=service,
        base_url=base_url,
        limiter=options.limiter or (options.limiters or shared_limiter)(service, credential),
        auth=auth,
        headers=dict(headers or {}),
        transport=options.transport,
        sleep=options.sleep,
        retry=options.retry or RetryPolicy(),
        quota=quota,
        stats=options.stats or STATS,
        timeout=options.timeout,
    )


def _fill(template: str, values: Mapping[str, object]) -> str:
    """The template with each placeholder URL-quoted (calendar ids hold '@' and '#')."""
    quoted = {name: quote(str(value), safe="") for name, value in values.items()}
    try:
        return template.format(**quoted).lstrip("/")
    except KeyError as exc:
        raise ValueError(f"path template {template!r} needs a value for {exc.args[0]!r}") from None


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds: an integer, or an HTTP date (RFC 9110 §10.2.3)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
