"""The operations summary: a pure computation (`build_summary`) from what the engine holds
(`SummaryInput`) to a `Summary` value, and renderers that work only from that value.

    summary = build_summary(source, Period.week(today))
    render_markdown(summary); render_html(summary); render_json(summary); notion_blocks(summary)
    tables(summary); client_report(summary) -> render_client_markdown / render_client_html
"""

from summary.build import build_summary
from summary.client import client_report
from summary.inputs import (
    ConflictRecord,
    EntryView,
    PersonInfo,
    ProjectInfo,
    RefusedArchive,
    RunRecord,
    ServiceStatus,
    SummaryInput,
    SummarySettings,
    TaskView,
    WorkspaceInfo,
)
from summary.period import Period
from summary.result import ClientReport, Summary

__all__ = [
    "ClientReport",
    "ConflictRecord",
    "EntryView",
    "Period",
    "PersonInfo",
    "ProjectInfo",
    "RefusedArchive",
    "RunRecord",
    "ServiceStatus",
    "Summary",
    "SummaryInput",
    "SummarySettings",
    "TaskView",
    "WorkspaceInfo",
    "build_summary",
    "client_report",
]
