"""The Toggl connector over respx: the team's snapshot through the Reports API, the admin rule, the
owner's own entries as the fallback, writes of only the fields asked for, finding by link, projects."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from connectors.directory import Directory
from connectors.errors import AuthError, BadData, Conflict
from connectors.toggl import TogglConnector, TogglTimeEntry
from connectors.toggl.mapping import to_time_entry
from sandbox.business import load_workspace
from sync.model import TimeEntry
from tests.connectors.toggl.test_client import (
    BASE,
    ENTRIES,
    NOW,
    SEARCH,
    WS,
    make_client,
    report_row,
    toggl_entry,
)

DIRECTORY = Directory.from_workspace(load_workspace())
PARIS = ZoneInfo("Europe/Paris")
SOPHIE, LEA = "sophie@brightpath.coach", "lea@brightpath.coach"
NOTHING_RUNS = httpx.Response(200, content=b"null")
ACTIVITY = f"{BASE}/workspaces/{WS}/dashboard/all_activity"


def make_connector(clock: Any, **options: Any) -> TogglConnector:
    return TogglConnector(
        make_client(clock), WS, DIRECTORY, zone="Europe/Paris", clock=lambda: NOW, **options
    )


def role(name: str, workspace_id: int = WS) -> httpx.Response:
    """`GET /me?with_related_data=true` (the admin check): Sophie, with her role in one workspace."""
    workspaces = [{"id": workspace_id, "name": "Bright Path Coaching", "role": name}]
    return httpx.Response(200, json={"id": OWNER, "email": SOPHIE, "workspaces": workspaces})


OWNER = 9100002  # Sophie, the token's user


def admin_token() -> respx.Route:
    """The admin check's one request: who she is, and her role in each of her workspaces (admin)."""
    return respx.get(f"{BASE}/me", params={"with_related_data": "true"}).mock(return_value=role("admin"))


# -- the team's snapshot --------------------------------------------------------------------------


@respx.mock
def test_a_team_read_is_a_windowed_snapshot_of_everyones_entries(clock) -> None:
    admin_token()
    tagged = report_row(
        2,
        user_id=9100004,
        project_id=214636404,
        project_name="Spring Launch",
        tag_names=["client", "obm-hub:lnk-9"],
        tag_ids=[1, 2],
        billable=True,
    )
    search = respx.post(SEARCH).mock(
        side_effect=[
            httpx.Response(
                200, json=[report_row(1), tagged], headers={"X-Next-ID": "3", "X-Next-Row-Number": "3"}
            ),
            httpx.Response(200, json=[report_row(3, user_id=424242)]),  # someone the hub file does not name
        ]
    )
    timer = toggl_entry(9, user_id=9100002, stop=None, duration=-1, start="2026-11-24T17:05:00+00:00")
    respx.get(f"{ENTRIES}/current").mock(return_value=httpx.Response(200, json=timer))
    lea_started = datetime(2026, 11, 25, 8, 43, tzinfo=UTC)
    marcus_started = datetime(2026, 11, 25, 9, 10, tzinfo=UTC)
    activities = [
        # The owner's timer again (it came from v9 with its id), Léa's on a project the rows named,
        # Marcus's with no project (0) and no description (absent), Priya's stopped entry, and a
        # timer left running since before the window.
        {
            "user_id": 9100002,
            "project_id": 0,
            "duration": -int(datetime(2026, 11, 24, 17, 5, tzinfo=UTC).timestamp()),
        },
        {
            "user_id": 9100003,
            "project_id": 214636404,
            "duration": -int(lea_started.timestamp()),
            "description": "Weekly planning",
            "tid": 77,
        },
        {"user_id": 9100004, "project_id": 0, "duration": -int(marcus_started.timestamp())},
        {"user_id": 9100005, "project_id": 0, "duration": 1800, "stop": "2026-11-25T08:00:00+00:00"},
        {"user_id": 424242, "project_id": 0, "duration": -int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())},
    ]
    respx.get(ACTIVITY).mock(return_value=httpx.Response(200, json=activities))
    batch = make_connector(clock).fetch_changes("whatever the store held")
    assert batch.full and batch.deleted == () and batch.skipped == ()
    # Complete from midnight 14 days back (Paris); asked from the day before to the day after today.
    assert batch.window_start == datetime(2026, 11, 11, tzinfo=PARIS)
    bodies = [json.loads(call.request.content) for call in search.calls]
    assert (bodies[0]["start_date"], bodies[0]["end_date"]) == ("2026-11-10", "2026-11-26")
    assert bodies[0]["enrich_response"] is True and bodies[1]["first_row_number"] == 3
    items = {remote.remote_id: remote for remote in batch.items}
    lea_timer, marcus_timer = (
        f"running:9100003:{int(lea_started.timestamp())}",
        f"running:9100004:{int(marcus_started.timestamp())}",
    )
    assert set(items) == {"1", "2", "3", "9", lea_timer, marcus_timer}
    assert items["1"].item.person == LEA and items["3"].item.person is None
    assert items["1"].item.start == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert items["1"].version == "2026-11-24T09:31:02+00:00"
    second = items["2"].item
    assert (second.project, second.tags, second.task_ref, second.billable) == (
        "spring launch",
        frozenset({"client"}),
        "lnk-9",
        True,
    )
    assert items["2"].link_id == "lnk-9"
    assert items["9"].item.running and items["9"].item.person == SOPHIE  # the owner's timer, from v9
    # The teammates' timers from the dashboard: running, no tags, no link, no version, not billable.
    lea = items[lea_timer]
    assert (lea.item.person, lea.item.project, lea.item.description, lea.item.start) == (
        LEA,
        "spring launch",
        "Weekly planning",
        lea_started,
    )
    assert lea.item.running and lea.item.tags == frozenset() and not lea.item.billable
    assert (lea.version, lea.link_id, lea.item.task_ref) == (None, None, None)
    marcus = items[marcus_timer].item
    assert (marcus.person, marcus.project, marcus.description) == ("marcus@brightpath.coach", None, "")
    # the admin check, two pages, the dashboard, the owner's timer (the dashboard shows it running):
    # no projects list (the rows named them)
    assert len(respx.calls) == 5


@respx.mock
def test_a_token_that_is_not_an_admin_is_refused_with_the_fix(clock) -> None:
    respx.get(f"{BASE}/me").mock(return_value=role("user"))
    with pytest.raises(AuthError) as caught:
        make_connector(clock).fetch_changes(None)
    message = str(caught.value)
    assert "the Toggl token must belong to a workspace admin to read the team's hours" in message
    assert 'non_admin = "own_entries"' in message
    assert len(respx.calls) == 1  # no report was read: it would have held her entries only


@respx.mock
def test_a_token_outside_the_workspace_is_refused(clock) -> None:
    respx.get(f"{BASE}/me").mock(return_value=role("admin", workspace_id=5))
    with pytest.raises(AuthError, match=f"not a member of workspace {WS}"):
        make_connector(clock).fetch_changes(None)


@respx.mock
def test_a_rows_unreadable_entry_is_skipped_not_absent(clock) -> None:
    admin_token()
    respx.get(f"{BASE}/workspaces/{WS}/projects").mock(return_value=httpx.Response(200, json=[]))
    broken = report_row(2, project_id=99)  # a project no list knows
    respx.post(SEARCH).mock(return_value=httpx.Response(200, json=[report_row(1), broken]))
    respx.get(ACTIVITY).mock(return_value=httpx.Response(200, json=[]))
    batch = make_connector(clock).fetch_changes(None)
    assert [r.remote_id for r in batch.items] == ["1"] and batch.skipped == ("2",)


@respx.mock
def test_a_teammate_s_timer_on_an_unknown_project_lists_projects_once_and_cannot_be_written(
    clock, caplog
) -> None:
    admin_token()
    respx.post(SEARCH).mock(return_value=httpx.Response(200, json=[report_row(1)]))
    listed = respx.get(f"{BASE}/workspaces/{WS}/projects").mock(
        return_value=httpx.Response(200, json=[{"id": 55, "name": "Operations", "workspace_id": WS}])
    )
    started = int(datetime(2026, 11, 25, 8, 0, tzinfo=UTC).timestamp())
    respx.get(ACTIVITY).mock(
        return_value=httpx.Response(
            200,
            json=[
                {"user_id": 9100003, "project_id": 55, "duration": -started},
                {"user_id": 9100004, "project_id": 0, "duration": -1},  # no start to read: left out
                {"user_id": 9100005, "project_id": 66, "duration": -started},  # a project no list knows
            ],
        )
    )
    connector = make_connector(clock)
    with caplog.at_level(logging.WARNING):
        batch = connector.fetch_changes(None)
    timers = [r for r in batch.items if r.item.running]
    assert [(r.remote_id, r.item.project) for r in timers] == [(f"running:9100003:{started}", "operations")]
    assert listed.call_count == 1 and "no running timer with a start" in caplog.text
    assert batch.skipped == (f"running:9100005:{started}",)  # its last state stands
    entry = timers[0].item
    with pytest.raises(BadData, match="no entry id to write to"):
        connector.update(timers[0].remote_id, entry, fields=frozenset({"description"}))
    with pytest.raises(BadData, match="no entry id to write to"):
        connector.archive(timers[0].remote_id)


# -- the owner's own entries, when allowed -----------------------------------------------------------


@respx.mock
def test_a_non_admin_token_may_read_its_owners_entries_with_a_warning(clock, caplog) -> None:
    respx.get(f"{BASE}/me").mock(return_value=role("user"))
    route = respx.get(ENTRIES).mock(
        return_value=httpx.Response(200, json=[toggl_entry(1), toggl_entry(2, workspace_id=5)])
    )
    respx.get(f"{ENTRIES}/current").mock(return_value=NOTHING_RUNS)
    connector = make_connector(clock, non_admin="own_entries")
    with caplog.at_level(logging.WARNING, logger="connectors.toggl"):
        batch = connector.fetch_changes(None)
    assert "workspace admin" in caplog.text
    assert batch.full and [r.remote_id for r in batch.items] == ["1"] and batch.window_start is None
    assert route.calls.last.request.url.params["start_date"] == "2026-11-11T09:30:00Z"
    again = connector.fetch_changes(batch.cursor)
    assert not again.full and route.calls.last.request.url.params["since"]


@respx.mock
def test_own_reads_split_a_capped_window_and_fall_back_from_a_capped_or_old_cursor(clock) -> None:
    respx.get(f"{BASE}/me").mock(return_value=role("user"))
    capped = [toggl_entry(n) for n in range(1000)]
    route = respx.get(ENTRIES).mock(
        side_effect=[
            httpx.Response(200, json=capped),
            httpx.Response(200, json=capped[:600]),
            httpx.Response(200, json=capped[599:]),  # the halves share their bound
            httpx.Response(200, json=capped),  # an incremental read at the cap
            httpx.Response(200, json=[toggl_entry(1)]),
            httpx.Response(200, json=[toggl_entry(1)]),
        ]
    )
    respx.get(f"{ENTRIES}/current").mock(return_value=NOTHING_RUNS)
    connector = make_connector(clock, non_admin="own_entries")
    batch = connector.fetch_changes(None)
    assert len(batch.items) == 1000 and route.call_count == 3
    windows = [(c.request.url.params["start_date"], c.request.url.params["end_date"]) for c in route.calls]
    assert windows[1:] == [
        ("2026-11-11T09:30:00Z", "2026-11-18T21:30:00Z"),
        ("2026-11-18T21:30:00Z", "2026-11-26T09:30:00Z"),
    ]
    fallback = connector.fetch_changes(f"toggl1:{int(NOW.timestamp()) - 3600}:")
    assert fallback.full and "start_date" in route.calls.last.request.url.params
    # Two months back is as far as `since` goes: Toggl refuses past three, its apps ask for two.
    old = connector.fetch_changes(f"toggl1:{int((NOW - timedelta(days=61)).timestamp())}:")
    assert old.full and "since" not in route.calls.last.request.url.params


# -- writes -----------------------------------------------------------------------------------------


@respx.mock
def test_an_update_sends_only_the_fields_asked_for(clock) -> None:
    put = respx.put(f"{BASE}/workspaces/{WS}/time_entries/1").mock(
        return_value=httpx.Response(200, json=toggl_entry(1, description="Renamed"))
    )
    connector = make_connector(clock)
    item = to_time_entry(TogglTimeEntry.model_validate(toggl_entry(1)), DIRECTORY, {})
    changed = connector.update(
        "1", item.model_copy(update={"description": "Renamed"}), fields=frozenset({"description"})
    )
    assert json.loads(put.calls.last.request.content) == {"description": "Renamed"}
    assert changed.item.description == "Renamed" and len(respx.calls) == 1
    moved = item.model_copy(update={"start": item.start - timedelta(hours=1)})
    connector.update("1", moved, fields=frozenset({"start"}))
    assert json.loads(put.calls.last.request.content) == {
        "start": "2026-11-24T09:00:00Z",
        "stop": "2026-11-24T11:00:00Z",
    }


@respx.mock
def test_writing_tags_keeps_the_link_tag_read_back_first_when_unknown(clock) -> None:
    respx.post(SEARCH).mock(
        return_value=httpx.Response(200, json=[report_row(1, tag_names=["obm-hub:lnk-1", "old"])])
    )
    put = respx.put(f"{BASE}/workspaces/{WS}/time_entries/1").mock(
        return_value=httpx.Response(200, json=toggl_entry(1, tags=["new", "obm-hub:lnk-1"]))
    )
    connector = make_connector(clock)
    item = TimeEntry(start=NOW - timedelta(hours=1), stop=NOW, duration_seconds=3600, tags=frozenset({"new"}))
    written = connector.update("1", item, fields=frozenset({"tags"}))
    assert json.loads(put.calls.last.request.content) == {"tags": ["new", "obm-hub:lnk-1"]}
    assert written.link_id == "lnk-1"


@respx.mock
def test_a_stale_version_conflicts_without_writing(clock) -> None:
    # The Reports API says `at` in whole seconds; the version held came from v9, with microseconds.
    respx.post(SEARCH).mock(
        side_effect=[
            httpx.Response(
                200,
                json=[
                    report_row(
                        1,
                        time_entries=[
                            {**report_row(1)["time_entries"][0], "at": "2026-11-24T09:31:02+00:00"}
                        ],
                    )
                ],
            ),
            httpx.Response(200, json=[report_row(1)]),
        ]
    )
    put = respx.put(f"{BASE}/workspaces/{WS}/time_entries/1").mock(
        return_value=httpx.Response(200, json=toggl_entry(1))
    )
    connector = make_connector(clock)
    item = to_time_entry(TogglTimeEntry.model_validate(toggl_entry(1)), DIRECTORY, {})
    with pytest.raises(Conflict, match="changed"):
        connector.update("1", item, if_version="2026-11-24T09:30:59.871234Z")
    assert not put.called
    connector.update("1", item, if_version="2026-11-24T09:31:02.004161Z", fields=frozenset({"billable"}))
    assert put.called  # the same second: the same revision, at the precision both have


@respx.mock
def test_the_owners_running_entry_is_reread_through_v9(clock) -> None:
    respx.post(SEARCH).mock(return_value=httpx.Response(200, json=[]))  # reports leave running entries out
    respx.get(f"{ENTRIES}/7").mock(
        return_value=httpx.Response(
            200, json=toggl_entry(7, stop=None, duration=-1, at="2026-11-25T08:00:00.5Z")
        )
    )
    respx.delete(f"{BASE}/workspaces/{WS}/time_entries/7").mock(return_value=httpx.Response(200))
    connector = make_connector(clock)
    with pytest.raises(Conflict):
        connector.archive("7", if_version="2026-11-25T07:00:00.5Z")
    connector.archive("7", if_version="2026-11-25T08:00:00.5Z")
    assert respx.calls.last.request.method == "DELETE"


@respx.mock
def test_an_admin_creates_a_members_entry_as_hers(clock) -> None:
    create = respx.post(f"{BASE}/workspaces/{WS}/time_entries").mock(
        return_value=httpx.Response(200, json=toggl_entry(5, user_id=9100003, tags=["obm-hub:lnk-m"]))
    )
    meeting = TimeEntry(
        person=LEA, description="Team sync", start=NOW - timedelta(hours=1), stop=NOW, duration_seconds=3600
    )
    created = make_connector(clock).create(meeting, link_id="lnk-m")
    body = json.loads(create.calls.last.request.content)
    assert (body["user_id"], body["tags"], body["stop"]) == (
        9100003,
        ["obm-hub:lnk-m"],
        "2026-11-25T09:30:00Z",
    )
    assert created.item.person == LEA and created.link_id == "lnk-m"


@respx.mock
def test_find_by_link_searches_the_tag_a_year_back(clock) -> None:
    tags = respx.get(f"{BASE}/workspaces/{WS}/tags").mock(
        return_value=httpx.Response(200, json=[{"id": 31, "name": "obm-hub:lnk-7", "workspace_id": WS}])
    )
    search = respx.post(SEARCH).mock(
        return_value=httpx.Response(200, json=[report_row(4, tag_names=["obm-hub:lnk-7"], tag_ids=[31])])
    )
    connector = make_connector(clock)
    found = connector.find_by_link("lnk-7")
    assert [(r.remote_id, r.link_id) for r in found] == [("4", "lnk-7")]
    body = json.loads(search.calls.last.request.content)
    assert (body["tag_ids"], body["start_date"], body["end_date"]) == ([31], "2025-11-25", "2026-11-26")
    assert connector.find_by_link("lnk-none") == [] and tags.call_count == 2 and search.call_count == 1


# -- projects and representation ----------------------------------------------------------------


@respx.mock
def test_projects_are_listed_once_and_created_only_when_missing(clock) -> None:
    listed = respx.get(f"{BASE}/workspaces/{WS}/projects").mock(
        return_value=httpx.Response(200, json=[{"id": 1, "name": "Spring Launch", "workspace_id": WS}])
    )
    create = respx.post(f"{BASE}/workspaces/{WS}/projects").mock(
        return_value=httpx.Response(200, json={"id": 2, "name": "Podcast", "workspace_id": WS})
    )
    connector = make_connector(clock)
    assert [p.key for p in connector.list_projects()] == ["spring launch"]
    assert connector.create_project("spring launch ").name == "Spring Launch" and not create.called
    assert connector.create_project("Podcast").key == "podcast" and create.call_count == 1
    assert listed.call_count == 1


@respx.mock
def test_represent_is_what_toggl_would_keep(clock) -> None:
    connector = make_connector(clock)
    item = TimeEntry(
        start=datetime(2026, 11, 24, 9, 0, 0, 700000, tzinfo=UTC),
        stop=datetime(2026, 11, 24, 9, 30, 0, 200000, tzinfo=UTC),
        duration_seconds=1799,
        tags=frozenset({"client", "obm-hub:lnk-1"}),
    )
    held = connector.represent(item)
    assert (held.start.microsecond, held.stop.microsecond if held.stop else None) == (0, 0)
    assert held.duration_seconds == 1800 and held.tags == frozenset({"client"})
    assert connector.represent(held) == held and len(respx.calls) == 0  # pure: no request


@respx.mock
def test_a_copy_matched_at_first_contact_gets_the_link_tag_added(clock) -> None:
    put = respx.put(f"{BASE}/workspaces/{WS}/time_entries/1").mock(
        return_value=httpx.Response(200, json=toggl_entry(1, tags=["client", "obm-hub:lnk-new"]))
    )
    connector = make_connector(clock)
    item = to_time_entry(TogglTimeEntry.model_validate(toggl_entry(1)), DIRECTORY, {})
    marked = connector.update("1", item, fields=frozenset(), link_id="lnk-new")
    assert json.loads(put.calls.last.request.content) == {"tags": ["obm-hub:lnk-new"], "tag_action": "add"}
    assert marked.link_id == "lnk-new" and marked.item.tags == frozenset({"client"})
    connector.update("1", item, fields=frozenset({"tags"}), link_id="lnk-new")
    assert json.loads(put.calls.last.request.content) == {"tags": ["obm-hub:lnk-new"]}  # item.tags is empty
    assert len(respx.calls) == 2  # the link given: nothing to read back first
