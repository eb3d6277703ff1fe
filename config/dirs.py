"""The local folders the hub writes to, created and checked before anything writes there.

A fresh clone has no `var/`: Prefect does not create missing parents of its home, and the temporary
server then cannot open its database. So the hub creates every folder it will write to at start,
whatever command ran before (or none), and checks that it can write there: an unwritable var dir is
one line naming `OBM_HUB_VAR_DIR`, not a traceback from whichever part writes first.

    <var>/            OBM_HUB_VAR_DIR; the default SQLite store (hub.db)
    <var>/run/        the pid file of each running `obm-hub run`'s Prefect server, and the set-up lock
    <var>/sandbox/    the emulators' state (created by the sandbox itself when it saves)
    $PREFECT_HOME     Prefect's own state, when set (`make run` puts it at var/prefect)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.errors import ConfigError, ConfigProblem
from config.settings import ENV_PREFIX, HubSettings


def run_dir(settings: HubSettings) -> Path:
    """Where runs leave their pid files and take the set-up lock."""
    return settings.var_dir / "run"


def prepare_dirs(settings: HubSettings) -> list[Path]:
    """Create the var dir, its `run/` folder and Prefect's home (when set); ConfigError if unwritable."""
    var_dir = ConfigProblem("var_dir", f"{ENV_PREFIX}VAR_DIR", "")
    wanted = [(settings.var_dir, var_dir), (run_dir(settings), var_dir)]
    prefect_home = os.environ.get("PREFECT_HOME")
    if prefect_home:
        wanted.append((Path(prefect_home).expanduser(), ConfigProblem("PREFECT_HOME", "environment", "")))
    problems = [problem for path, where in wanted if (problem := _writable(path, where))]
    if problems:
        raise ConfigError(problems[:1])  # the first: the others are its folders
    return [path for path, _ in wanted]


def _writable(path: Path, where: ConfigProblem) -> ConfigProblem | None:
    """None, or `where` with a message saying why `path` cannot be written and what to do."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        message = f"cannot write to {path} ({reason}); point it at a folder the hub may write to"
        return ConfigProblem(where.field, where.source, message)
    return None
