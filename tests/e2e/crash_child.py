"""One sync of one workspace, without Prefect: the process the crash test kills (`test_crash.py`).

    python -m tests.e2e.crash_child [--workspace brightpath] [--meetings]

The settings come from the environment (`Sandbox.environment()` points them at a running sandbox,
`OBM_HUB_DATABASE_URL` at the store), as for `obm-hub run`; the run is the hub flow's sync without its
orchestrator and its summary (`flows.hub._sync`): the lease, each read the relations need, then tasks,
agenda and time in that order, each planned from the store and applied. Requests are not paced on the
client side (the sandbox the test starts has no rate limits), so a first sync takes seconds.

`--meetings` turns the workspace's `time.meetings_to_toggl` on, so the time relation also creates
Toggl entries (pending links, like every other create).

Prints one JSON line (each relation's outcome and counts) and exits 0 when every relation was ok,
4 when another run holds the lease, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from config import load_hub
from config.store_url import store_url
from connectors.http import CoreOptions, RetryPolicy
from connectors.ratelimit import RateLimit, SlidingWindowLimiter
from flows.runner import WorkspaceRunner
from sync.store import LeaseHeld, Store

LEASE_HELD = 4


def unpaced() -> CoreOptions:
    """No client-side pacing and short backoffs: the sandbox the crash test starts has no limits."""
    return CoreOptions(
        limiter=SlidingWindowLimiter(RateLimit(100_000, 1.0, "crash-test")),
        retry=RetryPolicy(backoff_initial=0.01, backoff_max=0.05),
        timeout=10.0,
    )


def sync_once(workspace_key: str, *, meetings: bool = False) -> dict[str, dict[str, object]]:
    """The workspace's reads and relations, once; returns each relation's outcome and counts."""
    hub = load_hub()
    workspace = hub.workspace(workspace_key)
    if meetings:
        time = workspace.time.model_copy(update={"meetings_to_toggl": True})
        workspace = workspace.model_copy(update={"time": time})
    store = Store.open(store_url(hub.settings))
    try:
        with (
            WorkspaceRunner(
                workspace_key, workspace, hub.settings, store, options=unpaced(), label="crash-child"
            ) as runner,
            runner.lease(),
        ):
            relations = runner.relations()
            for service in runner.needs(relations):
                runner.read(service)
            done: dict[str, dict[str, object]] = {}
            for relation in relations:
                outcome = runner.apply(runner.plan(relation))
                done[relation] = {"outcome": outcome.outcome, **outcome.counts(), "errors": outcome.errors}
            return done
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crash_child")
    parser.add_argument("--workspace", default="brightpath")
    parser.add_argument("--meetings", action="store_true")
    args = parser.parse_args(argv)
    try:
        done = sync_once(args.workspace, meetings=args.meetings)
    except LeaseHeld as exc:
        print(json.dumps({"lease": str(exc)}), flush=True)
        return LEASE_HELD
    print(json.dumps(done), flush=True)
    return 0 if all(relation["outcome"] == "ok" for relation in done.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
