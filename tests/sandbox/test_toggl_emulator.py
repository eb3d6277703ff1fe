"""The Toggl emulator: answers shaped like the official spec, Toggl's auth and error bodies, the
time-entry rules, incremental reads, and state that survives a restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from sandbox import Sandbox
from sandbox.toggl import TogglEmulator
from tests.conftest import FIXED_NOW_ISO
from tests.contract.spec import load_spec

WS = 7421983
SOPHIE, LEA = "sandbox-toggl-token-sophie", "sandbox-toggl-token-lea"
PRIYA = "sandbox-toggl-token-priya"


@pytest.fixture
def sandbox(sandbox_factory) -> Sandbox:
    return sandbox_factory(services=("toggl",), rate_limits=False)


@pytest.fixture
def api(sandbox) -> Iterator[Any]:
    """`api(token)`: an httpx client on the emulator, authenticated as that user."""
    clients: list[httpx.Client] = []

    def make(token: str | None = SOPHIE) -> httpx.Client:
        auth = (token, "api_token") if token else None
        client = httpx.Client(base_url=sandbox.base_url("toggl"), auth=auth, timeout=5)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def conforms(response: httpx.Response) -> Any:
    """The decoded body, after checking it against the official spec (None for an empty body)."""
    body = response.json() if response.content else None
    request = response.request
    assert (
        load_spec("toggl").check_response(request.method, str(request.url), response.status_code, body) == []
    )
    return body


def start_timer(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {
        "created_with": "tests",
        "workspace_id": WS,
        "start": "2026-11-25T09:00:00Z",
        "duration": -1,
        **fields,
    }
    response = client.post(f"/workspaces/{WS}/time_entries", json=body)
    assert response.status_code == 200, response.text
    return conforms(response)


def test_every_answer_the_hub_reads_conforms_to_the_spec(api) -> None:
    sophie = api()
    assert conforms(sophie.get("/me"))["id"] == 9100002
    related = conforms(sophie.get("/me", params={"with_related_data": "true"}))
    assert {p["name"] for p in related["projects"]} == {
        "Signature Coaching Program",
        "Spring Launch",
        "Operations",
    }
    entries = conforms(sophie.get("/me/time_entries", params={"meta": "true"}))
    assert entries and {e["user_id"] for e in entries} == {9100002}
    timer = conforms(sophie.get("/me/time_entries/current"))  # left running since last evening
    started = int(datetime.fromisoformat(timer["start"]).timestamp())
    assert timer["stop"] is None and timer["duration"] == -started
    assert conforms(api(PRIYA).get("/me/time_entries/current")) is None
    assert conforms(sophie.get(f"/me/time_entries/{entries[0]['id']}"))["id"] == entries[0]["id"]
    projects = conforms(sophie.get(f"/workspaces/{WS}/projects", params={"active": "both"}))
    assert {p["color"] for p in projects} == {"#06a893", "#c9806b", "#4dc3ff"}
    tags = [t["name"] for t in conforms(sophie.get(f"/workspaces/{WS}/tags"))]
    assert "client" in tags and tags == sorted(tags)
    users = conforms(sophie.get(f"/workspaces/{WS}/users"))
    assert {u["id"] for u in users} == {9100001, 9100002, 9100003, 9100004, 9100005}
    quota = conforms(sophie.get("/me/quota"))
    assert [(q["organization_id"] is None, q["total"]) for q in quota] == [(True, 30), (False, 240)]


def test_entries_read_and_written_have_toggls_formats(api) -> None:
    sophie = api()
    listed = sophie.get("/me/time_entries", params={"meta": "true"}).json()
    coaching = next(e for e in listed if e.get("project_name") == "Signature Coaching Program")
    assert coaching["start"].endswith("+00:00") and coaching["at"].endswith("Z")
    assert coaching["client_name"] == "Coaching clients" and coaching["billable"] is True
    created = start_timer(sophie, description="Inbox triage")
    assert (created["start"], created["stop"], created["duration"]) == ("2026-11-25T09:00:00Z", None, -1)
    assert created["tags"] is None and created["tag_ids"] is None  # null until set or stopped
    assert datetime.fromisoformat(created["at"]) >= datetime.fromisoformat(FIXED_NOW_ISO)
    stopped = conforms(sophie.patch(f"/workspaces/{WS}/time_entries/{created['id']}/stop"))
    assert stopped["duration"] > 0 and stopped["stop"].endswith("Z") and stopped["tags"] == []


def test_authentication_is_checked_the_way_toggl_does(api) -> None:
    missing = api(None).get("/me")
    assert (missing.status_code, missing.content, missing.headers["X-Authorization-Missing"]) == (
        401,
        b"",
        "true",
    )
    assert "X-Toggl-Quota-Remaining" not in missing.headers
    wrong = api("not-a-token").get("/me/time_entries")
    assert wrong.status_code == 403 and wrong.headers["content-type"] == "application/json"
    assert wrong.json() == "Incorrect username and/or password"
    password = httpx.get(api().base_url.join("me"), auth=(SOPHIE, "hunter2"))
    assert password.status_code == 403


def test_errors_are_bare_json_strings(api) -> None:
    sophie = api()
    both = sophie.get("/me/time_entries", params={"since": 1, "before": "2026-11-25"})
    assert both.status_code == 400 and both.headers["content-type"] == "application/json"
    assert both.json() == "'since' and 'before' can not be present simultaneously"
    assert sophie.get("/me/time_entries/1").json() == "Resource can not be found"
    no_client = sophie.post(
        f"/workspaces/{WS}/time_entries", json={"workspace_id": WS, "start": "2026-11-25T09:00:00Z"}
    )
    assert no_client.status_code == 400 and isinstance(no_client.json(), str)
    other = sophie.post(
        "/workspaces/1/time_entries", json={"created_with": "t", "start": "2026-11-25T09:00:00Z"}
    )
    assert (other.status_code, other.json()) == (403, "User does not have access to this resource.")
    timer = start_timer(sophie)
    sophie.patch(f"/workspaces/{WS}/time_entries/{timer['id']}/stop")
    again = sophie.patch(f"/workspaces/{WS}/time_entries/{timer['id']}/stop")
    assert (again.status_code, again.json()) == (409, "Time entry already stopped")


def test_since_returns_changes_including_deletions(api, sandbox) -> None:
    sophie = api(PRIYA)  # no timer of hers runs, so starting one stops nothing
    now = int(sandbox.emulators["toggl"].now().timestamp())
    assert sophie.get("/me/time_entries", params={"since": now - 1}).json() == []
    timer = start_timer(sophie)
    assert sophie.delete(f"/workspaces/{WS}/time_entries/{timer['id']}").content == b""
    changed = conforms(sophie.get("/me/time_entries", params={"since": now - 1}))
    assert [e["id"] for e in changed] == [timer["id"]]
    assert (
        changed[0]["server_deleted_at"].endswith("+00:00") and changed[0]["duration"] >= 0
    )  # stopped, then deleted
    window = {"start_date": "2026-11-25", "end_date": "2026-11-26"}
    assert timer["id"] not in {e["id"] for e in sophie.get("/me/time_entries", params=window).json()}
    gone = sophie.put(f"/workspaces/{WS}/time_entries/{timer['id']}", json={"description": "x"})
    assert (gone.status_code, gone.json()) == (404, "Time entry not found")


def test_me_time_entries_keeps_toggls_history_limits(api, sandbox) -> None:
    """No parameters: the last 9 days only; `since` or `start_date` over 3 months back: 400."""
    sophie = api()
    now = sandbox.emulators["toggl"].now()
    recent = conforms(sophie.get("/me/time_entries"))
    starts = [datetime.fromisoformat(e["start"]) for e in recent]
    assert starts and min(starts) >= now - timedelta(days=9)
    everything = sophie.get("/me/time_entries", params={"start_date": "2026-11-01", "end_date": "2026-11-26"})
    assert len(everything.json()) > len(recent)  # two weeks were seeded; the default shows nine days
    days_ago = lambda days: {"since": int((now - timedelta(days=days)).timestamp())}  # noqa: E731
    assert sophie.get("/me/time_entries", params=days_ago(80)).status_code == 200
    old = sophie.get("/me/time_entries", params=days_ago(100))
    assert old.status_code == 400 and old.headers["content-type"] == "application/json"
    assert isinstance(old.json(), str) and "3 months" in old.json()
    ancient = sophie.get("/me/time_entries", params={"start_date": "2026-06-01", "end_date": "2026-06-30"})
    assert (ancient.status_code, ancient.json()) == (400, "Invalid start date")


def test_starting_a_timer_stops_the_running_one(api) -> None:
    lea = api(LEA)
    app_timer = lea.get("/me/time_entries/current").json()
    assert app_timer["duration"] == -int(datetime.fromisoformat(app_timer["start"]).timestamp())
    new = start_timer(lea, start="2026-11-25T09:29:00Z")
    assert lea.get("/me/time_entries/current").json()["id"] == new["id"]
    old = lea.get(f"/me/time_entries/{app_timer['id']}").json()
    assert old["stop"] is not None and old["duration"] > 0


def test_updates_are_partial_and_tags_are_names(api) -> None:
    sophie = api()
    entry = sophie.get("/me/time_entries").json()[0]
    body = {"description": "Renamed", "tags": ["Finance", "client"]}
    updated = conforms(sophie.put(f"/workspaces/{WS}/time_entries/{entry['id']}", json=body))
    assert (updated["description"], updated["start"][:19], updated["duration"]) == (
        "Renamed",
        entry["start"][:19],
        entry["duration"],
    )
    assert updated["tags"] == ["Finance", "client"] and len(updated["tag_ids"]) == 2
    assert "Finance" in {t["name"] for t in sophie.get(f"/workspaces/{WS}/tags").json()}  # created on the way
    moved = sophie.put(f"/workspaces/{WS}/time_entries/{entry['id']}", json={"stop": entry["start"]})
    assert moved.json()["duration"] == 0
    bad = sophie.put(
        f"/workspaces/{WS}/time_entries/{entry['id']}",
        json={"start": "2026-11-25T10:00:00Z", "stop": "2026-11-25T09:00:00Z"},
    )
    assert bad.status_code == 400


def test_only_workspace_admins_change_other_peoples_entries(api) -> None:
    lea_entry = api(LEA).get("/me/time_entries").json()[0]
    sophie_entry = api().get("/me/time_entries").json()[0]
    assert lea_entry["id"] not in {e["id"] for e in api().get("/me/time_entries").json()}  # /me is /me
    assert (
        api().put(f"/workspaces/{WS}/time_entries/{lea_entry['id']}", json={"billable": True}).status_code
        == 200
    )
    denied = api(LEA).put(f"/workspaces/{WS}/time_entries/{sophie_entry['id']}", json={"billable": True})
    assert (denied.status_code, denied.json()) == (403, "User does not have access to this resource.")


def test_projects_page_and_filter_on_active(api, sandbox) -> None:
    emulator = sandbox.emulators["toggl"]
    archived = next(p for p in emulator.store.projects.values() if p.name == "Operations")
    archived.active = False
    sophie = api()
    assert [p["name"] for p in sophie.get(f"/workspaces/{WS}/projects").json()] == [
        "Signature Coaching Program",
        "Spring Launch",
    ]
    second = sophie.get(
        f"/workspaces/{WS}/projects", params={"active": "both", "page": 2, "per_page": 2}
    ).json()
    assert [p["name"] for p in second] == ["Spring Launch"]
    assert sophie.get(f"/workspaces/{WS}/projects", params={"per_page": 201}).status_code == 400


def test_state_survives_a_restart(tmp_path) -> None:
    now = datetime.fromisoformat(FIXED_NOW_ISO)
    with Sandbox(now=now, services=("toggl",), rate_limits=False, state_dir=tmp_path) as first:
        client = httpx.Client(base_url=first.base_url("toggl"), auth=(SOPHIE, "api_token"))
        timer = start_timer(client, description="Persisted", tags=["client"])
        client.delete(f"/workspaces/{WS}/time_entries/{timer['id']}")
        since = {"since": int(first.emulators["toggl"].now().timestamp()) - 86400}
        before = client.get("/me/time_entries", params=since).json()
        assert timer["id"] in {e["id"] for e in before}
        client.close()
    again = TogglEmulator(first.business, state_path=tmp_path / "toggl.json", rate_limits=False)
    deleted = again.store.entries[timer["id"]]
    assert deleted.deleted and deleted.tags == ["client"] and deleted.description == "Persisted"
    with Sandbox(now=now, services=("toggl",), rate_limits=False, state_dir=tmp_path) as second:
        client = httpx.Client(base_url=second.base_url("toggl"), auth=(SOPHIE, "api_token"))
        assert client.get("/me/time_entries", params=since).json() == before
        assert start_timer(client)["id"] > timer["id"]  # the id counter was saved too
        client.close()


def test_the_seed_is_deterministic(sandbox) -> None:
    again = TogglEmulator(sandbox.business, rate_limits=False)
    assert again.store.dump() == sandbox.emulators["toggl"].store.dump()
    running = {e.user_id: e for e in again.store.entries.values() if e.running}
    now = datetime.fromisoformat(FIXED_NOW_ISO).astimezone(UTC)
    assert set(running) == {9100002, 9100003}  # Sophie's, since last evening, and Léa's
    assert now - running[9100002].start > timedelta(hours=15)
    assert now - running[9100003].start < timedelta(hours=1)


def test_the_seed_holds_what_a_real_fortnight_does(sandbox) -> None:
    """Entries across midnight, edited after they stopped, deleted, naming cards by link or number."""
    store = sandbox.emulators["toggl"].store
    paris = ZoneInfo("Europe/Paris")
    entries = list(store.entries.values())
    stopped = [e for e in entries if e.stop is not None]
    assert any(e.start.astimezone(paris).date() != e.stop.astimezone(paris).date() for e in stopped)
    local = [(e.start.astimezone(paris), e.stop.astimezone(paris)) for e in stopped if e.stop]
    assert any(start.weekday() == 6 and stop.weekday() == 0 for start, stop in local)  # into Monday
    edited = [e for e in stopped if e.stop and e.at - e.stop > timedelta(hours=1) and not e.deleted]
    assert len(edited) >= 3
    assert sum(1 for e in entries if e.deleted) >= 1
    descriptions = [e.description or "" for e in entries]
    assert any(re.search(r"https://trello\.com/c/[0-9A-Za-z]{8}", d) for d in descriptions)
    assert any(re.match(r"#\d+ ", d) for d in descriptions)
    assert any(re.match(r"[0-9A-Za-z]{8} ", d) for d in descriptions)
    assert any(e.project_id is None for e in entries)
    assert {e.billable for e in entries} == {True, False}
    labels = {"Client", "Marketing", "Admin", "Urgent", "Content", "Finance", "Waiting on client"}
    assert any(set(e.tags or []) & labels for e in entries)


def test_my_workspaces_say_whether_i_administer_them(api) -> None:
    sophie = conforms(api().get("/me/workspaces"))
    lea = conforms(api(LEA).get("/me/workspaces"))
    assert [(w["id"], w["role"], w["admin"]) for w in sophie] == [(WS, "admin", True)]
    assert [(w["id"], w["role"], w["admin"]) for w in lea] == [(WS, "user", False)]
    assert sophie[0]["active_project_count"] == 3 and sophie[0]["premium"] is True


def test_projects_are_created_by_admins_private_and_uniquely_named(api, sandbox) -> None:
    sophie, lea = api(), api(LEA)
    created = conforms(sophie.post(f"/workspaces/{WS}/projects", json={"name": "Podcast Season 2"}))
    assert (created["name"], created["is_private"], created["active"]) == ("Podcast Season 2", True, True)
    listed = sophie.get(f"/workspaces/{WS}/projects").json()
    assert created["id"] in {p["id"] for p in listed}
    again = sophie.post(f"/workspaces/{WS}/projects", json={"name": "podcast season 2"})
    assert again.status_code == 400 and isinstance(again.json(), str)
    assert sophie.post(f"/workspaces/{WS}/projects", json={"name": " "}).status_code == 400
    denied = lea.post(f"/workspaces/{WS}/projects", json={"name": "Lea's own"})
    assert (denied.status_code, denied.json()) == (403, "User does not have access to this resource.")
    sandbox.emulators["toggl"].store.workspaces[WS].only_admins_may_create_projects = False
    assert lea.post(f"/workspaces/{WS}/projects", json={"name": "Lea's own"}).status_code == 200


def test_an_admin_creates_entries_for_a_member_and_a_member_cannot(api) -> None:
    body = {
        "created_with": "tests",
        "workspace_id": WS,
        "start": "2026-11-24T14:00:00Z",
        "stop": "2026-11-24T14:45:00Z",
        "description": "Team sync",
        "user_id": 9100003,
    }
    made = conforms(api().post(f"/workspaces/{WS}/time_entries", json=body))
    assert made["user_id"] == 9100003 and made["duration"] == 2700
    assert made["id"] in {e["id"] for e in api(LEA).get("/me/time_entries").json()}  # it is Léa's
    assert made["id"] not in {e["id"] for e in api().get("/me/time_entries").json()}
    denied = api(LEA).post(f"/workspaces/{WS}/time_entries", json={**body, "user_id": 9100002})
    assert (denied.status_code, denied.json()) == (403, "User does not have access to this resource.")
    assert api(LEA).post(f"/workspaces/{WS}/time_entries", json=body).status_code == 200  # herself: fine
    stranger = api().post(f"/workspaces/{WS}/time_entries", json={**body, "user_id": 1})
    assert stranger.status_code == 400


def test_with_several_businesses_the_hub_administers_each_and_teams_stay_apart(sandbox_factory) -> None:
    sandbox = sandbox_factory(services=("toggl",), rate_limits=False, workspaces=3)
    with httpx.Client(base_url=sandbox.base_url("toggl"), auth=(SOPHIE, "api_token")) as sophie:
        mine = conforms(sophie.get("/me/workspaces"))
    assert len(mine) == 3 and {w["role"] for w in mine} == {"admin"}
    store = sandbox.emulators["toggl"].store
    for business in sandbox.businesses[1:]:
        workspace = store.workspaces[business.workspace.toggl.workspace_id]
        team = {p.toggl_user_id for p in business.people}
        assert set(workspace.members) == team | {9100002}  # her own team, and the hub's OBM
    with httpx.Client(base_url=sandbox.base_url("toggl"), auth=(LEA, "api_token")) as lea:
        assert [w["id"] for w in lea.get("/me/workspaces").json()] == [WS]  # a VA of the first only


def test_all_activity_lists_each_member_s_latest_activity_as_the_dashboard_object(api, sandbox) -> None:
    """`GET /workspaces/{id}/dashboard/all_activity`: one object per member who tracked anything, her
    running timer when she has one (duration minus its start epoch, no stop), else her last entry."""
    store = sandbox.emulators["toggl"].store
    now = sandbox.emulators["toggl"].now()
    answer = api().get(f"/workspaces/{WS}/dashboard/all_activity")
    activities = conforms(answer)
    assert answer.headers["X-Toggl-Quota-Remaining"] == str(240 - 1)  # the workspace bucket (Starter)
    live = [e for e in store.entries.values() if not e.deleted and e.workspace_id == WS]
    trackers = {e.user_id for e in live}
    assert sorted(a["user_id"] for a in activities) == sorted(trackers)  # one each, the owner tracks none
    for activity in activities:
        mine = [e for e in live if e.user_id == activity["user_id"]]
        running = [e for e in mine if e.stop is None]
        if running:
            (timer,) = running
            assert activity["duration"] == -int(timer.start.timestamp()) and "stop" not in activity
            assert activity["project_id"] == (timer.project_id or 0)
            assert activity.get("description") == (timer.description or None)
        else:
            last = max(mine, key=lambda e: e.start)
            assert activity["duration"] == last.duration > 0
            assert datetime.fromisoformat(activity["stop"]) == last.stop
    assert {a["user_id"] for a in activities if "stop" not in a} == {9100002, 9100003}
    # A timer started through the API (duration -1) still says when it started; no project: 0; no
    # description: absent. `since` keeps what went on since then.
    started = start_timer(api(LEA), start=(now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert started["duration"] == -1
    since = {"since": int((now - timedelta(minutes=1)).timestamp())}
    recent = conforms(api().get(f"/workspaces/{WS}/dashboard/all_activity", params=since))
    lea = next(a for a in recent if a["user_id"] == 9100003)
    assert lea == {"user_id": 9100003, "project_id": 0, "duration": -int(now.timestamp()) + 300}
    cut = datetime.fromtimestamp(since["since"], UTC)
    going_on = {
        a["user_id"] for a in activities if "stop" not in a or datetime.fromisoformat(a["stop"]) >= cut
    }
    assert {a["user_id"] for a in recent} == going_on and len(going_on) < len(activities)
    # A workspace the caller is no member of: Toggl's 403.
    refused = api(PRIYA).get(f"/workspaces/{WS + 1}/dashboard/all_activity")
    assert refused.status_code == 403 and refused.json() == "User does not have access to this resource."
