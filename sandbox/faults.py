"""Fault injection knobs, per emulator: what goes wrong, how often, for which requests.

Kinds: "500", "502", "503" (a server error with the service's own body), "timeout" (the answer
comes after `timeout_seconds`, longer than a client waits), "reset" (the connection drops in the
middle of the response), "malformed" (a 200 whose JSON is cut short). A 429 storm answers the next
`storm` requests with the service's rate-limit response. Decisions come from a seeded generator, so a
run is repeatable.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field, fields

KINDS = ("500", "502", "503", "timeout", "reset", "malformed")


@dataclass
class Faults:
    error_rate: float = 0.0
    kinds: tuple[str, ...] = ("503",)
    latency_ms: float = 0.0
    storm: int = 0  # the next N requests get 429
    storm_retry_after: float = 1.0
    timeout_seconds: float = 3.0
    path_pattern: str | None = None  # only requests whose path matches (regex) are faulted
    methods: tuple[str, ...] = ()  # only these methods; empty means all
    seed: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {KINDS}")
        self._random.seed(self.seed)

    def applies_to(self, method: str, path: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        return self.path_pattern is None or re.search(self.path_pattern, path) is not None

    def take_storm(self) -> bool:
        with self._lock:
            if self.storm > 0:
                self.storm -= 1
                return True
            return False

    def pick(self) -> str | None:
        """The fault for this request, or None."""
        with self._lock:
            if self.error_rate <= 0 or self._random.random() >= self.error_rate:
                return None
            return self._random.choice(self.kinds)

    @classmethod
    def field_names(cls) -> set[str]:
        return {f.name for f in fields(cls) if not f.name.startswith("_")}
