"""The house rules CI enforces: ruff (with its complexity limit) everywhere, mypy on the typed packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean():
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_connectors_sync_and_config():
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
