"""Toggl's two limits, per user, with an injectable clock (tests move it instead of waiting).

- The safeguard: a leaky bucket per API token per IP; "a safe window will be 1 request per second",
  beyond it 429 (engineering.toggl.com/docs, NOTES.md §3.5). Modelled as a bucket of one request
  draining in one second, less the sandbox's usual grace for network jitter.
- The hourly quota (since Sept 2025; support.toggl.com/en/articles/11484112): requests about the
  user (`/me...`) count against 30 per hour whatever the plan; workspace and organization requests
  against the organization's plan. The sandbox's organization is on **Starter: 240 per hour**, the
  smallest paid plan (Free's 30 would be spent by a morning's sync). "The count begins when the
  initial request is made and remains valid for 60 minutes. After 60 minutes, the count resets";
  a spent bucket answers 402. Every answer carries its bucket's `X-Toggl-Quota-Remaining` and
  `X-Toggl-Quota-Resets-In` (seconds).

Without enforcement (`rate_limits=False`) requests are still counted and the headers still sent,
so clients see what they would spend; nothing is refused.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sandbox.limits import GRACE_SECONDS

Bucket = Literal["me", "org"]

QUOTA_WINDOW_SECONDS = 3600
USER_QUOTA = 30  # /me requests, every plan
PLAN_QUOTAS = {"free": 30, "starter": 240, "premium": 600}
PLAN = "starter"
LEAK_SECONDS = 1.0  # one request per second per token


@dataclass
class _Window:
    started: float
    used: int = 0


@dataclass(frozen=True)
class Refusal:
    status: int  # 402: quota spent; 429: too fast
    retry_after: float


class TogglLimits:
    """Counters for both limits; `clock` may be swapped at any time (tests)."""

    def __init__(self, *, enforced: bool, clock: Callable[[], float] = time.monotonic, plan: str = PLAN):
        self.enforced = enforced
        self.clock = clock
        self.totals: dict[Bucket, int] = {"me": USER_QUOTA, "org": PLAN_QUOTAS[plan]}
        self._windows: dict[tuple[int, Bucket], _Window] = {}
        self._last_sent: dict[int, float] = {}

    def admit(self, user_id: int, bucket: Bucket) -> Refusal | None:
        """Count one request, or say why it is refused (a refused request is not counted)."""
        now = self.clock()
        window = self._window(user_id, bucket, now)
        if self.enforced and window.used >= self.totals[bucket]:
            return Refusal(402, self._resets_in(window, now))
        last = self._last_sent.get(user_id)
        if self.enforced and last is not None and now - last < LEAK_SECONDS - GRACE_SECONDS:
            return Refusal(429, LEAK_SECONDS - (now - last))
        self._last_sent[user_id] = now
        window.used += 1
        return None

    def remaining(self, user_id: int, bucket: Bucket) -> tuple[int, int]:
        """(requests left, whole seconds until the window resets) for the quota headers."""
        now = self.clock()
        window = self._window(user_id, bucket, now)
        left = max(self.totals[bucket] - window.used, 0)
        return left, math.ceil(self._resets_in(window, now))

    def headers(self, user_id: int, bucket: Bucket) -> dict[str, str]:
        left, resets_in = self.remaining(user_id, bucket)
        return {"X-Toggl-Quota-Remaining": str(left), "X-Toggl-Quota-Resets-In": str(resets_in)}

    def _window(self, user_id: int, bucket: Bucket, now: float) -> _Window:
        window = self._windows.get((user_id, bucket))
        if window is None or now - window.started >= QUOTA_WINDOW_SECONDS:
            window = self._windows[(user_id, bucket)] = _Window(started=now)
        return window

    @staticmethod
    def _resets_in(window: _Window, now: float) -> float:
        return max(window.started + QUOTA_WINDOW_SECONDS - now, 0.0)
