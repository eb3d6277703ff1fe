"""Server-side rate limits at each service's documented numbers, per credential.

The emulators push back the way the services do, so the hub's own limiter is tested against
something real. Windows are shortened by a small grace so that network jitter between a client that
paces itself exactly at the limit and this server does not turn into spurious 429s.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

GRACE_SECONDS = 0.05


@dataclass(frozen=True)
class Window:
    requests: int
    per_seconds: float


class WindowCounter:
    """Sliding windows keyed by credential; `hit()` returns None or seconds until a slot frees."""

    def __init__(self, window: Window, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def remaining(self, key: str) -> int:
        """How many more requests `key` may send in the current window (for rate-limit headers)."""
        span = max(self.window.per_seconds - GRACE_SECONDS, 0.0)
        with self._lock:
            now = self._clock()
            used = sum(1 for hit in self._hits.get(key, ()) if now - hit < span)
        return max(self.window.requests - used, 0)

    def hit(self, key: str) -> float | None:
        span = max(self.window.per_seconds - GRACE_SECONDS, 0.0)
        with self._lock:
            now = self._clock()
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= span:
                hits.popleft()
            if len(hits) >= self.window.requests:
                return max(hits[0] + span - now, 0.0)
            hits.append(now)
            return None
