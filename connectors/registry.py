"""Which connector serves which service, and what it reads: the one place that names all four."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from config.hub_file import Workspace
from config.settings import HubSettings, Service
from connectors.gcal import GoogleCalendarConnector
from connectors.http import CoreOptions
from connectors.notion import NotionConnector
from connectors.toggl import TogglConnector
from connectors.trello import TrelloConnector
from sync.connector import Clock, Connector, utc_now
from sync.model import Event, Record, Task, TimeEntry

CONNECTORS: dict[Service, Any] = {
    "trello": TrelloConnector,
    "google": GoogleCalendarConnector,
    "toggl": TogglConnector,
    "notion": NotionConnector,
}

# The canonical record each service's connector reads and writes.
RECORDS: dict[Service, type[Record]] = {
    "trello": Task,
    "google": Event,
    "toggl": TimeEntry,
    "notion": Task,
}


# Connectors that keep what does not change between runs in a memo the store provides.
WITH_MEMO: frozenset[Service] = frozenset({"notion", "toggl"})


def connect(
    service: Service,
    settings: HubSettings,
    workspace: Workspace,
    options: CoreOptions | None = None,
    *,
    clock: Clock = utc_now,
    memo: MutableMapping[str, str] | None = None,
) -> Connector[Any]:
    """A connector for one service of one workspace; ConfigError when something it needs is missing.
    `memo` (the store's, per workspace and service) is handed to the connectors that use one."""
    extra = {"memo": memo} if service in WITH_MEMO and memo is not None else {}
    connector: Connector[Any] = CONNECTORS[service].from_settings(
        settings.service(service), workspace, options, clock=clock, **extra
    )
    return connector
