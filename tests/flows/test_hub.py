"""The flows under a real Prefect API, against the sandbox over real HTTP, with a real SQLite store."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections import Counter

import pytest

from sync.model import Task
from sync.store import Store, default_url

pytestmark = pytest.mark.prefect


def _hub(workspace: str = "brightpath", **params):
    from flows.hub import hub

    return hub(workspace=workspace, **params, return_state=True)


@pytest.fixture(autouse=True)
def _unpaced():
    """The sandboxes here enforce no rate limit: the connectors need not pace themselves either (their
    pacing is tested in tests/connectors and measured in bench/)."""
    from flows.context import connector_options
    from tests.conftest import fast_options

    with connector_options(fast_options(timeout=30.0)):
        yield


def _live(sandbox, monkeypatch, tmp_path, **overrides: str) -> None:
    """Point the hub at a running sandbox, in live mode, with `overrides` on top of its variables."""
    for name, value in {**sandbox.environment(), **overrides}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "var"))


async def _run_records(flow_run_id) -> dict[str, list[str]]:
    """Everything Prefect keeps about a flow run, as text: parameters, task runs, logs, artifacts."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )

    async with get_client() as client:
        run = await client.read_flow_run(flow_run_id)
        tasks = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
        artifacts = await client.read_artifacts(artifact_filter=ArtifactFilter())
    return {
        "name": [run.name],
        "parameters": [str(run.parameters)],
        "tasks": [t.model_dump_json() for t in tasks],
        "task_names": [t.name for t in tasks],
        "logs": [log.message for log in logs],
        "artifacts": [str(a.data) for a in artifacts if a.flow_run_id == flow_run_id],
        "artifact_keys": [a.key for a in artifacts if a.flow_run_id == flow_run_id and a.key],
    }


def test_the_hub_links_and_creates_then_writes_nothing(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path)
    first = _hub()
    assert first.is_completed(), first.message
    run = first.result()
    assert [(r.relation, r.outcome) for r in run.relations] == [
        ("tasks", "ok"),
        ("agenda", "ok"),
        ("time", "ok"),
    ]
    assert run.relations[0].counts()["created"] == 47 and run.relations[0].counts()["conflicts"] == 4
    assert run.summary is not None and run.summary.files["html"].is_file() and run.summary.notion_url
    records = asyncio.run(_run_records(first.state_details.flow_run_id))
    assert records["name"][0].startswith("hub-brightpath-")
    assert {
        "read-trello",
        "read-notion",
        "read-google",
        "read-toggl",
        "plan-tasks",
        "apply-tasks",
        "summary",
    } <= set(records["task_names"])
    keys = set(records["artifact_keys"])
    for kind in ("plan-tasks", "plan-agenda", "changes-tasks", "conflicts-tasks", "summary", "requests"):
        assert f"obm-hub-{kind}-brightpath" in keys, keys
    # The connectors' request lines reach the run's log through Prefect's own logging configuration.
    assert any(line.startswith("service=trello method=GET path=/boards/") for line in records["logs"])

    before = len(sandbox.log.entries())
    second = _hub()
    assert second.is_completed(), second.message
    assert sandbox.log.writes(before) == Counter()
    assert all(plan.steps == () for r in second.result().relations for plan in r.plans)


def test_a_dry_run_writes_nothing_and_publishes_its_plan(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    from prefect.artifacts import Artifact

    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path)
    state = _hub(dry_run=True)
    assert state.is_completed(), state.message
    assert sandbox.log.writes() == Counter()
    assert [r.outcome for r in state.result().relations] == ["dry_run", "dry_run", "dry_run"]
    plan = Artifact.get("obm-hub-plan-tasks-brightpath")
    assert plan is not None and "create" in str(plan.data)
    store = Store.open(default_url(tmp_path / "var"))
    assert store.links("brightpath", "tasks", Task) == {}
    store.close()


def test_two_overlapping_triggers_never_double_create(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    """The first trigger is held mid-apply (its first Notion page create waits in the sandbox, done but
    unanswered), so the second surely starts while the first holds the workspace's lease."""
    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path)
    faults = sandbox.set_faults(
        "notion", hold=1, methods=["POST"], path_pattern="^/v1/pages$", hold_seconds=60
    )
    states: list = []

    def trigger() -> threading.Thread:
        run = contextvars.copy_context().run
        thread = threading.Thread(target=run, args=(lambda: states.append(_hub(relations=["tasks"])),))
        thread.start()
        return thread

    first = trigger()
    assert faults.wait_for_hold(120), "the first run never reached its first page create"
    second = trigger()
    second.join(timeout=300)
    sandbox.set_faults("notion")  # lets the held create answer
    first.join(timeout=300)
    outcomes = sorted(
        "cancelled" if s.is_cancelled() else "completed" if s.is_completed() else s.message for s in states
    )
    assert outcomes == ["cancelled", "completed"]
    [cancelled] = [s for s in states if s.is_cancelled()]
    assert "has been syncing workspace 'brightpath' since" in cancelled.message
    [completed] = [s for s in states if s.is_completed()]
    assert completed.result().relations[0].counts()["created"] == 47
    created = ("notion", "POST", "/pages")
    pages = [e for e in sandbox.log.entries() if (e.service, e.method, e.path) == created]
    assert len(pages) == 39 + 1  # the 39 cards Notion lacked, and the summary's page: nothing twice


def test_an_unknown_workspace_fails_before_any_read(prefect_harness, sandbox_factory, tmp_path, monkeypatch):
    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path)
    state = _hub("nope")
    assert state.is_failed()
    assert "no such workspace (known: brightpath)" in state.message
    assert sandbox.log.entries() == []


def test_live_mode_secrets_stay_out_of_prefect_and_the_store(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    """Credentials (here the sandbox's) never reach parameters, task runs, logs, artifacts or the database."""
    sandbox = sandbox_factory(rate_limits=False)
    environment = sandbox.environment()
    secrets = [value for name, value in environment.items() if name.endswith(("TOKEN", "KEY", "SECRET"))]
    assert len(secrets) >= 5
    # One service refuses its credentials: the error travels through Prefect too.
    _live(sandbox, monkeypatch, tmp_path, OBM_HUB_NOTION__TOKEN="wrong-notion-token-canary")
    secrets.append("wrong-notion-token-canary")

    state = _hub()
    assert state.is_failed()
    assert "notion" in state.message and "returned 401" in state.message
    records = asyncio.run(_run_records(state.state_details.flow_run_id))
    assert any(line.startswith("service=trello method=GET") for line in records["logs"])
    assert records["artifacts"], "the run's tables and summary are published even when a read fails"
    database = (tmp_path / "var" / "hub.db").read_bytes()
    leaks = [
        (where, secret[:10])
        for where, texts in {
            **records,
            "message": [state.message],
            "database": [database.decode("latin-1")],
        }.items()
        for text in texts
        for secret in secrets
        if secret in text
    ]
    assert leaks == []


def test_a_refused_trello_token_costs_only_what_needs_trello(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    """Issue 7, defect 8: the other services are read and stored, the relations that do not need
    Trello run, the summary is published, and the run's state says which failed, one line each."""
    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path, OBM_HUB_TRELLO__TOKEN="wrong-trello-token-canary")

    state = _hub()
    assert state.is_failed()
    run = state.result(raise_on_failure=False)
    assert [(r.relation, r.outcome) for r in run.relations] == [
        ("tasks", "failed"),
        ("agenda", "failed"),
        ("time", "ok"),
    ]
    [line] = [line for line in state.message.splitlines() if line.startswith("trello GET")]
    assert "returned 401" in line and line.count("check the credentials") == 1  # said once (defect 13)
    assert line.endswith("(set: OBM_HUB_TRELLO__API_KEY, OBM_HUB_TRELLO__TOKEN)")
    assert "wrong-trello-token-canary" not in state.message
    assert run.summary is not None and "trello" in run.summary.markdown()
    store = Store.open(default_url(tmp_path / "var"))
    assert store.get_cursor("brightpath", "trello") is None
    assert all(store.get_cursor("brightpath", s) for s in ("google", "toggl", "notion"))
    assert [r.failure for r in store.runs("brightpath") if r.relation == "read:trello"] == ["auth"]
    store.close()
    records = asyncio.run(_run_records(state.state_details.flow_run_id))
    assert not [line for line in records["logs"] if "Traceback" in line]


def test_prefect_never_retries_what_the_http_core_gave_up_on(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    """Issue 7, defect 3: one retry layer. Notion answers 429 (Retry-After 1 s) to everything: the core
    tries 6 times, then Prefect does not try again. Toggl asks to wait ten minutes: one request, and no
    retry before that wait."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from sandbox.faults import Faults

    sandbox = sandbox_factory(rate_limits=False)
    sandbox.emulators["notion"].faults = Faults(storm=100, storm_retry_after=1)
    sandbox.emulators["toggl"].faults = Faults(storm=100, storm_retry_after=600, retry_after=True)
    _live(sandbox, monkeypatch, tmp_path)

    state = _hub(relations=["time"])
    assert state.is_failed()
    # The read's first request, tried 6 times by the core (the summary's page, published afterwards,
    # meets the same storm in its own requests).
    assert sandbox.log.count("notion", path="/databases/{database_id}") == 6
    assert sandbox.log.count("toggl") == 1
    assert "(the service asked to wait 600 s)" in state.message

    async def run_counts() -> dict[str, int]:
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
            )
        return {run.name: run.run_count for run in runs}

    counts = asyncio.run(run_counts())
    assert counts["read-toggl"] == 1 and counts["read-notion"] == 1


def test_a_workspace_key_with_an_underscore_gets_its_artifacts(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    """Issue 7, defect 1: `my_client` is a valid hub-file key; its artifact keys are slugs."""
    from prefect.artifacts import Artifact

    from config.loader import SANDBOX_HUB_FILE

    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path)
    hub_file = tmp_path / "hub.toml"
    hub_file.write_text(SANDBOX_HUB_FILE.read_text().replace("workspaces.brightpath", "workspaces.my_client"))
    monkeypatch.setenv("OBM_HUB_CONFIG", str(hub_file))
    state = _hub("my_client", relations=["time"])
    assert state.is_completed(), state.message
    summary = Artifact.get("obm-hub-summary-my-client")
    assert summary is not None and "Bright Path Coaching" in summary.data
    assert Artifact.get("obm-hub-requests-my-client") is not None


def test_conflicts_and_refused_credentials_are_prefect_events(
    prefect_harness, asserting_events_worker, reset_worker_events, sandbox_factory, tmp_path, monkeypatch
):
    """Automations act on `obm-hub.sync.conflict`, `obm-hub.sync.refused` and `obm-hub.auth.failed`."""
    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path, OBM_HUB_TOGGL__API_TOKEN="wrong-toggl-token-canary")
    state = _hub()
    asserting_events_worker.drain()
    events = [e for e in asserting_events_worker._client.events if e.event.startswith("obm-hub.")]
    names = Counter(event.event for event in events)
    assert names["obm-hub.sync.conflict"] == 4 and names["obm-hub.auth.failed"] == 1, names
    [auth] = [e for e in events if e.event == "obm-hub.auth.failed"]
    assert auth.payload["service"] == "toggl" and "wrong-toggl" not in str(auth.payload)
    assert auth.resource.id == "obm-hub.workspace.brightpath"
    assert state.is_failed()


def test_a_mass_archive_is_refused_as_an_event_and_carried_out_only_when_allowed(
    prefect_harness, asserting_events_worker, reset_worker_events, sandbox_factory, tmp_path, monkeypatch
):
    """Someone archives most of the board: the hub refuses to archive the Notion pages (state says
    so, `obm-hub.sync.refused` is emitted, nothing written) until a run allows it."""
    import httpx

    from sandbox.trello.emulator import API_KEY, TOKEN

    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path)
    assert _hub(relations=["tasks"]).is_completed()
    auth = {"key": API_KEY, "token": TOKEN}
    with httpx.Client(base_url=sandbox.base_url("trello"), params=auth) as trello:
        cards = trello.get("/boards/6650a1f0c0ffee0000b0a4d1/cards/open").json()
        for card in cards[:12]:
            assert trello.put(f"/cards/{card['id']}", params={"closed": "true"}).status_code == 200
    before = len(sandbox.log.entries())
    refused = _hub(relations=["tasks"])
    assert not refused.is_completed() and [
        r.outcome for r in refused.result(raise_on_failure=False).relations
    ] == ["refused"]
    assert sandbox.log.writes(before) == Counter()
    asserting_events_worker.drain()
    names = Counter(e.event for e in asserting_events_worker._client.events if e.event.startswith("obm-hub."))
    assert names["obm-hub.sync.refused"] == 1, names
    allowed = _hub(relations=["tasks"], allow_mass_archive=True)
    assert allowed.is_completed(), allowed.message
    assert sandbox.log.writes(before)[("notion", "PATCH")] >= 12
