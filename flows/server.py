"""Prefect's temporary API server for a run without `PREFECT_API_URL`: started by the hub, one set-up
at a time, and stopped with the run however it ends.

Left to itself, Prefect starts a temporary server (uvicorn in a child process, on the SQLite database in
`PREFECT_HOME`, migrated at start-up) the first time a process needs its API, and stops it from an
`atexit` hook (https://docs.prefect.io/v3/concepts/server). Three things then go wrong (issue 7):
- two first runs at once both migrate the new database and one fails ("duplicate column name");
- SIGTERM ends the interpreter without `atexit`, so the server outlives the run; after SIGKILL nothing
  can stop it, and under a scheduler that kills runs on timeout the orphans pile up.

So `prefect_server()` starts that same server itself, before the flow runs:
- under an exclusive `fcntl.flock` on `<PREFECT_HOME>/obm-hub-setup.lock`, held until the server
  answers its health check: the first run migrates, a concurrent one waits and then finds the database
  ready. The lock lives beside the database it guards: runs with different var dirs but one Prefect
  home (the default `~/.prefect` outside `make`) serialise too;
- it records the run's pid and the server's in `<var>/run/prefect-server-<pid>.json` the moment the
  server's process exists, and removes the file when it stops the server;
- at start, it stops every server recorded by a run that is gone (a killed run's orphan).
Prefect's own code finds the server already started (`SubprocessASGIServer` is one instance per port,
and `None` is the key its internals ask for) and uses it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SETUP_LOCK = "obm-hub-setup.lock"
PID_FILE_GLOB = "prefect-server-*.json"
STOP_WAIT_SECONDS = 5.0
# Prefect waits 20 s by default (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS). A first start migrates
# a new database: 5 to 13 s on an idle 2-core machine, measured beyond 20 s on a busy one.
STARTUP_TIMEOUT_SECONDS = 120


@functools.cache
def _recorded_server_class() -> Any:
    """Prefect's temporary server, written to a pid file as soon as its process is spawned.

    Built on first use: importing Prefect's server module costs seconds, a run against a real server
    has no use for it.
    """
    from prefect.server.api.server import SubprocessASGIServer

    class RecordedServer(SubprocessASGIServer):
        pid_file: Path | None = None

        def _run_uvicorn_command(self) -> Any:
            # Prefect's hook for spawning the process (it respawns on a taken port): recorded from the
            # first instant, so that a run killed while the server starts still leaves its trace.
            process = super()._run_uvicorn_command()
            if self.pid_file is not None:
                _write_pid_file(self.pid_file, process.pid)
            return process

    return RecordedServer


_current: Any = None  # this process's server, for stop_now()


@contextlib.contextmanager
def prefect_server(run_dir: Path) -> Iterator[None]:
    """Prefect's temporary server for the duration of the block, when no API URL is configured."""
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield  # a real server (or none allowed): nothing of ours to start or stop
        return
    global _current
    stop_orphans(run_dir)
    server = _current = _recorded_server_class()()  # port None: the instance Prefect's internals use
    server.pid_file = run_dir / f"prefect-server-{os.getpid()}.json"
    try:
        with setup_lock(Path(PREFECT_HOME.value()).expanduser()):
            server.start(timeout=STARTUP_TIMEOUT_SECONDS)
        yield
        _drain_prefect_workers()  # before the server goes: their last batch of logs and events
    finally:
        server.stop()
        server.pid_file.unlink(missing_ok=True)
        _current = None


def stop_now() -> None:
    """Kill this process's temporary server at once: the run is being stopped and will not wait."""
    server = _current
    process = getattr(server, "server_process", None)
    if process is not None:
        process.kill()
        server.pid_file.unlink(missing_ok=True)


@contextlib.contextmanager
def setup_lock(home: Path) -> Iterator[None]:
    """An exclusive lock on `<home>/obm-hub-setup.lock`, released when the block ends or the run dies."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / SETUP_LOCK).open("a") as handle:
        started = time.monotonic()
        fcntl.flock(handle, fcntl.LOCK_EX)
        waited = time.monotonic() - started
        if waited > 0.5:
            logger.warning("waited %.0f s for another run to finish setting Prefect up", waited)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def stop_orphans(run_dir: Path) -> list[int]:
    """Stop every server recorded by a run that no longer exists; return their pids."""
    stopped = []
    for pid_file in sorted(run_dir.glob(PID_FILE_GLOB)):
        record = _read_pid_file(pid_file)
        if record is None:
            continue
        hub, server = record
        if _is(hub):
            continue  # a run in progress: its server is its own
        if _is(server):
            _terminate(server[0])
            stopped.append(server[0])
            logger.warning("stopped Prefect server %s, left by a run that ended without it", server[0])
        pid_file.unlink(missing_ok=True)
    return stopped


def record_server(run_dir: Path, server_pid: int) -> None:
    """Record a server this process started (`obm-hub serve`'s), so a run finding it orphaned stops it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    _write_pid_file(run_dir / f"prefect-server-{os.getpid()}.json", server_pid)


def forget_server(run_dir: Path) -> None:
    (run_dir / f"prefect-server-{os.getpid()}.json").unlink(missing_ok=True)


# -- processes: a pid and its start time name one process, even once the pid is reused --------------

Process = tuple[int, str]


def _started(pid: int) -> str | None:
    """The start time of a live process (field 22 of /proc/<pid>/stat); None if none lives under `pid`."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:  # no /proc (not Linux): whether the pid lives is all there is to know
        return "" if _signal(pid, 0) else None
    fields = stat.rpartition(")")[2].split()
    return None if fields[0] in ("Z", "X") else fields[19]  # a zombie has ended


def _is(process: Process) -> bool:
    started = _started(process[0])
    return started is not None and started == process[1]


def _signal(pid: int, signum: int) -> bool:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    return True


def _terminate(pid: int) -> None:
    """SIGTERM, then SIGKILL if the process is still there after a few seconds."""
    started = _started(pid)
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while _started(pid) == started and started is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if started is not None and _started(pid) == started:
        _signal(pid, signal.SIGKILL)


def _write_pid_file(path: Path, server_pid: int) -> None:
    hub = (os.getpid(), _started(os.getpid()) or "")
    server = (server_pid, _started(server_pid) or "")
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"hub": hub, "server": server}), encoding="utf-8")
    os.replace(temporary, path)


def _read_pid_file(path: Path) -> tuple[Process, Process] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        hub, server = data["hub"], data["server"]
        return (int(hub[0]), str(hub[1])), (int(server[0]), str(server[1]))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        logger.warning("ignored an unreadable pid file %s", path)
        return None


def _drain_prefect_workers() -> None:
    """Send what Prefect's log and event workers still hold, as `prefect_test_harness` does on exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with contextlib.suppress(RuntimeError):  # the worker never started
        APILogWorker.instance().drain()
    EventsWorker.drain_all()
