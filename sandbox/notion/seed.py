"""The demo business in Notion: the tasks database (one data source), a small projects database it
relates to, the team as users, and the integration's bot.

Tasks are the business's tasks that are `on_notion`, with their Notion-side differences applied.
Every id is derived from a business key (uuid5), every time from the business's `now`: the same seed
and `now` give the same workspace. No page carries a Hub ID yet: the hub has never run against it.
Page times are rounded down to the minute, as Notion's are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from config.hub_file import NotionDatabase
from sandbox.business import COACHING, BizTask, Business
from sandbox.notion.pages import new_page, page_url
from sandbox.notion.store import Json, NotionStore, partial_user, stable_id, text_segment

STATUS_COLORS = {"Backlog": "default", "This week": "blue", "In progress": "yellow", "In review": "purple"}
GROUPS = (("To-do", "gray"), ("In progress", "blue"), ("Complete", "green"))
DESCRIPTION, PROJECT, RESOURCE, CLIENT_FACING = "Description", "Project", "Resource", "Client-facing"
PRIORITY = "Priority"  # a select: "High" on urgent tasks, empty (null) on the others


@dataclass(frozen=True)
class Ids:
    database: str
    data_source: str
    projects_database: str
    projects_source: str
    bot: str

    @classmethod
    def of(cls, business: Business) -> Ids:
        config = _config(business)
        return cls(
            database=config.database_id,
            data_source=config.data_source_id or stable_id("data_source", config.database_id),
            projects_database=stable_id("database", business.scoped("projects")),
            projects_source=stable_id("data_source", business.scoped("projects")),
            bot=stable_id("user", "bot"),
        )


def _config(business: Business) -> NotionDatabase:
    assert business.workspace.notion is not None, "the demo workspace names a Notion database"
    return business.workspace.notion


def seed_store(business: Business, store: NotionStore | None = None) -> NotionStore:
    """The business's databases and pages, in a new store or added to `store` (several businesses
    shared with one integration)."""
    ids = Ids.of(business)
    store = store or NotionStore(bot_id=ids.bot, workspace_name=business.workspace.name)
    users = _users(business, ids.bot)
    store.users.update({user_id: user for user_id, user in users.items() if user_id not in store.users})
    created = business.now - timedelta(days=120)
    _add_database(store, ids.projects_database, ids.projects_source, "Projects", _projects_schema(), created)
    _add_database(store, ids.database, ids.data_source, "Tasks", _task_schema(business, ids), created)
    for project in business.projects:
        page = new_page(
            store,
            store.data_sources[ids.projects_source],
            stable_id("project", project.name),
            created,
            ids.bot,
        )
        page["properties"]["Name"]["title"] = [text_segment(project.name)]
        page["url"] = page_url(project.name, page["id"])
        store.pages[page["id"]] = page
    for task in business.tasks:
        if task.on_notion:
            page = _task_page(store, business, ids, _notion_copy(task))
            store.pages[page["id"]] = page
    return store


def _users(business: Business, bot_id: str) -> dict[str, Json]:
    users: dict[str, Json] = {}
    for person in business.people:
        if person.notion_user_id:
            users[person.notion_user_id] = {
                "object": "user",
                "id": person.notion_user_id,
                "name": person.name,
                "avatar_url": None,
                "type": "person",
                "person": {"email": person.email},
            }
    users[bot_id] = {
        "object": "user",
        "id": bot_id,
        "name": "obm-hub",
        "avatar_url": None,
        "type": "bot",
        "bot": {"owner": {"type": "workspace", "workspace": True}, "workspace_name": business.workspace.name},
    }
    return users


def _option(property_id: str, name: str, color: str) -> Json:
    return {"id": stable_id("option", property_id, name), "name": name, "color": color}


def _status_config(business: Business, property_id: str) -> Json:
    names = list(dict.fromkeys([*business.workspace.status_map.values(), *business.workspace.done_statuses]))
    options = [_option(property_id, name, STATUS_COLORS.get(name, "green")) for name in names]
    done = set(business.workspace.done_statuses)
    members = {
        "To-do": [o for o in options if o["name"] in ("Backlog", "This week")],
        "Complete": [o for o in options if o["name"] in done],
    }
    members["In progress"] = [o for o in options if all(o not in group for group in members.values())]
    groups = [
        {
            "id": stable_id("group", property_id, name),
            "name": name,
            "color": color,
            "option_ids": [o["id"] for o in members[name]],
        }
        for name, color in GROUPS
    ]
    return {"options": options, "groups": groups}


def _task_schema(business: Business, ids: Ids) -> list[tuple[str, str, str, Json]]:
    """(name, id, type, configuration) of each column, names from the hub file."""
    config = _config(business)
    relation = {
        "database_id": ids.projects_database,
        "data_source_id": ids.projects_source,
        "type": "single_property",
        "single_property": {},
    }
    labels = {"options": [_option("Tg%3Ab", label, "default") for label in business.labels]}
    return [
        (config.title_property, "title", "title", {}),
        (config.status_property, "Z%5CQe", "status", _status_config(business, "Z%5CQe")),
        (config.due_property, "%3DvKx", "date", {}),
        (config.assignee_property, "p%7Dr%3F", "people", {}),
        (config.labels_property, "Tg%3Ab", "multi_select", labels),
        (config.estimate_property, "e%5Dh%40", "number", {"format": "number"}),
        (config.link_property, "hub%3A", "rich_text", {}),
        (DESCRIPTION, "d%3BsC", "rich_text", {}),
        (PROJECT, "pr%7Cj", "relation", relation),
        (RESOURCE, "rs%3Du", "url", {}),
        (CLIENT_FACING, "cf%3F%3F", "checkbox", {}),
        (
            PRIORITY,
            "pri%7B",
            "select",
            {"options": [_option("pri%7B", "High", "red"), _option("pri%7B", "Low", "gray")]},
        ),
    ]


def _projects_schema() -> list[tuple[str, str, str, Json]]:
    return [("Name", "title", "title", {})]


def _add_database(
    store: NotionStore,
    database_id: str,
    source_id: str,
    title: str,
    schema: list[tuple[str, str, str, Json]],
    created: datetime,
) -> None:
    """A database holding one data source with `schema` (name, property id, type, configuration)."""
    root = {"type": "page_id", "page_id": stable_id("page", "workspace-home")}
    store.databases[database_id] = {
        "object": "database",
        "id": database_id,
        **_container_fields(store, title, created),
        "parent": root,
        "is_locked": False,
        "data_sources": [{"id": source_id, "name": title}],
        "url": f"https://www.notion.so/{database_id.replace('-', '')}",
    }
    store.data_sources[source_id] = {
        "object": "data_source",
        "id": source_id,
        **_container_fields(store, title, created),
        "archived": False,
        "parent": {"type": "database_id", "database_id": database_id},
        "database_parent": root,
        "properties": {
            name: {"id": prop_id, "name": name, "type": kind, kind: config}
            for name, prop_id, kind, config in schema
        },
        "url": f"https://www.notion.so/{source_id.replace('-', '')}",
    }


def _container_fields(store: NotionStore, title: str, created: datetime) -> Json:
    stamp = created.isoformat(timespec="milliseconds")  # database objects carry an offset, not `Z`
    return {
        "created_time": stamp,
        "last_edited_time": stamp,
        "created_by": partial_user(store.bot_id),
        "last_edited_by": partial_user(store.bot_id),
        "title": [text_segment(title)],
        "description": [],
        "icon": None,
        "cover": None,
        "is_inline": False,
        "in_trash": False,
        "public_url": None,
    }


def _notion_copy(task: BizTask) -> BizTask:
    """The task as the Notion copy holds it: someone changed a field on this side only."""
    differences = dict(task.notion_differences)
    if "estimate_hours" in differences:
        differences["estimate_hours"] = float(differences["estimate_hours"])  # type: ignore[arg-type]
    return replace(task, **differences)  # type: ignore[arg-type]


def _digest(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _task_page(store: NotionStore, business: Business, ids: Ids, task: BizTask) -> Json:
    source = store.data_sources[ids.data_source]
    people = [p.notion_user_id for p in business.people if p.email in task.assignees and p.notion_user_id]
    obm = next(p for p in business.people if p.role == "obm")
    page = new_page(store, source, stable_id("page", task.key), task.created, obm.notion_user_id or ids.bot)
    # Edited between creation and an hour before `now`, so that tests' own edits stand out.
    edited = max(task.created, business.now - timedelta(hours=1, minutes=_digest(task.key) % (14 * 24 * 60)))
    store.touch(page, edited)
    page["last_edited_by"] = partial_user(people[0] if people else obm.notion_user_id or ids.bot)
    _fill(page["properties"], source["properties"], _config(business), task)
    page["properties"][_config(business).assignee_property]["people"] = [store.users[u] for u in people if u]
    page["url"] = page_url(task.title, page["id"])
    return page


def _fill(values: Json, schema: Json, config: NotionDatabase, task: BizTask) -> None:
    """The task's fields in the page's property values (options as the schema defines them)."""

    def options(name: str, wanted: Iterable[str]) -> list[Json]:
        kind = schema[name]["type"]
        return [dict(option) for option in schema[name][kind]["options"] if option["name"] in wanted]

    values[config.title_property]["title"] = [text_segment(task.title)]
    values[config.status_property]["status"] = options(config.status_property, [task.status])[0]
    values[config.due_property]["date"] = _due(task)
    values[config.labels_property]["multi_select"] = options(config.labels_property, task.labels)
    values[config.estimate_property]["number"] = task.estimate_hours
    values[DESCRIPTION]["rich_text"] = [text_segment(task.description)] if task.description else []
    values[PROJECT]["relation"] = [{"id": stable_id("project", task.project)}]
    values[RESOURCE]["url"] = _resource(task)
    values[CLIENT_FACING]["checkbox"] = task.project == COACHING
    values[PRIORITY]["select"] = (
        (options(PRIORITY, ["High"]) or [None])[0] if "Urgent" in task.labels else None
    )


def _due(task: BizTask) -> Json | None:
    if task.due is None:
        return None
    if task.due_date_only:
        return {"start": task.due.date().isoformat(), "end": None, "time_zone": None}
    return {"start": task.due.isoformat(timespec="milliseconds"), "end": None, "time_zone": None}


def _resource(task: BizTask) -> str | None:
    """A working document for about a third of the tasks; null for the others."""
    digest = _digest("resource:" + task.key)
    return f"https://docs.google.com/document/d/{digest:08x}" if digest % 3 == 0 else None
