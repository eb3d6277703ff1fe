"""The hub file's `[workspaces.X.summary]` table and people's capacity, and how they reach the summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.hub_file import HubFile, read_hub_file
from config.hub_file import SummarySettings as SummaryTable
from summary.inputs import SummarySettings

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_the_summary_reads_the_same_defaults_the_hub_file_documents():
    table = SummaryTable()
    values = table.model_dump(include=SummarySettings.names())
    assert SummarySettings(**values) == SummarySettings()


def test_the_demo_business_and_the_example_set_the_summary_and_capacities():
    for name, key in (("sandbox.toml", "brightpath"), ("hub.example.toml", "acme")):
        workspace = HubFile.model_validate(read_hub_file(CONFIG / name)).workspaces[key]
        assert workspace.summary.review_statuses == ("In review",)
        assert workspace.summary.client_name
        assert any(person.capacity_hours for person in workspace.people)


def test_unknown_summary_keys_and_bad_values_are_errors():
    base = {"workspaces": {"acme": {"name": "Acme"}}}
    base["workspaces"]["acme"]["summary"] = {"review_dayz": 3}
    with pytest.raises(ValidationError, match="review_dayz"):
        HubFile.model_validate(base)
    base["workspaces"]["acme"]["summary"] = {"long_timer_hours": 0}
    with pytest.raises(ValidationError, match="long_timer_hours"):
        HubFile.model_validate(base)
