"""`obm-hub links rebuild`: the links of a workspace rebuilt from the link ids its copies carry (the
card's hidden link line, Notion's "Hub ID", the deadline event's private property, the entry's tag),
after the store was lost or when its links are in doubt. Full reads, then the planners' first rule
only (copies carrying the same link id), recorded without a single write to a service; a deadline
event older than the calendar read's window is looked up by its link id. The rules are
`sync/rebuild.py`'s. The next sync then finds those pairs linked and creates nothing for them.

A read that fails stops the rebuild of that workspace before anything is forgotten.
"""

from __future__ import annotations

import sys
from typing import Any

from config import Hub
from flows.context import runner_for
from flows.runner import RELATIONS, WorkspaceRunner
from obm_hub import exit_codes
from obm_hub.progress import Bars
from obm_hub.workspaces import read_side_by_side, services, workspace_keys
from sync.connector import Connector
from sync.policy import AGENDA, MEETINGS, TASKS
from sync.rebuild import Relinked, forget_links, record_relinks
from sync.store import LeaseHeld

LINKED_RELATIONS = (TASKS, AGENDA, MEETINGS)
LOOKED_UP = ("google",)  # services whose copies outside the read are looked up by link id


def rebuild_main(hub: Hub, workspace: str | None) -> int:
    codes = []
    with services(hub), Bars() as bars:
        for key in workspace_keys(hub, workspace):
            with runner_for(key, label="obm-hub links rebuild") as runner:
                try:
                    with runner.lease():
                        codes.append(_rebuild(runner, bars))
                except LeaseHeld as exc:
                    print(f"obm-hub: {key}: {exc}", file=sys.stderr)
                    codes.append(exit_codes.LEASE_HELD)
    return max(codes, default=exit_codes.OK)


def _rebuild(runner: WorkspaceRunner, bars: Bars) -> int:
    wanted = runner.relations(RELATIONS)
    reads = read_side_by_side(
        runner, wanted, full=True, on_read=bars.reads(runner.key, list(runner.needs(wanted)))
    )
    failed = [read.error for read in reads if read.error]
    if failed:
        for line in failed:
            print(f"obm-hub: {runner.key}: {line}", file=sys.stderr)
        print(f"obm-hub: {runner.key}: links not rebuilt (nothing was forgotten)", file=sys.stderr)
        return exit_codes.FAILED
    forgotten = forget_links(runner.store, runner.key, LINKED_RELATIONS)
    done: list[Relinked] = []
    for relation in wanted:  # in order: the agenda's keys are the task links just recorded
        # Only the calendar's read is a window that may miss the hub's own copies (deadline events of
        # old dues); Toggl's 14 days cover the week of meetings the hub derives entries from.
        finders: dict[str, Connector[Any]] = {
            s: runner.connector(s) for s in runner.needs([relation]) if s in LOOKED_UP
        }
        for plan in runner.plan(relation).plans:
            if plan.relation in LINKED_RELATIONS:
                done.append(record_relinks(runner.store, runner.key, plan, finders))
    print(f"{runner.key}: {forgotten} links forgotten, rebuilt from the link ids the copies carry:")
    for relinked in done:
        notes = []
        if relinked.looked_up:
            notes.append(f"{relinked.looked_up} found by their link id, outside the read's window")
        if relinked.to_settle:
            notes.append(f"{relinked.to_settle} to compare at the next sync")
        shown = f" ({'; '.join(notes)})" if notes else ""
        print(f"  {relinked.relation}: {relinked.linked} linked{shown}")
    print("  nothing was written to any service; the next sync links or creates the rest as usual")
    return exit_codes.OK
