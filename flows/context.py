"""Where a flow gets its settings and its store: loaded inside the run (so Prefect Secret blocks are
read there and never travel as parameters), or handed down by the process that runs the flows.

`obm-hub run` in sandbox mode starts the emulators and points the settings at them; the flows it runs
use those settings through `services()`, since a flow's parameters are stored in plain text on the
server and must never carry credentials. A deployment run by a worker or `obm-hub serve` has no such
process around it and loads its settings itself; with a Prefect server configured, its connectors take
their rate budgets from the server (`flows/limits.py`), shared with every other process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from config import Hub, HubSettings, load_hub
from config.dirs import prepare_dirs
from config.store_url import store_url
from connectors.http import CoreOptions
from flows.limits import shared_options
from flows.runner import ProgressFactory, WorkspaceRunner
from sync.store import Store

_SETTINGS: ContextVar[HubSettings | None] = ContextVar("obm_hub_settings", default=None)
_OPTIONS: ContextVar[CoreOptions | None] = ContextVar("obm_hub_core_options", default=None)
_PROGRESS: ContextVar[ProgressFactory | None] = ContextVar("obm_hub_progress", default=None)


@contextmanager
def services(settings: HubSettings) -> Iterator[None]:
    """Flows run inside use these settings (the sandbox's, for `obm-hub run` in sandbox mode)."""
    token = _SETTINGS.set(settings)
    try:
        yield
    finally:
        _SETTINGS.reset(token)


@contextmanager
def connector_options(options: CoreOptions) -> Iterator[None]:
    """Flows run inside build their connectors' HTTP cores with these options (a limiter shared across
    processes on a Prefect server; in tests against a sandbox without limits, no client-side pacing)."""
    token = _OPTIONS.set(options)
    try:
        yield
    finally:
        _OPTIONS.reset(token)


@contextmanager
def apply_progress(factory: ProgressFactory) -> Iterator[None]:
    """Runners made inside also report each apply's progress to `factory(workspace, relation)`: the
    bars `obm-hub run` draws on a terminal."""
    token = _PROGRESS.set(factory)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


@contextmanager
def sandbox_services(hub: Hub) -> Iterator[HubSettings]:
    """The settings to run with: as configured, or pointed at the sandbox started for the run (its
    state under the var dir, so the next run continues from this one)."""
    if not hub.sandbox:
        yield hub.settings
        return
    from sandbox import Sandbox

    with (
        Sandbox(state_dir=hub.settings.var_dir / "sandbox") as sandbox,
        services(sandbox.settings(hub.settings)),
    ):
        yield sandbox.settings(hub.settings)


@contextmanager
def runner_for(workspace_key: str, *, label: str | None = None) -> Iterator[WorkspaceRunner]:
    """A runner for one workspace: the hub file and settings loaded, the store open."""
    hub = load_hub()
    workspace = hub.workspace(workspace_key)  # an unknown key fails before anything is read
    settings = _SETTINGS.get() or hub.settings
    prepare_dirs(settings)
    store = Store.open(store_url(settings))
    try:
        options = _OPTIONS.get() or shared_options()
        with WorkspaceRunner(
            workspace_key, workspace, settings, store, options=options, label=label, progress=_PROGRESS.get()
        ) as runner:
            yield runner
    finally:
        store.close()
