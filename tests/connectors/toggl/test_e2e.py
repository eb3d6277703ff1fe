"""The Toggl connector against the sandbox over real HTTP, with the request counts each operation costs
(Toggl paces clients at one request per second and counts them against hourly quotas)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from pydantic import SecretStr

from config.settings import HubSettings
from connectors.errors import Conflict
from connectors.toggl import TogglClient, TogglConnector
from sandbox.toggl.limits import PLAN_QUOTAS, USER_QUOTA
from sync.model import TimeEntry
from tests.conftest import fast_options

SOPHIE, LEA = "sophie@brightpath.coach", "lea@brightpath.coach"
ENTRIES, ONE = "/me/time_entries", "/me/time_entries/{time_entry_id}"
WRITE = "/workspaces/{workspace_id}/time_entries"


OPEN: list[TogglConnector | TogglClient] = []


@pytest.fixture
def sandbox(sandbox_factory):
    yield sandbox_factory(services=("toggl",), rate_limits=False)
    while OPEN:
        OPEN.pop().close()


def connect(sandbox, token: str | None = None) -> TogglConnector:
    settings = sandbox.settings(HubSettings()).toggl
    if token is not None:
        settings = settings.model_copy(update={"api_token": SecretStr(token)})
    emulator = sandbox.emulators["toggl"]
    connector = TogglConnector.from_settings(
        settings, sandbox.business.workspace, fast_options(), clock=emulator.now
    )
    OPEN.append(connector)
    return connector


def requests(sandbox) -> Counter[tuple[str, str]]:
    """What the emulator received since the last call, by (method, templated path)."""
    counts = Counter((e.method, e.path) for e in sandbox.log.entries("toggl"))
    sandbox.log.clear()
    return counts


def test_a_full_read_is_the_token_owners_entries_in_two_requests(sandbox) -> None:
    connector = connect(sandbox)
    batch = connector.fetch_changes(None)
    expected = [e for e in sandbox.business.time_entries if e.person == SOPHIE]
    assert batch.full and len(batch.items) == len(expected) == 23
    assert {r.item.person for r in batch.items} == {SOPHIE}
    assert {r.item.start for r in batch.items} == {e.start for e in expected}
    assert not any(r.item.running for r in batch.items)  # Sophie's timer is not running
    assert requests(sandbox) == {("GET", ENTRIES): 1, ("GET", "/me/time_entries/current"): 1}
    # The quota headers of every answer reach the connector, bucket by bucket.
    assert connector.quota.me.remaining == USER_QUOTA - 2
    assert connector.quota.me.resets_in == pytest.approx(3600, abs=5)
    assert connector.quota.workspace.remaining is None  # no workspace request yet


def test_writes_then_an_incremental_read_returns_exactly_those(sandbox) -> None:
    connector = connect(sandbox)
    first = connector.fetch_changes(None)
    seeded = first.items[0]
    requests(sandbox)
    now = sandbox.emulators["toggl"].now().replace(microsecond=0)
    item = TimeEntry(
        project="spring launch",
        description="Draft launch email #4",
        start=now - timedelta(hours=1),
        stop=now - timedelta(minutes=20),
        duration_seconds=2400,
        tags=frozenset({"client"}),
    )

    kept = connector.create(item, link_id="lnk-kept")
    gone = connector.create(item.model_copy(update={"description": "Typo"}), link_id="lnk-gone")
    assert requests(sandbox) == {("POST", WRITE): 2}
    assert (kept.link_id, kept.item.task_ref, kept.item.tags) == (
        "lnk-kept",
        "lnk-kept",
        frozenset({"client"}),
    )

    edited = connector.update(
        kept.remote_id, item.model_copy(update={"billable": True}), if_version=kept.version
    )
    assert requests(sandbox) == {("GET", ONE): 1, ("PUT", WRITE + "/{time_entry_id}"): 1}
    assert edited.link_id == "lnk-kept" and edited.version != kept.version
    connector.update(seeded.remote_id, seeded.item.model_copy(update={"description": "Renamed"}))
    assert requests(sandbox) == {("PUT", WRITE + "/{time_entry_id}"): 1}  # link known from the read
    connector.archive(gone.remote_id, if_version=gone.version)
    assert requests(sandbox) == {("GET", ONE): 1, ("DELETE", WRITE + "/{time_entry_id}"): 1}

    batch = connector.fetch_changes(first.cursor)
    assert requests(sandbox) == {("GET", ENTRIES): 1}
    assert not batch.full and batch.deleted == [gone.remote_id]
    changed = {r.remote_id: r for r in batch.items}
    assert set(changed) == {kept.remote_id, seeded.remote_id}
    assert changed[kept.remote_id].item.billable and changed[kept.remote_id].link_id == "lnk-kept"
    assert changed[seeded.remote_id].item.description == "Renamed"
    # Read again from the new cursor: the overlap brings nothing back twice.
    assert connector.fetch_changes(batch.cursor).items == []
    assert connector.quota.workspace.remaining == PLAN_QUOTAS["starter"] - 5


def test_a_stale_version_conflicts_and_nothing_is_written(sandbox) -> None:
    connector = connect(sandbox)
    remote = connector.fetch_changes(None).items[0]
    connector.update(remote.remote_id, remote.item.model_copy(update={"description": "Moved on"}))
    requests(sandbox)
    with pytest.raises(Conflict):
        connector.update(remote.remote_id, remote.item, if_version=remote.version)
    assert requests(sandbox) == {("GET", ONE): 1}


def test_the_running_timer_is_seen_and_can_be_stopped_once(sandbox) -> None:
    connector = connect(sandbox, "sandbox-toggl-token-lea")
    batch = connector.fetch_changes(None)
    running = [r for r in batch.items if r.item.running]
    business_timer = next(e for e in sandbox.business.time_entries if e.stop is None)
    assert business_timer.person == LEA and len(running) == 1
    timer = running[0].item
    assert timer.start == business_timer.start and timer.person == LEA
    elapsed = timer.elapsed(sandbox.emulators["toggl"].now())
    assert timedelta(minutes=47) <= elapsed < timedelta(minutes=48)

    settings = sandbox.settings(HubSettings()).toggl
    client = TogglClient.build(settings.base_url, "sandbox-toggl-token-lea", options=fast_options())
    OPEN.append(client)
    raw = client.get_current_time_entry()
    assert raw is not None and raw.duration == -int(timer.start.timestamp())  # started in the app
    workspace_id = sandbox.business.workspace.toggl.workspace_id
    stopped = client.stop_time_entry(workspace_id, raw.id)
    assert stopped.duration > 0 and stopped.stop is not None and stopped.tags == []
    with pytest.raises(Conflict):
        client.stop_time_entry(workspace_id, raw.id)
    assert client.get_current_time_entry() is None
