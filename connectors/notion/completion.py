"""Pages as Notion sends them, made whole: "Each page property item is computed with a limit of 25 page
references": a relation shows 25 related pages and `has_more: true`, a rich-text value stops after 25
page mentions (https://developers.notion.com/reference/retrieve-a-page, Limits). Such a value is read
again, whole, through the property item endpoint (one request per 100 elements). Also: whether a page
still carries every property the connector remembers (a property deleted since shows as missing).
"""

from __future__ import annotations

from typing import Any

from connectors.notion.client import NotionClient
from connectors.notion.mapping import property_value
from connectors.notion.models import NotionPage, NotionPropertyValue
from connectors.notion.schema import Prop, TaskProperties
from connectors.parsing import parse

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
