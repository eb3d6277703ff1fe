"""`obm-hub`'s command line: help, exit codes, and the checks that run before anything starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from obm_hub import exit_codes
from obm_hub.cli import main


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", [[], ["run"], ["check"], ["sandbox"], ["serve"], ["deployments"]])
def test_every_command_has_help_with_the_exit_codes(command, capsys):
    assert main([*command, "--help"]) == exit_codes.OK
    shown = capsys.readouterr().out
    assert "Usage: obm-hub" in shown
    for code, meaning in exit_codes.MEANINGS.items():
        assert f"{code}: {meaning}" in " ".join(shown.split())


def test_the_run_and_sandbox_options_are_documented(capsys):
    main(["run", "--help"])
    assert "--workspace" in capsys.readouterr().out
    main(["sandbox", "--help"])
    shown = capsys.readouterr().out
    for option in ("--state-dir", "--memory", "--port-base", "--seed", "--no-rate-limits"):
        assert option in shown
    main(["serve", "--help"])
    shown = capsys.readouterr().out
    for option in ("--port", "--limit", "--paused"):
        assert option in shown


def test_a_wrong_command_line_is_exit_code_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--workspaces", "x"])
    assert caught.value.code == exit_codes.BAD_CONFIGURATION


def test_check_says_where_everything_runs(capsys):
    assert main(["check"]) == exit_codes.OK
    shown = capsys.readouterr().out
    assert shown.startswith("configuration ok: ") and "(sandbox mode)" in shown
    assert "store: sqlite:///" in shown


def test_check_never_imports_prefect():
    done = _python(
        "import sys\n"
        "from obm_hub.cli import main\n"
        "code = main(['check'])\n"
        "print(code, sorted(m for m in sys.modules if m == 'prefect' or m.startswith('prefect.')))\n"
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stderr


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_bad_database_url_stops_everything_before_prefect_starts(command):
    """Issue 7, defect 11: one line naming the variable and the fix, exit code 2, Prefect not imported."""
    done = _python(
        "import sys\n"
        "from obm_hub.cli import main\n"
        f"code = main([{command!r}])\n"
        "print(code, 'prefect' in sys.modules)\n",
        OBM_HUB_DATABASE_URL="notaurl",
    )
    assert done.stdout.splitlines()[-1] == "2 False"
    assert done.stderr.startswith("obm-hub: invalid configuration: database_url (OBM_HUB_DATABASE_URL): ")
    assert "not a database URL; set it like" in done.stderr and len(done.stderr.splitlines()) == 1


def test_an_unwritable_var_dir_is_exit_code_2(monkeypatch, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("OBM_HUB_VAR_DIR", str(tmp_path / "file" / "var"))
    assert main(["run"]) == exit_codes.BAD_CONFIGURATION
    assert "var_dir (OBM_HUB_VAR_DIR): cannot write to" in capsys.readouterr().err


def test_a_hub_file_that_is_a_directory_is_exit_code_2_without_a_traceback(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OBM_HUB_CONFIG", str(tmp_path))
    assert main(["check"]) == exit_codes.BAD_CONFIGURATION
    assert capsys.readouterr().err == (
        f"obm-hub: invalid configuration: OBM_HUB_CONFIG ({tmp_path}): is a directory, not a hub file\n"
    )


def test_an_unknown_workspace_is_exit_code_2_before_prefect(monkeypatch, capsys):
    assert main(["run", "--workspace", "nope"]) == exit_codes.BAD_CONFIGURATION
    assert "no such workspace (known: brightpath)" in capsys.readouterr().err


def test_a_misspelt_variable_is_warned_about(monkeypatch, capsys):
    monkeypatch.setenv("OBM_HUB_TRELO__TOKEN", "typo-typo-typo")
    assert main(["check"]) == exit_codes.OK
    assert capsys.readouterr().err == (
        "obm-hub: warning: OBM_HUB_TRELO__TOKEN (environment) is no setting of the hub and is ignored "
        "(did you mean OBM_HUB_TRELLO__TOKEN?)\n"
    )
