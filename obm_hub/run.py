"""`obm-hub run`: the main job once, from a terminal or a scheduler.

Around the flow, this adds what a process owns: Prefect's temporary server started and stopped here
(`flows.server`), SIGTERM and SIGINT turned into a prompt exit, and the overview printed with an exit
code that means something (`obm_hub.exit_codes`).

A stop (SIGTERM from a scheduler's timeout, SIGINT from Ctrl-C) raises `Stopped` in the main thread:
the flow run is marked crashed, the sandbox and the temporary server stop, and the process exits with
128 + the signal's number. Reads in flight are not waited for beyond `GRACE_SECONDS`: after that, or
at a second signal, the server is killed and the process exits at once. Nothing is lost by it: a read's
batch and cursor are stored in one transaction, so the next run repeats an interrupted read.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from config import ConfigError, Hub
from config.dirs import run_dir
from obm_hub import exit_codes
from summary.files import CLIENT

if TYPE_CHECKING:
    from prefect.states import State

GRACE_SECONDS = 5.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """The run was asked to stop; like KeyboardInterrupt, no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def run_main(
    hub: Hub, workspace: str | None, *, dry_run: bool = False, allow_mass_archive: bool = False
) -> int:
    """Run the hub flow for each workspace (or only `workspace`) under a temporary Prefect server
    (unless one is configured); print each summary and what each relation did."""
    from flows.context import apply_progress, sandbox_services  # Prefect is imported only when a flow runs
    from flows.hub import hub as hub_flow
    from flows.server import prefect_server
    from obm_hub.progress import Bars

    keys = [workspace] if workspace else list(hub.file.workspaces)
    started = time.perf_counter()
    with prefect_server(run_dir(hub.settings)):
        startup = time.perf_counter() - started
        # On a terminal, a bar per long apply (a first sync's hundreds of writes); none in a log.
        with sandbox_services(hub), Bars() as bars, apply_progress(bars.apply):
            states = [
                hub_flow(
                    workspace=key, dry_run=dry_run, allow_mass_archive=allow_mass_archive, return_state=True
                )
                for key in keys
            ]
    return _report(states, startup)  # after Prefect's last log line: the summaries and their verdict


def _report(states: list[State], startup: float) -> int:
    """Print each workspace's summary and run lines; the exit code says the worst that happened."""
    from rich.console import Console
    from rich.markdown import Markdown

    from flows.hub import HubRun

    console, codes = Console(), []
    for state in states:
        result = state.result(raise_on_failure=False)
        if isinstance(result, HubRun):
            if result.summary is not None:
                console.print(Markdown(result.summary.markdown()))
            _print_run(console, result, startup)
            codes.append(_code(result))
        else:
            codes.append(_failed(state, result))
    return max(codes, key=_SEVERITY.index, default=exit_codes.OK)


def _print_run(console: Any, run: Any, startup: float) -> None:
    heading = "Run" if run.outcome == "ok" else "Partial run" if run.outcome == "failed" else "Run refused"
    console.print(f"[bold]{heading}: {run.workspace}[/bold]")
    for line in run.lines():
        console.print(f"  {line}", markup=False, highlight=False)
    if run.summary is not None:
        # Never wrapped: a path or an address cut at the terminal's width cannot be copied whole.
        for kind, path in run.summary.files.items():
            what = (
                f"client report ({kind.removeprefix(CLIENT)})"
                if kind.startswith(CLIENT)
                else f"summary ({kind})"
            )
            console.print(f"  {what}: {path}", markup=False, highlight=False, soft_wrap=True)
        if run.summary.notion_url:
            line = f"  summary (Notion): {run.summary.notion_url}"
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    timings = {"Prefect start-up": startup, **run.timings}
    console.print("  time: " + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in timings.items()))
    requests = ", ".join(f"{service} {n}" for service, n in sorted(run.requests.items()))
    console.print(f"  API requests: {requests or 'none'}")


def _code(run: Any) -> int:
    if run.outcome == "lease_held":
        print(f"obm-hub: {run.lease}", file=sys.stderr)
        return exit_codes.LEASE_HELD
    if run.outcome == "refused":
        print(
            f"obm-hub: {run.workspace}: refused for safety (see above); nothing was archived", file=sys.stderr
        )
        return exit_codes.REFUSED_FOR_SAFETY
    if run.outcome == "failed":
        failed = [line for line in run.lines() if not line.startswith(" ") and ": ok" not in line]
        print(
            f"obm-hub: {run.workspace}: partial run: {failed[0] if failed else 'see above'}", file=sys.stderr
        )
        return exit_codes.FAILED
    return exit_codes.OK


def _failed(state: State, result: object) -> int:
    if isinstance(result, ConfigError):
        print(f"obm-hub: {result}", file=sys.stderr)
        return exit_codes.BAD_CONFIGURATION
    message = str(result) if isinstance(result, BaseException) else state.message or "the run failed"
    print(f"obm-hub: {message.splitlines()[0]}", file=sys.stderr)
    return exit_codes.FAILED


# Worst last: the exit code of several workspaces' runs is the worst of theirs.
_SEVERITY = (
    exit_codes.OK,
    exit_codes.FAILED,
    exit_codes.LEASE_HELD,
    exit_codes.REFUSED_FOR_SAFETY,
    exit_codes.BAD_CONFIGURATION,
)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Stopped` in the main thread, and arm the grace period's timer."""
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if received:
            _exit_now(signum)
        received.append(signum)
        timer = threading.Timer(GRACE_SECONDS, _exit_now, args=(signum,))
        timer.daemon = True
        timer.start()
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}
    try:
        yield
    except Stopped as stopped:
        _exit_now(stopped.signum)  # unwound; threads still reading must not hold the exit
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _exit_now(signum: int) -> None:
    """Kill the temporary server if it still runs, say why, and leave without waiting for any thread."""
    if "flows.server" in sys.modules:
        from flows.server import stop_now

        stop_now()
    print(f"obm-hub: stopped by {signal.Signals(signum).name}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_codes.stopped_by(signum))
