"""The Toggl connector against the sandbox over real HTTP, with the request counts each operation costs
(Toggl paces clients at one request per second and counts them against hourly quotas)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from pydantic import SecretStr

from config.settings import HubSettings
from connectors.errors import AuthError, Conflict
from connectors.toggl import TogglClient, TogglConnector, TogglTimeEntryPayload
from connectors.toggl.mapping import parse_time
from sandbox.toggl.limits import PLAN_QUOTAS, USER_QUOTA
from sync.model import TimeEntry
from sync.store import Store
from tests.conftest import fast_options

SOPHIE, LEA = "sophie@brightpath.coach", "lea@brightpath.coach"
LEA_TOKEN = "sandbox-toggl-token-lea"
SEARCH = "/reports/api/v3/workspace/{workspace_id}/search/time_entries"
ME, CURRENT = "/me", "/me/time_entries/current"  # ME: the admin check (with_related_data)
WRITE = "/workspaces/{workspace_id}/time_entries"
ACTIVITY = "/workspaces/{workspace_id}/dashboard/all_activity"
# A read with the admin check (the first of the day) while the owner's timer runs.
FIRST_READ = {
    ("GET", ME): 1,
    ("POST", SEARCH): 2,
    ("GET", ACTIVITY): 1,
    ("GET", CURRENT): 1,
}
# A later read the same day while no timer of the owner's runs: nothing from the `/me` bucket.
QUIET_READ = {("POST", SEARCH): 2, ("GET", ACTIVITY): 1}
RUNNING_READ = {**QUIET_READ, ("GET", CURRENT): 1}  # the same while hers runs: her entry, with its id


OPEN: list[TogglConnector | TogglClient] = []


@pytest.fixture
def sandbox(sandbox_factory):
    yield sandbox_factory(services=("toggl",), rate_limits=False)
    while OPEN:
        OPEN.pop().close()


def connect(
    sandbox, token: str | None = None, memo: dict[str, str] | None = None, **toggl: object
) -> TogglConnector:
    settings = sandbox.settings(HubSettings()).toggl
    if token is not None:
        settings = settings.model_copy(update={"api_token": SecretStr(token)})
    workspace = sandbox.business.workspace
    if toggl:
        workspace = workspace.model_copy(update={"toggl": workspace.toggl.model_copy(update=toggl)})
    emulator = sandbox.emulators["toggl"]
    connector = TogglConnector.from_settings(
        settings, workspace, fast_options(), clock=emulator.now, memo=memo
    )
    OPEN.append(connector)
    return connector


def requests(sandbox) -> Counter[tuple[str, str]]:
    """What the emulator received since the last call, by (method, templated path)."""
    counts = Counter((e.method, e.path) for e in sandbox.log.entries("toggl"))
    sandbox.log.clear()
    return counts


def window_entries(sandbox, batch):
    """The emulator's entries a team snapshot must hold: stopped, live, started since the window."""
    store = sandbox.emulators["toggl"].store
    return {
        str(e.id)
        for e in store.entries.values()
        if not e.deleted and not e.running and e.start >= batch.window_start - timedelta(days=1)
    }


def test_a_team_read_is_every_members_entries_in_five_requests(sandbox) -> None:
    connector = connect(sandbox)
    batch = connector.fetch_changes(None)
    assert requests(sandbox) == FIRST_READ
    assert batch.full and batch.window_start is not None
    items = {remote.remote_id: remote for remote in batch.items}
    running = [r for r in batch.items if r.item.running]
    assert set(items) == window_entries(sandbox, batch) | {r.remote_id for r in running}
    assert {r.item.person for r in batch.items} == {
        SOPHIE,
        LEA,
        "marcus@brightpath.coach",
        "priya@brightpath.coach",
    }
    # The token owner's timer from v9 with its id; Léa's, which reports leave out, from the dashboard.
    store = sandbox.emulators["toggl"].store
    timers = {e.user_id: e for e in store.entries.values() if e.running and not e.deleted}
    assert sorted((r.remote_id, r.item.person, r.item.description, r.item.start) for r in running) == sorted(
        [
            (str(timers[9100002].id), SOPHIE, "Weekly planning", timers[9100002].start),
            (
                f"running:9100003:{int(timers[9100003].start.timestamp())}",
                LEA,
                timers[9100003].description,
                timers[9100003].start,
            ),
        ]
    )
    deleted = [str(e.id) for e in store.entries.values() if e.deleted]
    assert deleted and not set(deleted) & set(items)
    edited = [
        e for e in store.entries.values() if e.stop and not e.deleted and e.at - e.stop > timedelta(hours=1)
    ]
    edited = [e for e in edited if str(e.id) in items]
    assert edited and all(
        items[str(e.id)].version.startswith(e.at.strftime("%Y-%m-%dT%H:%M:%S")) for e in edited
    )
    assert any(r.item.project is None for r in batch.items)
    assert connector.quota.me.remaining == USER_QUOTA - 2
    assert connector.quota.workspace.remaining == PLAN_QUOTAS["starter"] - 3


def test_later_reads_the_same_day_ask_me_only_for_the_owners_running_timer(sandbox) -> None:
    memo: dict[str, str] = {}
    first = connect(sandbox, memo=memo).fetch_changes(None)
    assert requests(sandbox) == FIRST_READ
    owner = next(r for r in first.items if r.item.running and r.item.person == SOPHIE)
    again = connect(sandbox, memo=memo).fetch_changes(first.cursor, known={})  # hers still runs: asked
    assert requests(sandbox) == RUNNING_READ
    assert owner.remote_id in {r.remote_id for r in again.items}
    token = sandbox.settings(HubSettings()).toggl.api_token.get_secret_value()
    sophie = TogglClient.build(sandbox.base_url("toggl"), token, options=fast_options())
    OPEN.append(sophie)
    sophie.stop_time_entry(sandbox.business.workspace.toggl.workspace_id, int(owner.remote_id))
    requests(sandbox)
    quiet = connect(sandbox, memo=memo).fetch_changes(again.cursor, known={})
    assert requests(sandbox) == QUIET_READ
    stopped = {r.remote_id: r.item for r in quiet.items}
    assert not stopped[owner.remote_id].running  # the reports list it now


def test_what_members_change_shows_in_the_next_snapshot(sandbox) -> None:
    connector = connect(sandbox)
    first = connector.fetch_changes(None)
    lea_entries = [r for r in first.items if r.item.person == LEA and not r.item.running]
    gone, fixed = lea_entries[0], lea_entries[1]
    lea = TogglClient.build(sandbox.base_url("toggl"), LEA_TOKEN, options=fast_options())
    OPEN.append(lea)
    workspace_id = sandbox.business.workspace.toggl.workspace_id
    lea.delete_time_entry(workspace_id, int(gone.remote_id))
    lea.update_time_entry(workspace_id, int(fixed.remote_id), TogglTimeEntryPayload(description="Fixed typo"))
    requests(sandbox)
    second = connector.fetch_changes(first.cursor)
    assert requests(sandbox) == RUNNING_READ
    after = {r.remote_id: r for r in second.items}
    assert gone.remote_id not in after  # deleted inside the window: absent from a complete snapshot
    assert after[fixed.remote_id].item.description == "Fixed typo"
    assert after[fixed.remote_id].version != fixed.version


def test_a_teammate_s_timer_gives_way_to_its_entry_when_it_stops_and_never_counts_twice(
    sandbox, tmp_path
) -> None:
    """Léa's running timer is in the store under its synthetic id; she stops it; the next snapshot has
    it under its real id (the Reports API), and the store marks the synthetic one deleted."""
    connector = connect(sandbox)
    store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}", clock=sandbox.emulators["toggl"].now)
    try:
        store.record_read("w", "toggl", connector.fetch_changes(None))
        (synthetic,) = [
            r for r in store.load_items("w", "toggl", TimeEntry) if r.item.person == LEA and r.item.running
        ]
        assert synthetic.remote_id.startswith("running:9100003:")
        lea = TogglClient.build(sandbox.base_url("toggl"), LEA_TOKEN, options=fast_options())
        OPEN.append(lea)
        timer = lea.get_current_time_entry()
        assert timer is not None and parse_time(timer.start) == synthetic.item.start
        lea.stop_time_entry(timer.workspace_id, timer.id)
        result = store.record_read("w", "toggl", connector.fetch_changes(None))
        assert result.deleted == 1  # the synthetic copy, gone with the timer
        present = {r.remote_id: r.item for r in store.load_items("w", "toggl", TimeEntry)}
        assert synthetic.remote_id not in present and not any(
            i.running and i.person == LEA for i in present.values()
        )
        stopped = present[str(timer.id)]
        assert stopped.start == synthetic.item.start and stopped.stop is not None
        assert store.snapshot("w", "toggl", TimeEntry).items[synthetic.remote_id].present is False
    finally:
        store.close()


def test_a_token_that_is_not_an_admin(sandbox) -> None:
    with pytest.raises(AuthError, match="must belong to a workspace admin"):
        connect(sandbox, LEA_TOKEN).fetch_changes(None)
    assert requests(sandbox) == {("GET", ME): 1}
    own = connect(sandbox, LEA_TOKEN, non_admin="own_entries")
    batch = own.fetch_changes(None)
    assert {r.item.person for r in batch.items} == {LEA}
    assert [r.item.description for r in batch.items if r.item.running]  # her own timer, from v9
    requests(sandbox)
    again = own.fetch_changes(batch.cursor)
    assert not again.full and again.items == []
    assert requests(sandbox) == {("GET", ME): 1, ("GET", "/me/time_entries"): 1}


def test_a_hub_left_unrun_for_months_reads_in_full_instead_of_meeting_the_refusal(sandbox) -> None:
    own = connect(sandbox, LEA_TOKEN, non_admin="own_entries")
    months_ago = int((sandbox.emulators["toggl"].now() - timedelta(days=120)).timestamp())
    batch = own.fetch_changes(f"toggl1:{months_ago}:")
    assert batch.full and all(e.status == 200 for e in sandbox.log.entries("toggl"))
    assert "since=" not in " ".join(e.query for e in sandbox.log.entries("toggl"))


def test_writes_for_the_team_and_their_cost(sandbox) -> None:
    connector = connect(sandbox)
    connector.fetch_changes(None)
    requests(sandbox)
    now = sandbox.emulators["toggl"].now().replace(microsecond=0)
    meeting = TimeEntry(
        person=LEA,
        project="spring launch",
        description="Team sync",
        start=now - timedelta(hours=1),
        stop=now - timedelta(minutes=30),
        duration_seconds=1800,
    )
    created = connector.create(meeting, link_id="lnk-meeting")
    assert requests(sandbox) == {("POST", WRITE): 1}
    assert (created.item.person, created.link_id, created.item.project) == (
        LEA,
        "lnk-meeting",
        "spring launch",
    )

    moved = meeting.model_copy(update={"start": meeting.start - timedelta(minutes=15)})
    updated = connector.update(
        created.remote_id, moved, if_version=created.version, fields=frozenset({"start"})
    )
    assert requests(sandbox) == {("POST", SEARCH): 1, ("PUT", WRITE + "/{time_entry_id}"): 1}
    assert updated.item.start == moved.start and updated.item.description == "Team sync"
    assert updated.link_id == "lnk-meeting"  # the tags were not written, the link tag stays
    # Léa fixes it a few seconds later (reports give `at` in whole seconds: edits within the second
    # of the hub's own write look alike, see mapping.same_version).
    emulator = sandbox.emulators["toggl"]
    running_clock = emulator.clock
    emulator.clock = lambda: running_clock() + timedelta(seconds=3)
    lea = TogglClient.build(sandbox.base_url("toggl"), LEA_TOKEN, options=fast_options())
    OPEN.append(lea)
    workspace_id = sandbox.business.workspace.toggl.workspace_id
    lea.update_time_entry(
        workspace_id, int(created.remote_id), TogglTimeEntryPayload(description="Team sync (v2)")
    )
    requests(sandbox)
    with pytest.raises(Conflict):
        connector.update(created.remote_id, moved, if_version=updated.version)
    assert requests(sandbox) == {("POST", SEARCH): 1}

    found = connector.find_by_link("lnk-meeting")
    assert [(r.remote_id, r.item.description) for r in found] == [(created.remote_id, "Team sync (v2)")]
    assert requests(sandbox) == {("GET", "/workspaces/{workspace_id}/tags"): 1, ("POST", SEARCH): 1}
    connector.archive(created.remote_id, if_version=found[0].version)
    connector.archive(created.remote_id)  # already gone: fine
    assert connector.find_by_link("lnk-meeting") == []
    batch = connector.fetch_changes(None)
    assert created.remote_id not in {r.remote_id for r in batch.items}


def test_projects_for_notion_projects_without_one(sandbox) -> None:
    connector = connect(sandbox)
    assert [p.name for p in connector.list_projects()] == [
        "Operations",
        "Signature Coaching Program",
        "Spring Launch",
    ]
    created = connector.create_project("Podcast Season 2")
    again = connector.create_project("podcast season 2")
    assert (created.key, again.key) == ("podcast season 2", "podcast season 2")
    assert requests(sandbox) == {
        ("GET", "/workspaces/{workspace_id}/projects"): 1,
        ("POST", "/workspaces/{workspace_id}/projects"): 1,
    }
    with pytest.raises(AuthError):  # the demo workspace lets only admins create projects
        connect(sandbox, LEA_TOKEN).create_project("Lea's project")


def test_a_running_timer_can_be_stopped_once(sandbox) -> None:
    client = TogglClient.build(sandbox.base_url("toggl"), LEA_TOKEN, options=fast_options())
    OPEN.append(client)
    raw = client.get_current_time_entry()
    assert raw is not None and raw.duration == -int(parse_time(raw.start).timestamp())  # started in the app
    elapsed = sandbox.emulators["toggl"].now() - parse_time(raw.start)
    assert timedelta(minutes=47) <= elapsed < timedelta(minutes=48)
    workspace_id = sandbox.business.workspace.toggl.workspace_id
    stopped = client.stop_time_entry(workspace_id, raw.id)
    assert stopped.duration > 0 and stopped.stop is not None and stopped.tags is not None
    with pytest.raises(Conflict):
        client.stop_time_entry(workspace_id, raw.id)
    assert client.get_current_time_entry() is None
