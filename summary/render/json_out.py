"""The summary as JSON, for whoever builds on it; `summary/summary.schema.json` documents every field.

The shape follows the `Summary` value field for field: durations tracked are whole seconds, estimates
hours, instants ISO 8601 with the workspace's offset, days ISO dates, people and projects by key
(`people` and `projects` give their names). A delta carries its `change`.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from importlib import resources
from typing import Any

from summary.result import ClientReport, Delta, Summary

SCHEMA_VERSION = 1


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `render_json`'s output."""
    text = resources.files("summary").joinpath("summary.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def summary_data(summary: Summary) -> dict[str, Any]:
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": "summary"}
    data.update(_plain(summary))
    return data


def client_data(report: ClientReport) -> dict[str, Any]:
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": "client_report"}
    data.update(_plain(report))
    return data


def render_json(summary: Summary) -> str:
    return json.dumps(summary_data(summary), ensure_ascii=False, indent=2) + "\n"


def render_client_json(report: ClientReport) -> str:
    return json.dumps(client_data(report), ensure_ascii=False, indent=2) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Delta):
        return {"current": value.current, "previous": value.previous, "change": value.change}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value
