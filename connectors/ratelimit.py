"""Client-side throttling, applied before a request is sent rather than after a 429.

Each service gets a sliding-window limiter at its documented rate: at most `requests` sends in any
window of `per_seconds`. A sliding window (not a token bucket) is what the documented numbers promise:
a bucket of 100 refilled at 10/s would let 200 Trello requests through in one 10-second window.

Toggl also publishes an hourly quota in response headers; `QuotaGate` reads them and refuses to send
once the quota is spent, naming the reset time, instead of collecting 402s.

Limiters and quota gates are shared per process, service and credential (`shared_limiter`,
`shared_quota`): limits are the token's, so a retry, a new connector or another workspace read with the
same token continues from what the last answer said instead of starting blind. Across processes (Prefect
workers), the flows hand the cores a `Limiter` held by the Prefect server instead (`flows/limits.py`):
anything with `acquire()` paces a core.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

import httpx


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: float
    source: str


# The documented numbers; ../shared/api-specs/NOTES.md has the quotes.
RATE_LIMITS: dict[str, RateLimit] = {
    "trello": RateLimit(
        100,
        10.0,
        "100 requests per 10 s per token: developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits",
    ),
    "google": RateLimit(
        600,
        60.0,
        "600 requests per minute per user per project: developers.google.com/calendar/api/guides/quota",
    ),
    "toggl": RateLimit(1, 1.0, "'a safe window will be 1 request per second': engineering.toggl.com/docs"),
    "notion": RateLimit(
        3, 1.0, "an average of three requests per second: developers.notion.com/reference/request-limits"
    ),
}


class Limiter(Protocol):
    """What paces a core: `acquire()` blocks until one more request may be sent, and returns the seconds
    it waited."""

    def acquire(self) -> float: ...


class SlidingWindowLimiter:
    """Blocks until a send fits in the window. Thread-safe; clock and sleep are injectable."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds spent waiting, for the benchmarks

    def acquire(self) -> float:
        """Wait for a free slot, take it, and return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now >= self._sent[0] + self.limit.per_seconds:
                    self._sent.popleft()
                if len(self._sent) < self.limit.requests:
                    self._sent.append(now)
                    self.waited += waited
                    return waited
                # A floor on the delay: float rounding must not turn this into a busy loop.
                delay = max(self._sent[0] + self.limit.per_seconds - now, 1e-4)
            self._sleep(delay)
            waited += delay


_limiters: dict[tuple[str, str], SlidingWindowLimiter] = {}
_limiters_lock = threading.Lock()


def fingerprint(credential: str | None) -> str:
    """A credential's short digest, what limiters are keyed and named by: a token never sits in a dict
    a debugger or a dump might show, nor in a limit's name on a Prefect server."""
    return hashlib.sha256((credential or "").encode()).hexdigest()[:16]


_fingerprint = fingerprint


def shared_limiter(service: str, credential: str | None) -> SlidingWindowLimiter:
    """The process-wide limiter for one service and one credential (limits are per token)."""
    with _limiters_lock:
        key = (service, _fingerprint(credential))
        if key not in _limiters:
            _limiters[key] = SlidingWindowLimiter(RATE_LIMITS[service])
        return _limiters[key]


@dataclass
class QuotaGate:
    """A quota announced in response headers (Toggl: X-Toggl-Quota-Remaining / -Resets-In).
    Thread-safe: connectors reading several workspaces at once may share one."""

    remaining_header: str
    resets_in_header: str
    clock: Callable[[], float] = time.monotonic
    remaining: int | None = None
    resets_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def observe(self, response: httpx.Response) -> None:
        remaining = _int_header(response, self.remaining_header)
        resets_in = _int_header(response, self.resets_in_header)
        with self._lock:
            if remaining is not None:
                self.remaining = remaining
            if resets_in is not None:
                self.resets_at = self.clock() + resets_in

    def seconds_until_reset(self) -> float | None:
        """None while requests may be sent; otherwise how long until the quota resets."""
        with self._lock:
            if self.remaining is None or self.remaining > 0 or self.resets_at is None:
                return None
            left = self.resets_at - self.clock()
            if left <= 0:
                self.remaining = None
                return None
            return left

    def resets_in(self) -> float | None:
        return None if self.resets_at is None else max(0.0, self.resets_at - self.clock())


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


_quotas: dict[tuple[str, str, str, str], QuotaGate] = {}
_quotas_lock = threading.Lock()


def shared_quota(
    service: str, base_url: str, credential: str | None, bucket: str, headers: tuple[str, str]
) -> QuotaGate:
    """The process-wide quota gate of one bucket of one credential at one server.

    Toggl counts `/me` requests in one bucket and workspace requests (the Reports API's included) in
    another (support.toggl.com/en/articles/11484112); it counts the latter per organization, and the
    hub shares one gate per token across its workspaces: two workspaces of one organization then see
    each other's spending, and workspaces of different organizations may wait for one another's
    reset, which errs on the side of sending less. The server (scheme, host, port) is part of the
    key: one server's quota covers all its base paths, and a sandbox's is not the real one.
    """
    parts = urlsplit(base_url)
    key = (service, f"{parts.scheme}://{parts.netloc}", _fingerprint(credential), bucket)
    with _quotas_lock:
        if key not in _quotas:
            _quotas[key] = QuotaGate(*headers)
        return _quotas[key]


def forget_shared_state() -> None:
    """Drop every shared limiter and quota gate: a fresh process's view (for tests)."""
    with _limiters_lock, _quotas_lock:
        _limiters.clear()
        _quotas.clear()
