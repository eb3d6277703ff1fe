"""Pure conversions between Notion pages and canonical Tasks; no I/O.

Read: the configured properties (see `schema.TaskProperties`, found on a page by property id, so a
renamed column still reads) become the Task's fields. Status names are kept as they are (they are the
canonical statuses), `done` comes from the workspace's done statuses, people resolve through
`Directory.by_notion_user`, the project through the related project pages, `archived` is the page's
`in_trash`, the "Hub ID" rich text carries the link id, the "Trello card" URL is `peer_url`, and
`edited_at` is `last_edited_time`. The description is Markdown (markdown_render.py): links,
annotations, colours, mentions and equations survive the trip to Trello and back.

Write: the same fields become a `properties` payload, keyed by property id. Only the fields asked for
are written (`fields`, canonical names; `done` is written through the status). The estimate is read,
never written. A status must be one of the data source's options (Notion creates select and
multi-select options on write, never status ones). An assignee with no Notion user is left out (Notion
cannot hold her), a project with no page in the projects data source is refused.

`represent(task)` is the task as Notion holds it after a write and a read; see its docstring.

Version: `last_edited_time` is rounded down to the minute, so two edits in the same minute share it.
The version string is `<last_edited_time>#<content hash prefix>`: it moves when either moves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from connectors.directory import Directory
from connectors.errors import BadData
from connectors.notion.markdown_parse import parse_markdown
from connectors.notion.markdown_render import normalise, to_markdown
from connectors.notion.models import NotionPage, NotionPropertyValue
from connectors.notion.properties import read_value, write_value
from connectors.notion.schema import ProjectIndex, Prop, TaskProperties
from connectors.notion.spans import rich_text_request, spans_from_rich_text
from sync.connector import LINK_MARKER, Remote
from sync.model import Task

logger = logging.getLogger(__name__)

VERSION_SEPARATOR = "#"
_HASH_CHARS = 16
# Canonical field -> the TaskProperties field that holds it (`done` goes through the status).
FIELD_PROPERTIES: dict[str, str] = {
    "title": "title",
    "description": "description",
    "status": "status",
    "done": "status",
    "due": "due",
    "assignees": "assignees",
    "labels": "labels",
    "tracked_hours": "tracked",
    "project": "project",
    "peer_url": "card_url",
}
SYNCED = frozenset(FIELD_PROPERTIES) | {"archived"}


@dataclass(frozen=True)
class TaskContext:
    """What the mapping needs besides the page: property names, people, projects, the workspace zone."""

    properties: TaskProperties
    directory: Directory
    zone: tzinfo
    projects: ProjectIndex = field(default_factory=ProjectIndex)


# -- read --------------------------------------------------------------------------------------


def property_value(page: NotionPage, prop: Prop | None) -> NotionPropertyValue | None:
    """The page's value of `prop`, found by id (stable across renames), else by name."""
    if prop is None:
        return None
    found = next((v for v in page.properties.values() if v.id == prop.id), None)
    return found or page.properties.get(prop.name)


def _read(page: NotionPage, prop: Prop | None) -> Any:
    """The value of `prop` on the page; None when the field is not synced or the page lacks it."""
    value = property_value(page, prop)
    if value is None or prop is None:
        return None
    # The value's own type wins over the schema's: a Status column may have been changed to a select.
    return read_value(value.type, value.value, name=prop.name)


def _description(page: NotionPage, prop: Prop | None) -> str:
    value = property_value(page, prop)
    if value is None or not isinstance(value.value, list):
        return ""
    return to_markdown(spans_from_rich_text(value.value))


def link_id_of(page: NotionPage, properties: TaskProperties) -> str | None:
    text = (_read(page, properties.link) or "").strip()
    return text.removeprefix(LINK_MARKER).strip() or None


def page_to_task(page: NotionPage, context: TaskContext) -> Task:
    """The canonical Task of one page; BadData when the page cannot be one."""
    props, directory = context.properties, context.directory
    status = _read(page, props.status)
    people = _read(page, props.assignees) or []
    project_ids = _read(page, props.project) or []
    try:
        return Task(
            title=_read(page, props.title) or "",
            description=_description(page, props.description),
            status=status,
            done=directory.is_done(status),
            due=_read(page, props.due),
            assignees=frozenset(k for k in map(directory.by_notion_user, people) if k),
            labels=frozenset(_read(page, props.labels) or ()),
            estimate_hours=_read(page, props.estimate),
            tracked_hours=_read(page, props.tracked),
            project=next((k for k in map(context.projects.key_of, project_ids) if k), None),
            url=page_address(page.id),
            peer_url=_read(page, props.card_url),
            edited_at=page.edited_at,
            archived=page.trashed,
        )
    except ValidationError as exc:
        raise BadData(
            f"notion page {page.id} is not a valid task: {exc.errors()[0]['msg']}", service="notion"
        ) from exc


def version_of(page: NotionPage, task: Task) -> str:
    return f"{page.last_edited_time}{VERSION_SEPARATOR}{task.content_hash()[:_HASH_CHARS]}"


def split_version(version: str) -> tuple[datetime, str | None]:
    """(last edited time, content hash prefix or None for a bare timestamp)."""
    stamp, _, digest = version.partition(VERSION_SEPARATOR)
    try:
        return datetime.fromisoformat(stamp), digest or None
    except ValueError:
        raise BadData(
            f"notion version {version!r} is not one this connector wrote", service="notion"
        ) from None


def page_to_remote(page: NotionPage, context: TaskContext) -> Remote[Task]:
    return task_remote(page, page_to_task(page, context), context)


def task_remote(page: NotionPage, task: Task, context: TaskContext) -> Remote[Task]:
    """The page as a Remote holding `task` (read from it, or completed from what the store held)."""
    return Remote(
        remote_id=page.id,
        version=version_of(page, task),
        item=task,
        link_id=link_id_of(page, context.properties),
        url=page_address(page.id),
    )


def page_address(page_id: str) -> str:
    """The page's address that stays put: Notion's own `url` carries the title, which people edit
    (https://www.notion.so/Title-<id>); the bare id opens the same page. The card that links here
    (its "Notion" attachment) is then never rewritten because a title changed."""
    return f"https://www.notion.so/{page_id.replace('-', '')}"


# -- write -------------------------------------------------------------------------------------


def task_to_properties(
    task: Task,
    context: TaskContext,
    *,
    fields: Iterable[str] | None = None,
    link_id: str | None = None,
) -> dict[str, Any]:
    """The `properties` payload (keyed by property id) for `fields` of the task (all synced fields
    when None); the link property only when `link_id` is given."""
    props = context.properties
    names = SYNCED if fields is None else fields
    wanted = {FIELD_PROPERTIES[name] for name in names if name in FIELD_PROPERTIES}
    values: dict[Prop, Any] = {}
    for name in sorted(wanted):
        prop = getattr(props, name)
        if prop is not None:
            values[prop] = _WRITERS[name](task, context)
    if link_id is not None:
        values[props.link] = link_id
    payload: dict[str, Any] = {}
    for prop, value in values.items():
        if prop is props.description:
            payload[prop.id] = {"rich_text": rich_text_request(parse_markdown(value), where=prop.name)}
        elif value is not _SKIP:
            payload[prop.id] = write_value(prop.type, value, name=prop.name)
    return payload


_SKIP = object()  # a field the task leaves as it is (a status of None: Notion has no "no status")


def _status(task: Task, context: TaskContext) -> Any:
    done = context.directory.done_statuses
    status = task.status or (done[0] if task.done and done else None)
    if status is None:
        return _SKIP
    props = context.properties
    if props.status and props.status.type == "status" and status not in props.status_options:
        raise BadData(
            f"notion has no status {status!r} in {props.status.name!r} "
            f"(options: {', '.join(props.status_options)}); the API cannot add status options",
            service="notion",
        )
    return status


def _in_zone(when: Any, zone: tzinfo) -> Any:
    return when.astimezone(zone) if isinstance(when, datetime) else when


def _people(task: Task, context: TaskContext) -> list[str]:
    ids = []
    for key in sorted(task.assignees):
        user = context.directory.notion_user(key)
        if user is None:
            logger.warning("notion: %s has no Notion user id; left out of the assignees", key)
        else:
            ids.append(user)
    return ids


def _project(task: Task, context: TaskContext) -> list[str]:
    if task.project is None:
        return []
    page_id = context.projects.by_key.get(task.project)
    if page_id is None:
        raise BadData(
            f"notion has no page for project {task.project!r} in the projects data source "
            f"(known: {', '.join(sorted(context.projects.by_key)) or 'none'})",
            service="notion",
        )
    return [page_id]


def _labels(task: Task, context: TaskContext) -> list[str]:
    return sorted({label_option(label) for label in task.labels if label_option(label)})


def label_option(label: str) -> str:
    """A label as a multi-select option: "Commas (",") are not valid for select values", and an
    option name holds at most 100 characters (https://developers.notion.com/reference/page-property-values)."""
    return " ".join(label.replace(",", " ").split())[:100]


_WRITERS = {
    "title": lambda task, context: task.title,
    "description": lambda task, context: task.description,
    "status": _status,
    "due": lambda task, context: _in_zone(task.due, context.zone),
    "assignees": _people,
    "labels": _labels,
    "tracked": lambda task, context: task.tracked_hours,
    "project": _project,
    "card_url": lambda task, context: task.peer_url,
}


# -- represent ---------------------------------------------------------------------------------


def represent(task: Task, context: TaskContext) -> Task:
    """The task as Notion holds it after a write and a read (pure).

    - fields the data source has no property for are empty (`None`, nothing, ""), except the
      estimate, which Notion owns: it is kept as the task has it;
    - the due time loses its seconds: Notion's dates hold hours and minutes;
    - labels become multi-select options (no commas, at most 100 characters);
    - assignees without a Notion user, and a project without a page, are dropped (a write would
      leave them out or refuse them);
    - a status is kept as it is (a write refuses a status the data source lacks, naming the options)
      and `done` follows it through the workspace's done statuses;
    - the description is normalised Markdown: what reads back after Notion held it as rich text.
    """
    props, directory = context.properties, context.directory
    status = task.status if props.status else None
    due = task.due if props.due else None
    if isinstance(due, datetime):
        due = due.replace(second=0, microsecond=0)
    update = {
        "description": normalise(task.description) if props.description else "",
        "status": status,
        "done": directory.is_done(status),
        "due": due,
        "assignees": frozenset(k for k in task.assignees if props.assignees and directory.notion_user(k)),
        "labels": frozenset(_labels(task, context)) if props.labels else frozenset(),
        "tracked_hours": task.tracked_hours if props.tracked else None,
        "project": task.project if props.project and task.project in context.projects.by_key else None,
    }
    return task.model_copy(update=update)
