"""Toggl Track API v9: client, raw models, mapping to canonical time entries, and the connector."""

from connectors.toggl.client import CREATED_WITH, QuotaReading, TogglClient, TogglQuota
from connectors.toggl.connector import TogglConnector
from connectors.toggl.cursor import TogglCursor
from connectors.toggl.models import (
    TogglProject,
    TogglTag,
    TogglTimeEntry,
    TogglTimeEntryPayload,
    TogglUser,
    TogglWorkspaceUser,
)

__all__ = [
    "CREATED_WITH",
    "QuotaReading",
    "TogglClient",
    "TogglConnector",
    "TogglCursor",
    "TogglProject",
    "TogglQuota",
    "TogglTag",
    "TogglTimeEntry",
    "TogglTimeEntryPayload",
    "TogglUser",
    "TogglWorkspaceUser",
]
