"""The token's `/me` bucket (30 requests per hour for all the workspaces a token serves): the admin
check kept a day in the memo and made again after, or sooner when the rows look like a demoted
token's; the owner's running timer asked only when the dashboard shows her running one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import AuthError
from connectors.toggl import TogglConnector
from sync.connector import Remote
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
from tests.connectors.toggl.test_connector import ACTIVITY, DIRECTORY, LEA, OWNER, admin_token, role

STARTED = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def connector(clock: Any, now: Clock, memo: dict[str, str]) -> TogglConnector:
    return TogglConnector(make_client(clock), WS, DIRECTORY, zone="Europe/Paris", clock=now, memo=memo)


def quiet_workspace(*running: int) -> None:
    """One row of Léa's; the dashboard shows `running` users' timers running, Léa's last one stopped."""
    respx.post(SEARCH).mock(return_value=httpx.Response(200, json=[report_row(1)]))
    activities = [
        {"user_id": user, "project_id": 0, "duration": -int(STARTED.timestamp())} for user in running
    ]
    stopped = {"user_id": 9100003, "project_id": 0, "duration": 1800, "stop": "2026-11-24T09:30:00+00:00"}
    respx.get(ACTIVITY).mock(return_value=httpx.Response(200, json=[*activities, stopped]))


@respx.mock
def test_the_admin_check_is_kept_a_day_then_made_again(clock) -> None:
    check = admin_token()
    quiet_workspace()
    memo: dict[str, str] = {}
    now = Clock()
    connector(clock, now, memo).fetch_changes(None)
    assert check.call_count == 1
    assert memo == {f"admin-checked-at:{WS}": NOW.isoformat(), f"token-user-id:{WS}": str(OWNER)}
    now.now = NOW + timedelta(hours=23, minutes=59)
    later = connector(clock, now, memo)  # a later run, the same day: no /me request
    later.fetch_changes("toggl-team1:0", known={})
    assert check.call_count == 1
    later.fetch_changes(None)  # a full read has no copies to compare: checked, but once a connector
    later.fetch_changes(None)
    assert check.call_count == 2
    now.now = NOW + timedelta(days=1, hours=23, minutes=59)
    connector(clock, now, memo).fetch_changes("toggl-team1:0", known={})
    assert check.call_count == 3
    assert memo[f"admin-checked-at:{WS}"] == now.now.isoformat()


@respx.mock
def test_a_non_admin_answer_is_not_kept(clock) -> None:
    workspaces = respx.get(f"{BASE}/me").mock(return_value=role("user"))
    memo = {f"admin-checked-at:{WS}": (NOW - timedelta(days=2)).isoformat()}
    for _ in range(2):
        with pytest.raises(AuthError, match="workspace admin"):
            connector(clock, Clock(), memo).fetch_changes(None, known={})
    assert workspaces.call_count == 2 and f"admin-checked-at:{WS}" not in memo


@respx.mock
def test_the_owner_not_running_costs_no_me_request(clock) -> None:
    quiet_workspace(9100004)  # Marcus runs a timer, the owner does not
    memo = {f"admin-checked-at:{WS}": NOW.isoformat(), f"token-user-id:{WS}": str(OWNER)}
    batch = connector(clock, Clock(), memo).fetch_changes(None, known={})
    assert sorted(r.remote_id for r in batch.items) == ["1", f"running:9100004:{int(STARTED.timestamp())}"]
    assert not [call for call in respx.calls if call.request.url.path.startswith("/api/v9/me")]
    assert len(respx.calls) == 2  # the search, the dashboard


@respx.mock
def test_the_owner_running_costs_one_me_request_for_her_real_entry(clock) -> None:
    quiet_workspace(OWNER, 9100004)
    timer = toggl_entry(9, stop=None, duration=-1, start=STARTED.isoformat(), tags=["client"])
    current = respx.get(f"{ENTRIES}/current").mock(return_value=httpx.Response(200, json=timer))
    memo = {f"admin-checked-at:{WS}": NOW.isoformat(), f"token-user-id:{WS}": str(OWNER)}
    batch = connector(clock, Clock(), memo).fetch_changes(None, known={})
    items = {r.remote_id: r for r in batch.items}
    assert set(items) == {"1", "9", f"running:9100004:{int(STARTED.timestamp())}"}  # hers once, real id
    assert items["9"].item.tags == frozenset({"client"}) and current.call_count == 1
    assert len(respx.calls) == 3


def lea_entry(remote_id: str) -> Remote[TimeEntry]:
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    item = TimeEntry(person=LEA, start=start, stop=start + timedelta(minutes=30), duration_seconds=1800)
    return Remote(remote_id, "2026-11-24T09:31:02+00:00", item)


@respx.mock
def test_rows_of_the_owner_alone_while_the_store_holds_a_teammates_make_the_check_again(clock) -> None:
    workspaces = respx.get(f"{BASE}/me").mock(side_effect=[role("admin"), role("user")])
    respx.post(SEARCH).mock(return_value=httpx.Response(200, json=[report_row(7, user_id=OWNER)]))
    respx.get(ACTIVITY).mock(return_value=httpx.Response(200, json=[]))
    memo = {f"admin-checked-at:{WS}": NOW.isoformat(), f"token-user-id:{WS}": str(OWNER)}
    # Léa's entry 1 is listed, so nothing is missing: no check.
    still = connector(clock, Clock(), memo).fetch_changes(None, known={"7": lea_entry("7")})
    assert [r.remote_id for r in still.items] == ["7"] and workspaces.call_count == 0
    # Léa's entry 2 would be deleted by rows holding only the owner's: checked, still an admin.
    connector(clock, Clock(), memo).fetch_changes(None, known={"2": lea_entry("2")})
    assert workspaces.call_count == 1
    # The next time, demoted: the run fails instead of deleting Léa's entry.
    memo[f"admin-checked-at:{WS}"] = NOW.isoformat()
    with pytest.raises(AuthError, match="workspace admin"):
        connector(clock, Clock(), memo).fetch_changes(None, known={"2": lea_entry("2")})
    assert workspaces.call_count == 2 and f"admin-checked-at:{WS}" not in memo
