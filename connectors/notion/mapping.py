"""Pure conversions between Notion pages and canonical Tasks; no I/O.

Read: the configured properties (see `schema.TaskProperties`) become the Task's fields; status names
are kept as they are (they are the canonical statuses), `done` comes from the workspace's done
statuses, people resolve through `Directory.by_notion_user`, the project through the related project
pages, `archived` is the page's `in_trash`, and the "Hub ID" rich text carries the link id.

Write: the same fields become a `properties` payload for create/update. A status must be one of the
data source's options (Notion creates select and multi-select options on write, never status ones).
An assignee with no Notion user is left out (Notion cannot hold her), a project with no page in the
projects data source is refused.

Version: `last_edited_time` is rounded down to the minute, so two edits in the same minute share it.
The version string is `<last_edited_time>#<content hash prefix>`: it moves when either moves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from connectors.directory import Directory
from connectors.errors import BadData
from connectors.notion.models import NotionPage
from connectors.notion.properties import read_value, write_value
from connectors.notion.schema import ProjectIndex, Prop, TaskProperties
from sync.connector import LINK_MARKER, Remote
from sync.model import Task

logger = logging.getLogger(__name__)

VERSION_SEPARATOR = "#"
_HASH_CHARS = 16


@dataclass(frozen=True)
class TaskContext:
    """What the mapping needs besides the page: property names, people, projects, the workspace zone."""

    properties: TaskProperties
    directory: Directory
    zone: tzinfo
    projects: ProjectIndex = field(default_factory=ProjectIndex)


# -- read --------------------------------------------------------------------------------------


def _read(page: NotionPage, prop: Prop | None) -> Any:
    """The value of `prop` on the page; None when the field is not synced or the page lacks it."""
    if prop is None:
        return None
    value = page.properties.get(prop.name)
    if value is None:
        return None
    # The value's own type wins over the schema's: a Status column may have been changed to a select.
    return read_value(value.type, value.value, name=prop.name)


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
            description=_read(page, props.description) or "",
            status=status,
            done=directory.is_done(status),
            due=_read(page, props.due),
            assignees=frozenset(k for k in map(directory.by_notion_user, people) if k),
            labels=frozenset(_read(page, props.labels) or ()),
            estimate_hours=_read(page, props.estimate),
            project=next((k for k in map(context.projects.key_of, project_ids) if k), None),
            url=page.url,
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
    task = page_to_task(page, context)
    return Remote(
        remote_id=page.id,
        version=version_of(page, task),
        item=task,
        link_id=link_id_of(page, context.properties),
        url=page.url,
    )


# -- write -------------------------------------------------------------------------------------


def task_to_properties(task: Task, context: TaskContext, *, link_id: str | None = None) -> dict[str, Any]:
    """The `properties` payload for the task's synced fields (the link only when `link_id` is given)."""
    props = context.properties
    values: dict[Prop, Any] = {props.title: task.title}
    if props.status is not None and task.status is not None:
        values[props.status] = _status(task.status, props)
    optional: dict[Prop | None, Any] = {
        props.due: _in_zone(task.due, context.zone),
        props.assignees: _people(task, context.directory),
        props.labels: task.labels,
        props.estimate: task.estimate_hours,
        props.description: task.description,
        props.project: _project(task.project, context.projects) if props.project else None,
    }
    if link_id is not None:
        optional[props.link] = link_id
    values.update((prop, value) for prop, value in optional.items() if prop is not None)
    return {prop.name: write_value(prop.type, value, name=prop.name) for prop, value in values.items()}


def _status(status: str, props: TaskProperties) -> str:
    if props.status and props.status.type == "status" and status not in props.status_options:
        raise BadData(
            f"notion has no status {status!r} in {props.status.name!r} "
            f"(options: {', '.join(props.status_options)}); the API cannot add status options",
            service="notion",
        )
    return status


def _in_zone(when: Any, zone: tzinfo) -> Any:
    return when.astimezone(zone) if isinstance(when, datetime) else when


def _people(task: Task, directory: Directory) -> list[str]:
    ids = []
    for key in sorted(task.assignees):
        user = directory.notion_user(key)
        if user is None:
            logger.warning("notion: %s has no Notion user id; left out of the assignees", key)
        else:
            ids.append(user)
    return ids


def _project(project: str | None, projects: ProjectIndex) -> list[str]:
    if project is None:
        return []
    page_id = projects.by_key.get(project)
    if page_id is None:
        raise BadData(
            f"notion has no page for project {project!r} in the projects data source "
            f"(known: {', '.join(sorted(projects.by_key)) or 'none'})",
            service="notion",
        )
    return [page_id]
