"""The main job under a real Prefect API, against the sandbox over real HTTP, with a real SQLite store."""

from __future__ import annotations

import asyncio

import pytest

from sync.model import Task
from sync.store import Store, default_url

pytestmark = pytest.mark.prefect


def _run(**parameters):
    from flows.main import hub_main

    return hub_main(return_state=True, **parameters)


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
        "parameters": [str(run.parameters)],
        "tasks": [t.model_dump_json() for t in tasks],
        "logs": [log.message for log in logs],
        "artifacts": [str(a.data) for a in artifacts if a.flow_run_id == flow_run_id],
    }


def test_first_run_reads_everything_and_the_second_only_what_changed(prefect_harness, tmp_path, monkeypatch):
    from prefect.artifacts import Artifact

    var = tmp_path / "var"
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(var))
    first = _run()
    assert first.is_completed()
    summary = first.result()
    assert summary.startswith("# Bright Path Coaching:")
    assert "- trello: Backlog 14" in summary
    assert "## Today" in summary and "## Hours this week" in summary
    assert (var / "sandbox" / "trello.json").is_file()  # the emulators' state outlives the run
    store = Store.open(default_url(var))
    assert len(store.load_items("brightpath", "trello", Task)) == 60
    cursors = {
        service: store.get_cursor("brightpath", service)
        for service in ("trello", "google", "toggl", "notion")
    }
    assert all(cursors.values())

    second = _run()
    assert second.is_completed()
    assert "- trello: 1\n" in second.result()  # one request: the board's actions since the cursor
    assert store.get_cursor("brightpath", "trello") == cursors["trello"]  # nothing happened on the board
    overview = Artifact.get("obm-hub-overview-brightpath")
    assert overview is not None and "Bright Path Coaching" in overview.data
    store.close()


def test_an_unknown_workspace_fails_before_any_read(prefect_harness, tmp_path, monkeypatch):
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "var"))
    state = _run(workspace="nope")
    assert state.is_failed()
    assert "no such workspace (known: brightpath)" in state.message
    assert not (tmp_path / "var" / "sandbox").exists()


def test_live_mode_secrets_stay_out_of_prefect_and_the_store(
    prefect_harness, sandbox_factory, tmp_path, monkeypatch
):
    """Credentials (here the sandbox's) never reach parameters, task runs, logs, artifacts or the database."""
    sandbox = sandbox_factory(rate_limits=False)
    environment = sandbox.environment()
    secrets = [value for name, value in environment.items() if name.endswith(("TOKEN", "KEY", "SECRET"))]
    assert len(secrets) >= 5
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "var"))
    # One service refuses its credentials: the error travels through Prefect too.
    monkeypatch.setenv("OBM_HUB_NOTION__TOKEN", "wrong-notion-token-canary")
    secrets.append("wrong-notion-token-canary")

    state = _run()
    assert state.is_failed()
    assert "notion" in state.message and "returned 401" in state.message
    records = asyncio.run(_run_records(state.state_details.flow_run_id))
    assert any("trello: full snapshot" in line for line in records["logs"])
    assert any(
        line.startswith("service=trello method=GET path=/boards/{id}/cards/{filter} status=200")
        for line in records["logs"]
    )
    assert records["artifacts"], "the overview is published even when one read fails"
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


def _live(sandbox, monkeypatch, tmp_path, **overrides: str) -> None:
    """Point the hub at a running sandbox, in live mode, with `overrides` on top of its variables."""
    for name, value in {**sandbox.environment(), **overrides}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "var"))


def test_a_refused_trello_token_costs_only_trello(prefect_harness, sandbox_factory, tmp_path, monkeypatch):
    """Issue 7, defect 8: the other services are read and stored, the overview is published marked
    partial with one line saying what to fix, and Prefect records no traceback."""
    sandbox = sandbox_factory(rate_limits=False)
    _live(sandbox, monkeypatch, tmp_path, OBM_HUB_TRELLO__TOKEN="wrong-trello-token-canary")

    state = _run()
    assert state.is_failed()
    assert state.message.splitlines()[0] == "partial overview: 1 service not read"
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, str) and "**Partial overview**: 1 service could not be read" in summary
    [line] = [line for line in summary.splitlines() if line.startswith("- trello GET")]
    assert "returned 401" in line and "check the credentials" in line
    assert line.endswith("(set: OBM_HUB_TRELLO__API_KEY, OBM_HUB_TRELLO__TOKEN)")
    assert line.count("check the credentials") == 1  # the action is said once (defect 13)
    assert "wrong-trello-token-canary" not in summary

    store = Store.open(default_url(tmp_path / "var"))
    assert store.get_cursor("brightpath", "trello") is None
    assert all(store.get_cursor("brightpath", s) for s in ("google", "toggl", "notion"))
    store.close()
    records = asyncio.run(_run_records(state.state_details.flow_run_id))
    assert not [line for line in records["logs"] if "Traceback" in line]
    assert any("Partial overview" in text for text in records["artifacts"])


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

    state = _run()
    assert state.is_failed()
    assert sandbox.log.count("notion") == 6 and sandbox.log.count("toggl") == 1
    failed = dict(line.removeprefix("- brightpath/").split(" ", 1) for line in state.message.splitlines()[1:])
    assert set(failed) == {"notion", "toggl"}
    assert "(the service asked to wait 600 s)" in failed["toggl"]

    async def run_counts() -> dict[str, int]:
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
            )
        return {run.name.split("-")[1]: run.run_count for run in runs}

    assert asyncio.run(run_counts()) == {"trello": 1, "google": 1, "toggl": 1, "notion": 1}


def test_a_workspace_key_with_an_underscore_gets_its_artifacts(prefect_harness, tmp_path, monkeypatch):
    """Issue 7, defect 1: `my_client` is a valid hub-file key; its artifact keys are slugs."""
    from prefect.artifacts import Artifact

    from config.loader import SANDBOX_HUB_FILE

    hub_file = tmp_path / "hub.toml"
    hub_file.write_text(SANDBOX_HUB_FILE.read_text().replace("workspaces.brightpath", "workspaces.my_client"))
    monkeypatch.setenv("OBM_HUB_CONFIG", str(hub_file))
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "var"))
    state = _run()
    assert state.is_completed(), state.message
    overview = Artifact.get("obm-hub-overview-my-client")
    assert overview is not None and "Bright Path Coaching" in overview.data
    assert Artifact.get("obm-hub-requests-my-client") is not None
