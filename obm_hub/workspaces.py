"""What the commands that talk to the services share (`plan`, `links rebuild`, `doctor`): which
workspaces a command covers, the services to talk to (the sandbox's emulators, started for the command
in sandbox mode, as `run` does), and a workspace's reads side by side.

No Prefect here: these commands answer in a second or two (`flows.runner` runs a workspace without it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from config import Hub, HubSettings
from flows.context import sandbox_services
from flows.runner import ReadOutcome, WorkspaceRunner


def workspace_keys(hub: Hub, workspace: str | None) -> list[str]:
    """`workspace` (checked: ConfigError when unknown), or every workspace of the hub file."""
    if workspace:
        hub.workspace(workspace)
        return [workspace]
    return list(hub.file.workspaces)


@contextmanager
def services(hub: Hub) -> Iterator[HubSettings]:
    """The settings to talk to the services with: as configured, or the sandbox's (started here, its
    state under the var dir, as `obm-hub run` leaves it)."""
    with sandbox_services(hub) as settings:
        yield settings


def read_side_by_side(
    runner: WorkspaceRunner,
    wanted: Sequence[str],
    *,
    full: bool = False,
    on_read: Callable[[ReadOutcome], None] | None = None,
) -> list[ReadOutcome]:
    """Read what the relations `wanted` need, one service per thread (as the `hub` flow does)."""
    needed = runner.needs(wanted)

    def read(service: str) -> ReadOutcome:
        outcome = runner.read(service, full=full)  # type: ignore[arg-type]
        if on_read is not None:
            on_read(outcome)
        return outcome

    if not needed:
        return []
    with ThreadPoolExecutor(max_workers=len(needed), thread_name_prefix="read") as pool:
        return list(pool.map(read, needed))
