"""Request accounting: every request sent, counted by service, method and templated path.

Flows read it for the operations summary; benchmarks read it to count API calls. A retry is a second
request and is counted as one, as the service counts it.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestKey:
    service: str
    method: str
    path: str  # the templated path: /boards/{board_id}/cards/{filter}

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


@dataclass
class RequestStats:
    """Thread-safe counters; `snapshot()` and `since()` give flows a view of one run."""

    requests: Counter[RequestKey] = field(default_factory=Counter)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)  # (service, "200" | "error")
    milliseconds: Counter[str] = field(default_factory=Counter)  # per service, whole milliseconds
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, key: RequestKey, status: int | None, ms: float) -> None:
        with self._lock:
            self.requests[key] += 1
            self.statuses[(key.service, str(status) if status is not None else "error")] += 1
            self.milliseconds[key.service] += round(ms)

    def snapshot(self) -> RequestStats:
        with self._lock:
            return RequestStats(Counter(self.requests), Counter(self.statuses), Counter(self.milliseconds))

    def since(self, earlier: RequestStats) -> RequestStats:
        """What was recorded after `earlier` was taken."""
        now = self.snapshot()
        return RequestStats(
            now.requests - earlier.requests,
            now.statuses - earlier.statuses,
            now.milliseconds - earlier.milliseconds,
        )

    def total(self, service: str | None = None) -> int:
        return sum(n for key, n in self.requests.items() if service is None or key.service == service)

    def by_service(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for key, n in self.requests.items():
            counts[key.service] += n
        return dict(counts)

    def rows(self) -> list[dict[str, object]]:
        """One row per (service, method, path), sorted, for tables and artifacts."""
        return [
            {"service": key.service, "method": key.method, "path": key.path, "requests": n}
            for key, n in sorted(self.requests.items(), key=lambda item: (item[0].service, item[0].path))
        ]


# The process-wide default every HTTP core records into unless given its own.
STATS = RequestStats()
