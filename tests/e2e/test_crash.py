"""A real hub process killed (SIGKILL) at many points of a first sync against the sandbox, then run
again: it converges, duplicates nothing, keeps its audit log consistent, and a further run writes
nothing (issue 9, "Proof").

Where to kill comes from the request log. The module syncs a fresh sandbox once without a crash (the
reference): its log says how many requests of each kind a first sync makes (Notion page creates,
Google event inserts, Toggl entries...). A point names one of them, the nth of its kind in the run it
kills, and the sandbox holds that request (`Faults.hold`): `after` the service did it (its answer
waits: the crash falls between the remote create and the hub's commit of it) or `before` (it never
gets through: the crash falls just after the pending link was committed). The child is killed while
the request is held, so each point is exact, not a race with a poll of the log.

Points come in chains, each in a fresh sandbox (in memory, seeded like the reference) and store file:
the child (`crash_child.py`, the hub's sync without Prefect) is started and killed at the first point;
what the crash left is checked (its pending side, and none older: the run before it recovered its
own; the dead run's lease, still held, whose holder this host can tell is gone); the next child
takes that lease over at once, recovers and is killed at the next point, and so on. A chain costs about one
first sync and a process start per point, where a fresh sandbox per point would cost a first sync
each, and every run but the first recovers from a crash. Once the last child has run to completion:
- converged: every service holds what the reference run left (each live copy's synced fields and link
  id), every task on both sides, every open task with a due its deadline event, the hours written;
- nothing duplicated: one live copy per link id on each service, one peer link per card;
- the audit log consistent: each create or adoption names a copy that exists, once per link and
  service; each copy the hub made has exactly one, and each create the crashes left unrecorded is
  there as an adoption; the store holds no pending side;
- a further run writes nothing.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from config import load_settings
from connectors.registry import connect
from flows.runner import holder_is_gone
from sandbox import Sandbox
from sandbox.business import load_workspace
from sandbox.requestlog import LoggedRequest
from sync.connector import Remote, utc_now
from sync.store import Store
from sync.store.schema import audit, leases, link_sides
from tests.conftest import FIXED_NOW_ISO, fast_options
from tests.e2e.crash_child import sync_once

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = "brightpath"
SERVICES = ("trello", "notion", "google", "toggl")
CHILD = [sys.executable, "-m", "tests.e2e.crash_child", "--meetings"]
KILL_TIMEOUT = 60.0  # seconds for the child to reach its point


# -- the points -------------------------------------------------------------------------------------

# Which request of its kind a point holds, counted from the start of the run it kills: from the
# reference log (how many of that kind a whole first sync makes) and how many of them the runs killed
# before it in the same chain made (`done`).
Chooser = Callable[[int, int], int]


def nth(n: int) -> Chooser:
    return lambda total, done: n


def halfway(total: int, done: int) -> int:
    """Half-way through what is left of that kind."""
    return max(1, (total - done) // 2)


def late(total: int, done: int) -> int:
    """The last but one of what is left."""
    return max(1, total - done - 1)


@dataclass(frozen=True)
class Point:
    name: str
    service: str
    method: str
    path: str  # templated, as the request log has it
    at: str  # "after": done, its answer held; "before": never got through
    choose: Chooser
    pending: int  # pending sides the crash leaves in the store
    faults: Mapping[str, object] = field(default_factory=dict)  # the service's other knobs from then on

    @property
    def kind(self) -> tuple[str, str, str]:
        return (self.service, self.method, self.path)

    @property
    def adopts(self) -> bool:
        """A create done and not recorded: the next run must adopt it (the audit log says so)."""
        return self.at == "after" and self.pending == 1

    def __str__(self) -> str:
        return self.name


PAGES = ("notion", "POST", "/pages")
CARDS = ("trello", "POST", "/cards")
EVENTS = ("google", "POST", "/calendars/{calendarId}/events")
ENTRIES = ("toggl", "POST", "/workspaces/{workspace_id}/time_entries")
CREATES = (PAGES, CARDS, EVENTS, ENTRIES)

# Two chains of kills, each in one fresh sandbox and store: every run after the first recovers from
# the crash before it and is itself killed at the next point; the last run completes. The first chain
# goes through the tasks relation, the second through the agenda and time relations.
CHAINS = {
    "tasks": [
        # First contact: a matched card marked with its link id, its page not yet (no link stored).
        Point("card-linked-page-not", "trello", "PUT", "/cards/{id}", "after", nth(3), 0),
        Point("first-page-created-answer-lost", *PAGES, "after", nth(1), 1),
        Point("page-create-never-sent", *PAGES, "before", halfway, 1),
        # The step's page created and the card's peer link added, neither recorded.
        Point(
            "peer-link-of-an-unrecorded-page", "trello", "POST", "/cards/{id}/attachments", "after", nth(3), 1
        ),
        Point("card-created-answer-lost", *CARDS, "after", halfway, 1),
    ],
    "agenda-and-time": [
        # Google may not detect a taken client-chosen id: a repeated insert would not be refused.
        Point("event-inserted-answer-lost", *EVENTS, "after", halfway, 1, {"silent_duplicates": 1.0}),
        Point("event-insert-never-sent", *EVENTS, "before", late, 1, {"silent_duplicates": 1.0}),
        Point("tracked-hours-written-answer-lost", "notion", "PATCH", "/pages/{page_id}", "after", nth(5), 0),
        Point("meeting-entry-created-answer-lost", *ENTRIES, "after", halfway, 1),
    ],
}


# -- the sandbox and the child ----------------------------------------------------------------------


def fresh_sandbox() -> Sandbox:
    """The demo business as seeded, in memory (a write costs no state file), without rate limits."""
    return Sandbox(now=datetime.fromisoformat(FIXED_NOW_ISO), rate_limits=False).start()


def child_env(sandbox: Sandbox, folder: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("OBM_HUB_")}
    env.update(sandbox.environment())
    env.update(
        OBM_HUB_DATABASE_URL=f"sqlite:///{folder / 'hub.db'}",
        OBM_HUB_VAR_DIR=str(folder / "var"),
        OBM_HUB_ENV_FILE="",
    )
    return env


@contextmanager
def hub_environment(env: Mapping[str, str]) -> Iterator[None]:
    """This process's OBM_HUB_* variables as the child's, for the runs and reads made in process."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("OBM_HUB_"):
                patch.delenv(name)
        for name, value in env.items():
            if name.startswith("OBM_HUB_"):
                patch.setenv(name, value)
        yield


def hold_pattern(sandbox: Sandbox, service: str, template: str) -> str:
    """The raw paths a templated path of the request log stands for, as a `path_pattern`."""
    parts = re.split(r"\{[^}]+\}", template)
    prefix = sandbox.emulators[service].prefix
    return "^" + re.escape(prefix) + "[^/]+".join(re.escape(part) for part in parts) + "$"


def made(log: Sequence[LoggedRequest], kind: tuple[str, str, str]) -> int:
    """How many requests of this kind the services did (answered 2xx)."""
    return sum(1 for e in log if (e.service, e.method, e.path) == kind and 200 <= e.status < 300)


def kill_at(point: Point, nth: int, sandbox: Sandbox, env: Mapping[str, str], folder: Path) -> int:
    """Start the child, SIGKILL it while the sandbox holds the point's nth request; its pid."""
    before = made(sandbox.log.entries(), point.kind)
    faults = sandbox.set_faults(
        point.service,
        **point.faults,
        hold=nth,
        hold_at=point.at,
        methods=(point.method,),
        path_pattern=hold_pattern(sandbox, point.service, point.path),
    )
    with (folder / "killed.out").open("w") as out:
        child = subprocess.Popen(CHILD, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + KILL_TIMEOUT
        while not faults.wait_for_hold(0.02):
            if child.poll() is not None or time.monotonic() > deadline:
                child.kill()
                child.wait()
                pytest.fail(
                    f"the child never reached {point} #{nth} (exit {child.returncode}):\n"
                    + (folder / "killed.out").read_text()[-3000:]
                )
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
    # The log says where the crash fell: the held request done (after) or not yet (before).
    logged = made(sandbox.log.entries(), point.kind) - before
    assert logged == (nth if point.at == "after" else nth - 1), (point.name, nth, logged)
    sandbox.set_faults(point.service, **point.faults)  # lets the request go
    return child.pid


def run_child(env: Mapping[str, str]) -> dict[str, Any]:
    done = subprocess.run(CHILD, cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return outcome


# -- what the services hold -------------------------------------------------------------------------

State = dict[str, list[Remote[Any]]]


def remote_state(sandbox: Sandbox) -> State:
    """Every copy each service holds now, live and retired, read by the hub's own connectors."""
    settings = sandbox.settings(load_settings())
    workspace = load_workspace()
    state: State = {}
    for service in SERVICES:
        # Google's full read looks a week back from its clock: from a year back, it lists every event.
        clock = (lambda: sandbox.business.now - timedelta(days=365)) if service == "google" else utc_now
        connector = connect(service, settings, workspace, fast_options(), clock=clock)
        try:
            batch = connector.fetch_changes(None)
        finally:
            connector.close()
        assert batch.full and not batch.skipped, service
        state[service] = list(batch.items)
    return state


def live(remotes: Sequence[Remote[Any]]) -> list[Remote[Any]]:
    return [remote for remote in remotes if not remote.item.retired]


def fingerprints(state: State) -> dict[str, Counter[str]]:
    """Each live copy's link id and synced fields, per service: what an uninterrupted run would have
    left the same. A copy's address in another one (an event's description names its task's card)
    reads as its service and link id: a card created anew gets a new short link."""
    addresses = {
        remote.url: f"<{service}:{remote.link_id}>"
        for service, remotes in state.items()
        for remote in remotes
        if remote.url and remote.link_id
    }
    assert addresses
    pattern = re.compile("|".join(re.escape(url) for url in sorted(addresses, key=len, reverse=True)))

    def fingerprint(remote: Remote[Any]) -> str:
        item = remote.item
        fields = item.model_dump(mode="json", exclude=set(item.UNSYNCED))
        fields = {name: sorted(value) if isinstance(value, list) else value for name, value in fields.items()}
        text = json.dumps({"link_id": remote.link_id, **fields}, sort_keys=True)
        return pattern.sub(lambda match: addresses[match.group(0)], text)

    return {
        service: Counter(fingerprint(remote) for remote in live(remotes))
        for service, remotes in state.items()
    }


def differences(found: Counter[str], wanted: Counter[str]) -> str:
    extra, missing = found - wanted, wanted - found
    lines = [f"+ {key} x{count}" for key, count in list(extra.items())[:5]]
    lines += [f"- {key} x{count}" for key, count in list(missing.items())[:5]]
    return f"{sum(extra.values())} extra, {sum(missing.values())} missing:\n" + "\n".join(lines)


@dataclass(frozen=True)
class Reference:
    log: list[LoggedRequest]  # the uninterrupted first sync's requests
    seeded: dict[str, set[str]]  # the remote ids each service held before any sync
    state: State  # what the services held after it


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    folder = tmp_path_factory.mktemp("reference")
    sandbox = fresh_sandbox()
    try:
        with hub_environment(child_env(sandbox, folder)):
            seeded = remote_state(sandbox)
            before = len(sandbox.log.entries())
            done = sync_once(WORKSPACE, meetings=True)
            log = sandbox.log.entries()[before:]
            state = remote_state(sandbox)
    finally:
        sandbox.stop()
    assert {relation: result["outcome"] for relation, result in done.items()} == dict.fromkeys(
        ("tasks", "agenda", "time"), "ok"
    )
    ids = {service: {remote.remote_id for remote in remotes} for service, remotes in seeded.items()}
    return Reference(log, ids, state)


# -- the checks -------------------------------------------------------------------------------------


def check_converged(sandbox: Sandbox, state: State, reference: Reference) -> None:
    found, wanted = fingerprints(state), fingerprints(reference.state)
    for service in SERVICES:
        assert found[service] == wanted[service], f"{service}: " + differences(
            found[service], wanted[service]
        )
    # One live copy per link id on each service; every task on both sides.
    for service in SERVICES:
        links = Counter(remote.link_id for remote in live(state[service]) if remote.link_id)
        assert [link for link, count in links.items() if count > 1] == [], service
    cards = {r.link_id: r for r in live(state["trello"])}
    pages = {r.link_id: r for r in live(state["notion"])}
    assert None not in cards and None not in pages and set(cards) == set(pages)
    # Every open task with a due date has its deadline event.
    events = Counter(r.item.task_link for r in live(state["google"]))
    due = [link for link, card in cards.items() if card.item.due is not None and not card.item.done]
    assert due and [link for link in due if events[link] != 1] == []
    # The hours were written (the reference comparison checks their values).
    assert any(page.item.tracked_hours for page in pages.values())
    # One peer link per card (Trello has no attachment update: a repeated add would show here).
    store = sandbox.emulators["trello"].store
    for card in cards.values():
        attachments = store.cards[card.remote_id].get("attachments", [])
        assert len([a for a in attachments if a["name"] == "Notion"]) == 1, card.item.title


def check_store(url: str, state: State, reference: Reference, adopted: int) -> None:
    """No pending side left; the audit log names each copy the hub made exactly once, `adopted` of
    them as adopted by the run after the crash that lost their create's record."""
    store = Store.open(url)
    try:
        with store.transaction() as connection:
            sides = connection.execute(select(link_sides)).mappings().all()
            rows = connection.execute(select(audit).where(audit.c.workspace == WORKSPACE)).mappings().all()
    finally:
        store.close()
    assert [(s["relation"], s["link_id"], s["side"]) for s in sides if s["remote_id"] is None] == []
    everywhere = {(service, r.remote_id) for service, remotes in state.items() for r in remotes}
    assert {(s["side"], s["remote_id"]) for s in sides} <= everywhere  # the store points at copies
    creates = [row for row in rows if row["action"] in ("create", "adopt")]
    per_copy = Counter((row["service"], row["remote_id"]) for row in creates)
    per_link = Counter((row["relation"], row["service"], row["link_id"]) for row in creates)
    assert [key for key, count in per_copy.items() if count != 1] == []
    assert [key for key, count in per_link.items() if count != 1] == []
    hub_made = {
        (service, r.remote_id)
        for service, remotes in state.items()
        for r in live(remotes)
        if r.remote_id not in reference.seeded[service]
    }
    assert set(per_copy) == hub_made
    assert len([row for row in creates if row["action"] == "adopt"]) == adopted
    assert [row for row in rows if row["action"] == "archive"] == []  # a first sync archives nothing here


def check_quiet(sandbox: Sandbox, env: Mapping[str, str]) -> None:
    """A further run, in this process: nothing to do, no write sent."""
    before = len(sandbox.log.entries())
    with hub_environment(env):
        done = sync_once(WORKSPACE, meetings=True)
    sent = [(e.service, e.method, e.path) for e in sandbox.log.entries()[before:] if e.is_write]
    assert sent == []
    assert all(
        result["outcome"] == "ok" and result["created"] == result["updated"] == result["archived"] == 0
        for result in done.values()
    ), done


def assert_held_by_the_dead(url: str, pid: int) -> None:
    """The killed run's lease is still there (an overlapping run on another host would be told so); the
    next run on this host takes it over at once, its holder's process being gone."""
    store = Store.open(url)
    try:
        with store.transaction() as connection:
            holder = connection.execute(select(leases.c.holder)).scalar_one()
        assert f":{pid}@" in holder, holder
        assert holder_is_gone(holder)
    finally:
        store.close()


def pending_sides(url: str) -> list[tuple[str, str, str]]:
    store = Store.open(url)
    try:
        with store.transaction() as connection:
            sides = connection.execute(select(link_sides).where(link_sides.c.remote_id.is_(None)))
            return [(s.relation, s.link_id, s.side) for s in sides]
    finally:
        store.close()


# -- the test ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("chain", list(CHAINS))
def test_a_sync_killed_at_each_point_then_run_again_converges(
    chain: str, reference: Reference, tmp_path: Path
) -> None:
    points = CHAINS[chain]
    totals = Counter((e.service, e.method, e.path) for e in reference.log if 200 <= e.status < 300)
    sandbox = fresh_sandbox()
    try:
        env = child_env(sandbox, tmp_path)
        url = env["OBM_HUB_DATABASE_URL"]
        for point in points:
            assert totals[point.kind], point.kind  # the reference run makes such requests
            n = point.choose(totals[point.kind], made(sandbox.log.entries(), point.kind))
            pid = kill_at(point, n, sandbox, env, tmp_path)
            # The crash left its own pending create, if any; the one before it was recovered.
            assert len(pending_sides(url)) == point.pending, point.name
            assert_held_by_the_dead(url, pid)

        done = run_child(env)
        assert {relation: result["outcome"] for relation, result in done.items()} == dict.fromkeys(
            ("tasks", "agenda", "time"), "ok"
        )
        # Each create was sent once: a lost answer was never made up for by sending it again.
        log = sandbox.log.entries()
        assert {kind: made(log, kind) for kind in CREATES} == {kind: totals[kind] for kind in CREATES}
        with hub_environment(env):
            state = remote_state(sandbox)
        check_converged(sandbox, state, reference)
        check_store(url, state, reference, adopted=sum(point.adopts for point in points))
        check_quiet(sandbox, env)
    finally:
        sandbox.stop()
