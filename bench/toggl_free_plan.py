"""Does a 15-minute schedule fit Toggl's Free plan? Every request the hub sends to Toggl in a run,
counted by the sandbox, over an hour of runs.

Toggl counts two hourly buckets per user (support.toggl.com/en/articles/11484112): `/me` requests,
30 an hour on every plan, and workspace requests (the Reports API's included), 30 an hour on Free.
The sandbox's organization is put on Free and its limits enforced; the hub's run is what the main job
does for Toggl (`connectors.registry.connect` with the workspace's memo, then one read), repeated every
15 minutes of a clock that both the emulator's limits and the connector's pacing follow, so the hour
passes in seconds. The token owner's timer runs (as the demo seeds it) until she stops it after the
second run: the `/me` bucket then pays the first run's admin check (2, once a day) and the owner's
running timer (1 per run while the workspace's dashboard shows it running), nothing else.

Run: .venv/bin/python bench/toggl_free_plan.py
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from config import HubSettings
from connectors.http import CoreOptions
from connectors.ratelimit import RATE_LIMITS, SlidingWindowLimiter
from connectors.registry import connect
from sandbox import Sandbox
from sandbox.toggl.entries import stop_entry
from sandbox.toggl.limits import PLAN_QUOTAS, USER_QUOTA

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
RUNS = 5  # four in the hour, and the first of the next
OWNER_STOPS = 2  # her timer stops after this many runs
EVERY = 15 * 60.0


class Clock:
    """Seconds that pass only when something waits on them."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def bucket(path: str) -> str:
    return "me" if path.startswith("/me") else "workspace"


def one_run(
    sandbox: Sandbox, options: CoreOptions, last: Any | None, memo: dict[str, str]
) -> tuple[Any, Any]:
    """What the main job does for Toggl in a run: a connector (with the workspace's memo, as the
    runner gives it the store's), one read, and the project list the time relation compares with
    Notion's projects (`sync.engine.ensure_projects`); the last run's batch stands for the store:
    its cursor, and its items as the copies the engine hands the read. Returns (batch, quota)."""
    sandbox.log.clear()
    emulator = sandbox.emulators["toggl"]
    settings = sandbox.settings(HubSettings())
    workspace = sandbox.business.workspace
    with connect("toggl", settings, workspace, options, clock=emulator.now, memo=memo) as toggl:
        if last is None:
            batch = toggl.fetch_changes(None)
        else:
            known = {remote.remote_id: remote for remote in last.items}
            batch = toggl.fetch_changes(last.cursor, known=known)
        toggl.list_projects()  # type: ignore[attr-defined]
        return batch, toggl.quota  # type: ignore[attr-defined]


def main() -> None:
    clock = Clock()
    with Sandbox(now=NOW, services=("toggl",)) as sandbox:
        sandbox.emulators["toggl"].limits.clock = clock
        sandbox.emulators["toggl"].set_plan("free")
        limiter = SlidingWindowLimiter(RATE_LIMITS["toggl"], clock=clock, sleep=clock.sleep)
        options = CoreOptions(limiter=limiter, sleep=clock.sleep)
        print(f"Toggl Free plan: {PLAN_QUOTAS['free']} workspace and {USER_QUOTA} /me requests an hour\n")
        print(f"{'run':>3} {'minute':>6} {'me':>3} {'ws':>3} {'entries':>7}  left (me, ws)  statuses")
        per_run: list[Counter[tuple[str, str]]] = []
        hour: Counter[str] = Counter()
        batch = None
        memo: dict[str, str] = {}
        for run in range(RUNS):
            started = clock.now
            if run == OWNER_STOPS:
                stop_owners_timer(sandbox)
            batch, quota = one_run(sandbox, options, batch, memo)
            sent = sandbox.log.entries("toggl")
            counts = Counter(bucket(e.path) for e in sent)
            if run < 4:  # the first hour
                hour.update(counts)
            per_run.append(Counter((e.method, e.path) for e in sent))
            statuses = ",".join(sorted({str(e.status) for e in sent}))
            left = f"{quota.me.remaining}, {quota.workspace.remaining}"
            print(
                f"{run + 1:>3} {started / 60:>6.0f} {counts['me']:>3} {counts['workspace']:>3} "
                f"{len(batch.items):>7}  {left:<13}  {statuses}"
            )
            clock.now = started + EVERY
        report(per_run, hour, len(batch.items))


def stop_owners_timer(sandbox: Sandbox) -> None:
    """The token's owner stops her timer (in the emulator's store: no request counted)."""
    emulator = sandbox.emulators["toggl"]
    owner = emulator.store.user_by_token(sandbox.settings(HubSettings()).toggl.api_token.get_secret_value())
    assert owner is not None
    running = emulator.store.running_entry(owner.id)
    assert running is not None, "the demo seeds the owner's timer running"
    stop_entry(running, emulator.now())


def report(per_run: list[Counter[tuple[str, str]]], hour: Counter[str], entries: int) -> None:
    paths = sorted(set().union(*per_run))
    print("\nrequests by path in each run (1: the day's admin check; 1-2: the owner's timer runs):")
    print("  " + " ".join(f"{n + 1:>3}" for n in range(len(per_run))))
    for method, path in paths:
        print("  " + " ".join(f"{c[(method, path)]:>3}" for c in per_run) + f"  {method:<5} {path}")
    me, ws, free = hour["me"], hour["workspace"], PLAN_QUOTAS["free"]
    print(f"\none hour of 15-minute runs: {me} /me requests of {USER_QUOTA}, {ws} workspace of {free}")
    fits = me <= USER_QUOTA and ws <= free
    print(f"fits the Free plan: {'yes' if fits else 'NO'}; headroom {USER_QUOTA - me} and {free - ws}")
    pages = free // 4 - 2  # a run's share of the hour, less the dashboard and the project list
    print(
        f"the workspace bucket holds {pages} report pages a run (with the dashboard and the projects): "
        f"up to {pages * 50} entries in the window (the demo team's: {entries})"
    )


if __name__ == "__main__":
    main()
