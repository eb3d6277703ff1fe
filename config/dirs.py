"""The local folders the hub writes to, created before anything writes there.

A fresh clone has no `var/`: Prefect does not create missing parents of its home, and the temporary
server then cannot open its database. So the hub creates every folder it will write to at start,
whatever command ran before (or none).
"""

from __future__ import annotations

import os
from pathlib import Path

from config.settings import HubSettings


def prepare_dirs(settings: HubSettings) -> list[Path]:
    """Create the var dir and Prefect's home (when it is set); return what exists afterwards."""
    wanted = [settings.var_dir]
    prefect_home = os.environ.get("PREFECT_HOME")
    if prefect_home:
        wanted.append(Path(prefect_home).expanduser())
    for path in wanted:
        path.mkdir(parents=True, exist_ok=True)
    return wanted
