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
from prefect.task_runners import ThreadPoolTaskRunner

from config import Hub, HubSettings, Service, Workspace, load_hub
from config.dirs import prepare_dirs
from connectors.accounting import STATS
from connectors.errors import ConnectorError, RateLimited, Unavailable
from connectors.registry import RECORDS, connect
from summary.overview import Overview, build_overview
from sync.model import Event, Task, TimeEntry
from sync.store import Store, default_url


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


def _transient(task, task_run, state) -> bool:  # type: ignore[no-untyped-def]
    """Retry a read only when waiting can help: never for credentials or bad data."""
    try:
        state.result()
    except (RateLimited, Unavailable):
        return True
    except Exception:
        return False
    return False


@task(
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[10, 60],
    retry_condition_fn=_transient,
    task_run_name="read-{service}-{workspace_key}",
)
def read_service(
    service: Service, workspace_key: str, workspace: Workspace, settings: HubSettings, store: Store
) -> ReadReport:
    """One read of one service; the batch and its cursor are stored together."""
    with connect(service, settings, workspace) as connector:
        batch = connector.fetch_changes(store.get_cursor(workspace_key, service))
    store.record_read(workspace_key, service, batch)
    return ReadReport(service, batch.full, len(batch.items), len(batch.deleted), len(batch.skipped))


@flow(name="obm-hub", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=False)
def hub_main(workspace: str | None = None) -> str:
    """Read every service of every workspace (or only `workspace`) and publish the overview."""
    logger = get_run_logger()
    hub = load_hub()  # inside the run: Secret blocks are read here, never passed as parameters
    keys = [workspace] if workspace else list(hub.file.workspaces)
    for key in keys:
        hub.workspace(key)  # an unknown key fails before anything is read
    logger.info("mode: %s; hub file: %s", "sandbox" if hub.sandbox else "live", hub.file_path)
    failures: list[str] = []
    sections: list[str] = []
    prepare_dirs(hub.settings)
    with _request_lines_in_the_run_log(), _services(hub) as settings:
        store = Store.open(settings.database_url or default_url(settings.var_dir))
        try:
            for key in keys:
                overview, failed = _run_workspace(key, hub.workspace(key), settings, store)
                failures += failed
                sections.append(overview.markdown())
        finally:
            store.close()
    summary = "\n".join(sections)
    if failures:
        raise RuntimeError("some reads failed:\n" + "\n".join(failures))
    return summary


def _run_workspace(
    key: str, workspace: Workspace, settings: HubSettings, store: Store
) -> tuple[Overview, list[str]]:
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
            error = _error_of(future)
            failures.append(f"{key}/{service}: {error}")
            logger.error("%s: read failed: %s", service, error)
    overview = _overview(key, workspace, store, STATS.since(before).by_service())
    create_markdown_artifact(overview.markdown(), key=f"obm-hub-overview-{key}", description=workspace.name)
    create_table_artifact(STATS.since(before).rows(), key=f"obm-hub-requests-{key}")
    return overview, failures


def _error_of(future) -> str:  # type: ignore[no-untyped-def]
    try:
        future.result()
    except ConnectorError as exc:
        return f"{exc} ({exc.action})"
    except Exception as exc:  # a ConfigError or a bug: its message is safe and worth showing
        return f"{type(exc).__name__}: {exc}"
    return "failed"


def _overview(key: str, workspace: Workspace, store: Store, requests: dict[str, int]) -> Overview:
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
