"""Scale-out on Prefect workers: a Prefect server on PostgreSQL, a process work pool, two workers, the
hub deployed for N sandbox workspaces, every one triggered at once.

    bench/scale_out.sh [--workspaces 20] [--workers 2] [--limit 4] [--dry-run] [--keep]

What it sets up (and removes at the end, unless --keep):
- PostgreSQL on 127.0.0.1:5432 (`--pg`): a database for Prefect's server (`obm_scale`) and one for the
  hub's store (`obm_scale_hub`), both created afresh;
- `prefect server start` on that database; a process work pool; `--workers` workers, each running at
  most `--limit` flow runs at once;
- `obm-hub sandbox --workspaces N`: the emulators, with the services' documented rate limits, serving N
  businesses on one set of credentials (one OBM's Trello, Google and Toggl tokens, one Notion token);
- the `hub/<workspace>` deployments of that hub file (`obm-hub deployments`, schedules paused), deployed
  with `prefect deploy --all`, then one run of each triggered through the API.

What it checks and prints: every run completed; nothing duplicated (per workspace, no link id on two
items of one side, and each side carries exactly the links the store holds); the rate budgets held
across the workers (the sandbox answered no 429, no Google rate-limit 403, no Toggl quota 402: each
budget is a Prefect rate limit shared through the server, `flows/limits.py`); runs completed, wall
time, requests per service, rate-limit answers received.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
SERVICES = ("trello", "google", "toggl", "notion")
POOL = "obm-scale"
WORKER = [str(BIN / "prefect"), "worker", "start", "--pool", POOL]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=4, help="flow runs at once per worker")
    parser.add_argument("--dry-run", action="store_true", help="trigger dry runs (reads only)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep", action="store_true", help="leave the databases and the folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="obm-scale-"))
    children: list[subprocess.Popen[Any]] = []
    databases = {"prefect": "obm_scale", "hub": "obm_scale_hub"}
    _create_databases(args.pg, databases.values())
    server = None
    try:
        from flows.serving import PrefectServer, free_port

        prefect_db = _url(args.pg, "postgresql+asyncpg", databases["prefect"])
        os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = prefect_db
        os.environ.setdefault("PREFECT_UI_ENABLED", "false")
        os.environ["PREFECT_HOME"] = str(folder / "prefect")
        started = time.monotonic()
        server = PrefectServer(folder / "var", port=free_port())
        server.start()
        print(f"prefect server on PostgreSQL: {server.api_url} ({time.monotonic() - started:.0f} s to start)")

        sandbox, environment = _sandbox(args.workspaces, children)
        environment.update(
            {
                "PREFECT_API_URL": server.api_url,
                "PREFECT_HOME": str(folder / "prefect"),
                "OBM_HUB_VAR_DIR": str(folder / "var"),
                "OBM_HUB_DATABASE_URL": _url(args.pg, "postgresql+psycopg", databases["hub"]),
                "PREFECT_WORKER_QUERY_SECONDS": "2",
            }
        )
        env = {**os.environ, **environment}
        env.pop("PREFECT_SERVER_DATABASE_CONNECTION_URL", None)

        _prefect(env, "work-pool", "create", POOL, "--type", "process")
        deployments = _deploy(env, folder)
        for index in range(args.workers):
            children.append(
                _spawn(
                    [*WORKER, "--limit", str(args.limit), "--name", f"worker-{index + 1}"],
                    env,
                    folder / f"worker-{index + 1}.log",
                )
            )
        before = _requests(sandbox)
        wall = time.monotonic()
        runs = _trigger_all(server.api_url, deployments, dry_run=args.dry_run)
        states = _wait(server.api_url, runs, args.timeout)
        wall = time.monotonic() - wall
        during = _requests(sandbox) - before
        return _report(args, states, wall, during, sandbox, environment)
    finally:
        for child in reversed(children):
            _stop(child)
        if server is not None:
            server.stop()
        if not args.keep:
            _drop_databases(args.pg, databases.values())
            subprocess.run(["rm", "-rf", str(folder)], check=False)
        else:
            print(f"kept: {folder}, databases {', '.join(databases.values())}")


# -- set-up --------------------------------------------------------------------------------------


def _url(base: str, driver: str, database: str) -> str:
    return f"{driver}://{base.split('://', 1)[1]}/{database}"


def _create_databases(base: str, names: Any) -> None:
    import psycopg

    with psycopg.connect(_url(base, "postgresql", "postgres"), autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')


def _drop_databases(base: str, names: Any) -> None:
    import psycopg

    with psycopg.connect(_url(base, "postgresql", "postgres"), autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[Any]:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def _stop(process: subprocess.Popen[Any]) -> None:
    """SIGINT (a worker stops on it; SIGTERM alone may not), then SIGTERM, then SIGKILL."""
    for signum, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            return
        process.send_signal(signum)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def _sandbox(workspaces: int, children: list[subprocess.Popen[Any]]) -> tuple[dict[str, str], dict[str, str]]:
    """`obm-hub sandbox --workspaces N --memory`; its request-log URLs and the variables it prints."""
    process = subprocess.Popen(
        [str(BIN / "obm-hub"), "sandbox", "--workspaces", str(workspaces), "--memory"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    children.append(process)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or ():
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    logs, environment, seen_state = {}, {}, False
    while True:
        try:  # the variables come last, all at once: the output is complete when it pauses after them
            line = lines.get(timeout=2 if seen_state else 300)
        except queue.Empty:
            break
        if "(request log: " in line:
            service = line.split()[0]
            logs[service] = line.rsplit("(request log: ", 1)[1].rstrip(")\n")
        elif line.startswith("state:"):
            seen_state = True
        elif line.strip().startswith("export "):
            name, _, value = line.strip().removeprefix("export ").partition("=")
            environment[name] = value
    if "OBM_HUB_CONFIG" not in environment:
        raise SystemExit(f"obm-hub sandbox did not print its variables (exit code {process.poll()})")
    print(f"sandbox: {workspaces} workspaces, hub file {environment['OBM_HUB_CONFIG']}")
    return logs, environment


def _prefect(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "prefect"), "--no-prompt", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"prefect {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def _deploy(env: dict[str, str], folder: Path) -> dict[str, str]:
    """The hub deployments of the sandbox's hub file, through prefect.yaml and `prefect deploy --all`;
    returns workspace -> deployment id."""
    from config.hub_file import HubFile, read_hub_file
    from flows.deployments import deployment_specs, prefect_yaml

    hub_file = HubFile.model_validate(read_hub_file(Path(env["OBM_HUB_CONFIG"])))
    specs = [spec for spec in deployment_specs(hub_file) if spec.flow == "hub"]
    path = folder / "prefect.yaml"
    path.write_text(prefect_yaml(specs, source=env["OBM_HUB_CONFIG"], work_pool=POOL, paused=True))
    started = time.monotonic()
    _prefect(env, "deploy", "--all", "--prefect-file", str(path))
    api = env["PREFECT_API_URL"]
    ids = {spec.name: _get(api, f"/deployments/name/hub/{spec.name}")["id"] for spec in specs}
    print(f"deployed {len(ids)} hub deployments to pool {POOL} ({time.monotonic() - started:.0f} s)")
    return ids


# -- the runs ------------------------------------------------------------------------------------


def _get(api: str, path: str) -> Any:
    response = httpx.get(f"{api}{path}", timeout=30)
    response.raise_for_status()
    return response.json()


def _trigger_all(api: str, deployments: dict[str, str], *, dry_run: bool) -> dict[str, str]:
    runs = {}
    for workspace, deployment_id in deployments.items():
        response = httpx.post(
            f"{api}/deployments/{deployment_id}/create_flow_run",
            json={"parameters": {"dry_run": dry_run}},
            timeout=30,
        )
        response.raise_for_status()
        runs[workspace] = response.json()["id"]
    print(f"triggered {len(runs)} hub runs ({'dry runs' if dry_run else 'first syncs'})")
    return runs


FINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def _wait(api: str, runs: dict[str, str], timeout: float) -> dict[str, dict[str, Any]]:
    deadline, states, shown = time.monotonic() + timeout, {}, -1
    while time.monotonic() < deadline:
        states = {workspace: _get(api, f"/flow_runs/{run_id}") for workspace, run_id in runs.items()}
        done = sum(state["state_type"] in FINAL for state in states.values())
        if done != shown:
            print(f"  {time.strftime('%H:%M:%S')} {done}/{len(runs)} runs finished", flush=True)
            shown = done
        if done == len(runs):
            break
        time.sleep(5)
    return states


def _requests(logs: dict[str, str]) -> Counter[tuple[str, int]]:
    """Requests so far by service and status, from the sandbox's request log (one log for all four)."""
    counts: Counter[tuple[str, int]] = Counter()
    for entry in httpx.get(next(iter(logs.values())), timeout=60).json():
        counts[(str(entry["service"]), int(entry["status"]))] += 1
    return counts


# -- checks and figures --------------------------------------------------------------------------


def _rate_answers(requests: Counter[tuple[str, int]]) -> Counter[str]:
    """429s (and Google's 403s, Toggl's quota 402s) the sandbox answered, per service and status."""
    answers: Counter[str] = Counter()
    for (service, status), count in requests.items():
        if status == 429 or (service == "google" and status == 403) or (service == "toggl" and status == 402):
            answers[f"{service} {status}"] += count
    return answers


def _duplicates(environment: dict[str, str]) -> list[str]:
    """Per workspace and side: no link id on two items, and every item carrying a link id is the copy
    the store links (an item with a link id the store does not know, or another copy of a linked one,
    is a duplicate created by overlapping or lost runs)."""
    os.environ.update(environment)
    from config import load_hub
    from connectors.registry import connect
    from sync.model import Event, Task
    from sync.store import Store

    hub = load_hub()
    store = Store.open(environment["OBM_HUB_DATABASE_URL"])
    problems: list[str] = []
    checked: Counter[str] = Counter()
    try:
        for key, workspace in hub.file.workspaces.items():
            links: dict[str, dict[str, Any]] = {
                "trello": store.links(key, "tasks", Task),
                "notion": store.links(key, "tasks", Task),
                "google": store.links(key, "agenda", Event),
            }
            for service, held in links.items():
                linked = {
                    link_id: side.remote_id
                    for link_id, link in held.items()
                    if (side := link.side(service)) is not None
                }
                connector = connect(service, hub.settings, workspace, memo=store.memo(key, service))  # type: ignore[arg-type]
                try:
                    items = [item for item in connector.fetch_changes(None).items if item.link_id]
                finally:
                    connector.close()
                twice = [link for link, n in Counter(item.link_id for item in items).items() if n > 1]
                strays = [item for item in items if linked.get(item.link_id or "") != item.remote_id]
                if twice or strays:
                    found = f"{len(twice)} link ids twice, {len(strays)} stray copies"
                    problems.append(f"{key} {service}: {found} (of {len(items)} linked items)")
                checked[service] += len(items)
    finally:
        store.close()
    print("linked items checked:  " + ", ".join(f"{service} {n}" for service, n in checked.items()))
    return problems


def _report(
    args: argparse.Namespace,
    states: dict[str, dict[str, Any]],
    wall: float,
    requests: Counter[tuple[str, int]],
    logs: dict[str, str],
    environment: dict[str, str],
) -> int:
    completed = [w for w, state in states.items() if state["state_type"] == "COMPLETED"]
    failed = {w: state["state"]["message"] for w, state in states.items() if w not in completed}
    per_service = Counter({service: 0 for service in SERVICES})
    for (service, _status), count in requests.items():
        per_service[service] += count
    answers = _rate_answers(requests)
    print()
    runs = f"{len(completed)}/{len(states)} ({args.workers} workers, {args.limit} runs each)"
    print(f"runs completed:        {runs}")
    print(f"wall time:             {wall:.0f} s (trigger to the last run finished)")
    print("requests per service:  " + ", ".join(f"{s} {per_service[s]}" for s in SERVICES))
    shown = ", ".join(f"{kind}: {n}" for kind, n in sorted(answers.items())) or "none"
    print(f"rate-limit answers:    {shown}")
    for workspace, message in sorted(failed.items()):
        print(f"  not completed: {workspace}: {(message or '').splitlines()[:1]}")
    try:
        problems = _duplicates(environment)
    except Exception as exc:  # the figures above are printed whatever the check meets
        problems = [f"the duplicate check failed: {type(exc).__name__}: {exc}"]
    print(f"duplicates:            {'none' if not problems else len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    print(json.dumps({"completed": len(completed), "runs": len(states), "wall_s": round(wall)}))
    ok = len(completed) == len(states) and not problems and not sum(answers.values())
    print("scale-out: PASSED" if ok else "scale-out: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
