"""Suite-wide fixtures: a clean environment for every test, and one Prefect harness per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Before Prefect is imported: the hub's logging configuration for Prefect (flows/__init__.py).
import flows  # noqa: F401

# Hypothesis: the same examples on every run of the suite (CI must not fail, or spend minutes
# shrinking, on a draw no one can reproduce); `HYPOTHESIS_PROFILE=explore` draws new ones, and
# `OBM_HUB_TEST_EXAMPLES` runs the state machines deeper.
settings.register_profile("suite", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

# Prefect reads these at import time: keep its state out of ~/.prefect and its telemetry off.
_PREFECT_HOME = Path(__file__).resolve().parent.parent / "var" / "test-prefect"
os.environ.setdefault("PREFECT_HOME", str(_PREFECT_HOME))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "0.3")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's real OBM_HUB_* variables, .env file or hub file."""
    for name in list(os.environ):
        if name.startswith("OBM_HUB_") and name != "OBM_HUB_TEST_PG_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("OBM_HUB_ENV_FILE", "")
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "var"))


@pytest.fixture(autouse=True)
def fresh_shared_limits() -> None:
    """Each test starts with the process-wide limiters and quota gates a fresh process would have:
    a quota one test spends must not stop the next."""
    from connectors.ratelimit import forget_shared_state

    forget_shared_state()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that need the Prefect API last: once its server is up, Prefect's background
    workers keep calling it, and a respx mock active in a later test would intercept those calls."""
    items.sort(key=lambda item: "prefect_harness" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for every flow test (starting one costs ~10 s on 2 cores)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture
def asserting_events_worker(monkeypatch):
    """Prefect's own fixture: events emitted during the test are kept for assertions."""
    from prefect.testing.fixtures import asserting_events_worker as fixture

    yield from fixture.__wrapped__(monkeypatch)


@pytest.fixture
def reset_worker_events(asserting_events_worker):
    yield
    asserting_events_worker._client.events = []


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# -- contract checks: every request a connector sends is checked against the official spec -----------


@pytest.fixture(autouse=True)
def contract_check() -> Iterator[list[str]]:
    """Validates each request any HttpCore sends during the test; a violation fails the test."""
    import json

    import httpx

    from connectors.http import add_request_observer, remove_request_observer
    from tests.contract.spec import load_spec, spec_name

    violations: list[str] = []

    def observe(service: str, request: httpx.Request) -> None:
        name = spec_name(service, str(request.url))
        if name is None:
            return
        body = None
        if request.content and "json" in request.headers.get("content-type", ""):
            body = json.loads(request.content)
        problems = load_spec(name).check_request(request.method, str(request.url), body=body)
        violations.extend(f"{service} {request.method} {request.url.path}: {p}" for p in problems)

    add_request_observer(observe)
    yield violations
    remove_request_observer(observe)
    if violations:
        pytest.fail("requests outside the official API spec:\n" + "\n".join(violations), pytrace=False)


# -- the sandbox --------------------------------------------------------------------------------------

# A Wednesday mid-morning in Paris: tests pin the demo business to it and predict its numbers.
FIXED_NOW_ISO = "2026-11-25T09:30:00+00:00"


@pytest.fixture
def sandbox_factory():
    """Start emulators on 127.0.0.1: `sandbox_factory(services=("trello",), rate_limits=False)`."""
    from datetime import datetime

    from sandbox import Sandbox

    started = []

    def make(**kwargs):
        kwargs.setdefault("now", datetime.fromisoformat(FIXED_NOW_ISO))
        sandbox = Sandbox(**kwargs).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


def fast_options(**kwargs):
    """CoreOptions for tests against the sandbox: no client-side pacing, no real backoff sleeps."""
    from connectors.http import CoreOptions, RetryPolicy
    from connectors.ratelimit import RateLimit, SlidingWindowLimiter

    kwargs.setdefault("limiter", SlidingWindowLimiter(RateLimit(100_000, 1.0, "tests")))
    kwargs.setdefault("retry", RetryPolicy(backoff_initial=0.01, backoff_max=0.05))
    kwargs.setdefault("timeout", 5.0)
    return CoreOptions(**kwargs)
