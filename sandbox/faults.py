"""Fault injection knobs, per emulator: what goes wrong, how often, for which requests.

Kinds: "500", "502", "503" (a server error with the service's own body), "timeout" (the answer
comes after `timeout_seconds`, longer than a client waits), "reset" (the connection drops in the
middle of the response), "malformed" (a 200 whose JSON is cut short), "conflict" (a write refused as
colliding with another one: the service's 409, Notion's `conflict_error`; reads are not refused). A
429 storm answers the next `storm` requests with the service's rate-limit response, in one of its
`storm_forms` (a service that has several rate-limit answers names them; empty means all of them).

Knobs a service interprets on its own (each emulator says which it honours and names its forms):
- `short_pages`: the chance that a page of a list is shortened or emptied (a continuation token still
  follows), where the API documents that pages may come back short;
- `silent_duplicates`: the chance that a create whose client-chosen id is already taken is not
  refused, in one of the `duplicate_forms` the service names (Google Calendar);
- `retry_after`: a `Retry-After` header on the 429s of a service that does not promise one (Toggl):
  off by default, so a client's own pacing is what its tests exercise;
- `conflict_window_ms`: how long a write holds the object it changes, so that a concurrent write to
  it gets the service's 409 (Notion).

A held request (`hold`): the `hold`-th request the knob applies to from now on (1 is the next) waits
up to `hold_seconds`, either before the service handles it (`hold_at = "before"`; then it is
answered 503 unhandled: it never got through) or after (`"after"`: the service did it, saved it and
logged it, and its answer waits, as when a network stalls or a client dies right then). A test kills
its client meanwhile, at that exact point (`tests/e2e/test_crash.py`); `held` says how many requests
wait now (also in `GET /_sandbox/faults`), and replacing the faults (or stopping the sandbox) lets
them go.

Every field is settable over HTTP (`POST /_sandbox/faults`, see `sandbox/emulator.py`). Decisions come
from a seeded generator, so a run is repeatable. Every knob obeys `path_pattern` and `methods`.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

KINDS = ("500", "502", "503", "timeout", "reset", "malformed", "conflict")
HOLD_POINTS = ("before", "after")


@dataclass
class Faults:
    error_rate: float = 0.0
    kinds: tuple[str, ...] = ("503",)
    latency_ms: float = 0.0
    storm: int = 0  # the next N requests get the service's rate-limit answer
    storm_retry_after: float = 1.0
    storm_forms: tuple[str, ...] = ()  # which rate-limit answers a storm picks from; empty: all
    retry_after: bool = False  # Toggl: send Retry-After on 429 (Toggl does not promise it)
    timeout_seconds: float = 3.0
    short_pages: float = 0.0  # chance that a page is shortened or emptied
    silent_duplicates: float = 0.0  # chance that a taken client-chosen id is not answered 409
    duplicate_forms: tuple[str, ...] = ()  # how such an insert is answered instead; empty: any
    path_pattern: str | None = None  # only requests whose path matches (regex) are faulted
    methods: tuple[str, ...] = ()  # only these methods; empty means all
    conflict_window_ms: float = 0.0  # how long a write holds its object (concurrent writes get 409)
    hold: int = 0  # hold the Nth request the knob applies to (0: none)
    hold_at: str = "after"  # "before" the service handles it (then 503), or "after" (done, answer held)
    hold_seconds: float = 30.0  # then it goes on as usual
    seed: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _matched: int = field(default=0, repr=False)  # requests the hold counted so far
    _held: int = field(default=0, repr=False)  # requests waiting now
    _holding: threading.Event = field(default_factory=threading.Event, repr=False)
    _released: threading.Event = field(default_factory=threading.Event, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {KINDS}")
        if self.hold_at not in HOLD_POINTS:
            raise ValueError(f"unknown hold_at {self.hold_at!r}; known: {HOLD_POINTS}")
        self._random.seed(self.seed)

    @classmethod
    def from_json(cls, settings: dict[str, Any]) -> Faults:
        """Faults from a JSON object: lists become tuples; unknown names are a ValueError."""
        unknown = set(settings) - cls.field_names()
        if unknown:
            raise ValueError(f"unknown fault settings {sorted(unknown)}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
        try:
            return cls(**values)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in sorted(self.field_names())}

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

    def take_hold(self) -> bool:
        """Whether this request (one the knob applies to) is the one to hold."""
        with self._lock:
            if self.hold <= 0 or self._matched >= self.hold:
                return False
            self._matched += 1
            return self._matched == self.hold

    async def stall(self) -> None:
        """Wait, on the emulator's event loop, until released or `hold_seconds` have passed."""
        with self._lock:
            self._held += 1
        self._holding.set()
        deadline = time.monotonic() + self.hold_seconds
        try:
            while not self._released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        finally:
            with self._lock:
                self._held -= 1

    @property
    def held(self) -> int:
        """How many requests are held now."""
        with self._lock:
            return self._held

    def wait_for_hold(self, timeout: float) -> bool:
        """Block (another thread: the test's) until a request is held; False after `timeout`."""
        return self._holding.wait(timeout)

    def release(self) -> None:
        """Let every held request go on."""
        self._released.set()

    def pick(self) -> str | None:
        """The fault for this request, or None."""
        with self._lock:
            if self.error_rate <= 0 or self._random.random() >= self.error_rate:
                return None
            return self._random.choice(self.kinds)

    def chance(self, probability: float) -> bool:
        """True with this probability (from the seeded generator)."""
        with self._lock:
            return probability > 0 and self._random.random() < probability

    def choose(self, options: Sequence[str]) -> str:
        with self._lock:
            return self._random.choice(list(options))

    def page_length(self, wanted: int) -> int:
        """How many of `wanted` items this page holds: all, or with `short_pages` fewer, maybe none."""
        if wanted <= 0 or not self.chance(self.short_pages):
            return wanted
        with self._lock:
            return self._random.randrange(wanted)

    @classmethod
    def field_names(cls) -> set[str]:
        return {f.name for f in fields(cls) if not f.name.startswith("_")}
