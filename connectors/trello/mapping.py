"""Trello cards <-> canonical tasks: pure functions, no I/O.

Card -> Task
- title = `name`; description = `desc` without the hub's link line (see below);
- status = the workspace's status for the card's list (`TrelloMapping.status_for_list`; an unmapped list
  keeps its own name); done = that status is a done status, or, under the workspace's
  `done_rule = "status_or_due_complete"`, also when the due date is marked complete (under the default
  "status", `dueComplete` is only written, as a mirror of done);
- due = `due` as an aware UTC datetime (Trello stores instants with millisecond precision);
- assignees = the people whose Trello username is a member of the card (others are not people the hub
  knows, and are left out); labels = the names of the card's labels (colour-only labels have none);
- project: the first label, by name, that the workspace's `project_labels` table maps to a project
  ("Client" -> "Signature Coaching Program"); without such a label, None. The label stays a label;
- estimate and tracked hours: Trello has none; archived = the card, or its list, is archived;
- about the copy: url = `shortUrl`; peer_url = the card's peer link attachment (peer.py); refs = how
  people name the card in time entries: `#<idShort>`, the `shortLink`, the `shortUrl`; edited_at =
  `dateLastActivity` (any activity, comments included).

Task -> card payload
- list: the first open list mapped to the status (`TrelloMapping.list_for_status`), else the card's current
  list, else the board's first open list;
- labels by name (the connector creates missing ones first), plus the project's label; members by
  username (assignees without a Trello username on the board are left out); `due` as ISO or null. A
  date-only due (from Notion) becomes `DATE_ONLY_DUE_TIME` in the workspace's time zone: Trello has no
  date-only due dates, and "by the end of the working day" is what such a date means.

The link id lives in the description as a Markdown link reference definition on its own last line,
`[obm-hub]: # "obm-hub:<link id>"`. Trello renders descriptions as Markdown, where a reference
definition renders as nothing, so people never see it, and it survives edits made around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import cast
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from config.hub_file import DoneRule, Workspace
from connectors.directory import Directory, normalise
from connectors.errors import BadData
from connectors.trello.models import (
    SERVICE,
    TrelloCard,
    TrelloCardWrite,
    TrelloLabel,
    TrelloList,
    TrelloMember,
)
from connectors.trello.peer import peer_url
from sync.connector import LINK_MARKER, Remote
from sync.model import Project, Task

DATE_ONLY_DUE_TIME = time(17, 0)
_LINK_LINE = re.compile(rf'^\[obm-hub\]:[ \t]+#[ \t]+"{LINK_MARKER}(?P<link>[^"\s]+)"[ \t]*$', re.M)


# -- the link line ---------------------------------------------------------------------------------


def link_line(link_id: str) -> str:
    return f'[obm-hub]: # "{LINK_MARKER}{link_id}"'


def with_link(description: str, link_id: str | None) -> str:
    """The card description: the text, a blank line, then the (invisible) link line."""
    if link_id is None:
        return description
    return f"{description}\n\n{link_line(link_id)}" if description else link_line(link_id)


def split_link(desc: str) -> tuple[str, str | None]:
    """(description without the link line, link id or None). The last link line wins, and the
    blank line the hub put before it goes with it."""
    found = list(_LINK_LINE.finditer(desc))
    if not found:
        return desc, None
    match = found[-1]
    before, after = desc[: match.start()], desc[match.end() :].removeprefix("\n")
    if after.strip():  # someone wrote below the link line: their text stays as it is
        return before + after, match["link"]
    separator = "\n\n" if before.endswith("\n\n") else "\n"
    return before.removesuffix(separator), match["link"]


# -- what the board says about ids -----------------------------------------------------------------


@dataclass(frozen=True)
class BoardIndex:
    """The board's lists, labels and members, looked up by id (reading) and by name (writing)."""

    lists: tuple[TrelloList, ...] = ()
    labels: tuple[TrelloLabel, ...] = ()
    members: tuple[TrelloMember, ...] = ()

    @classmethod
    def of_card(cls, card: TrelloCard) -> BoardIndex:
        """The part of the board a card fetched with `list=true&members=true` carries itself."""
        return cls(
            lists=(card.list_,) if card.list_ is not None else (),
            labels=tuple(card.labels),
            members=tuple(card.members or ()),
        )

    def list_by_id(self, list_id: str) -> TrelloList | None:
        return next((item for item in self.lists if item.id == list_id), None)

    def username(self, member_id: str) -> str | None:
        return next((m.username for m in self.members if m.id == member_id), None)

    def open_list_names(self) -> list[str]:
        ordered = sorted((item for item in self.lists if not item.closed), key=lambda i: i.pos or 0.0)
        return [item.name for item in ordered]

    def list_id(self, name: str) -> str | None:
        return next((i.id for i in self.lists if i.name == name and not i.closed), None)

    def label_id(self, name: str) -> str | None:
        return next((label.id for label in self.labels if label.name == name), None)

    def member_id(self, username: str | None) -> str | None:
        return next((m.id for m in self.members if username and m.username == username), None)

    def knows(self, card: TrelloCard) -> bool:
        """Whether this index can name the card's list and members."""
        members = {m.id for m in self.members}
        return self.list_by_id(card.idList or "") is not None and set(card.idMembers) <= members

    def with_label(self, label: TrelloLabel) -> BoardIndex:
        return BoardIndex(self.lists, (*self.labels, label), self.members)


@dataclass(frozen=True)
class TrelloMapping:
    """The workspace's side of the mapping: people, lists and statuses, time zone, project labels."""

    directory: Directory
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    project_labels: Mapping[str, str] = field(default_factory=dict)  # label name -> project name
    status_by_list: Mapping[str, str] = field(default_factory=dict)  # list name -> status
    done_rule: DoneRule = "status"

    @classmethod
    def from_workspace(cls, workspace: Workspace) -> TrelloMapping:
        labels = dict(workspace.trello.project_labels) if workspace.trello else {}
        directory, zone = Directory.from_workspace(workspace), ZoneInfo(workspace.timezone)
        return cls(directory, zone, labels, dict(workspace.status_map), workspace.done_rule)

    def is_done(self, status: str | None, due_complete: bool) -> bool:
        """The workspace's done rule (see `Workspace.done_rule`)."""
        ticked = due_complete and self.done_rule == "status_or_due_complete"
        return self.directory.is_done(status) or ticked

    def status_for_list(self, list_name: str) -> str:
        """The canonical status of a Trello list; an unmapped list keeps its own name."""
        return self.status_by_list.get(list_name, list_name)

    def list_for_status(self, status: str | None, list_names: list[str]) -> str | None:
        """The Trello list that holds `status`: the first mapped list, else one named like it."""
        for list_name in list_names:
            if status is not None and self.status_by_list.get(list_name) == status:
                return list_name
        return next((name for name in list_names if status and normalise(name) == normalise(status)), None)

    def project_of(self, label_names: set[str]) -> str | None:
        named = sorted(name for name in label_names if name in self.project_labels)
        return Project.named(self.project_labels[named[0]]).key if named else None

    def label_of(self, project_key: str | None) -> str | None:
        return next(
            (label for label, name in self.project_labels.items() if Project.named(name).key == project_key),
            None,
        )


# -- card -> task ----------------------------------------------------------------------------------


def card_to_remote(card: TrelloCard, board: BoardIndex, mapping: TrelloMapping) -> Remote[Task]:
    """The card as the hub's copy of a task: id, version (`dateLastActivity`), link id, content.
    The card must have been read with its attachments for `peer_url` to be known."""
    _, link_id = split_link(card.desc)
    task = card_to_task(card, board, mapping)
    return Remote(card.id, card.dateLastActivity, task, link_id=link_id, url=card.shortUrl)


def card_to_task(card: TrelloCard, board: BoardIndex, mapping: TrelloMapping) -> Task:
    """The canonical task of a card; BadData when the card cannot be read as one."""
    if card.name is None or card.idList is None:
        raise BadData(f"trello card {card.id} has no name or no list", service=SERVICE)
    card_list = board.list_by_id(card.idList)
    if card_list is None:
        raise BadData(f"trello card {card.id} is in a list the board does not have", service=SERVICE)
    status = mapping.status_for_list(card_list.name)
    labels = {label.name for label in card.labels if label.name}
    usernames = (board.username(member_id) for member_id in card.idMembers)
    people = {mapping.directory.by_trello_username(name) for name in usernames}
    description, _ = split_link(card.desc)
    try:
        return Task(
            title=card.name,
            description=description,
            status=status,
            done=mapping.is_done(status, card.dueComplete),
            due=parse_due(card.due, card.id),
            assignees=frozenset(key for key in people if key is not None),
            labels=frozenset(labels),
            estimate_hours=None,
            project=mapping.project_of(labels),
            url=card.shortUrl,
            peer_url=peer_url(card),
            refs=card_refs(card),
            edited_at=parse_due(card.dateLastActivity, card.id, "last activity date"),
            archived=card.closed or card_list.closed,
        )
    except ValidationError as exc:
        raise BadData(
            f"trello card {card.id} does not make a valid task: {exc.error_count()} problems", service=SERVICE
        ) from None


def card_refs(card: TrelloCard) -> frozenset[str]:
    """How people name the card in a time entry: "#17", its short link, its short URL."""
    refs = (f"#{card.idShort}" if card.idShort is not None else None, card.shortLink, card.shortUrl)
    return frozenset(ref for ref in refs if ref)


def parse_due(value: str | None, card_id: str, what: str = "due date") -> datetime | None:
    """A Trello date (`due`, `dateLastActivity`) as an aware UTC instant; BadData if unreadable."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadData(f"trello card {card_id} has an unreadable {what}", service=SERVICE) from None
    if parsed.tzinfo is None:
        raise BadData(f"trello card {card_id} has a {what} without a time zone", service=SERVICE)
    return parsed.astimezone(UTC)


# -- task -> card ----------------------------------------------------------------------------------


# The card parameters each canonical field is written to; Trello holds no estimate and no hours.
PARAMS_OF: Mapping[str, tuple[str, ...]] = {
    "title": ("name",),
    "description": ("desc",),
    "status": ("idList",),
    "done": ("dueComplete",),
    "due": ("due",),
    "assignees": ("idMembers",),
    "labels": ("idLabels",),
    "project": ("idLabels",),  # the project is a label
    "archived": ("closed",),
    "estimate_hours": (),
    "tracked_hours": (),
}


def params_for(fields: Iterable[str]) -> frozenset[str]:
    """The card parameters that write `fields`; ValueError for a name the canonical task lacks."""
    unknown = set(fields) - set(Task.model_fields)
    if unknown:
        raise ValueError(f"not fields of a task: {sorted(unknown)}")
    return frozenset(param for name in fields for param in PARAMS_OF.get(name, ()))


def task_to_card(
    task: Task,
    board: BoardIndex,
    mapping: TrelloMapping,
    *,
    link_id: str | None,
    current_list: str | None = None,
    params: frozenset[str] | None = None,
) -> TrelloCardWrite:
    """The `PUT /cards/{id}` body for a task (`POST /cards` takes it without `closed`); with `params`,
    only those card parameters (see `params_for`)."""
    builders: dict[str, Callable[[], object]] = {
        "name": lambda: task.title,
        "desc": lambda: with_link(task.description, link_id),
        "idList": lambda: _list_for(task, board, mapping, current_list),
        "idLabels": lambda: ",".join(_label_ids(task, board, mapping)),
        "idMembers": lambda: ",".join(_member_ids(task, board, mapping)),
        "due": lambda: format_due(task.due, mapping.timezone),
        "dueComplete": lambda: task.done,  # under either done rule, the tick mirrors done
        "closed": lambda: task.archived,
    }
    wanted = builders.keys() if params is None else params
    return cast(TrelloCardWrite, {name: build() for name, build in builders.items() if name in wanted})


def _label_ids(task: Task, board: BoardIndex, mapping: TrelloMapping) -> list[str]:
    label_ids = []
    for name in sorted(label_names(task, mapping)):
        label_id = board.label_id(name)
        if label_id is None:
            raise BadData(f"trello board has no label named {name!r}", service=SERVICE)
        label_ids.append(label_id)
    return label_ids


def _member_ids(task: Task, board: BoardIndex, mapping: TrelloMapping) -> list[str]:
    usernames = (mapping.directory.trello_username(key) for key in sorted(task.assignees))
    return [member for member in map(board.member_id, usernames) if member is not None]


def label_names(task: Task, mapping: TrelloMapping) -> set[str]:
    """The labels a task's card carries: its own, and its project's."""
    project_label = mapping.label_of(task.project)
    return set(task.labels) | ({project_label} if project_label else set())


def format_due(due: date | datetime | None, timezone: ZoneInfo) -> str | None:
    if due is None:
        return None
    instant = due if isinstance(due, datetime) else datetime.combine(due, DATE_ONLY_DUE_TIME, timezone)
    return format_instant(instant)


def format_instant(instant: datetime) -> str:
    """Trello's way of writing a time: UTC, milliseconds, `Z`."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _list_for(task: Task, board: BoardIndex, mapping: TrelloMapping, current_list: str | None) -> str:
    names = board.open_list_names()
    name = mapping.list_for_status(task.status, names)
    chosen = board.list_id(name) if name else None
    fallback = current_list or (board.list_id(names[0]) if names else None)
    if chosen is None and fallback is None:
        raise BadData("trello board has no open list to put the card in", service=SERVICE)
    return chosen or fallback  # type: ignore[return-value]
