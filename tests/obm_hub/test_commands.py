"""The commands that need no orchestrator (`plan`, `summary`, `links rebuild`, `doctor`), in-process
through `main([...])`, against a running sandbox over real HTTP, with a real SQLite store; and, as a
process, that none of them imports Prefect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from obm_hub import exit_codes
from obm_hub.cli import main
from tests.conftest import FIXED_NOW_ISO, fast_options


def _point_at(patch: pytest.MonkeyPatch, sandbox, var: Path, **overrides: str) -> None:
    """Live mode against the running sandbox (its hub file, URLs and credentials), state under `var`."""
    for name in list(os.environ):
        if name.startswith("OBM_HUB_") and name != "OBM_HUB_TEST_PG_URL":
            patch.delenv(name)
    for name, value in {**sandbox.environment(), "OBM_HUB_ENV_FILE": "", **overrides}.items():
        patch.setenv(name, value)
    patch.setenv("OBM_HUB_VAR_DIR", str(var))
    patch.setenv("COLUMNS", "200")


@pytest.fixture(autouse=True)
def _unpaced() -> Iterator[None]:
    """The sandboxes here enforce no rate limit: the connectors need not pace themselves either."""
    from flows.context import connector_options

    with connector_options(fast_options(timeout=30.0)):
        yield


def _sync(workspace: str = "brightpath") -> list:
    """One sync of every relation, without Prefect (what the `hub` flow runs, step for step)."""
    from flows.context import runner_for
    from obm_hub.workspaces import read_side_by_side

    with runner_for(workspace) as runner, runner.lease():
        wanted = runner.relations()
        assert all(read.ok for read in read_side_by_side(runner, wanted))
        return [runner.apply(runner.plan(relation)) for relation in wanted]


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Iterator[tuple[object, Path]]:
    """The demo business synced once by the hub: its sandbox and the hub's var dir."""
    from connectors.ratelimit import forget_shared_state
    from flows.context import apply_progress, connector_options
    from sandbox import Sandbox

    var = tmp_path_factory.mktemp("synced") / "var"
    sandbox = Sandbox(now=datetime.fromisoformat(FIXED_NOW_ISO), rate_limits=False).start()
    progress: list[tuple[str, str, int, int]] = []

    def bars(workspace: str, relation: str):  # what `obm-hub run` hands its runners on a terminal
        return lambda done, total: progress.append((workspace, relation, done, total))

    try:
        with (
            pytest.MonkeyPatch.context() as patch,
            connector_options(fast_options(timeout=30.0)),
            apply_progress(bars),
        ):
            _point_at(patch, sandbox, var)
            forget_shared_state()
            assert all(relation.outcome == "ok" for relation in _sync())
        # Each apply reported its steps as they ran, up to the last.
        tasks = [(done, total) for _, relation, done, total in progress if relation == "tasks"]
        assert tasks[0][0] == 1 and tasks[-1][0] == tasks[-1][1] > 40
        assert {workspace for workspace, *_ in progress} == {"brightpath"}
        yield sandbox, var
    finally:
        sandbox.stop()


@pytest.fixture
def live_synced(synced, monkeypatch):
    sandbox, var = synced
    _point_at(monkeypatch, sandbox, var)
    return sandbox, var


# -- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["plan"], ["summary"], ["links"], ["links", "rebuild"], ["doctor"]])
def test_every_new_command_has_help_with_the_exit_codes(command, capsys):
    assert main([*command, "--help"]) == exit_codes.OK
    shown = " ".join(capsys.readouterr().out.split())
    assert "Usage: obm-hub" in shown
    for code, meaning in exit_codes.MEANINGS.items():
        assert f"{code}: {meaning}" in shown


# -- plan ---------------------------------------------------------------------------------------


def test_plan_shows_what_a_first_sync_would_write_and_writes_nothing(
    sandbox_factory, monkeypatch, tmp_path, capsys
):
    sandbox = sandbox_factory(rate_limits=False)
    _point_at(monkeypatch, sandbox, tmp_path / "var")
    assert main(["plan", "--json"]) == exit_codes.OK
    actions = json.loads(capsys.readouterr().out)
    assert sandbox.log.writes() == Counter()
    business = sandbox.business
    only_one_side = [t for t in business.tasks if t.on_trello != t.on_notion and not t.archived]
    creates = [a for a in actions if a["relation"] == "tasks" and a["action"] == "create"]
    assert len(creates) == len(only_one_side) > 0
    assert {a["workspace"] for a in actions} == {"brightpath"}
    assert {"tasks", "agenda"} <= {a["relation"] for a in actions}
    assert set(actions[0]) == {
        "workspace", "relation", "link", "service", "action", "remote_id", "fields", "title", "reason"
    }  # fmt: skip

    # The table, for a person: each write once, and a title saying nothing was written.
    assert main(["plan", "--relations", "tasks"]) == exit_codes.OK
    shown = capsys.readouterr().out
    assert f"brightpath: {len([a for a in actions if a['relation'] == 'tasks'])} writes (dry run" in shown
    assert creates[0]["title"][:30] in shown
    assert sandbox.log.writes() == Counter()


def test_plan_after_a_sync_is_an_empty_list(live_synced, capsys):
    sandbox, _ = live_synced
    before = len(sandbox.log.entries())
    assert main(["plan", "--json"]) == exit_codes.OK
    assert json.loads(capsys.readouterr().out) == []
    assert sandbox.log.writes(before) == Counter()
    assert main(["plan"]) == exit_codes.OK
    assert "brightpath: nothing to change (tasks, agenda, time planned)" in capsys.readouterr().out


def test_plan_says_which_read_failed_with_exit_code_1(sandbox_factory, monkeypatch, tmp_path, capsys):
    sandbox = sandbox_factory(rate_limits=False)
    _point_at(monkeypatch, sandbox, tmp_path / "var", OBM_HUB_TRELLO__TOKEN="refused-refused-refused")
    assert main(["plan", "--json"]) == exit_codes.FAILED
    out, err = capsys.readouterr()
    assert all(action["relation"] != "tasks" for action in json.loads(out))  # tasks needs Trello
    assert "obm-hub: brightpath: trello" in err and "OBM_HUB_TRELLO__TOKEN" in err
    assert "refused-refused-refused" not in out + err and "Traceback" not in err


# -- summary ------------------------------------------------------------------------------------


def test_summary_from_the_store_in_each_format_without_a_request(live_synced, tmp_path, capsys):
    from summary.render.json_out import schema

    sandbox, _ = live_synced
    before = len(sandbox.log.entries())
    path = tmp_path / "out" / "week.json"
    assert main(["summary", "--format", "json", "--output", str(path)]) == exit_codes.OK
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["kind"] == "summary" and data["workspace_key"] == "brightpath"
    assert data["period"]["kind"] == "week" and data["done"] is not None
    assert f"written to {path}" in capsys.readouterr().err
    import jsonschema

    jsonschema.validate(data, schema())

    assert main(["summary", "--first", "2026-11-23", "--last", "2026-11-29", "--format", "md"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Bright Path Coaching: operations summary")
    assert "Nov 23" in markdown and "29, 2026" in markdown

    assert main(["summary", "--client", "--format", "html", "--period", "last-week"]) == 0
    html = capsys.readouterr().out
    assert html.lstrip().lower().startswith("<!doctype html") and "Bright Path Coaching" in html
    assert len(sandbox.log.entries()) == before  # the store only: no request at all


def test_summary_with_half_a_date_range_is_exit_code_2(live_synced, capsys):
    assert main(["summary", "--first", "2026-11-23"]) == exit_codes.BAD_CONFIGURATION
    assert "takes first and last" in capsys.readouterr().err


# -- links rebuild ------------------------------------------------------------------------------


def test_links_rebuilt_after_the_database_is_lost_then_a_sync_creates_and_writes_nothing(live_synced, capsys):
    from sync.model import Event, Task
    from sync.policy import AGENDA, TASKS
    from sync.store import Store, default_url

    sandbox, var = live_synced
    url = default_url(var)
    store = Store.open(url)
    before_links = {relation: set(store.links("brightpath", relation, model)) for relation, model in
                    ((TASKS, Task), (AGENDA, Event))}  # fmt: skip
    store.close()
    (var / "hub.db").unlink()

    start = len(sandbox.log.entries())
    assert main(["links", "rebuild"]) == exit_codes.OK
    shown = capsys.readouterr().out
    assert sandbox.log.writes(start) == Counter()  # full reads only
    store = Store.open(url)
    rebuilt = {relation: set(store.links("brightpath", relation, model)) for relation, model in
               ((TASKS, Task), (AGENDA, Event))}  # fmt: skip
    store.close()
    assert rebuilt == before_links and len(rebuilt[TASKS]) > 40 and len(rebuilt[AGENDA]) > 10
    assert f"tasks: {len(rebuilt[TASKS])} linked" in shown and "0 links forgotten" in shown

    start = len(sandbox.log.entries())
    relations = _sync()
    assert [r.counts()["created"] for r in relations] == [0, 0, 0]
    assert sandbox.log.writes(start) == Counter()


# -- doctor -------------------------------------------------------------------------------------


def test_doctor_on_a_healthy_sandbox(sandbox_factory, monkeypatch, tmp_path, capsys):
    sandbox = sandbox_factory(rate_limits=False)
    _point_at(monkeypatch, sandbox, tmp_path / "var")
    assert main(["doctor"]) == exit_codes.OK
    shown = capsys.readouterr().out
    assert "ok      trello: board " in shown and "(5 open lists)" in shown
    assert "writable (access role owner)" in shown
    assert "the token's user is an admin of workspace" in shown and "requests left this hour" in shown
    assert "notion: data source" in shown and shown.rstrip().endswith("doctor: all good")


def test_doctor_names_refused_credentials_and_a_missing_notion_property(
    sandbox_factory, monkeypatch, tmp_path, capsys
):
    from config.loader import SANDBOX_HUB_FILE

    sandbox = sandbox_factory(rate_limits=False)
    text = SANDBOX_HUB_FILE.read_text(encoding="utf-8")
    hub_file = tmp_path / "hub.toml"
    hub_file.write_text(
        text.replace('link_property = "Hub ID"', 'link_property = "Hub Key"').replace(
            'tracked_property = "Tracked (h)"', 'tracked_property = "Name"'
        ),
        encoding="utf-8",
    )
    _point_at(
        monkeypatch,
        sandbox,
        tmp_path / "var",
        OBM_HUB_CONFIG=str(hub_file),
        OBM_HUB_TOGGL__API_TOKEN="canary-toggl-token-0042",
    )
    assert main(["doctor"]) == exit_codes.BAD_CONFIGURATION
    shown = capsys.readouterr().out
    problems = [line.strip() for line in shown.splitlines() if line.strip().startswith("PROBLEM")]
    assert any(
        "toggl: GET /me/workspaces returned 403" in line and "(set: OBM_HUB_TOGGL__API_TOKEN)" in line
        for line in problems
    ), problems
    assert (
        "PROBLEM notion: no property 'Hub Key' (the hub cannot run): add a rich_text property named "
        "'Hub Key', or set notion.link_property in the hub file" in problems
    )
    assert any("property 'Name' is a title; tracked needs a number" in line for line in problems)
    assert "ok      trello: board" in shown  # the others are still checked
    assert "canary-toggl-token-0042" not in shown
    assert shown.rstrip().endswith("doctor: 3 problems")


def test_doctor_a_non_admin_token_and_an_unavailable_calendar(sandbox_factory, monkeypatch, tmp_path, capsys):
    sandbox = sandbox_factory(rate_limits=False)
    sandbox.set_faults("google", error_rate=1.0, kinds=("503",))
    _point_at(
        monkeypatch,
        sandbox,
        tmp_path / "var",
        OBM_HUB_TOGGL__API_TOKEN="sandbox-toggl-token-lea",  # a VA: a member, no admin
    )
    assert main(["doctor"]) == exit_codes.BAD_CONFIGURATION
    shown = capsys.readouterr().out
    assert "PROBLEM toggl: the token's user is no admin of workspace" in shown
    assert "use a workspace admin's API token" in shown
    assert "failed  google:" in shown and "503" in shown

    sandbox.set_faults("google", error_rate=0.0)
    _point_at(monkeypatch, sandbox, tmp_path / "var")
    sandbox.set_faults("google", error_rate=1.0, kinds=("503",))
    assert main(["doctor"]) == exit_codes.FAILED  # only what the next attempt may fix


# -- progress bars ------------------------------------------------------------------------------


def test_bars_only_for_long_applies_and_only_when_enabled():
    from obm_hub.progress import Bars

    with Bars(enabled=False) as bars:
        bars.apply("w", "tasks")(1, 500)
        assert bars._progress is None
    with Bars(enabled=True, minimum=20) as bars:
        bars.apply("w", "agenda")(1, 5)  # a short apply: no bar
        assert bars._progress is None
        report = bars.apply("w", "tasks")
        for done in range(1, 31):
            report(done, 30)
        (task,) = bars._progress.tasks
        assert (task.description, task.completed, task.total) == ("w: applying tasks", 30, 30)


# -- no Prefect ---------------------------------------------------------------------------------


def test_the_new_commands_never_import_prefect(live_synced, tmp_path):
    code = (
        "import sys\n"
        "from obm_hub.cli import main\n"
        "codes = [main(['doctor']), main(['plan', '--relations', 'tasks', '--json']),\n"
        "         main(['summary', '--output', sys.argv[1]])]\n"
        "print(codes, sorted(m for m in sys.modules if m == 'prefect' or m.startswith('prefect.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "s.md")],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.splitlines()[-1] == "[0, 0, 0] []", done.stdout + done.stderr
