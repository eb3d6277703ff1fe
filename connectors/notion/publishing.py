"""Publishing the operations summary as a Notion page: one page per period under a configured parent,
updated in place on a re-run, never duplicated.

The page is found by its exact title among the parent's child pages (`child_page` blocks of the
parent's children, every page of them). When it exists its old content is moved to the trash, block by
block (https://developers.notion.com/reference/delete-a-block: a DELETE, so repeating one is harmless),
then the new content is appended in batches (blocks.py); otherwise it is created with its first batch
of content. A run stopped halfway leaves a page the next run finds and replaces: the outcome of
publishing twice is the outcome of publishing once. Requests: listing the parent's children (one per
100), listing the old content and one DELETE per old top-level block, one append per batch, and one
GET of the page for its address when it already existed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.notion.blocks import batches, block_request, table_rows_after
from connectors.notion.client import NotionClient
from connectors.notion.spans import rich_text_request, text


def publish_page(
    client: NotionClient, parent_page_id: str, title: str, blocks: Sequence[Mapping[str, Any]]
) -> str:
    """Create or replace the page titled `title` under `parent_page_id`; its URL."""
    requests = [block_request(block) for block in blocks]  # checked before anything is written
    existing = find_child_page(client, parent_page_id, title)
    if existing is None:
        return _create(client, parent_page_id, title, requests)
    for block in list(client.list_block_children_all(existing)):
        client.delete_block(block.id)
    _append(client, existing, requests)
    return str(client.retrieve_page(existing).url)


def find_child_page(client: NotionClient, parent_page_id: str, title: str) -> str | None:
    """The id of the first live child page of the parent titled exactly `title`."""
    for block in client.list_block_children_all(parent_page_id):
        if block.type == "child_page" and block.content.get("title") == title:
            return block.id
    return None


def _create(client: NotionClient, parent_page_id: str, title: str, requests: list[dict[str, Any]]) -> str:
    first = next(iter(batches(requests)), [])
    overflow = {id(request): table_rows_after(request) for request in first}
    page = client.create_page(
        parent={"page_id": parent_page_id},
        properties={"title": {"title": rich_text_request([text(title)], where="page title")}},
        children=first,
    )
    if any(overflow.values()):
        created = list(client.list_block_children_all(page.id))
        for block, request in zip(created, first, strict=True):
            _append_rows(client, block.id, overflow[id(request)])
    _append(client, page.id, requests[len(first) :])
    return str(page.url)


def _append(client: NotionClient, page_id: str, requests: list[dict[str, Any]]) -> None:
    overflow = {id(request): table_rows_after(request) for request in requests}
    for batch in batches(requests):
        created = client.append_block_children(page_id, batch)
        for block, request in zip(created, batch, strict=True):
            _append_rows(client, block.id, overflow[id(request)])


def _append_rows(client: NotionClient, table_id: str, rows: list[dict[str, Any]]) -> None:
    for batch in batches(rows):
        client.append_block_children(table_id, batch)
