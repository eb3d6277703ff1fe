"""`obm-hub run` as a real process, the way a newcomer and a scheduler run it: from an empty var dir,
two at once, stopped by signals, and with one service refusing its credentials (issue 7)."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from obm_hub import exit_codes

OVERVIEW_TITLE = "Bright Path Coaching: operations summary"


class Run:
    """`python -m obm_hub run` in a child process; its output collected as it comes."""

    def __init__(self, var: Path, prefect_home: Path, **env: str) -> None:
        environment = {
            **os.environ,
            "OBM_HUB_VAR_DIR": str(var),
            "PREFECT_HOME": str(prefect_home),
            "COLUMNS": "200",  # rich wraps the overview at the terminal's width
            **env,
        }
        environment.pop("PREFECT_API_URL", None)  # the hub's own temporary server, as with `make run`
        self.var = var
        self.process = subprocess.Popen(
            [sys.executable, "-m", "obm_hub", "run"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=lambda s=s, d=d: d.extend(iter(s.readline, "")), daemon=True)
            for s, d in ((self.process.stdout, self.out), (self.process.stderr, self.err))
        ]
        for reader in self._readers:
            reader.start()

    @property
    def pid_file(self) -> Path:
        return self.var / "run" / f"prefect-server-{self.process.pid}.json"

    def server_pid(self, timeout: float = 180) -> int:
        """The pid of this run's Prefect server, once it has one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid_file.is_file():
                return int(json.loads(self.pid_file.read_text())["server"][0])
            assert self.process.poll() is None, "".join(self.err)
            time.sleep(0.05)
        errors = "".join(self.err)
        raise AssertionError(f"no Prefect server after {timeout} s:\n{errors}")

    def wait_for(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.err):
            assert time.monotonic() < deadline and self.process.poll() is None, "".join(self.err)
            time.sleep(0.05)

    def finish(self, timeout: float = 300) -> int:
        code = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(5)
        return code

    def stop(self, signum: int) -> tuple[int, float]:
        """Send `signum`; the exit code and the seconds it took to exit."""
        sent = time.monotonic()
        self.process.send_signal(signum)
        return self.finish(timeout=60), time.monotonic() - sent


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie has ended: only its parent has yet to collect it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


@pytest.fixture(scope="module")
def without_notion(tmp_path_factory) -> dict[str, str]:
    """The demo business without its Notion table: still the sandbox mode `make run` uses (every
    emulator started, state under the var dir), but a first sync without the thirty seconds that
    Notion's 3 requests per second cost its first contact (CI's `make run` runs the whole)."""
    from config.loader import SANDBOX_HUB_FILE

    text = SANDBOX_HUB_FILE.read_text(encoding="utf-8")
    start = text.index("[workspaces.brightpath.notion]")
    end = text.index("[workspaces.brightpath.google]")
    path = tmp_path_factory.mktemp("hub") / "hub.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return {"OBM_HUB_CONFIG": str(path)}


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory) -> Path:
    """One Prefect home for the runs that do not test a first start: it is migrated once."""
    return tmp_path_factory.mktemp("prefect-home")


def test_a_fresh_var_dir_runs_to_the_overview(tmp_path, without_notion):
    """Nothing exists yet, not even the var dir or the Prefect home inside it: the README's first command."""
    var = tmp_path / "clone" / "var"
    run = Run(var, var / "prefect", **without_notion)
    assert run.finish() == exit_codes.OK, "".join(run.err)
    assert any(OVERVIEW_TITLE in line for line in run.out)
    assert any("API requests:" in line for line in run.out)
    assert any(line.strip().startswith("summary (html): ") for line in run.out)
    assert (var / "hub.db").is_file() and (var / "sandbox" / "trello.json").is_file()
    assert (var / "prefect" / "prefect.db").is_file()
    assert list((var / "run").glob("prefect-server-*")) == []  # the server went with the run
    assert not [line for line in run.err if "Traceback" in line]


def test_two_first_runs_at_once_both_succeed(tmp_path, without_notion):
    """Issue 7, defect 14: two runs on one new Prefect home (one shares the other's var dir, one has
    its own: the lock lives beside Prefect's database). The test holds the set-up lock until both
    wait for it, so that they reach Prefect's first start (and its database migration) at the same
    instant, the worst case; without the lock they migrate together and one fails. Both set Prefect up;
    then one syncs and the other, if the first still holds the workspace's lease, says so (exit 4)."""
    var, home = tmp_path / "var", tmp_path / "var" / "prefect"
    lock = home / "obm-hub-setup.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        runs = [Run(var, home, **without_notion), Run(tmp_path / "other-var", home, **without_notion)]
        waiting = {run.process.pid for run in runs}
        deadline = time.monotonic() + 180
        while lock_waiters(lock) != waiting:
            ended = [run.process.poll() for run in runs]
            assert ended == [None, None] and time.monotonic() < deadline, f"never waited; exit codes {ended}"
            time.sleep(0.1)
    codes = [run.finish() for run in runs]
    assert sorted(codes) in ([exit_codes.OK] * 2, [exit_codes.OK, exit_codes.LEASE_HELD]), [
        "".join(run.err)[-3000:] for run in runs
    ]
    assert any(any(OVERVIEW_TITLE in line for line in run.out) for run in runs)
    held = [run for run, code in zip(runs, codes, strict=True) if code == exit_codes.LEASE_HELD]
    assert all("has been syncing workspace 'brightpath' since" in run.err[-1] for run in held)


def lock_waiters(path: Path) -> set[int]:
    """The pids blocked on an flock of `path` (the `->` lines of /proc/locks, proc(5))."""
    inode = f":{path.stat().st_ino}"
    waiters = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()  # 1: -> FLOCK ADVISORY WRITE <pid> <major>:<minor>:<inode> <start> <end>
        if "->" in fields:
            pid, device = fields[fields.index("->") + 4 : fields.index("->") + 6]
            if device.endswith(inode):
                waiters.add(int(pid))
    return waiters


def test_a_killed_run_leaves_no_server_for_long_and_a_stopped_one_takes_its_server_along(
    tmp_path, prefect_home
):
    """Issue 7, defect 10. SIGKILL cannot be caught: the next run stops the orphan before it starts its
    own server. SIGTERM in the middle of a run: out within seconds, the server with it."""
    var = tmp_path / "var"
    killed = Run(var, prefect_home)
    orphan = killed.server_pid()
    killed.process.kill()
    killed.finish()
    assert alive(orphan)  # what issue 7 found: nothing else will ever stop it

    second = Run(var, prefect_home)
    server = second.server_pid()
    assert not alive(orphan)  # stopped before the second run's server was even spawned
    assert any(f"stopped Prefect server {orphan}" in line for line in second.err)

    second.wait_for("Beginning flow run")
    code, seconds = second.stop(signal.SIGTERM)
    assert code == exit_codes.stopped_by(signal.SIGTERM) and seconds < 10, "".join(second.err)
    assert gone_within(server, 5)
    assert second.err[-1] == "obm-hub: stopped by SIGTERM\n"
    assert list((var / "run").glob("prefect-server-*")) == []


def test_ctrl_c_while_prefect_starts_stops_the_run_and_its_server(tmp_path, prefect_home):
    run = Run(tmp_path / "var", prefect_home)
    server = run.server_pid()
    code, seconds = run.stop(signal.SIGINT)
    assert code == exit_codes.stopped_by(signal.SIGINT) and seconds < 10, "".join(run.err)
    assert gone_within(server, 5)
    assert not [line for line in run.err if "Traceback" in line]


def test_a_refused_trello_token_still_prints_the_overview(tmp_path, prefect_home, sandbox_factory):
    """Issue 7, defect 8, as the user sees it: the overview marked partial, one line saying what to
    fix, exit code 1, and no traceback."""
    sandbox = sandbox_factory(rate_limits=False)
    env = {**sandbox.environment(), "OBM_HUB_TRELLO__TOKEN": "wrong-trello-token-canary"}
    run = Run(tmp_path / "var", prefect_home, **env)
    assert run.finish() == exit_codes.FAILED, "".join(run.err)
    shown = "".join(run.out)
    assert OVERVIEW_TITLE in shown and "Partial run: brightpath" in shown
    assert "trello GET" in shown and "returned 401: check the credentials" in shown
    assert "time: ok" in shown  # the relations that do not need Trello ran
    assert not [line for line in run.err if "Traceback" in line]
    assert run.err[-1].startswith("obm-hub: brightpath: partial run: trello GET")
    assert "wrong-trello-token-canary" not in shown + "".join(run.err)
