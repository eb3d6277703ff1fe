"""One slug function names everything Prefect keeps per workspace (issue 7, defect 1)."""

from __future__ import annotations

import pytest
from prefect.types.names import raise_on_name_alphanumeric_dashes_only

from config import ConfigError, load_hub
from config.slug import slug

AWKWARD = ["my_client", "ACME", "a__b", "_edge_", "-edge-", "a--b", "café", "東京", "Ünïcode_Key", "", "x y"]


@pytest.mark.parametrize("key", AWKWARD)
def test_every_slug_is_a_key_prefect_accepts(key):
    value = f"obm-hub-overview-{slug(key)}"
    assert raise_on_name_alphanumeric_dashes_only(value) == value  # Prefect's own artifact-key check
    assert not slug(key).startswith("-") and not slug(key).endswith("-") and "--" not in slug(key)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("my_client", "my-client"),
        ("ACME", "acme"),
        ("a__b", "a-b"),
        ("_edge_", "edge"),
        ("café", "cafe"),
        ("brightpath", "brightpath"),
    ],
)
def test_slugs_stay_readable(key, expected):
    assert slug(key) == expected


def test_keys_without_an_ascii_spelling_keep_distinct_slugs():
    assert slug("東京") != slug("大阪")
    assert slug("東京") == slug("東京")  # stable across runs: the artifact's history stays one key


def test_the_hub_file_accepts_underscores(monkeypatch, tmp_path):
    path = tmp_path / "hub.toml"
    path.write_text('[workspaces.my_client]\nname = "Mine"\n[workspaces.my_client.toggl]\nworkspace_id = 1\n')
    monkeypatch.setenv("OBM_HUB_CONFIG", str(path))
    assert list(load_hub().file.workspaces) == ["my_client"]


def test_the_hub_file_refuses_two_keys_with_one_slug(monkeypatch, tmp_path):
    path = tmp_path / "hub.toml"
    path.write_text('[workspaces.my_client]\nname = "A"\n[workspaces.my-client]\nname = "B"\n')
    monkeypatch.setenv("OBM_HUB_CONFIG", str(path))
    with pytest.raises(ConfigError, match="workspace keys 'my_client' and 'my-client' are too alike"):
        load_hub()
