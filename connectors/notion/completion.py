"""Pages as Notion sends them, made whole: "Each page property item is computed with a limit of 25 page
references": a relation shows 25 related pages and `has_more: true`, a rich-text value stops after 25
page mentions (https://developers.notion.com/reference/retrieve-a-page, Limits). Such a value is read
again, whole, through the property item endpoint (one request per 100 elements). Also: whether a page
still carries every property the connector remembers (a property deleted since shows as missing).

A truncated value is not read again when the store holds it already (`held_copy`): the page is the
hub's own last write read back, i.e. it was last edited by the hub's integration (its bot user, learnt
from the answers to its writes), `last_edited_time` is the held copy's, and the page with the held
values in place of its truncated ones hashes to the held copy's version. A person's edit names the
person in `last_edited_by` (https://developers.notion.com/reference/page), so a page a person edited
last is always completed; an edit by anyone of a field the page object shows whole changes the hash.
What this trusts: that nothing else writes with the hub's integration token (another tool sharing it
would pass for the hub), and that the hub's own writes are recorded. An update first re-reads the page
whole and refuses to write over a change (`if_version`), so an unrecorded write of the hub (its
answer lost) hides nothing unless a person's edit of the part past the first 25 references lands in
that same minute, between the hub's re-read and its write.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import BadData
from connectors.notion.client import NotionClient
from connectors.notion.mapping import (
    TaskContext,
    page_to_task,
    property_value,
    split_version,
    task_remote,
)
from connectors.notion.models import NotionPage, NotionPropertyValue
from connectors.notion.schema import Prop, TaskProperties
from connectors.parsing import parse
from sync.connector import Remote
from sync.model import Task

REFERENCES = 25


def drifted(page: NotionPage, properties: TaskProperties) -> bool:
    """Whether the page lacks a property the connector asked for (it was deleted, or is another one)."""
    ids = {value.id for value in page.properties.values()}
    return any(prop.id not in ids for prop in properties.present())


def _page_mentions(elements: Any) -> int:
    return sum(
        1
        for element in elements or ()
        if isinstance(element, dict)
        and element.get("type") == "mention"
        and (element.get("mention") or {}).get("type") in ("page", "database")
    )


def truncated(value: NotionPropertyValue) -> bool:
    if value.type == "relation":
        return bool((value.model_extra or {}).get("has_more"))
    if value.type in ("rich_text", "title"):
        return _page_mentions(value.value) >= REFERENCES
    return False


def complete(client: NotionClient, page: NotionPage, properties: TaskProperties) -> NotionPage:
    """The page with its truncated mapped values read whole."""
    replaced: dict[str, NotionPropertyValue] = {}
    for prop in (properties.project, properties.description, properties.title):
        value = property_value(page, prop)
        if value is not None and prop is not None and truncated(value):
            replaced[_key(page, prop)] = _whole(client, page.id, prop, value)
    if not replaced:
        return page
    return page.model_copy(update={"properties": {**page.properties, **replaced}})


def _key(page: NotionPage, prop: Prop) -> str:
    return next((name for name, value in page.properties.items() if value.id == prop.id), prop.name)


def _whole(client: NotionClient, page_id: str, prop: Prop, value: NotionPropertyValue) -> NotionPropertyValue:
    items = client.retrieve_page_property_items(page_id, prop.id)
    elements = [item[value.type] for item in items if value.type in item]
    whole = {
        **value.model_dump(),
        value.type: elements,
        **({"has_more": False} if value.type == "relation" else {}),
    }
    path = "/pages/{page_id}/properties/{property_id}"
    return parse(NotionPropertyValue, whole, service="notion", method="GET", path=path)


def truncated_fields(page: NotionPage, properties: TaskProperties) -> list[str]:
    """The task fields whose value the page object shows truncated (`complete` would read them)."""
    mapped = (("project", properties.project), ("description", properties.description))
    fields = [*mapped, ("title", properties.title)]
    return [
        name
        for name, prop in fields
        if prop is not None and (value := property_value(page, prop)) is not None and truncated(value)
    ]


def held_copy(
    page: NotionPage, held: Remote[Task] | None, bot: str | None, context: TaskContext
) -> Remote[Task] | None:
    """The page as a task with the held copy's values in place of its truncated ones, when the page
    is the hub's own last write read back (see the module docstring); None: complete it."""
    fields = truncated_fields(page, context.properties)
    if not fields or held is None or held.version is None or bot is None or page.editor != bot:
        return None
    try:
        edited, digest = split_version(held.version)
        task = page_to_task(page, context)
    except BadData:
        return None
    if digest is None or page.edited_at != edited:
        return None
    task = task.model_copy(update={name: getattr(held.item, name) for name in fields})
    if not task.content_hash().startswith(digest):
        return None
    return task_remote(page, task, context)
