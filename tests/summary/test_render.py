"""The renderers: Markdown (golden files in both languages), JSON against its schema, Notion blocks,
table rows, the files written, and the labels of both languages."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from summary import Period, build_summary, client_report
from summary.files import write_reports
from summary.format import Formatter
from summary.locales import LABELS
from summary.render.json_out import client_data, render_json, schema, summary_data
from summary.render.markdown import render_client_markdown, render_markdown
from summary.render.notion import notion_blocks
from summary.render.tables import tables
from tests.summary.sample import NOW, WEEK, busy_week, source, task, workspace

GOLDEN = Path(__file__).parent / "golden"
PERIOD = Period.week(WEEK)
NBSP, NNBSP = "\u00a0", "\u202f"


def _golden(name: str, text: str) -> None:
    """Compare with the reviewed file; UPDATE_GOLDEN=1 rewrites it (then read the diff)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_markdown_golden(language):
    _golden(f"busy-week.{language}.md", render_markdown(build_summary(busy_week(language), PERIOD)))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_client_markdown_golden(language):
    report = client_report(build_summary(busy_week(language), PERIOD))
    _golden(f"client-week.{language}.md", render_client_markdown(report))


def test_every_language_has_the_same_labels_with_the_same_placeholders():
    import string

    def fields(label):
        texts = [label] if isinstance(label, str) else list(label.values())
        return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}

    assert LABELS["en"].keys() == LABELS["fr"].keys()
    for key in LABELS["en"]:
        assert fields(LABELS["en"][key]) == fields(LABELS["fr"][key]), key


def test_french_numbers_dates_and_typography():
    f = Formatter("fr", "Europe/Paris")
    assert f.hours(3.5 * 3600) == f"3,5{NBSP}h"
    assert f.date_long(date(2026, 11, 30)) == "lundi 30 novembre 2026"
    assert f.percent(0.42) == f"42{NBSP}%"
    assert f.hours(1234.5 * 3600) == f"1{NNBSP}234,5{NBSP}h"
    assert f.colon == f"{NBSP}: "
    assert f.t("reason_overdue", count=0) == "0 tâche en retard"  # French: 0 takes the singular
    text = render_markdown(build_summary(busy_week("fr"), PERIOD))
    assert " :" not in text.replace(f"{NBSP}:", "")  # every colon after a word has its non-breaking space
    assert "Semaine 48" in text


def test_english_rounds_hours_half_up_and_counts_plurals():
    f = Formatter("en", "Europe/Paris")
    assert f.hours(2.25 * 3600) == f"2.3{NBSP}h"
    assert f.date_long(date(2026, 11, 30)) == "Monday, November 30, 2026"
    assert f.t("reason_overdue", count=1) == "1 task overdue"
    assert f.signed(-5400, hours=True) == f"−1.5{NBSP}h"
    assert f.signed(0) == "0"


def test_markdown_escapes_what_the_services_typed():
    views = (task("A", "Fix | the *pricing* table_v2 [draft]", due=date(2026, 11, 20)),)
    text = render_markdown(build_summary(source(NOW, tasks=views), PERIOD))
    assert r"Fix \| the \*pricing\* table\_v2 \[draft\]" in text


def test_json_validates_against_its_schema_and_the_schema_can_fail():
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    jsonschema.Draft202012Validator.check_schema(schema())
    for language in ("en", "fr"):
        summary = build_summary(busy_week(language), PERIOD)
        validator.validate(json.loads(render_json(summary)))
        validator.validate(json.loads(json.dumps(client_data(client_report(summary)))))
    empty = build_summary(source(NOW, workspace=workspace(services=frozenset({"trello"}))), PERIOD)
    validator.validate(json.loads(render_json(empty)))
    broken = summary_data(build_summary(busy_week(), PERIOD))
    broken["hours"]["seconds"] = "27 h"
    assert not validator.is_valid(json.loads(json.dumps(broken)))
    broken = summary_data(build_summary(busy_week(), PERIOD))
    broken["surprise"] = 1
    assert not validator.is_valid(json.loads(json.dumps(broken)))


def test_json_keeps_exact_seconds_and_instants_in_the_workspace_zone():
    data = json.loads(render_json(build_summary(busy_week(), PERIOD)))
    assert data["hours"]["seconds"] == 98100
    assert data["now"] == "2026-11-27T17:30:00+01:00"
    assert data["deltas"]["done"] == {"current": 3, "previous": 1, "change": 2}


NOTION_TYPES = {
    "heading_2",
    "heading_3",
    "paragraph",
    "bulleted_list_item",
    "numbered_list_item",
    "to_do",
    "divider",
    "callout",
    "table",
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_notion_blocks_use_only_the_simple_vocabulary(language):
    blocks = notion_blocks(build_summary(busy_week(language), PERIOD))
    assert {block["type"] for block in blocks} <= NOTION_TYPES
    for block in blocks:
        if block["type"] == "table":
            widths = {len(row) for row in block["rows"]}
            assert len(widths) == 1 and block["header"] is True
            assert all(isinstance(cell, str) for row in block["rows"] for cell in row)
        elif block["type"] != "divider":
            assert isinstance(block["text"], str) and block["text"]
    callout = next(block for block in blocks if block["type"] == "callout")
    assert callout["emoji"] == "🔴"
    done = [block for block in blocks if block["type"] == "to_do"]
    assert len(done) == 3 and all(block["checked"] for block in done)
    assert "[Write the launch email sequence](https://trello.com/c/aaa1)" in done[1]["text"]


def test_table_rows_for_prefect_artifacts():
    found = tables(build_summary(busy_week(), PERIOD))
    assert set(found) == {
        "overdue",
        "at-risk",
        "hours-by-person",
        "hours-by-project",
        "changes",
        "sync-health",
        "services",
    }
    assert all(key.replace("-", "").isalnum() and key == key.lower() for key in found)
    assert found["overdue"][0] == {
        "Task": "Renew the scheduling tool",
        "Owner": "nobody",
        "Due": "Fri, Nov 20",
        "Late": "7 days",
        "Tracked": f"0.0{NBSP}h",
    }
    no_toggl = build_summary(busy_week(workspace=workspace(services=frozenset({"trello"}))), PERIOD)
    assert "hours-by-person" not in tables(no_toggl)


def test_reports_are_written_once_per_workspace_and_period(tmp_path):
    summary = build_summary(busy_week(), PERIOD)
    first = write_reports(summary, tmp_path / "reports")
    again = write_reports(summary, tmp_path / "reports")
    assert first == again
    assert sorted(path.name for path in (tmp_path / "reports").iterdir()) == [
        "brightpath-2026-w48-client.html",
        "brightpath-2026-w48-client.json",
        "brightpath-2026-w48-client.md",
        "brightpath-2026-w48.html",
        "brightpath-2026-w48.json",
        "brightpath-2026-w48.md",
    ]
    assert first["md"].read_text(encoding="utf-8") == render_markdown(summary)
    # The client report, for the client the workspace names: nothing internal in it.
    client = first["client-md"].read_text(encoding="utf-8")
    assert client == render_client_markdown(client_report(summary)) and "Camille Laurent" in client
    assert "utili" not in client.lower() and "sync" not in client.lower()
