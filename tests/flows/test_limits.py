"""The rate budgets a Prefect server holds for every process (`flows/limits.py`), without a server."""

from __future__ import annotations

import math

import pytest

from connectors.ratelimit import RATE_LIMITS, SlidingWindowLimiter
from flows.limits import BUDGETS, PrefectRateLimiter, limit_name, shared_options


@pytest.mark.parametrize("service", sorted(RATE_LIMITS))
def test_each_bucket_keeps_any_window_within_the_documented_number(service):
    documented, budget = RATE_LIMITS[service], BUDGETS[service]
    # A full bucket, then its refill: whole requests only.
    most = math.floor(budget.burst + budget.per_second * documented.per_seconds)
    assert most <= documented.requests
    # ... and spends most of it: a budget far below the number would only slow the hub down.
    assert most >= 0.8 * documented.requests


def test_with_a_server_configured_the_cores_pace_through_it_one_limit_per_service_and_token(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert shared_options() is None  # no server: the process's own limiters

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    options = shared_options()
    assert options is not None and options.limiters is not None
    notion = options.limiters("notion", "secret-notion-token-canary")
    assert isinstance(notion, PrefectRateLimiter) and not isinstance(notion, SlidingWindowLimiter)
    assert options.limiters("notion", "secret-notion-token-canary") is notion  # one per process
    assert options.limiters("notion", "another-token") is not notion
    assert notion.name == limit_name("notion", "secret-notion-token-canary")
    assert notion.name.startswith("obm-hub-notion-") and "canary" not in notion.name
