"""Builders for HTTP-core tests: a core on a fake clock, with no real waiting."""

from __future__ import annotations

from typing import Any

from connectors.accounting import RequestStats
from connectors.http import HttpCore, RetryPolicy
from connectors.ratelimit import RateLimit, SlidingWindowLimiter


def make_core(
    clock: Any, service: str = "trello", base_url: str = "https://api.trello.com/1", **kwargs: Any
) -> HttpCore:
    limit = kwargs.pop("limit", RateLimit(1000, 1.0, "test"))
    return HttpCore(
        service=service,
        base_url=base_url,
        limiter=SlidingWindowLimiter(limit, clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
        retry=kwargs.pop("retry", RetryPolicy(random=lambda: 1.0)),
        stats=kwargs.pop("stats", RequestStats()),
        **kwargs,
    )
