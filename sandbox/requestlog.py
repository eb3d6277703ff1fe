"""Every request an emulator received: service, method, templated path, status, milliseconds.

Tests and benchmarks count API calls here, exactly, on the server side.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass

# Requests that change nothing though their method says they might: Notion's data source query,
# Toggl's report search and Google's token refresh are POSTs.
READ_POSTS = frozenset(
    {
        ("notion", "/data_sources/{data_source_id}/query"),
        ("toggl", "/reports/api/v3/workspace/{workspace_id}/search/time_entries"),
        ("google", "/token"),
    }
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class LoggedRequest:
    service: str
    method: str
    path: str  # templated, relative to the service's base path: /boards/{id}/cards/{filter}
    status: int
    ms: float
    raw_path: str
    query: str = ""

    @property
    def is_write(self) -> bool:
        """Whether the request asked the service to change something (answered or not)."""
        return self.method in WRITE_METHODS and (self.service, self.path) not in READ_POSTS


class RequestLog:
    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, service: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [e for e in self._entries if service is None or e.service == service]

    def count(self, service: str | None = None, method: str | None = None, path: str | None = None) -> int:
        return sum(
            1
            for e in self.entries(service)
            if (method is None or e.method == method) and (path is None or e.path == path)
        )

    def writes(self, since: int = 0) -> Counter[tuple[str, str]]:
        """The write requests from the `since`-th entry on, by service and method."""
        return Counter((e.service, e.method) for e in self.entries()[since:] if e.is_write)

    def counts(self) -> Counter[tuple[str, str, str]]:
        return Counter((e.service, e.method, e.path) for e in self.entries())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def as_json(self) -> list[dict[str, object]]:
        return [asdict(e) for e in self.entries()]
