"""The demo business in Notion: the tasks database (one data source), the projects wiki it relates to,
the team as users, the integration's bot, and a page for the operations summaries.

Tasks are the business's tasks that are `on_notion`, with their Notion-side differences applied and
their descriptions as rich text (seed_text.py). Beside the mapped properties, rows carry what real
task databases do: a unique id, a formula, a rollup, files, and created/edited by. The project
relation is a `dual_property` (projects list their tasks). The projects data source is a wiki: its
queries also list the data source of a "Retired programs" database inside it. Past coaching cohorts
sit in its trash, and the annual review relates to all of them and to Operations: 27 pages, more than
the 25 a page object shows.

Every id is derived from a business key (uuid5), every time from the business's `now`: the same seed
and `now` give the same workspace. No page carries a Hub ID yet: the hub has never run against it.
Times are rounded down to the minute, as Notion's are, databases and data sources included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from config.hub_file import NotionDatabase
from sandbox.business import COACHING, BizTask, Business
from sandbox.notion import seed_text
from sandbox.notion.pages import new_page, page_url
from sandbox.notion.store import Json, NotionStore, container_stamp, partial_user, stable_id, text_segment

STATUS_COLORS = {"Backlog": "default", "This week": "blue", "In progress": "yellow", "In review": "purple"}
GROUPS = (("To-do", "gray"), ("In progress", "blue"), ("Complete", "green"))
DESCRIPTION, PROJECT, RESOURCE, CLIENT_FACING = "Description", "Project", "Resource", "Client-facing"
PRIORITY = "Priority"  # a select: "High" on urgent tasks, empty (null) on the others
TASK_ID, MINUTES, PROJECT_NAME, FILES = "Task ID", "Estimate (min)", "Project name", "Attachments"
CREATED_BY, EDITED_BY, TASKS = "Created by", "Last edited by", "Tasks"
COHORTS = 26  # trashed past cohorts the annual review relates to
SUMMARIES_TITLE = "Operations summaries"
ANNUAL_REVIEW = "Write the annual business review"


@dataclass(frozen=True)
class Ids:
    database: str
    data_source: str
    projects_database: str
    projects_source: str
    retired_database: str
    retired_source: str
    bot: str
    summaries: str  # the page the operations summaries are published under

    @classmethod
    def of(cls, business: Business) -> Ids:
        config = _config(business)
        return cls(
            database=config.database_id,
            data_source=config.data_source_id or stable_id("data_source", config.database_id),
            projects_database=stable_id("database", business.scoped("projects")),
            projects_source=stable_id("data_source", business.scoped("projects")),
            retired_database=stable_id("database", business.scoped("retired-programs")),
            retired_source=stable_id("data_source", business.scoped("retired-programs")),
            bot=stable_id("user", "bot"),
            summaries=stable_id("page", business.scoped("operations-summaries")),
        )


def _config(business: Business) -> NotionDatabase:
    assert business.workspace.notion is not None, "the demo workspace names a Notion database"
    return business.workspace.notion


def project_page_id(name: str) -> str:
    return stable_id("project", name)


def seed_store(business: Business, store: NotionStore | None = None) -> NotionStore:
    """The business's databases and pages, in a new store or added to `store` (several businesses
    shared with one integration)."""
    ids = Ids.of(business)
    store = store or NotionStore(bot_id=ids.bot, workspace_name=business.workspace.name)
    users = _users(business, ids.bot)
    store.users.update({user_id: user for user_id, user in users.items() if user_id not in store.users})
    created = business.now - timedelta(days=120)
    _add_database(
        store, ids.projects_database, ids.projects_source, "Projects", _projects_schema(ids), created
    )
    _add_database(store, ids.retired_database, ids.retired_source, "Retired programs", [_title()], created)
    store.databases[ids.retired_database]["parent"] = {
        "type": "database_id",
        "database_id": ids.projects_database,
    }
    store.child_sources[ids.projects_source] = [ids.retired_source]
    _add_database(store, ids.database, ids.data_source, "Tasks", _task_schema(business, ids), created)
    _add_projects(store, business, ids, created)
    refs = seed_text.Refs(store, business, project_page_id, ids.database)
    notion_only = 0
    for task in (_notion_copy(task) for task in business.tasks if task.on_notion):
        _task_page(store, business, ids, task, refs, notion_only)
        notion_only += not task.on_trello
    _relate_annual_review(store, business, ids, _config(business).project_property)
    _add_summaries_page(store, ids, created)
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


Column = tuple[str, str, str, Json]  # (name, property id, type, configuration)


def _title() -> Column:
    return ("Name", "title", "title", {})


def _task_schema(business: Business, ids: Ids) -> list[Column]:
    """The columns, mapped ones named from the hub file."""
    config = _config(business)
    relation = {
        "database_id": ids.projects_database,
        "data_source_id": ids.projects_source,
        "type": "dual_property",
        "dual_property": {"synced_property_id": "tk%3Ds", "synced_property_name": TASKS},
    }
    labels = {"options": [_option("Tg%3Ab", label, "default") for label in business.labels]}
    rollup = {
        "relation_property_name": config.project_property,
        "relation_property_id": "pr%7Cj",
        "rollup_property_name": "Name",
        "rollup_property_id": "title",
        "function": "show_original",
    }
    priority = {"options": [_option("pri%7B", "High", "red"), _option("pri%7B", "Low", "gray")]}
    return [
        (config.title_property, "title", "title", {}),
        (config.status_property, "Z%5CQe", "status", _status_config(business, "Z%5CQe")),
        (config.due_property, "%3DvKx", "date", {}),
        (config.assignee_property, "p%7Dr%3F", "people", {}),
        (config.labels_property, "Tg%3Ab", "multi_select", labels),
        (config.estimate_property, "e%5Dh%40", "number", {"format": "number"}),
        (config.tracked_property, "tr%3Bh", "number", {"format": "number"}),
        (config.card_url_property, "tc%3Au", "url", {}),
        (config.link_property, "hub%3A", "rich_text", {}),
        (config.description_property, "d%3BsC", "rich_text", {}),
        (config.project_property, "pr%7Cj", "relation", relation),
        (RESOURCE, "rs%3Du", "url", {}),
        (CLIENT_FACING, "cf%3F%3F", "checkbox", {}),
        (PRIORITY, "pri%7B", "select", priority),
        (TASK_ID, "uid%3A", "unique_id", {"prefix": "TSK"}),
        (MINUTES, "mn%3Ff", "formula", {"expression": f'prop("{config.estimate_property}") * 60'}),
        (PROJECT_NAME, "pn%3Fr", "rollup", rollup),
        (FILES, "fl%3Fs", "files", {}),
        (CREATED_BY, "cb%3Fy", "created_by", {}),
        (EDITED_BY, "eb%3Fy", "last_edited_by", {}),
    ]


def _projects_schema(ids: Ids) -> list[Column]:
    back = {
        "database_id": ids.database,
        "data_source_id": ids.data_source,
        "type": "dual_property",
        "dual_property": {"synced_property_id": "pr%7Cj", "synced_property_name": PROJECT},
    }
    return [_title(), (TASKS, "tk%3Ds", "relation", back)]


def _add_database(
    store: NotionStore, database_id: str, source_id: str, title: str, schema: list[Column], created: datetime
) -> None:
    """A database holding one data source with `schema`."""
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
    stamp = container_stamp(created)
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


def _add_projects(store: NotionStore, business: Business, ids: Ids, created: datetime) -> None:
    source = store.data_sources[ids.projects_source]
    names = [project.name for project in business.projects]
    cohorts = _cohorts(business)
    for name in names + cohorts:
        page = new_page(store, source, project_page_id(name), created, ids.bot)
        page["properties"]["Name"]["title"] = [text_segment(name)]
        page["url"] = page_url(name, page["id"])
        page["in_trash"] = page["archived"] = name in cohorts
        store.pages[page["id"]] = page


def _notion_copy(task: BizTask) -> BizTask:
    """The task as the Notion copy holds it: someone changed a field on this side only."""
    differences = dict(task.notion_differences)
    if "estimate_hours" in differences:
        differences["estimate_hours"] = float(differences["estimate_hours"])  # type: ignore[arg-type]
    return replace(task, **differences)  # type: ignore[arg-type]


def _digest(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _task_page(
    store: NotionStore, business: Business, ids: Ids, task: BizTask, refs: seed_text.Refs, index: int
) -> None:
    source = store.data_sources[ids.data_source]
    people = [p.notion_user_id for p in business.people if p.email in task.assignees and p.notion_user_id]
    obm = next(p for p in business.people if p.role == "obm")
    page = new_page(store, source, stable_id("page", task.key), task.created, obm.notion_user_id or ids.bot)
    store.pages[page["id"]] = page  # so that the next task's unique id follows this one's
    # Edited between creation and an hour before `now`, so that tests' own edits stand out.
    edited = max(task.created, business.now - timedelta(hours=1, minutes=_digest(task.key) % (14 * 24 * 60)))
    store.touch(page, edited)
    page["last_edited_by"] = partial_user(people[0] if people else obm.notion_user_id or ids.bot)
    _fill(page["properties"], source["properties"], _config(business), task)
    page["properties"][_config(business).assignee_property]["people"] = [store.users[u] for u in people if u]
    page["properties"][_config(business).description_property]["rich_text"] = seed_text.description(
        refs, task, index
    )
    _relate(store, page, _config(business).project_property, [project_page_id(task.project)])
    page["url"] = page_url(task.title, page["id"])


def _relate(store: NotionStore, page: Json, relation: str, targets: list[str]) -> None:
    """Set a dual relation on both sides, as Notion keeps them."""
    page["properties"][relation]["relation"] = [{"id": target} for target in targets]
    for target in targets:
        store.pages[target]["properties"][TASKS]["relation"].append({"id": page["id"]})


def _cohorts(business: Business) -> list[str]:
    """Past cohorts of the business's client programme (its first project)."""
    return [f"{business.projects[0].name}: cohort {n}" for n in range(1, COHORTS + 1)]


def _relate_annual_review(store: NotionStore, business: Business, ids: Ids, relation: str) -> None:
    task = next(t for t in business.tasks if t.on_notion and t.title == ANNUAL_REVIEW)
    review = store.pages[stable_id("page", task.key)]
    for project in store.pages_of(ids.projects_source):
        project["properties"][TASKS]["relation"] = [
            item for item in project["properties"][TASKS]["relation"] if item["id"] != review["id"]
        ]
    cohorts = [project_page_id(name) for name in _cohorts(business)]
    _relate(store, review, relation, [*cohorts, project_page_id(task.project)])


def _add_summaries_page(store: NotionStore, ids: Ids, created: datetime) -> None:
    stamp = container_stamp(created).replace("+00:00", "Z")
    store.pages[ids.summaries] = {
        "object": "page",
        "id": ids.summaries,
        "created_time": stamp,
        "last_edited_time": stamp,
        "created_by": partial_user(ids.bot),
        "last_edited_by": partial_user(ids.bot),
        "cover": None,
        "icon": None,
        "parent": {"type": "workspace", "workspace": True},
        "archived": False,
        "in_trash": False,
        "is_archived": False,
        "is_locked": False,
        "properties": {"title": {"id": "title", "type": "title", "title": [text_segment(SUMMARIES_TITLE)]}},
        "url": page_url(SUMMARIES_TITLE, ids.summaries),
        "public_url": None,
    }


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
    values[RESOURCE]["url"] = _resource(task)
    values[CLIENT_FACING]["checkbox"] = task.project == COACHING
    values[PRIORITY]["select"] = (
        (options(PRIORITY, ["High"]) or [None])[0] if "Urgent" in task.labels else None
    )
    if values[RESOURCE]["url"]:
        values[FILES]["files"] = [
            {"name": "brief.pdf", "type": "external", "external": {"url": values[RESOURCE]["url"]}}
        ]


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
