"""Secrets from Prefect Secret blocks, read inside the run, never passed as parameters."""

from __future__ import annotations

import pytest

from config import ConfigError, load_hub, load_settings

pytestmark = pytest.mark.prefect


@pytest.fixture
def saved_block(prefect_harness):
    from prefect.blocks.system import Secret

    Secret(value="notion-secret-from-block-123").save("notion-token-test", overwrite=True)
    return "notion-token-test"


def test_a_block_name_fills_the_secret(monkeypatch, saved_block):
    monkeypatch.setenv("OBM_HUB_NOTION__TOKEN_BLOCK", saved_block)
    settings = load_settings()
    assert settings.notion.token.get_secret_value() == "notion-secret-from-block-123"
    assert settings.notion.token_block == saved_block


def test_an_explicit_value_wins_over_the_block(monkeypatch, saved_block):
    monkeypatch.setenv("OBM_HUB_NOTION__TOKEN_BLOCK", saved_block)
    monkeypatch.setenv("OBM_HUB_NOTION__TOKEN", "explicit-value-456")
    assert load_settings().notion.token.get_secret_value() == "explicit-value-456"


def test_a_missing_block_is_a_config_error_naming_the_field(monkeypatch, prefect_harness):
    monkeypatch.setenv("OBM_HUB_TRELLO__TOKEN_BLOCK", "no-such-block")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert [str(p) for p in caught.value.problems] == [
        "trello.token_block (Prefect Secret block): no Secret block named 'no-such-block' could be loaded"
    ]


def test_the_secret_is_read_inside_the_flow_run_and_never_a_parameter(monkeypatch, saved_block):
    from prefect import flow
    from prefect.client.orchestration import get_client

    monkeypatch.setenv("OBM_HUB_NOTION__TOKEN_BLOCK", saved_block)
    monkeypatch.setenv("OBM_HUB_SANDBOX", "on")  # the demo hub file; only the secret matters here

    @flow
    def uses_notion() -> bool:
        hub = load_hub()
        return hub.settings.notion.token.get_secret_value() == "notion-secret-from-block-123"

    state = uses_notion(return_state=True)
    assert state.result() is True

    async def parameters() -> dict:
        async with get_client() as client:
            run = await client.read_flow_run(state.state_details.flow_run_id)
            return run.parameters

    import asyncio

    assert "notion-secret-from-block-123" not in str(asyncio.run(parameters()))
