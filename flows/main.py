"""The hub's main job: what `make run` and the scheduled deployment run."""

from __future__ import annotations

from prefect import flow, get_run_logger

from config import load_hub


@flow(name="obm-hub", log_prints=False)
def hub_main() -> list[str]:
    """Load the configuration (inside the run: Secret blocks are read here) and report what would run."""
    logger = get_run_logger()
    hub = load_hub()
    mode = "sandbox (no credentials set: the demo business)" if hub.sandbox else "live"
    logger.info("mode: %s; hub file: %s", mode, hub.file_path)
    lines = [str(status) for status in hub.service_status()]
    for line in lines:
        logger.info(line)
    for key, workspace in hub.file.workspaces.items():
        logger.info("workspace %s: %s (%s, %s)", key, workspace.name, workspace.timezone, workspace.language)
    return lines
