"""Suite-wide fixtures: a clean environment for every test, and one Prefect harness per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect reads these at import time: keep its state out of ~/.prefect and its telemetry off.
_PREFECT_HOME = Path(__file__).resolve().parent.parent / "var" / "test-prefect"
os.environ.setdefault("PREFECT_HOME", str(_PREFECT_HOME))
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
