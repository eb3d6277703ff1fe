"""Client-side throttling: the sliding window paces sends before a 429 can happen."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.errors import RateLimited
from connectors.ratelimit import RATE_LIMITS, QuotaGate, RateLimit, SlidingWindowLimiter, shared_limiter
from tests.connectors.helpers import make_core


def test_documented_rates():
    assert (RATE_LIMITS["trello"].requests, RATE_LIMITS["trello"].per_seconds) == (100, 10.0)
    assert (RATE_LIMITS["notion"].requests, RATE_LIMITS["notion"].per_seconds) == (3, 1.0)
    assert (RATE_LIMITS["toggl"].requests, RATE_LIMITS["toggl"].per_seconds) == (1, 1.0)
    assert (RATE_LIMITS["google"].requests, RATE_LIMITS["google"].per_seconds) == (600, 60.0)


def test_window_lets_a_burst_through_then_waits_for_the_oldest_send_to_expire(clock):
    limiter = SlidingWindowLimiter(RateLimit(3, 1.0, "notion"), clock=clock, sleep=clock.sleep)
    sends = []
    for _ in range(7):
        limiter.acquire()
        sends.append(round(clock.now - 1000.0, 3))
    assert sends == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]


def test_no_window_ever_holds_more_than_the_limit(clock):
    limit = RateLimit(100, 10.0, "trello")
    limiter = SlidingWindowLimiter(limit, clock=clock, sleep=clock.sleep)
    sends = []
    for i in range(350):
        clock.now += 0.013 * (i % 7)  # irregular caller
        limiter.acquire()
        sends.append(clock.now)
    for i, start in enumerate(sends):
        in_window = [t for t in sends[i:] if t < start + limit.per_seconds]
        assert len(in_window) <= limit.requests
    assert limiter.waited > 0


def test_idle_time_frees_the_window(clock):
    limiter = SlidingWindowLimiter(RateLimit(1, 1.0, "toggl"), clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 5
    assert limiter.acquire() == 0.0
    assert clock.sleeps == []


@respx.mock
def test_core_is_paced_by_its_limiter_before_sending(clock):
    route = respx.get("https://api.track.toggl.com/api/v9/me").mock(return_value=httpx.Response(200, json={}))
    core = make_core(
        clock, service="toggl", base_url="https://api.track.toggl.com/api/v9", limit=RATE_LIMITS["toggl"]
    )
    for _ in range(4):
        core.request("GET", "/me")
    assert route.call_count == 4
    assert clock.sleeps == [1.0, 1.0, 1.0]


def test_shared_limiter_is_one_per_service_and_credential():
    assert shared_limiter("notion", "tok-a") is shared_limiter("notion", "tok-a")
    assert shared_limiter("notion", "tok-a") is not shared_limiter("notion", "tok-b")
    assert shared_limiter("notion", "tok-a") is not shared_limiter("trello", "tok-a")


def _toggl_core(clock, gate):
    return make_core(clock, service="toggl", base_url="https://api.track.toggl.com/api/v9", quota=gate)


@respx.mock
def test_toggl_quota_headers_stop_sending_once_spent(clock):
    gate = QuotaGate("X-Toggl-Quota-Remaining", "X-Toggl-Quota-Resets-In", clock=clock)
    route = respx.get("https://api.track.toggl.com/api/v9/me/time_entries").mock(
        return_value=httpx.Response(
            200, json=[], headers={"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "1800"}
        )
    )
    core = _toggl_core(clock, gate)
    core.request("GET", "/me/time_entries")
    with pytest.raises(RateLimited, match="resets in 1800 s") as caught:
        core.request("GET", "/me/time_entries")
    assert route.call_count == 1  # the second request was never sent
    assert caught.value.retry_after == pytest.approx(1800)
    clock.now += 1801
    core.request("GET", "/me/time_entries")
    assert route.call_count == 2


@respx.mock
def test_toggl_402_over_quota_is_rate_limited_with_the_reset_time(clock):
    gate = QuotaGate("X-Toggl-Quota-Remaining", "X-Toggl-Quota-Resets-In", clock=clock)
    respx.get("https://api.track.toggl.com/api/v9/me/time_entries").mock(
        return_value=httpx.Response(
            402,
            json="quota exceeded",
            headers={"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "2400"},
        )
    )
    with pytest.raises(RateLimited) as caught:
        _toggl_core(clock, gate).request("GET", "/me/time_entries")
    assert caught.value.status == 402
    assert caught.value.retry_after == pytest.approx(2400)
    assert clock.sleeps == []  # 40 minutes is not slept through inside a request
