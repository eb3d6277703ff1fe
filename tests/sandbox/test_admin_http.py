"""Every knob from another process: `obm-hub sandbox` runs in a subprocess, and plain httpx (no Python
handle on the emulators) triggers its one-shot actions and sets every `Faults` field."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from sandbox.faults import Faults
from tests.sandbox.test_gcal_api import REFRESH_FORM

EVENTS = "/calendars/c_brightpath.team%40group.calendar.google.com/events"

# A value other than the default for every field: a field added to `Faults` must be added here.
EVERY_KNOB = {
    "error_rate": 0.25,
    "kinds": ["500", "reset"],
    "latency_ms": 1.0,
    "storm": 3,
    "storm_retry_after": 2.0,
    "storm_forms": ["403 rateLimitExceeded", "429 rateLimitExceeded"],
    "retry_after": True,
    "timeout_seconds": 1.5,
    "short_pages": 0.5,
    "silent_duplicates": 0.5,
    "duplicate_forms": ["overwrite"],
    "conflict_window_ms": 250.0,
    "hold": 2,
    "hold_at": "before",
    "hold_seconds": 5.0,
    "path_pattern": "^/nothing-matches$",
    "methods": ["PUT"],
    "seed": 11,
}


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """`obm-hub sandbox --memory` in a subprocess; the root URL of each emulator."""
    process = subprocess.Popen(
        [sys.executable, "-m", "obm_hub", "sandbox", "--memory", "--no-rate-limits"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = "".join(process.stdout.readline() for _ in range(5))  # type: ignore[union-attr]
        found = dict(
            re.findall(r"^\s+(\w+)\s+.*\(request log: (http://127\.0\.0\.1:\d+)/_sandbox", lines, re.M)
        )
        assert set(found) == {"trello", "google", "toggl", "notion"}, lines
        yield found
    finally:
        process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()


@pytest.fixture
def google(served) -> Iterator[httpx.Client]:
    """A client of the subprocess's Calendar emulator, holding an access token."""
    root = served["google"]
    with httpx.Client(base_url=root, timeout=5) as client:
        client.post("/_sandbox/faults", json={})
        token = client.post("/token", data=REFRESH_FORM).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def test_every_emulator_lists_its_actions(served):
    for service, root in served.items():
        listed = httpx.get(root + "/_sandbox/actions")
        assert listed.status_code == 200, service
        assert all(action["name"] and action["description"] for action in listed.json()["actions"])
    names = {action["name"] for action in httpx.get(served["google"] + "/_sandbox/actions").json()["actions"]}
    assert {"expire_sync_tokens", "expire_access_tokens", "purge_deleted"} <= names


def test_actions_run_from_another_process(google):
    listing = google.get("/calendar/v3" + EVENTS, params={"maxResults": 2500}).json()
    token = listing["nextSyncToken"]
    ran = google.post("/_sandbox/actions/expire_sync_tokens")
    assert ran.status_code == 200 and ran.json() == {"action": "expire_sync_tokens", "result": None}
    expired = google.get("/calendar/v3" + EVENTS, params={"syncToken": token})
    assert expired.status_code == 410 and expired.json()["error"]["errors"][0]["reason"] == "fullSyncRequired"
    assert google.post("/_sandbox/actions/expire_access_tokens").status_code == 200
    assert google.get("/calendar/v3" + EVENTS).status_code == 401
    assert google.post("/_sandbox/actions/no_such_action").status_code == 404
    assert google.post("/_sandbox/actions/purge_deleted", json={"unexpected": 1}).status_code == 400


def test_every_fault_knob_is_settable_from_another_process(google):
    assert set(EVERY_KNOB) == Faults.field_names()
    defaults = google.get("/_sandbox/faults").json()["faults"]
    assert all(EVERY_KNOB[name] != defaults[name] for name in EVERY_KNOB)
    answer = google.post("/_sandbox/faults", json=EVERY_KNOB)
    assert answer.status_code == 200 and answer.json()["faults"] == EVERY_KNOB
    assert google.get("/_sandbox/faults").json()["faults"] == EVERY_KNOB
    assert google.post("/_sandbox/faults", json={"no_such_knob": 1}).status_code == 400
    assert google.post("/_sandbox/faults", json={}).json()["faults"] == defaults


def test_a_storm_set_from_another_process_reaches_the_api(google):
    google.post("/_sandbox/faults", json={"storm": 1, "storm_forms": ["429 rateLimitExceeded"]})
    assert google.get("/calendar/v3" + EVENTS).status_code == 429
    assert google.get("/calendar/v3" + EVENTS).status_code == 200


def test_toggls_plan_is_set_from_another_process(served):
    """A hub in another process meets the Free plan's refusals: the plan is an action, not Python."""
    from tests.sandbox.test_toggl_reports import RANGE, SEARCH, SOPHIE

    with httpx.Client(base_url=served["toggl"], auth=(SOPHIE, "api_token"), timeout=5) as sophie:
        assert sophie.post(SEARCH, json={**RANGE, "billable": True}).status_code == 200
        assert sophie.post("/_sandbox/actions/set_plan", json={"plan": "gold"}).status_code == 400
        assert sophie.post("/_sandbox/actions/set_plan", json={"plan": "free"}).status_code == 200
        refused = sophie.post(SEARCH, json={**RANGE, "billable": True})
        assert (refused.status_code, refused.json()) == (402, "Workspace needs to have this feature enabled")
        assert sophie.post("/_sandbox/actions/set_plan", json={"plan": "starter"}).status_code == 200
        assert sophie.post("/_sandbox/actions/limit_public_project_data").status_code == 200
        assert (
            sophie.post("/_sandbox/actions/limit_public_project_data", json={"limited": False}).status_code
            == 200
        )
