"""Toggl Track: the API v9 and Reports API v3 clients, raw models, mapping to canonical time entries,
and the connector that reads the whole team's hours."""

from connectors.toggl.client import CREATED_WITH, QuotaReading, TogglClient, TogglQuota
from connectors.toggl.connector import TogglConnector
from connectors.toggl.cursor import TogglCursor
from connectors.toggl.models import (
    TogglProject,
    TogglReportEntry,
    TogglReportQuery,
    TogglReportRow,
    TogglTag,
    TogglTimeEntry,
    TogglTimeEntryPayload,
    TogglUser,
    TogglWorkspace,
    TogglWorkspaceUser,
)
from connectors.toggl.reports import TogglReports

__all__ = [
    "CREATED_WITH",
    "QuotaReading",
    "TogglClient",
    "TogglConnector",
    "TogglCursor",
    "TogglProject",
    "TogglQuota",
    "TogglReportEntry",
    "TogglReportQuery",
    "TogglReportRow",
    "TogglReports",
    "TogglTag",
    "TogglTimeEntry",
    "TogglTimeEntryPayload",
    "TogglUser",
    "TogglWorkspace",
    "TogglWorkspaceUser",
]
