"""`obm-hub serve` as a real process: it starts a real Prefect server, serves the deployments, and a
run triggered through the API (`prefect deployment run 'hub/brightpath' --param dry_run=true`, as the
README says) completes; SIGTERM stops the runner and the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.prefect

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
READ_POSTS = {
    "/data_sources/{data_source_id}/query",
    "/reports/api/v3/workspace/{workspace_id}/search/time_entries",
}


class Serve:
    """`python -m obm_hub serve` in a child process, its output collected as it comes."""

    def __init__(self, environment: dict[str, str], port: int) -> None:
        self.process = subprocess.Popen(
            # Paused schedules: a quarter hour striking during the test must not start a real sync.
            [sys.executable, "-m", "obm_hub", "serve", "--port", str(port), "--paused"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.out: list[str] = []
        reader = threading.Thread(
            target=lambda: self.out.extend(iter(self.process.stdout.readline, "")),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.out):
                return
            assert self.process.poll() is None, "".join(self.out)
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not seen in {timeout} s:\n{''.join(self.out)}")


def _free_port() -> int:
    from flows.serving import free_port

    return free_port()


def test_serve_starts_a_server_serves_the_deployments_and_runs_a_triggered_dry_run(
    sandbox_factory, tmp_path: Path
):
    sandbox = sandbox_factory(rate_limits=False)
    environment = {
        **os.environ,
        **sandbox.environment(),
        "OBM_HUB_VAR_DIR": str(tmp_path / "var"),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
        "COLUMNS": "200",
    }
    environment.pop("PREFECT_API_URL", None)  # serve starts its own server
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    serve = Serve(environment, port)
    try:
        serve.wait_for("operations-summary/brightpath-weekly", timeout=150)
        [server] = [p for p in (tmp_path / "var" / "run").glob("prefect-server-*.json")]
        assert httpx.get(f"{api}/health", timeout=5).status_code == 200

        # The deployments as served: crons in the workspace's zone, one run at a time.
        deployment = _deployment(api, "hub", "brightpath", wait=30)
        [schedule] = deployment["schedules"]
        assert schedule["schedule"]["cron"] == "*/15 * * * *"
        assert schedule["schedule"]["timezone"] == "Europe/Paris"
        assert deployment["global_concurrency_limit"]["limit"] == 1 and deployment["paused"] is True
        assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
        weekly = _deployment(api, "operations-summary", "brightpath-weekly", wait=30)
        assert weekly["schedules"][0]["schedule"]["cron"] == "0 8 * * 1"
        assert weekly["parameters"] == {"workspace": "brightpath", "period": "last-week"}
        # Triggered through the API, as `prefect deployment run 'hub/brightpath' --param dry_run=true` does.
        created = httpx.post(
            f"{api}/deployments/{deployment['id']}/create_flow_run",
            json={"parameters": {"dry_run": True}},
            timeout=10,
        )
        created.raise_for_status()
        _wait_final(api, created.json()["id"], timeout=120)
        [run] = _flow_runs(api)
        assert run["state_type"] == "COMPLETED", run["state"]
        assert run["parameters"]["dry_run"] is True and run["name"].startswith("hub-brightpath-")
        assert "dry_run" in run["state"]["message"]
        # It read every service and wrote nothing; its pacing came from the server's limits.
        assert {entry.service for entry in sandbox.log.entries()} == {"trello", "google", "toggl", "notion"}
        assert _writes(sandbox) == Counter()
        limits = {limit["name"] for limit in _post(api, "/v2/concurrency_limits/filter", {})}
        assert {name.rsplit("-", 1)[0] for name in limits if name.startswith("obm-hub-")} == {
            "obm-hub-trello",
            "obm-hub-google",
            "obm-hub-toggl",
            "obm-hub-notion",
        }

        serve.process.send_signal(signal.SIGTERM)
        assert serve.process.wait(timeout=30) == 0, "".join(serve.out)
        assert not server.exists()
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{api}/health", timeout=2)
    finally:  # a failed test leaves no server behind: serve stops its own, or the orphan is stopped
        from flows.server import stop_orphans

        if serve.process.poll() is None:
            serve.process.send_signal(signal.SIGTERM)
            try:
                serve.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                serve.process.kill()
                serve.process.wait()
        stop_orphans(tmp_path / "var" / "run")


def _wait_final(api: str, flow_run_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=10).json()["state_type"]
        if state in ("COMPLETED", "FAILED", "CANCELLED", "CRASHED"):
            return
        time.sleep(0.25)
    raise AssertionError(f"the flow run was not done after {timeout} s")


def _writes(sandbox) -> Counter:
    return Counter(
        (e.service, e.method)
        for e in sandbox.log.entries()
        if e.method in WRITES and e.path not in READ_POSTS and e.path != "/token"
    )


def _deployment(api: str, flow: str, name: str, wait: float = 0) -> dict:
    """The deployment as the server has it (`wait`: seconds for the runner to register it)."""
    deadline = time.monotonic() + wait
    while (response := httpx.get(f"{api}/deployments/name/{flow}/{name}", timeout=10)).status_code == 404:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    response.raise_for_status()
    return response.json()


def _flow_runs(api: str) -> list[dict]:
    runs = _post(api, "/flow_runs/filter", {"flow_runs": {"deployment_id": {"is_null_": False}}})
    return [run for run in runs if run["state_type"] != "SCHEDULED"]


def _post(api: str, path: str, body: dict) -> list[dict]:
    response = httpx.post(f"{api}{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()
