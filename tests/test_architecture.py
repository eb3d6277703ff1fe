"""The import graph points one way: `sync` (the engine) is the root; connectors, the sandbox and the
summary build on it side by side; flows and the CLI only wire. import-linter checks the contracts in
pyproject.toml; a fresh interpreter checks what importing the engine really loads."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Modules of the engine a pure computation imports; none may drag in I/O or orchestration.
PURE_ENGINE_MODULES = (
    "sync.model",
    "sync.connector",
    "sync.plan",
    "sync.agenda",
    "sync.hours",
    "sync.meetings",
    "sync.merge",
    "sync.matching",
)
FORBIDDEN = ("httpx", "pydantic_settings", "prefect", "connectors", "config", "sqlalchemy", "tenacity")


def test_import_contracts_hold():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def test_the_contract_check_can_fail(tmp_path):
    """A connector import inside the engine breaks the layers contract: the check is not a no-op."""
    offending = ROOT / "sync" / "_contract_probe.py"
    offending.write_text("import connectors.http  # noqa: F401\n", encoding="utf-8")
    try:
        result = subprocess.run(
            [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    finally:
        offending.unlink()
    assert result.returncode != 0
    assert "sync._contract_probe -> connectors.http" in result.stdout


@pytest.mark.parametrize("module", PURE_ENGINE_MODULES)
def test_the_pure_engine_loads_no_io_and_no_orchestrator(module):
    probe = textwrap.dedent(
        f"""
        import json, sys
        import {module}
        print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
        """
    )
    command = [sys.executable, "-c", probe]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(result.stdout))
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
