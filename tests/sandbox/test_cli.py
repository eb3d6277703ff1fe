"""`obm-hub sandbox`: the four emulators from the command line, until interrupted."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import tomllib

import httpx


def test_serves_the_four_apis_until_interrupted(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "obm_hub", "sandbox", "--state-dir", str(tmp_path / "state")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(6)]
        urls = dict(re.findall(r"^\s+(\w+)\s+(http://127\.0\.0\.1:\d+\S*)", "".join(lines), re.M))
        assert set(urls) == {"trello", "google", "toggl", "notion"}
        exports = [process.stdout.readline() for _ in range(14)]
        env = dict(re.findall(r"export (OBM_HUB_\w+)=(\S+)", "".join(exports)))
        assert env["OBM_HUB_SANDBOX"] == "off" and env["OBM_HUB_CONFIG"].endswith("config/sandbox.toml")
        token = env["OBM_HUB_NOTION__TOKEN"]
        response = httpx.get(
            urls["notion"] + "/users",
            headers={"Authorization": f"Bearer {token}", "Notion-Version": "2025-09-03"},
        )
        assert response.status_code == 200 and response.json()["object"] == "list"
        assert (tmp_path / "state" / "notion.json").is_file()
    finally:
        process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert process.returncode == 0


def test_many_workspaces_print_their_hub_file(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "obm_hub", "sandbox", "--memory", "--workspaces", "3", "--no-rate-limits"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(6)]
        found = re.search(r"^hub file: (\S+) \(3 workspaces\)$", "".join(lines), re.M)
        assert found, lines
        exports = [process.stdout.readline() for _ in range(14)]
        env = dict(re.findall(r"export (OBM_HUB_\w+)=(\S+)", "".join(exports)))
        assert env["OBM_HUB_CONFIG"] == found[1]
        with open(found[1], "rb") as handle:
            workspaces = tomllib.load(handle)["workspaces"]
        assert len(workspaces) == 3 and next(iter(workspaces)) == "brightpath"
    finally:
        process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert process.returncode == 0
