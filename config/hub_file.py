"""The hub file: the non-secret shape of the hub, one TOML file.

One workspace per client business: which Trello board, Notion database, Google calendar and Toggl
workspace it uses, and how their fields map onto each other. `config/hub.example.toml` documents
every key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from config.slug import slug

Language = Literal["en", "fr"]
# When a task counts as done; see `Workspace.done_rule`.
DoneRule = Literal["status", "status_or_due_complete"]


def _valid_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r} (e.g. 'Europe/Paris')") from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_valid_timezone)]
# Enough to catch a name typed where an address belongs; delivery is the services' business.
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", to_lower=True)]


class _Strict(BaseModel):
    # Unknown keys are errors: a typo in the hub file must not silently drop a mapping.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrelloBoard(_Strict):
    board_id: str = Field(min_length=1)
    project_labels: dict[str, str] = Field(
        default_factory=dict, description="Label name -> project name: the label that marks a card's project."
    )


class NotionDatabase(_Strict):
    """A Notion database of tasks; its data source is resolved at run time unless given."""

    database_id: str = Field(min_length=1)
    data_source_id: str | None = None
    title_property: str = "Name"
    status_property: str = "Status"
    due_property: str = "Due"
    assignee_property: str = "Assignee"
    labels_property: str = "Tags"
    estimate_property: str = Field(default="Estimate (h)", description="A number, read only.")
    tracked_property: str = Field(default="Tracked (h)", description="A number: hours tracked in Toggl.")
    card_url_property: str = Field(default="Trello card", description="A URL: the linked Trello card.")
    description_property: str = "Description"
    project_property: str = Field(default="Project", description="A relation to a data source of projects.")
    link_property: str = Field(default="Hub ID", description="Rich-text property holding the hub's link id.")


class GoogleCalendar(_Strict):
    calendar_id: str = Field(default="primary", min_length=1)


class TogglWorkspace(_Strict):
    workspace_id: int = Field(gt=0)
    window_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description=(
            "The team's entries are read over the last N days and today; older entries keep their "
            "last known state."
        ),
    )
    non_admin: Literal["error", "own_entries"] = Field(
        default="error",
        description=(
            "When the token's user is not an admin of the workspace: 'error' (the team's hours need an "
            "admin's token) or 'own_entries' (read only hers, with a warning)."
        ),
    )


class Person(_Strict):
    """One member of the team, as each service knows her."""

    name: str = Field(min_length=1)
    email: Email
    role: str | None = None
    trello_username: str | None = None
    notion_user_id: str | None = None
    toggl_user_id: int | None = None
    aliases: tuple[str, ...] = ()
    capacity_hours: float | None = Field(
        default=None, ge=0, le=168, description="Weekly capacity in hours: the summary's utilisation."
    )


class SummarySettings(_Strict):
    """The operations summary's thresholds and where it goes (README, "How the summary counts")."""

    blocked_label: str = Field(
        default="Blocked", min_length=1, description="The label that marks a blocked task."
    )
    review_statuses: tuple[str, ...] = Field(
        default=("In review",), description="Statuses a task waits in for review."
    )
    review_days: int = Field(default=3, ge=0, description="Days in review before a task counts as stuck.")
    long_timer_hours: float = Field(default=8.0, gt=0, description="A timer running longer needs a look.")
    at_risk_working_days: int = Field(
        default=3, ge=0, description="Open tasks due within this many working days may be at risk."
    )
    credentials_warning_days: int = Field(
        default=7, ge=0, description="Credentials that expire within this many days turn the headline amber."
    )
    notion_parent_page_id: str | None = Field(
        default=None, description="The Notion page under which the summary pages are published."
    )
    reports_dir: Path | None = Field(
        default=None, description="Where the Markdown, HTML and JSON files go; default <var_dir>/reports."
    )
    client_name: str | None = Field(default=None, description="Who the client report is addressed to.")


class ArchiveGuardSettings(_Strict):
    """The mass-archive guard: a plan archiving more than `share` of a side's linked items (and more
    than `floor` of them), or more than `count`, is refused unless the run allows it."""

    share: float = Field(default=0.10, gt=0, le=1)
    floor: int = Field(default=5, ge=0)
    count: int = Field(default=50, ge=1)


class SyncSettings(_Strict):
    """How the tasks relation (Trello board <-> Notion data source) syncs."""

    mode: Literal["match_then_create", "create_only", "match_only"] = Field(
        default="match_then_create",
        description=(
            "First contact: match what both sides hold (by link id, then title and due), create the rest."
        ),
    )
    conflicts: dict[str, str] = Field(
        default_factory=dict,
        description="Field -> who wins when both sides changed it: 'latest', 'trello' or 'notion'.",
    )
    default_conflict: str = Field(default="latest", description="Who wins a conflict on other fields.")
    on_card_leaving: Literal["unlink", "archive"] = Field(
        default="unlink", description="A card moved to another board: stop syncing it, or archive its page."
    )
    archive_guard: ArchiveGuardSettings = Field(default_factory=ArchiveGuardSettings)

    @model_validator(mode="after")
    def _winners_are_known(self) -> SyncSettings:
        for field_name, winner in {**self.conflicts, "(default)": self.default_conflict}.items():
            if winner not in {"latest", "trello", "notion"}:
                raise ValueError(
                    f"conflict policy {winner!r} for {field_name}: use 'latest', 'trello' or 'notion'"
                )
        return self


class AgendaSettings(_Strict):
    """Deadline events in the workspace's calendar for open tasks with a due date."""

    enabled: bool = True
    done: Literal["check", "remove"] = Field(
        default="check", description="A done task's event: kept with a check mark, or removed."
    )
    timed_minutes: int = Field(default=30, ge=5, le=24 * 60, description="Length of a timed deadline event.")
    prefix: str = Field(default="Due: ", description="Before the task's title in the event's title.")
    done_prefix: str = Field(default="✓ ", description="Before a done task's title.")
    two_way_dates: bool = Field(default=False, description="Moving a deadline event moves its task's due.")


class TimeSettings(_Strict):
    """The team's hours from Toggl Track onto the tasks."""

    meetings_to_toggl: bool = Field(
        default=False, description="Calendar meetings the team attended become time entries once they end."
    )
    meeting_people: tuple[Email, ...] | None = Field(
        default=None, description="Whose meetings become entries; default: everyone with a Toggl user id."
    )
    meeting_tags: tuple[str, ...] = Field(default=("meeting",), description="Tags of the meeting entries.")


class Workspace(_Strict):
    """One client business."""

    name: str = Field(min_length=1)
    timezone: TimeZoneName = "Europe/Paris"
    language: Language = "en"
    trello: TrelloBoard | None = None
    notion: NotionDatabase | None = None
    google: GoogleCalendar | None = None
    toggl: TogglWorkspace | None = None
    status_map: dict[str, str] = Field(
        default_factory=dict, description="Trello list name -> Notion status name."
    )
    done_statuses: tuple[str, ...] = ("Done",)
    done_rule: DoneRule = Field(
        default="status",
        description=(
            "'status': a task is done exactly when its status is one of done_statuses (Trello's due-date"
            " tick mirrors it on write and is ignored on read); 'status_or_due_complete': a ticked due"
            " date also makes it done."
        ),
    )
    people: tuple[Person, ...] = ()
    summary: SummarySettings = Field(default_factory=SummarySettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    agenda: AgendaSettings = Field(default_factory=AgendaSettings)
    time: TimeSettings = Field(default_factory=TimeSettings)

    def services(self) -> list[str]:
        """The services this workspace uses, in the settings' naming."""
        return [name for name in ("trello", "google", "toggl", "notion") if getattr(self, name) is not None]


class HubFile(_Strict):
    workspaces: dict[str, Workspace] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_are_slugs(self) -> HubFile:
        seen: dict[str, str] = {}
        for key in self.workspaces:
            if not key.replace("-", "").replace("_", "").isalnum() or key != key.lower():
                raise ValueError(f"workspace key {key!r} must be lowercase letters, digits, '-' or '_'")
            # Prefect names a workspace's artifacts by slug: two keys must not share one.
            other = seen.setdefault(slug(key), key)
            if other != key:
                raise ValueError(f"workspace keys {other!r} and {key!r} are too alike; rename one")
        return self


def read_hub_file(path: Path) -> dict[str, object]:
    """The raw TOML table; `OSError` (missing, a directory), `UnicodeDecodeError` (not UTF-8) and
    `tomllib.TOMLDecodeError` propagate to the loader, which names the file."""
    with path.open("rb") as handle:
        return tomllib.load(handle)
