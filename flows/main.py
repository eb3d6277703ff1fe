"""The hub's main job: what `make run` and the scheduled deployment run.

For each workspace, read every service it uses (incrementally when a cursor is stored, a full snapshot
otherwise), record what was read in the hub's store, and publish the overview: open tasks, today's
agenda, hours this week, timers left running, API requests spent. In sandbox mode the emulators are
started for the run, with their state under `var/sandbox`, so the next run continues from this one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from config import Hub, HubSettings, Service, Workspace, load_hub
from config.dirs import prepare_dirs
from config.slug import slug
from config.store_url import store_url
from connectors.accounting import STATS
from connectors.registry import RECORDS, connect
from flows.failures import EXPECTED, failure_line
from summary.overview import Overview, build_overview
from sync.model import Event, Task, TimeEntry
from sync.store import Store


@dataclass(frozen=True)
class ReadReport:
    service: Service
    full: bool
    changed: int
    deleted: int
    skipped: int

    def __str__(self) -> str:
        kind = "full snapshot" if self.full else "incremental"
        return (
            f"{self.service}: {kind}, {self.changed} changed, {self.deleted} deleted, {self.skipped} skipped"
        )


# No Prefect retries: the HTTP core is the one retry layer (connectors/http.py). It has already retried
# what waiting can fix within a run: 429s for as long as the service's Retry-After allows (up to its
# cap), 5xx, timeouts and dropped connections with backoff. What reaches Prefect is either not fixable
# by waiting (credentials, bad data, configuration) or a wait longer than a run should sit through (a
# Retry-After beyond the cap, a spent hourly quota): the next scheduled run is the retry, and as this
# one's cursor did not move, it reads what this one missed. A Prefect retry here would multiply the
# core's attempts and come back before the service's stated wait.
@task(cache_policy=NO_CACHE, retries=0, task_run_name="read-{service}-{workspace_key}")
def read_service(
    service: Service, workspace_key: str, workspace: Workspace, settings: HubSettings, store: Store
) -> ReadReport | State:
    """One read of one service; the batch and its cursor are stored together.

    An expected failure (a service's answer, a missing setting, a read the store refuses as suspicious)
    ends the task Failed with one line saying what to fix, and no traceback; anything else is a bug and
    keeps Prefect's traceback.
    """
    try:
        with connect(service, settings, workspace) as connector:
            batch = connector.fetch_changes(store.get_cursor(workspace_key, service))
        store.record_read(workspace_key, service, batch)
    except EXPECTED as exc:
        return Failed(message=failure_line(service, exc, settings))
    return ReadReport(service, batch.full, len(batch.items), len(batch.deleted), len(batch.skipped))


@flow(name="obm-hub", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=False)
def hub_main(workspace: str | None = None) -> str | State:
    """Read every service of every workspace (or only `workspace`) and publish the overview.

    Returns the overview (Markdown) or, when a service could not be read, a Failed state whose data is
    the overview marked partial and whose message names each failure.
    """
    logger = get_run_logger()
    hub = load_hub()  # inside the run: Secret blocks are read here, never passed as parameters
    keys = [workspace] if workspace else list(hub.file.workspaces)
    for key in keys:
        hub.workspace(key)  # an unknown key fails before anything is read
    for warning in hub.warnings:
        logger.warning(warning)
    logger.info("mode: %s; hub file: %s", "sandbox" if hub.sandbox else "live", hub.file_path)
    failures: list[str] = []
    sections: list[str] = []
    prepare_dirs(hub.settings)
    with _request_lines_in_the_run_log(), _services(hub) as settings:
        store = Store.open(store_url(settings))
        try:
            for key in keys:
                overview = _run_workspace(key, hub.workspace(key), settings, store)
                failures += [f"{key}/{line}" for line in overview.failures]
                sections.append(overview.markdown())
        finally:
            store.close()
    summary = "\n".join(sections)
    if failures:
        noun = "service" if len(failures) == 1 else "services"
        lines = "\n".join(f"- {line}" for line in failures)
        return Failed(message=f"partial overview: {len(failures)} {noun} not read\n{lines}", data=summary)
    return summary


def artifact_key(kind: str, workspace_key: str) -> str:
    """`obm-hub-overview-my-client`: Prefect accepts only lowercase letters, digits and dashes."""
    return f"obm-hub-{kind}-{slug(workspace_key)}"


def _run_workspace(key: str, workspace: Workspace, settings: HubSettings, store: Store) -> Overview:
    logger = get_run_logger()
    before = STATS.snapshot()
    futures = {
        service: read_service.submit(service, key, workspace, settings, store)
        for service in workspace.services()
    }
    failures = []
    for service, future in futures.items():
        state = future.wait() or future.state
        if state.is_completed():
            logger.info(str(future.result()))
        else:
            line = state.message or "the read failed"
            failures.append(line if line.startswith(service) else f"{service}: {line}")
            logger.error(failures[-1])
    requests = STATS.since(before)
    overview = _overview(key, workspace, store, requests.by_service(), tuple(failures))
    create_markdown_artifact(
        overview.markdown(), key=artifact_key("overview", key), description=workspace.name
    )
    create_table_artifact(requests.rows(), key=artifact_key("requests", key))
    return overview


def _overview(
    key: str, workspace: Workspace, store: Store, requests: dict[str, int], failures: tuple[str, ...]
) -> Overview:
    services = workspace.services()
    tasks = {s: [r.item for r in store.load_items(key, s, Task)] for s in services if RECORDS[s] is Task}
    events = [r.item for r in store.load_items(key, "google", Event)] if "google" in services else []
    entries = [r.item for r in store.load_items(key, "toggl", TimeEntry)] if "toggl" in services else []
    return build_overview(
        workspace=workspace.name,
        zone=ZoneInfo(workspace.timezone),
        now=datetime.now(UTC),
        names={person.email: person.name for person in workspace.people},
        tasks=tasks,
        events=events,
        entries=entries,
        requests=requests,
        failures=failures,
    )


@contextmanager
def _request_lines_in_the_run_log() -> Iterator[None]:
    """Ship the connectors' one-line-per-request logs to this run's log in the Prefect UI."""
    from prefect.logging.handlers import APILogHandler

    connectors_logger = logging.getLogger("connectors")
    handler, level = APILogHandler(), connectors_logger.level
    connectors_logger.addHandler(handler)
    connectors_logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        connectors_logger.removeHandler(handler)
        connectors_logger.setLevel(level)


@contextmanager
def _services(hub: Hub) -> Iterator[HubSettings]:
    """The settings to run with: as configured, or pointed at the sandbox started for this run."""
    if not hub.sandbox:
        yield hub.settings
        return
    from sandbox import Sandbox

    with Sandbox(state_dir=hub.settings.var_dir / "sandbox") as sandbox:
        yield sandbox.settings(hub.settings)
