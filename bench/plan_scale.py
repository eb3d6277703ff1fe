"""plan() over 100,000 linked tasks: wall time and peak memory of the pure planner.

Target (issue 9): under 1 s and 500 MB on these 2-core machines. The input is a quiet workspace (every
link in agreement) with 1% of the tasks edited on one side, the shape of a 15-minute sync of a large
business. Building the input is not timed; only `plan_two_way` is.

    .venv/bin/python bench/plan_scale.py [--links 100000]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta

from sync.connector import Remote
from sync.model import Task
from sync.plan import SideSpec, plan_two_way
from sync.policy import RelationPolicy
from sync.state import Link, Seen, Side, Snapshot

EDITED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def workspace(links: int, edited_share: float) -> tuple[dict[str, Snapshot[Task]], dict[str, Link[Task]]]:
    trello: dict[str, Seen[Task]] = {}
    notion: dict[str, Seen[Task]] = {}
    all_links: dict[str, Link[Task]] = {}
    every = int(1 / edited_share) if edited_share else 0
    for n in range(links):
        link_id = f"link{n:07d}"
        task = Task(
            title=f"Task {n}",
            description="Notes about the task",
            status=("Backlog", "Doing", "Review", "Done")[n % 4],
            done=n % 4 == 3,
            due=date(2026, 12, 1) + timedelta(days=n % 30),
            labels=frozenset({"Client"} if n % 2 else {"Admin"}),
            project="operations",
            edited_at=EDITED,
        )
        card_url, page_url = f"https://trello.com/c/{n}", f"https://notion.so/{n}"
        card = Remote(f"c{n}", "v1", task.model_copy(update={"peer_url": page_url}), link_id, card_url)
        page = Remote(f"p{n}", "v1", task.model_copy(update={"peer_url": card_url}), link_id, page_url)
        if every and n % every == 0:
            renamed = card.item.model_copy(update={"title": f"Task {n}, renamed"})
            card = Remote(card.remote_id, "v2", renamed, link_id, card_url)
        # Hashes as the store keeps them beside each row (computed at write time, not by plan()).
        base_hash = task.content_hash()
        trello[card.remote_id] = Seen(card, content_hash=card.item.content_hash())
        notion[page.remote_id] = Seen(page, content_hash=page.item.content_hash())
        sides = {"trello": Side(f"c{n}", task, base_hash), "notion": Side(f"p{n}", task, base_hash)}
        all_links[link_id] = Link(link_id, "active", sides)
    return {"trello": Snapshot("trello", trello), "notion": Snapshot("notion", notion)}, all_links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--edited", type=float, default=0.01, help="share of tasks edited on one side")
    args = parser.parse_args()
    snapshots, links = workspace(args.links, args.edited)
    sides = (SideSpec("trello", lambda task: task), SideSpec("notion", lambda task: task))
    started, cpu = time.perf_counter(), time.process_time()
    plan = plan_two_way("tasks", *sides, snapshots, links, RelationPolicy(), Task)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    # Memory in a second run: tracing allocations slows Python down several times.
    tracemalloc.start()
    plan_two_way("tasks", *sides, snapshots, links, RelationPolicy(), Task)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"plan() over {args.links:,} linked tasks, {args.edited:.0%} edited on one side")
    print(f"  steps: {len(plan.steps):,}  writes: {len(plan.writes):,}")
    # CPU time is what the planner costs; wall time also counts whatever else the machine runs.
    print(f"  CPU time: {cpu:.3f} s (target < 1 s); wall time: {elapsed:.3f} s")
    print(f"  peak memory allocated by plan(): {peak / 2**20:.1f} MiB (target < 500 MiB)")


if __name__ == "__main__":
    main()
