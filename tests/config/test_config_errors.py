"""Bad configuration fails at start, one message per problem, naming the field and its source."""

from __future__ import annotations

import pytest

from config import ConfigError, load_hub

VALID = """
[workspaces.acme]
name = "Acme"
[workspaces.acme.trello]
board_id = "b1"
[workspaces.acme.notion]
database_id = "d1"
"""


def _problems(monkeypatch, tmp_path, text: str | None = None, **env: str) -> list[str]:
    if text is not None:
        path = tmp_path / "hub.toml"
        path.write_text(text)
        monkeypatch.setenv("OBM_HUB_CONFIG", str(path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_hub()
    return [str(problem) for problem in caught.value.problems]


def test_missing_token_names_the_variable_and_the_block_alternative(monkeypatch, tmp_path):
    problems = _problems(
        monkeypatch, tmp_path, VALID, OBM_HUB_TRELLO__API_KEY="k-123456", OBM_HUB_SANDBOX="off"
    )
    assert problems == [
        f"trello.token (OBM_HUB_TRELLO__TOKEN or OBM_HUB_TRELLO__TOKEN_BLOCK): missing: trello is used by a "
        f"workspace in {tmp_path / 'hub.toml'} and sandbox mode is off",
        f"notion.token (OBM_HUB_NOTION__TOKEN or OBM_HUB_NOTION__TOKEN_BLOCK): missing: notion is used by a "
        f"workspace in {tmp_path / 'hub.toml'} and sandbox mode is off",
    ]


def test_services_a_workspace_does_not_use_need_no_credentials(monkeypatch, tmp_path):
    path = tmp_path / "hub.toml"
    path.write_text('[workspaces.acme]\nname = "Acme"\n[workspaces.acme.toggl]\nworkspace_id = 5\n')
    monkeypatch.setenv("OBM_HUB_CONFIG", str(path))
    monkeypatch.setenv("OBM_HUB_TOGGL__API_TOKEN", "toggl-token-1")
    assert load_hub().services_in_use() == ["toggl"]


def test_unknown_workspace_key(monkeypatch, tmp_path):
    text = VALID.replace('name = "Acme"', 'name = "Acme"\ntimezon = "Europe/Paris"')
    problems = _problems(monkeypatch, tmp_path, text, OBM_HUB_SANDBOX="on")
    assert problems == [f"workspaces.acme.timezon ({tmp_path / 'hub.toml'}): unknown key"]


def test_malformed_toml(monkeypatch, tmp_path):
    problems = _problems(monkeypatch, tmp_path, "[workspaces.acme\nname = 1", OBM_HUB_SANDBOX="on")
    assert len(problems) == 1
    assert problems[0].startswith(f"(file) ({tmp_path / 'hub.toml'}): malformed TOML:")
    assert "line 1" in problems[0]


def test_wrong_types_are_all_reported_at_once(monkeypatch, tmp_path):
    text = VALID + '[workspaces.acme.toggl]\nworkspace_id = "not a number"\n'
    text = text.replace('name = "Acme"', 'name = "Acme"\ntimezone = "Mars/Olympus"\nlanguage = "de"')
    problems = _problems(monkeypatch, tmp_path, text, OBM_HUB_SANDBOX="on")
    source = tmp_path / "hub.toml"
    assert problems == [
        f"workspaces.acme.timezone ({source}): "
        "Value error, unknown IANA time zone 'Mars/Olympus' (e.g. 'Europe/Paris')",
        f"workspaces.acme.language ({source}): Input should be 'en' or 'fr'",
        f"workspaces.acme.toggl.workspace_id ({source}): "
        "Input should be a valid integer, unable to parse string as an integer",
    ]


def test_wrong_type_in_an_environment_variable(monkeypatch, tmp_path):
    problems = _problems(monkeypatch, tmp_path, None, OBM_HUB_SANDBOX="sometimes")
    assert problems == [
        "sandbox (environment variable OBM_HUB_SANDBOX): Input should be 'auto', 'on' or 'off'"
    ]


def test_wrong_type_in_the_env_file_names_the_file(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("OBM_HUB_NOTION__VERSION_TYPO=2025-09-03\n")
    problems = _problems(monkeypatch, tmp_path, None, OBM_HUB_ENV_FILE=str(env_file))
    assert problems == [
        f"notion.version_typo ({env_file} (OBM_HUB_NOTION__VERSION_TYPO)): "
        "unknown setting (did you mean OBM_HUB_NOTION__VERSION?)"
    ]


def test_missing_hub_file_outside_the_sandbox(monkeypatch, tmp_path):
    problems = _problems(
        monkeypatch, tmp_path, None, OBM_HUB_CONFIG=str(tmp_path / "absent.toml"), OBM_HUB_SANDBOX="off"
    )
    assert problems == [f"OBM_HUB_CONFIG ({tmp_path / 'absent.toml'}): hub file not found (check the path)"]


def test_error_message_lists_every_problem_on_its_own_line(monkeypatch, tmp_path):
    text = VALID.replace('name = "Acme"', 'name = ""\ncolour = "red"')
    monkeypatch.setenv("OBM_HUB_CONFIG", str(tmp_path / "hub.toml"))
    (tmp_path / "hub.toml").write_text(text)
    monkeypatch.setenv("OBM_HUB_SANDBOX", "on")
    with pytest.raises(ConfigError) as caught:
        load_hub()
    message = str(caught.value).splitlines()
    assert message[0] == "invalid configuration, 2 problems:"
    assert message[1].startswith("  - workspaces.acme.name")
    assert message[2].startswith("  - workspaces.acme.colour")


def test_one_problem_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("OBM_HUB_SANDBOX", "sometimes")
    with pytest.raises(ConfigError) as caught:
        load_hub()
    assert str(caught.value) == (
        "invalid configuration: sandbox (environment variable OBM_HUB_SANDBOX): "
        "Input should be 'auto', 'on' or 'off'"
    )


# -- the hub file cannot be read (issue 7, defect 12) -------------------------------------------------


def test_a_hub_file_that_is_a_directory_is_named(monkeypatch, tmp_path):
    (tmp_path / "hub.toml").mkdir()
    problems = _problems(monkeypatch, tmp_path, None, OBM_HUB_CONFIG=str(tmp_path / "hub.toml"))
    assert problems == [f"OBM_HUB_CONFIG ({tmp_path / 'hub.toml'}): is a directory, not a hub file"]


def test_a_hub_file_that_is_not_utf8_is_named_without_its_bytes(monkeypatch, tmp_path):
    path = tmp_path / "hub.toml"
    path.write_bytes(VALID.replace("Acme", "Caf\xe9 Cr\xe8me").encode("latin-1"))
    problems = _problems(monkeypatch, tmp_path, None, OBM_HUB_CONFIG=str(path), OBM_HUB_SANDBOX="on")
    assert len(problems) == 1
    assert problems[0].startswith(f"(file) ({path}): not UTF-8 text (byte ")
    assert problems[0].endswith("save the file as UTF-8") and "\\x" not in problems[0]


def test_an_env_file_that_is_not_utf8_is_named(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes("OBM_HUB_SANDBOX=on\n# caf\xe9\n".encode("latin-1"))
    problems = _problems(monkeypatch, tmp_path, None, OBM_HUB_ENV_FILE=str(env_file))
    assert len(problems) == 1 and problems[0].startswith(f"OBM_HUB_ENV_FILE ({env_file}): not UTF-8 text")


# -- names that are no setting (issue 7, defect 13) ---------------------------------------------------


def test_a_misspelt_variable_in_the_environment_is_warned_about_with_the_setting_it_resembles(monkeypatch):
    monkeypatch.setenv("OBM_HUB_TRELO__TOKEN", "trello-token-typo")
    monkeypatch.setenv("OBM_HUB_VARDIR", "/tmp/elsewhere")
    monkeypatch.setenv("OBM_HUB_TEST_PG_URL", "postgresql+psycopg://nobody@localhost/none")  # the suite's own
    hub = load_hub()
    assert sorted(hub.warnings) == [
        "OBM_HUB_TRELO__TOKEN (environment) is no setting of the hub and is ignored "
        "(did you mean OBM_HUB_TRELLO__TOKEN?)",
        "OBM_HUB_VARDIR (environment) is no setting of the hub and is ignored "
        "(did you mean OBM_HUB_VAR_DIR?)",
    ]
    assert hub.sandbox  # the typo left Trello without credentials: the warning is all that says so


def test_a_misspelt_variable_in_the_env_file_is_warned_about_under_its_own_name(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("OBM_HUB_TRELO__TOKEN=trello-token-typo\nEDITOR=vim\nOBM_HUB_SANDBOX=on\n")
    monkeypatch.setenv("OBM_HUB_ENV_FILE", str(env_file))
    hub = load_hub()  # neither the typo nor another tool's variable stops the hub
    assert hub.warnings == (
        f"OBM_HUB_TRELO__TOKEN ({env_file}) is no setting of the hub and is ignored "
        "(did you mean OBM_HUB_TRELLO__TOKEN?)",
    )
    assert hub.settings.sandbox == "on"


def test_a_name_far_from_every_setting_gets_no_suggestion(monkeypatch):
    monkeypatch.setenv("OBM_HUB_SOMETHING_ELSE_ENTIRELY", "1")
    assert load_hub().warnings == (
        "OBM_HUB_SOMETHING_ELSE_ENTIRELY (environment) is no setting of the hub and is ignored",
    )
