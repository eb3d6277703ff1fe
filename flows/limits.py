"""Each service's rate budget held across processes, by the Prefect server: when a server is configured
(`PREFECT_API_URL`), every HTTP core of a flow run takes its turn from a Prefect global concurrency
limit used as a rate limit (`prefect.concurrency.sync.rate_limit`), one per service and credential,
named `obm-hub-<service>-<credential digest>`; two workers (or two workspaces on one token) then share
one budget. Without a server, the process's own sliding-window limiter paces (`connectors/ratelimit.py`).

A Prefect rate limit is a token bucket (`limit` slots, `slot_decay_per_second` refill); the documented
numbers are windows. So each bucket is sized to keep any window within the number: at most
floor(burst + refill x window) requests, no more than documented.

    service   documented               burst   refill/s   most in one window
    trello    100 per 10 s per token    10      9.0        10 + 90 = 100
    google    600 per 60 s per user     10      9.8        10 + 588 = 598
    toggl     1 per s                   1       0.8        1 (the next after 1.25 s)
    notion    3 per s (average)         1       2.5        3 (0, 0.4, 0.8 s)

The limits are created (or corrected) by the first process that needs them; `strict=True`, so a limit
deleted under a run fails its requests loudly instead of letting them through unpaced.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass

from connectors.http import CoreOptions
from connectors.ratelimit import Limiter, fingerprint


@dataclass(frozen=True)
class Budget:
    burst: int
    per_second: float


BUDGETS: dict[str, Budget] = {
    "trello": Budget(10, 9.0),
    "google": Budget(10, 9.8),
    "toggl": Budget(1, 0.8),
    "notion": Budget(1, 2.5),
}


def limit_name(service: str, credential: str | None) -> str:
    return f"obm-hub-{service}-{fingerprint(credential)}"


class PrefectRateLimiter:
    """A core's pacing from a Prefect global concurrency limit; the limit is ensured at first use."""

    def __init__(self, name: str, budget: Budget) -> None:
        self.name, self.budget = name, budget
        self._ready = False
        self._lock = threading.Lock()
        self.waited = 0.0

    def acquire(self) -> float:
        from prefect.concurrency.sync import rate_limit

        self._ensure()
        started = time.monotonic()
        rate_limit(self.name, occupy=1, strict=True)
        waited = time.monotonic() - started
        self.waited += waited
        return waited

    def _ensure(self) -> None:
        with self._lock:
            if self._ready:
                return
            ensure_limit(self.name, self.budget)
            self._ready = True


def ensure_limit(name: str, budget: Budget) -> None:
    """Create the limit, or set its numbers; another process creating it at the same time is fine."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.upsert_global_concurrency_limit_by_name(name, budget.burst, budget.per_second)


_limiters: dict[str, PrefectRateLimiter] = {}
_limiters_lock = threading.Lock()


def prefect_limiter(service: str, credential: str | None) -> Limiter:
    """The process's limiter for one service and credential, backed by the Prefect server."""
    name = limit_name(service, credential)
    with _limiters_lock:
        if name not in _limiters:
            _limiters[name] = PrefectRateLimiter(name, BUDGETS[service])
        return _limiters[name]


def server_configured() -> bool:
    return bool(os.environ.get("PREFECT_API_URL"))


def shared_options() -> CoreOptions | None:
    """The cores' options for a run: Prefect-held budgets when a server is configured, else None
    (the process's own limiters)."""
    return CoreOptions(limiters=prefect_limiter) if server_configured() else None
