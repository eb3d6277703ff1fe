"""What `obm-hub doctor` asks each service, beyond "can we read it": one or two cheap calls per
service, each answer turned into findings a person can act on (what is wrong, and how to fix it).

    service   calls                                     checks
    trello    the board's lists                         the board is shared with the token's user; the
                                                        lists `status_map` names exist
    google    one event of the calendar                 the calendar is writable (`accessRole` writer or
                                                        owner, as `events.list` reports it)
    toggl     the user's workspaces                     the token's user is an admin of the workspace;
                                                        the hourly quota left in each bucket
    notion    the database, then its data source        each mapped property exists with a type that
                                                        can hold its field

A call the service refuses raises its `ConnectorError` (AuthError: the credentials; Unavailable: the
service or the network), which the caller reports with the error's own advice. A missing board,
calendar, workspace or database becomes a finding naming the hub-file key to check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from config.hub_file import Workspace
from connectors.errors import NotFound
from connectors.notion.schema import FIELDS
from connectors.toggl.client import QuotaReading

# problem: a setting to change; failed: the next attempt may pass (a spent quota)
Level = Literal["ok", "warning", "failed", "problem"]
WRITABLE_ROLES = ("writer", "owner")
LOW_QUOTA = 10  # requests left in an hourly bucket below which a run may stall until it resets


@dataclass(frozen=True)
class Finding:
    service: str
    level: Level
    message: str
    fix: str | None = None

    def __str__(self) -> str:
        return f"{self.service}: {self.message}" + (f": {self.fix}" if self.fix else "")


def diagnose(service: str, connector: Any, workspace: Workspace) -> list[Finding]:
    """The findings for one service of one workspace (its connector built from the settings)."""
    return CHECKS[service](connector, workspace)


def _trello(connector: Any, workspace: Workspace) -> list[Finding]:
    assert workspace.trello is not None
    board = workspace.trello.board_id
    try:
        lists = connector.client.get_board_lists(board)
    except NotFound:
        return [_missing("trello", f"board {board}", "trello.board_id", "a member of the board")]
    names = {item.name for item in lists if not getattr(item, "closed", False)}
    found = [Finding("trello", "ok", f"board {board} readable ({len(names)} open lists)")]
    for name in sorted(set(workspace.status_map) - names):
        found.append(
            Finding(
                "trello",
                "problem",
                f"status_map names the list {name!r}, which board {board} does not have",
                "rename the list on the board or the key in the hub file's status_map",
            )
        )
    return found


def _google(connector: Any, workspace: Workspace) -> list[Finding]:
    assert workspace.google is not None
    calendar = workspace.google.calendar_id
    try:
        page = connector.client.list_events(calendar, max_results=1)
    except NotFound:
        return [_missing("google", f"calendar {calendar}", "google.calendar_id", "the calendar's account")]
    role = (page.model_extra or {}).get("accessRole")
    if role in WRITABLE_ROLES:
        return [Finding("google", "ok", f"calendar {calendar} writable (access role {role})")]
    return [
        Finding(
            "google",
            "problem",
            f"calendar {calendar} is not writable by the hub's account (access role {role or 'unknown'})",
            "share the calendar with it with 'Make changes to events'",
        )
    ]


def _toggl(connector: Any, workspace: Workspace) -> list[Finding]:
    assert workspace.toggl is not None
    wanted = workspace.toggl.workspace_id
    client = connector.client
    member = next((w for w in client.list_my_workspaces() if w.id == wanted), None)
    if member is None:
        found = [_missing("toggl", f"workspace {wanted}", "toggl.workspace_id", "a member of the workspace")]
    elif member.administered:
        found = [Finding("toggl", "ok", f"the token's user is an admin of workspace {wanted}")]
    elif workspace.toggl.non_admin == "own_entries":
        found = [
            Finding(
                "toggl",
                "warning",
                f"the token's user is no admin of workspace {wanted}: only her own entries are read",
                "use an admin's token to read the team's hours",
            )
        ]
    else:
        found = [
            Finding(
                "toggl",
                "problem",
                f"the token's user is no admin of workspace {wanted}, so the team's hours cannot be read",
                "use a workspace admin's API token, or make this user an admin "
                '(or set non_admin = "own_entries" in the workspace\'s [toggl] table)',
            )
        ]
    quota = client.quota
    return [*found, _quota("/me", quota.me), _quota("workspace", quota.workspace)]


def _quota(bucket: str, reading: QuotaReading) -> Finding:
    if reading.remaining is None:
        return Finding("toggl", "ok", f"quota ({bucket}): not reported (no hourly limit on this plan)")
    resets = f", resets in {reading.resets_in / 60:.0f} min" if reading.resets_in is not None else ""
    message = f"quota ({bucket}): {reading.remaining} requests left this hour{resets}"
    if reading.remaining == 0:
        return Finding("toggl", "failed", message, "wait for the reset, or sync less often")
    if reading.remaining < LOW_QUOTA:
        return Finding("toggl", "warning", message, "a run may wait for the reset; sync less often")
    return Finding("toggl", "ok", message)


def _notion(connector: Any, workspace: Workspace) -> list[Finding]:
    config = workspace.notion
    assert config is not None
    client = connector.client
    try:
        database = client.retrieve_database(config.database_id)
    except NotFound:
        where = f"database {config.database_id}"
        return [_missing("notion", where, "notion.database_id", "the integration (Connections menu)")]
    sources = [source.id for source in database.data_sources]
    source_id = config.data_source_id or (sources[0] if len(sources) == 1 else None)
    if source_id is None:
        return [
            Finding(
                "notion",
                "problem",
                f"database {config.database_id} has {len(sources)} data sources",
                f"set notion.data_source_id to the tasks one ({', '.join(sources) or 'none'})",
            )
        ]
    properties = client.retrieve_data_source(source_id).properties
    found = [Finding("notion", "ok", f"data source {source_id} readable ({len(properties)} properties)")]
    for field, spec in FIELDS.items():
        name = getattr(config, spec.attribute)
        kinds = " or ".join(spec.types)
        schema = properties.get(name)
        if schema is None:
            level: Level = "problem" if spec.required else "warning"
            effect = "the hub cannot run" if spec.required else f"{field} is not synced"
            fix = f"add a {kinds} property named {name!r}, or set notion.{spec.attribute} in the hub file"
            found.append(Finding("notion", level, f"no property {name!r} ({effect})", fix))
        elif schema.type not in spec.types:
            found.append(
                Finding(
                    "notion",
                    "problem",
                    f"property {name!r} is a {schema.type}; {field} needs a {kinds}",
                    f"change its type, or point notion.{spec.attribute} at a {kinds} property",
                )
            )
    return found


def _missing(service: str, what: str, key: str, share_with: str) -> Finding:
    return Finding(
        service,
        "problem",
        f"{what} not found, or not shared with the hub's credentials",
        f"check {key} in the hub file, and that the credentials are those of {share_with}",
    )


CHECKS: dict[str, Callable[[Any, Workspace], list[Finding]]] = {
    "trello": _trello,
    "google": _google,
    "toggl": _toggl,
    "notion": _notion,
}
