"""What a sync costs in API requests, against the sandbox over real HTTP, counted in its request log.

Printed side by side, in one run of the demo business:
- the first sync (first contact: links the overlap, creates the rest, deadline events, tracked hours);
- the second (it sees the hub's own writes again, in Trello's board actions and Notion's look-back,
  and reads none of them back: the store holds them as the services answered), against the minimum;
- a quiet sync, per service, against the minimum (one incremental read per source collection);
- k task edits on the board, against k writes plus the reads;
- a naive full re-sync of the same business (every collection read in full, every link rebuilt by
  matching from scratch), as the baseline the incremental engine is measured against.

    .venv/bin/python bench/sync_requests.py [--edits 5]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

from config import HubSettings
from config.policies import agenda_policy, tasks_policy
from connectors.http import CoreOptions
from connectors.ratelimit import RateLimit, SlidingWindowLimiter
from connectors.registry import RECORDS, connect
from sandbox import Sandbox
from sync.engine import apply_and_record, plan_deadlines, plan_tasks, plan_tracked_hours, read_into_store
from sync.model import Event, Task
from sync.store import Store

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
KEY = "brightpath"
SERVICES = ("trello", "notion", "google", "toggl")
READ_POSTS = {
    "/data_sources/{data_source_id}/query",
    "/reports/api/v3/workspace/{workspace_id}/search/time_entries",
    "/token",
}
# One incremental read per source collection (Notion: its live and its trashed pages; Google: the
# access token a new process needs; Toggl: the team's window in 2 pages, the dashboard, and the
# owner's running timer, which the demo leaves running; the admin check is made once a day).
MINIMUM = {"trello": 1, "notion": 2, "google": 2, "toggl": 4}


def _options() -> CoreOptions:
    # Counting requests, not pacing them: the client-side limiter is opened up.
    return CoreOptions(limiter=SlidingWindowLimiter(RateLimit(100_000, 1.0, "bench")))


def sync(sandbox: Sandbox, store: Store) -> Counter[tuple[str, str]]:
    """One hub run (reads, tasks, agenda, hours); the requests it cost, by service and kind."""
    before = len(sandbox.log.entries())
    settings = sandbox.settings(HubSettings())
    workspace = sandbox.business.workspace
    connectors = {s: connect(s, settings, workspace, _options(), memo=store.memo(KEY, s)) for s in SERVICES}
    try:
        for service, connector in connectors.items():
            read_into_store(store, KEY, connector, model=RECORDS[service])
        tasks = plan_tasks(store, KEY, (connectors["trello"], connectors["notion"]), tasks_policy(workspace))
        apply_and_record(store, KEY, tasks, connectors, Task)
        agenda, _ = plan_deadlines(
            store, KEY, ("trello", "notion"), connectors["google"], agenda_policy(workspace)
        )
        apply_and_record(store, KEY, agenda.plan, connectors, Event)
        apply_and_record(
            store, KEY, plan_tracked_hours(store, KEY, ("trello", "notion"), "notion"), connectors, Task
        )
    finally:
        for connector in connectors.values():
            connector.close()
    return Counter(
        (entry.service, "write" if entry.method != "GET" and entry.path not in READ_POSTS else "read")
        for entry in sandbox.log.entries()[before:]
    )


def edit_cards(sandbox: Sandbox, count: int) -> None:
    """People rename `count` cards on the board (through the Trello API, as the Trello app would)."""
    settings = sandbox.settings(HubSettings()).trello
    assert settings.api_key is not None and settings.token is not None
    key, token = settings.api_key.get_secret_value(), settings.token.get_secret_value()
    auth = f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'
    with httpx.Client(base_url=settings.base_url, headers={"Authorization": auth}) as client:
        board = sandbox.business.workspace.trello
        assert board is not None
        cards = [card for card in client.get(f"/boards/{board.board_id}/cards").json() if not card["closed"]]
        for card in cards[:count]:
            client.put(f"/cards/{card['id']}", json={"name": card["name"] + " (edited)"})
    sandbox.log.clear()


def _row(label: str, counts: Counter[tuple[str, str]]) -> None:
    cells = "".join(f"{counts[(s, 'read')]:>6}/{counts[(s, 'write')]:<5}" for s in SERVICES)
    total = sum(counts.values())
    print(f"{label:<42}{cells}{total:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{'sync (reads/writes per service)':<42}" + "".join(f"{s:>12}" for s in SERVICES) + f"{'total':>7}"
    )
    with tempfile.TemporaryDirectory() as folder, Sandbox(now=NOW, rate_limits=False) as sandbox:
        store = Store.open(f"sqlite:///{Path(folder) / 'hub.db'}")
        _row("first sync (first contact)", sync(sandbox, store))
        _row("second sync (own writes seen, not re-read)", sync(sandbox, store))
        quiet = sync(sandbox, store)
        _row("quiet sync", quiet)
        print(
            f"{'  the minimum (both)':<42}"
            + "".join(f"{MINIMUM[s]:>6}/{0:<5}" for s in SERVICES)
            + f"{sum(MINIMUM.values()):>7}"
        )
        edit_cards(sandbox, args.edits)
        edited = sync(sandbox, store)
        _row(f"after {args.edits} card edits", edited)
        writes = sum(n for (_, kind), n in edited.items() if kind == "write")
        print(f"  writes per edit: {writes / args.edits:.1f} (its page; its deadline event if it has a due)")
        store.close()
        fresh = Store.open(f"sqlite:///{Path(folder) / 'naive.db'}")
        naive = sync(sandbox, fresh)
        _row("naive full re-sync (no cursor, no link)", naive)
        fresh.close()
        ratio = sum(naive.values()) / max(1, sum(quiet.values()))
        print(f"  a quiet sync costs 1/{ratio:.0f} of the naive full re-sync")


if __name__ == "__main__":
    main()
