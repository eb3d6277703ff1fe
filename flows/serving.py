"""`obm-hub serve`: every deployment of the hub file (`flows/deployments.py`) served from one
long-lived process, for those without a worker.

Prefect's temporary server cannot schedule ("Cannot schedule flows on an ephemeral server"), so with no
`PREFECT_API_URL` set, `serve` starts a real one as a child process (`prefect server start` on
127.0.0.1, its database SQLite under the var dir, or `PREFECT_SERVER_DATABASE_CONNECTION_URL` when set,
e.g. PostgreSQL), waits for its health check, prints the UI's address, and stops it on exit. The child
runs in its own session (a Ctrl-C in the terminal reaches `serve` only, which stops the server after
Prefect's runner has shut down) and is recorded in `<var>/run/prefect-server-<pid>.json`, so that a
killed `serve`'s server is stopped by the next `serve` or `run` (`flows/server.py`).

In sandbox mode `serve` also starts the emulators (state under the var dir) and exports the variables
that point the runs at them: Prefect runs each flow run in a child process of its own, which reads
its settings from the environment. Between runs, what the hub keeps lives in the store (cursors, the
Notion connector's memo), and, with the server configured, the rate budgets live on the server
(`flows/limits.py`).

SIGINT and SIGTERM stop the runner (Prefect pauses the schedules it served) and then the server; a
second signal, or a shutdown longer than `GRACE_SECONDS`, kills the server and exits at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from config import Hub
from flows import server as temporary

HEALTH_TIMEOUT_SECONDS = 120.0
STOP_WAIT_SECONDS = 10.0
GRACE_SECONDS = 20.0


class ServerFailed(RuntimeError):
    """The Prefect server did not become healthy; the message says why and where its log is."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def prefect_api(var_dir: Path, *, port: int = 4200) -> Iterator[str]:
    """The API URL to serve against: `PREFECT_API_URL` when set, else a server started here."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    with PrefectServer(var_dir, port=port or free_port()) as server:
        os.environ["PREFECT_API_URL"] = server.api_url  # for this process and every run it starts
        try:
            yield server.api_url
        finally:
            os.environ.pop("PREFECT_API_URL", None)


class PrefectServer:
    """`prefect server start` as a child process: started, checked healthy, recorded, stopped."""

    def __init__(self, var_dir: Path, *, port: int) -> None:
        self.var_dir, self.port = var_dir, port
        self.api_url = f"http://127.0.0.1:{port}/api"
        self.ui_url = f"http://127.0.0.1:{port}"
        self.log_path = run_dir_of(var_dir) / f"prefect-server-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrefectServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)
        database = self.var_dir / "prefect-server" / "prefect.db"
        if not env.get("PREFECT_SERVER_DATABASE_CONNECTION_URL"):
            database.parent.mkdir(parents=True, exist_ok=True)
            env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{database}"
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        return env

    def start(self) -> None:
        temporary.stop_orphans(run_dir_of(self.var_dir))
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as a whole, never by a stray ^C
            )
        temporary.record_server(run_dir_of(self.var_dir), self.process.pid)
        global _server
        _server = self
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(
                    f"the Prefect server exited with code {self.process.returncode}; see {self.log_path}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.25)
        raise ServerFailed(
            f"the Prefect server was not healthy after {HEALTH_TIMEOUT_SECONDS:.0f} s; see {self.log_path}"
        )

    def stop(self) -> None:
        global _server
        process, self.process, _server = self.process, None, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        temporary.forget_server(run_dir_of(self.var_dir))

    def kill(self) -> None:
        """At once: the process is leaving without waiting for anything."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            temporary.forget_server(run_dir_of(self.var_dir))


def run_dir_of(var_dir: Path) -> Path:
    return var_dir / "run"


def serve_hub(hub: Hub, *, port: int = 4200, limit: int | None = 4, paused: bool = False) -> int:
    """Serve every deployment of the hub file until SIGINT or SIGTERM; 0 once stopped."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(prefect_api(hub.settings.var_dir, port=port))
        if hub.sandbox:
            _start_sandbox(hub, stack)
        stopping = stack.enter_context(_signals_stop_the_runner())
        _serve(hub, url, limit, paused)
        stopping.set()
    print("obm-hub serve: stopped", flush=True)
    return 0


def _serve(hub: Hub, url: str, limit: int | None, paused: bool) -> None:
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deployments import deployment_specs, runner_deployments

    specs = deployment_specs(hub.file)
    print(f"obm-hub serve: Prefect API {url}; UI {url.removesuffix('/api')}", flush=True)
    print(f"obm-hub serve: {len(specs)} deployments of {hub.file_path}:", flush=True)
    for spec in specs:
        state = " (paused)" if paused else ""
        print(f"  {spec.full_name:<48} {spec.cron:<14} {spec.timezone}{state}", flush=True)
    with temporary_settings({PREFECT_API_URL: url}):
        serve(*runner_deployments(specs, paused=paused), limit=limit, print_starting_message=False)


def _start_sandbox(hub: Hub, stack: contextlib.ExitStack[Any]) -> None:
    from sandbox import Sandbox

    sandbox = Sandbox(state_dir=hub.settings.var_dir / "sandbox").start()
    stack.callback(sandbox.stop)
    environment = sandbox.environment()
    for name, value in environment.items():
        os.environ[name] = value
    where = ", ".join(f"{service} {sandbox.root_url(service)}" for service in sandbox.emulators)
    print(f"obm-hub serve: sandbox mode, the emulators: {where}", flush=True)


@contextlib.contextmanager
def _signals_stop_the_runner() -> Iterator[threading.Event]:
    """SIGTERM stops the runner as Ctrl-C does (Prefect's runner shuts down on KeyboardInterrupt); a
    second signal, or a shutdown that outlasts the grace period, leaves at once."""
    stopped = threading.Event()
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if received:
            _leave_now(signum)
        received.append(signum)
        timer = threading.Timer(GRACE_SECONDS, _leave_unless, args=(stopped, signum))
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopped
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _leave_unless(stopped: threading.Event, signum: int) -> None:
    if not stopped.is_set():
        _leave_now(signum)


def _leave_now(signum: int) -> None:
    server = _current_server()
    if server is not None:
        server.kill()
    print(f"obm-hub serve: stopped by {signal.Signals(signum).name}", file=sys.stderr, flush=True)
    os._exit(128 + signum)


_server: PrefectServer | None = None  # this process's server, for a stop that cannot wait


def _current_server() -> PrefectServer | None:
    return _server
