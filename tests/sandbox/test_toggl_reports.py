"""The Toggl emulator's Reports API v3 detailed search, over HTTP: rows shaped like the recorded real
ones and valid against the official spec, the admin rule, 50-row pages chained by the next-row header,
filters, Toggl's refusals, and the same hourly quota as the v9 workspace requests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.contract.spec import load_spec

WS = 7421983
SOPHIE, LEA = "sandbox-toggl-token-sophie", "sandbox-toggl-token-lea"
SOPHIE_ID, LEA_ID = 9100002, 9100003
SEARCH = f"/reports/api/v3/workspace/{WS}/search/time_entries"
PARIS = ZoneInfo("Europe/Paris")
RANGE = {"start_date": "2026-11-01", "end_date": "2026-11-25"}


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("toggl",), rate_limits=False)


@pytest.fixture
def reports(sandbox) -> Iterator[Any]:
    """`reports(token)`: an httpx client on the emulator's root (the Reports API has its own base)."""
    clients: list[httpx.Client] = []

    def make(token: str = SOPHIE) -> httpx.Client:
        client = httpx.Client(base_url=sandbox.root_url("toggl"), auth=(token, "api_token"), timeout=5)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def conforms(response: httpx.Response) -> Any:
    body = response.json()
    request = response.request
    problems = load_spec("toggl_reports").check_response(
        request.method, str(request.url), response.status_code, body
    )
    assert problems == []
    return body


def search(client: httpx.Client, **body: Any) -> list[dict[str, Any]]:
    """Every row of a search, page after page, following the next-row header."""
    rows: list[dict[str, Any]] = []
    body = {**RANGE, **body}
    while True:
        response = client.post(SEARCH, json=body)
        assert response.status_code == 200, response.text
        rows += conforms(response)
        following = response.headers.get("X-Next-Row-Number")
        if following is None:
            return rows
        body = {**body, "first_row_number": int(following), "first_id": int(response.headers["X-Next-ID"])}


def entries_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for row in rows for entry in row["time_entries"]]


def reportable(emulator, *, user_id: int | None = None) -> set[int]:
    """The ids the search over RANGE must return: stopped, not deleted, started in range (Paris)."""
    first, last = date.fromisoformat(RANGE["start_date"]), date.fromisoformat(RANGE["end_date"])
    return {
        e.id
        for e in emulator.store.entries.values()
        if not e.deleted
        and not e.running
        and first <= e.start.astimezone(PARIS).date() <= last
        and (user_id is None or e.user_id == user_id)
    }


def test_an_admin_sees_the_whole_teams_stopped_entries_in_rows_like_toggls(reports, sandbox) -> None:
    emulator = sandbox.emulators["toggl"]
    rows = search(reports())
    found = entries_of(rows)
    assert {e["id"] for e in found} == reportable(emulator)
    assert len({row["user_id"] for row in rows}) == 4  # the OBM and three VAs
    assert [row["row_number"] for row in rows] == list(range(1, len(rows) + 1))
    assert all(len(row["time_entries"]) == 1 for row in rows)  # not grouped: one entry a row
    row = rows[0]
    assert set(row) >= {"user_id", "username", "project_id", "billable", "description", "tag_ids", "currency"}
    assert "project_name" not in row and "tag_names" not in row  # names only with enrich_response
    entry = row["time_entries"][0]
    stored = emulator.store.entries[entry["id"]]
    assert entry["start"] == stored.start.astimezone(PARIS).isoformat()  # the caller's offset: +01:00
    assert entry["start"].endswith("+01:00") and entry["at"].endswith("+00:00") and "." not in entry["at"]
    assert entry["seconds"] == stored.duration == (stored.stop - stored.start).total_seconds()
    running = [e.id for e in emulator.store.entries.values() if e.running]
    assert running and not set(running) & {e["id"] for e in found}  # running timers are not reported


def test_a_member_who_is_not_admin_sees_only_her_own_time(reports, sandbox) -> None:
    emulator = sandbox.emulators["toggl"]
    lea = reports(LEA)
    assert {e["id"] for e in entries_of(search(lea))} == reportable(emulator, user_id=LEA_ID)
    assert search(lea, user_ids=[SOPHIE_ID]) == []  # asking for a colleague gives nothing, not a 403
    # A public project shows everyone's time on it to members, unless the workspace limits it.
    coaching = next(p for p in emulator.store.projects.values() if p.name == "Signature Coaching Program")
    coaching.is_private = False
    seen = {e["user_id"] for e in search(lea, project_ids=[coaching.id])}
    assert len(seen) > 1 and LEA_ID in seen
    emulator.store.workspaces[WS].limit_public_project_data = True
    assert {e["user_id"] for e in search(lea, project_ids=[coaching.id])} == {LEA_ID}
    outside = lea.post("/reports/api/v3/workspace/1/search/time_entries", json=RANGE)
    assert (outside.status_code, outside.json()) == (403, "Workspace not found/accessible")


def test_pages_hold_fifty_rows_and_chain_by_the_next_row_number(reports, sandbox) -> None:
    sophie = reports()
    first = sophie.post(SEARCH, json={**RANGE, "page_size": 200, "order_dir": "ASC"})
    rows = conforms(first)
    assert len(rows) == 50  # the documented page, whatever was asked
    assert (first.headers["X-Range-Start"], first.headers["X-Range-End"]) == ("2026-11-01", "2026-11-25")
    assert first.headers["X-Next-Row-Number"] == "51"
    next_id = int(first.headers["X-Next-ID"])
    body = {**RANGE, "order_dir": "ASC", "first_row_number": 51, "first_id": next_id}
    second = conforms(sophie.post(SEARCH, json=body))
    assert second[0]["row_number"] == 51 and second[0]["time_entries"][0]["id"] == next_id
    starts = [datetime.fromisoformat(e["start"]) for e in entries_of(rows + second)]
    assert starts == sorted(starts)
    everything = search(sophie, page_size=20)
    assert len(everything) == len(reportable(sandbox.emulators["toggl"])) > 50
    last = sophie.post(SEARCH, json={**RANGE, "first_row_number": len(everything) - 1})
    assert len(last.json()) == 2 and "X-Next-Row-Number" not in last.headers


def test_filters_narrow_the_rows(reports, sandbox) -> None:
    emulator = sandbox.emulators["toggl"]
    sophie = reports()
    mine = entries_of(search(sophie, user_ids=[LEA_ID]))
    assert {e["id"] for e in mine} == reportable(emulator, user_id=LEA_ID)
    loose = search(sophie, project_ids=[None])
    assert loose and all(row["project_id"] is None for row in loose)
    triage = search(sophie, description="inbox TRIAGE")
    assert triage and all("inbox triage" in row["description"].lower() for row in triage)
    one = next(iter(reportable(emulator)))
    assert [e["id"] for e in entries_of(search(sophie, time_entry_ids=[one]))] == [one]
    untagged = search(sophie, tag_ids=[None])
    assert untagged and all(row["tag_ids"] == [] for row in untagged)


def test_enriched_and_grouped_rows(reports, sandbox) -> None:
    sophie = reports()
    enriched = search(sophie, enrich_response=True, user_ids=[SOPHIE_ID])
    named = [row for row in enriched if row["project_id"] is not None]
    assert named and all(row["project_name"] and row["email"] == "sophie@brightpath.coach" for row in named)
    assert all(isinstance(row["tag_names"], list) for row in enriched)
    grouped = search(sophie, grouped=True)
    assert len(grouped) < len(search(sophie))
    assert len(entries_of(grouped)) == len(reportable(sandbox.emulators["toggl"]))
    several = next(row for row in grouped if len(row["time_entries"]) > 1)
    assert len({(e["start"]) for e in several["time_entries"]}) == len(several["time_entries"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "At least one parameter must be set"),
        (
            {**RANGE, "order_by": "start"},
            "Invalid 'order_by' value, allowed values are: 'date, user, duration, description, last_update'",
        ),
        ({"start_date": "2025-01-01", "end_date": "2026-11-25"}, "one year"),
        ({"start_date": "2026-11-25", "end_date": "2026-11-01"}, "end_date"),
        ({"start_date": "2026-11-01T00:00:00Z"}, "start_date"),
        ({**RANGE, "user_ids": "9100003"}, "user_ids"),
    ],
)
def test_what_the_search_refuses(reports, body: dict[str, Any], message: str) -> None:
    refused = reports().post(SEARCH, json=body)
    assert refused.status_code == 400 and refused.headers["content-type"] == "application/json"
    assert message in conforms(refused)


def test_the_billable_filter_is_a_paid_feature(reports, sandbox) -> None:
    sophie = reports()
    billable = search(sophie, billable=True)
    assert billable and all(row["billable"] for row in billable)
    sandbox.emulators["toggl"].set_plan("free")
    refused = sophie.post(SEARCH, json={**RANGE, "billable": True})
    assert (refused.status_code, refused.json()) == (402, "Workspace needs to have this feature enabled")
    assert int(refused.headers["X-Toggl-Quota-Remaining"]) > 0  # not the quota: a plan feature
    assert sophie.post(SEARCH, json=RANGE).status_code == 200


def test_the_reports_api_counts_against_the_workspace_quota(sandbox_factory, clock) -> None:
    sandbox = sandbox_factory(services=("toggl",), rate_limits=True)
    emulator = sandbox.emulators["toggl"]
    emulator.limits.clock = clock
    emulator.set_plan("free")
    with httpx.Client(base_url=sandbox.root_url("toggl"), auth=(SOPHIE, "api_token")) as sophie:
        answered = sophie.post(SEARCH, json=RANGE)
        assert answered.headers["X-Toggl-Quota-Remaining"] == "29"  # Free: 30 an hour
        assert sophie.post(SEARCH, json=RANGE).status_code == 429  # and one request a second
        for _ in range(29):
            clock.sleep(1.0)
            assert sophie.get(f"/api/v9/workspaces/{WS}/tags").status_code == 200  # the same bucket
        clock.sleep(1.0)
        spent = sophie.post(SEARCH, json=RANGE)
        assert spent.status_code == 402 and spent.headers["X-Toggl-Quota-Remaining"] == "0"
        assert sophie.get("/api/v9/me").status_code == 200  # the /me bucket is another
    assert [e.path for e in sandbox.log.entries("toggl")][:1] == [
        "/reports/api/v3/workspace/{workspace_id}/search/time_entries"
    ]


def test_the_search_is_logged_and_reads_what_was_just_written(reports, sandbox) -> None:
    sophie = reports()
    now = sandbox.emulators["toggl"].now().replace(microsecond=0)
    start = (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    created = sophie.post(
        f"/api/v9/workspaces/{WS}/time_entries",
        json={"created_with": "t", "workspace_id": WS, "start": start, "duration": 600, "user_id": LEA_ID},
    ).json()
    rows = search(sophie, time_entry_ids=[created["id"]])
    assert [row["user_id"] for row in rows] == [LEA_ID]
    sophie.delete(f"/api/v9/workspaces/{WS}/time_entries/{created['id']}")
    assert search(sophie, time_entry_ids=[created["id"]]) == []  # deleted: gone from reports
