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
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from config import ConfigError, Hub
from config.dirs import run_dir
from obm_hub import exit_codes

if TYPE_CHECKING:
    from prefect.states import State

GRACE_SECONDS = 5.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """The run was asked to stop; like KeyboardInterrupt, no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def run_main(hub: Hub, workspace: str | None) -> int:
    """Run the flow under a temporary Prefect server (unless one is configured); print its overview."""
    from flows.main import hub_main  # Prefect is imported only when a flow runs
    from flows.server import prefect_server

    with prefect_server(run_dir(hub.settings)):
        state = hub_main(workspace=workspace, return_state=True)
    return _report(state)  # after Prefect's last log line: the overview and its verdict end the output


def _report(state: State) -> int:
    """Print the overview (partial or not) and say what the exit code will mean."""
    from rich.console import Console
    from rich.markdown import Markdown

    result = state.result(raise_on_failure=False)
    if isinstance(result, str):
        Console().print(Markdown(result))
    if state.is_completed():
        return exit_codes.OK
    if isinstance(result, ConfigError):
        print(f"obm-hub: {result}", file=sys.stderr)
        return exit_codes.BAD_CONFIGURATION
    message = str(result) if isinstance(result, BaseException) else state.message or "the run failed"
    print(f"obm-hub: {message.splitlines()[0]}", file=sys.stderr)
    return exit_codes.FAILED


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
