"""Settings: sources, precedence, sandbox mode and the hub file."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_hub, load_settings
from config.loader import SANDBOX_HUB_FILE

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "hub.example.toml"


def test_defaults_point_at_the_real_apis():
    settings = load_settings()
    assert settings.trello.base_url == "https://api.trello.com/1"
    assert settings.google.base_url == "https://www.googleapis.com/calendar/v3"
    assert settings.toggl.base_url == "https://api.track.toggl.com/api/v9"
    assert settings.notion.base_url == "https://api.notion.com/v1"
    assert settings.notion.version == "2025-09-03"


def test_no_credentials_means_the_sandbox_and_the_demo_business():
    hub = load_hub()
    assert hub.sandbox is True
    assert hub.file_path == SANDBOX_HUB_FILE
    workspace = hub.workspace("brightpath")
    assert workspace.timezone == "Europe/Paris"
    assert [p.role for p in workspace.people].count("va") == 3
    assert hub.services_in_use() == ["trello", "google", "toggl", "notion"]


def test_env_nesting_and_secret_values(monkeypatch):
    monkeypatch.setenv("OBM_HUB_NOTION__TOKEN", "ntn-test-value-123")
    monkeypatch.setenv("OBM_HUB_NOTION__BASE_URL", "http://127.0.0.1:9999/v1")
    settings = load_settings()
    assert settings.notion.token.get_secret_value() == "ntn-test-value-123"
    assert settings.notion.base_url == "http://127.0.0.1:9999/v1"
    assert "ntn-test-value-123" not in repr(settings)
    assert settings.uses_sandbox() is False


def test_env_file_and_environment_precedence(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "OBM_HUB_TOGGL__API_TOKEN=from-dotenv-file\nOBM_HUB_TRELLO__TOKEN=dotenv-trello-token\n"
    )
    monkeypatch.setenv("OBM_HUB_ENV_FILE", str(env_file))
    monkeypatch.setenv("OBM_HUB_TRELLO__TOKEN", "environment-wins")
    settings = load_settings()
    assert settings.toggl.api_token.get_secret_value() == "from-dotenv-file"
    assert settings.trello.token.get_secret_value() == "environment-wins"


def test_secrets_directory(monkeypatch, tmp_path):
    (tmp_path / "trello__api_key").write_text("key-from-secret-file")
    monkeypatch.setenv("OBM_HUB_SECRETS_DIR", str(tmp_path))
    assert load_settings().trello.api_key.get_secret_value() == "key-from-secret-file"


def test_forced_sandbox_ignores_credentials(monkeypatch):
    monkeypatch.setenv("OBM_HUB_SANDBOX", "on")
    monkeypatch.setenv("OBM_HUB_TOGGL__API_TOKEN", "real-looking-token")
    assert load_hub().sandbox is True


def test_example_hub_file_is_valid_and_complete(monkeypatch):
    monkeypatch.setenv("OBM_HUB_CONFIG", str(EXAMPLE))
    monkeypatch.setenv("OBM_HUB_SANDBOX", "on")
    workspace = load_hub().workspace("acme")
    assert workspace.services() == ["trello", "google", "toggl", "notion"]
    assert workspace.status_map["Doing"] == "In progress"


def test_real_mode_with_every_credential_loads(monkeypatch):
    monkeypatch.setenv("OBM_HUB_CONFIG", str(EXAMPLE))
    for name, value in {
        "TRELLO__API_KEY": "trello-key-1",
        "TRELLO__TOKEN": "trello-token-1",
        "TOGGL__API_TOKEN": "toggl-token-1",
        "NOTION__TOKEN": "notion-token-1",
        "GOOGLE__CLIENT_ID": "client.apps.googleusercontent.com",
        "GOOGLE__CLIENT_SECRET": "google-secret-1",
        "GOOGLE__REFRESH_TOKEN": "google-refresh-1",
    }.items():
        monkeypatch.setenv(f"OBM_HUB_{name}", value)
    hub = load_hub()
    assert hub.sandbox is False
    assert hub.file_path == EXAMPLE


def test_unknown_workspace_is_named(monkeypatch):
    hub = load_hub()
    with pytest.raises(ConfigError, match=r"workspaces\.nope .*no such workspace \(known: brightpath\)"):
        hub.workspace("nope")
