"""Prefect flows: orchestration only. No HTTP, no mapping, no business rules live here.

Importing the package points Prefect's logging at `flows/logging.yml` (Prefect's own configuration
with the hub's redaction filter on every handler) and lists the hub's loggers as Prefect's extra
loggers, before Prefect is imported: Prefect reads both when it sets up its logging. A value already in
the environment wins.
"""

import os
from pathlib import Path

os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(Path(__file__).with_name("logging.yml")))
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "connectors,sync")
