"""A small typed client for the Notion API, version 2025-09-03: paths and bodies, nothing more.

Every request carries `Authorization: Bearer <token>` and `Notion-Version` (a missing version header
is a 400 `missing_version`). Retries, throttling (3 requests per second), error mapping and logging
are the shared core's. Querying a data source is a POST but a read, so it is sent as idempotent and
retried on 5xx; creating a page and appending blocks are not (a retry could duplicate them).

Lists are cursor-paginated (`start_cursor`, `page_size` at most 100, `has_more`, `next_cursor`; a
page "may contain fewer than page_size results", even none): each list method returns one page; the
`*_all` methods walk every page through `connectors.pagination`, which fails loudly on a repeated
cursor. Query results may hold `data_source` objects beside pages (a wiki lists the databases inside
it: https://developers.notion.com/reference/query-a-data-source): only pages are kept.

Reference: https://developers.notion.com/reference/intro
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

from connectors.errors import BadData
from connectors.http import CoreOptions, HttpCore, build_core
from connectors.notion.blocks import batches
from connectors.notion.models import (
    NotionBlock,
    NotionDatabase,
    NotionDataSource,
    NotionList,
    NotionModel,
    NotionPage,
    NotionUser,
)
from connectors.pagination import Cursor, Page, iterate_items
from connectors.parsing import parse

logger = logging.getLogger(__name__)

SERVICE = "notion"
API_VERSION = "2025-09-03"
MAX_PAGE_SIZE = 100
QUERY = "/data_sources/{data_source_id}/query"
CHILDREN = "/blocks/{block_id}/children"

M = TypeVar("M", bound=NotionModel)


class NotionClient:
    """One integration token against one Notion API base URL (`https://api.notion.com/v1`)."""

    def __init__(self, core: HttpCore) -> None:
        self.core = core

    @classmethod
    def connect(
        cls, base_url: str, token: str, *, version: str = API_VERSION, options: CoreOptions | None = None
    ) -> NotionClient:
        headers = {"Authorization": f"Bearer {token}", "Notion-Version": version}
        return cls(build_core(SERVICE, base_url, credential=token, headers=headers, options=options))

    def close(self) -> None:
        self.core.close()

    # -- databases and data sources ------------------------------------------------------------

    def retrieve_database(self, database_id: str) -> NotionDatabase:
        """The database container and its `data_sources: [{id, name}]`.

        https://developers.notion.com/reference/database-retrieve
        """
        data = self.core.request_json("GET", "/databases/{database_id}", path={"database_id": database_id})
        return parse(NotionDatabase, data, service=SERVICE, method="GET", path="/databases/{database_id}")

    def retrieve_data_source(self, data_source_id: str) -> NotionDataSource:
        """A data source with its schema (`properties`).

        https://developers.notion.com/reference/retrieve-a-data-source
        """
        data = self.core.request_json(
            "GET", "/data_sources/{data_source_id}", path={"data_source_id": data_source_id}
        )
        return parse(
            NotionDataSource, data, service=SERVICE, method="GET", path="/data_sources/{data_source_id}"
        )

    def query_data_source(
        self,
        data_source_id: str,
        *,
        filter: Mapping[str, Any] | None = None,
        sorts: Sequence[Mapping[str, Any]] | None = None,
        start_cursor: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        in_trash: bool | None = None,
        filter_properties: Sequence[str] = (),
    ) -> NotionList[NotionPage]:
        """One page of the data source's rows. `in_trash=True` lists only trashed pages (the default
        lists only the others); `filter_properties` limits the properties each page carries.

        https://developers.notion.com/reference/query-a-data-source
        """
        body: dict[str, Any] = {"page_size": _page_size(page_size)}
        optional = {"filter": filter, "sorts": sorts, "start_cursor": start_cursor, "in_trash": in_trash}
        body.update((key, value) for key, value in optional.items() if value is not None)
        data = self.core.request_json(
            "POST",
            QUERY,
            path={"data_source_id": data_source_id},
            params=[("filter_properties", prop) for prop in filter_properties] or None,
            json=body,
            idempotent=True,  # a read: safe to repeat after a 5xx or a timeout
        )
        return parse(NotionList[NotionPage], _pages_only(data), service=SERVICE, method="POST", path=QUERY)

    def query_data_source_all(
        self,
        data_source_id: str,
        *,
        filter: Mapping[str, Any] | None = None,
        sorts: Sequence[Mapping[str, Any]] | None = None,
        page_size: int = MAX_PAGE_SIZE,
        in_trash: bool | None = None,
        filter_properties: Sequence[str] = (),
    ) -> Iterator[NotionPage]:
        """Every row matching the query, page after page (the arguments of `query_data_source`)."""

        def fetch(cursor: Cursor | None) -> NotionList[NotionPage]:
            return self.query_data_source(
                data_source_id,
                filter=filter,
                sorts=sorts,
                start_cursor=cursor,
                page_size=page_size,
                in_trash=in_trash,
                filter_properties=filter_properties,
            )

        return _walk(fetch)

    # -- pages ---------------------------------------------------------------------------------

    def retrieve_page(self, page_id: str) -> NotionPage:
        """https://developers.notion.com/reference/retrieve-a-page"""
        data = self.core.request_json("GET", "/pages/{page_id}", path={"page_id": page_id})
        return parse(NotionPage, data, service=SERVICE, method="GET", path="/pages/{page_id}")

    def create_page(
        self,
        *,
        parent: Mapping[str, Any],
        properties: Mapping[str, Any],
        children: Sequence[Mapping[str, Any]] = (),
    ) -> NotionPage:
        """A new page; under a data source, `parent={"data_source_id": ...}`. Never retried on 5xx.

        https://developers.notion.com/reference/post-page
        """
        body: dict[str, Any] = {"parent": dict(parent), "properties": dict(properties)}
        if children:
            body["children"] = list(children)
        data = self.core.request_json("POST", "/pages", json=body)
        return parse(NotionPage, data, service=SERVICE, method="POST", path="/pages")

    def update_page(
        self,
        page_id: str,
        *,
        properties: Mapping[str, Any] | None = None,
        in_trash: bool | None = None,
    ) -> NotionPage:
        """Set property values and/or move the page to or from the trash.

        The body holds absolute values, so sending it twice leaves the page as sending it once: it is
        retried on 5xx like a read.
        https://developers.notion.com/reference/patch-page
        """
        body: dict[str, Any] = {}
        if properties is not None:
            body["properties"] = dict(properties)
        if in_trash is not None:
            body["in_trash"] = in_trash
        data = self.core.request_json(
            "PATCH", "/pages/{page_id}", path={"page_id": page_id}, json=body, idempotent=True
        )
        return parse(NotionPage, data, service=SERVICE, method="PATCH", path="/pages/{page_id}")

    def retrieve_page_property(
        self,
        page_id: str,
        property_id: str,
        *,
        start_cursor: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> dict[str, Any]:
        """One property of a page, whole: a `property_item`, or for title, rich text, relation and
        people one page of a list of them. A page object shows at most 25 references of a relation
        or page mentions of a text; this endpoint has the rest.

        https://developers.notion.com/reference/retrieve-a-page-property
        """
        data = self.core.request_json(
            "GET",
            "/pages/{page_id}/properties/{property_id}",
            path={"page_id": page_id, "property_id": _unquoted(property_id)},
            params=_list_params(start_cursor, page_size),
        )
        if not isinstance(data, dict):
            raise BadData("notion returned a property item that is not an object", service=SERVICE)
        return data

    def retrieve_page_property_items(self, page_id: str, property_id: str) -> list[dict[str, Any]]:
        """Every element of a paginated property (`results[i][type]`), page after page."""

        def fetch(cursor: Cursor | None) -> NotionList[NotionModel]:
            data = self.retrieve_page_property(page_id, property_id, start_cursor=cursor)
            path = "/pages/{page_id}/properties/{property_id}"
            return parse(NotionList[NotionModel], data, service=SERVICE, method="GET", path=path)

        return [item.model_dump() for item in _walk(fetch)]

    # -- users ---------------------------------------------------------------------------------

    def list_users(
        self, *, start_cursor: str | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> NotionList[NotionUser]:
        """One page of the workspace's users (people and bots).

        https://developers.notion.com/reference/get-users
        """
        data = self.core.request_json("GET", "/users", params=_list_params(start_cursor, page_size))
        return parse(NotionList[NotionUser], data, service=SERVICE, method="GET", path="/users")

    def list_users_all(self) -> Iterator[NotionUser]:
        return _walk(lambda cursor: self.list_users(start_cursor=cursor))

    # -- blocks --------------------------------------------------------------------------------

    def append_block_children(
        self, block_id: str, children: Sequence[Mapping[str, Any]]
    ) -> list[NotionBlock]:
        """Append `children` to a page or block, in order, in as many requests as the limits need
        (100 children and about 450 KB per request). Returns the created blocks.

        Not retried on 5xx: a repeated append would duplicate the content.
        https://developers.notion.com/reference/patch-block-children
        """
        created: list[NotionBlock] = []
        for batch in batches(children):
            data = self.core.request_json(
                "PATCH", CHILDREN, path={"block_id": block_id}, json={"children": batch}
            )
            created.extend(
                parse(NotionList[NotionBlock], data, service=SERVICE, method="PATCH", path=CHILDREN).results
            )
        return created

    def list_block_children(
        self, block_id: str, *, start_cursor: str | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> NotionList[NotionBlock]:
        """One page of a page's (or block's) children.

        https://developers.notion.com/reference/get-block-children
        """
        data = self.core.request_json(
            "GET",
            CHILDREN,
            path={"block_id": block_id},
            params=_list_params(start_cursor, page_size),
        )
        return parse(NotionList[NotionBlock], data, service=SERVICE, method="GET", path=CHILDREN)

    def list_block_children_all(self, block_id: str) -> Iterator[NotionBlock]:
        return _walk(lambda cursor: self.list_block_children(block_id, start_cursor=cursor))

    def delete_block(self, block_id: str) -> NotionBlock:
        """Move a block (or a page) to the trash. A DELETE: repeating it is harmless.

        https://developers.notion.com/reference/delete-a-block
        """
        data = self.core.request_json("DELETE", "/blocks/{block_id}", path={"block_id": block_id})
        return parse(NotionBlock, data, service=SERVICE, method="DELETE", path="/blocks/{block_id}")


def _pages_only(data: Any) -> Any:
    """The list with only its page results: other objects (a wiki's data sources) are not rows."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return data
    pages = [item for item in data["results"] if isinstance(item, dict) and item.get("object") == "page"]
    if len(pages) != len(data["results"]):
        logger.debug("notion: %d non-page results skipped", len(data["results"]) - len(pages))
    return {**data, "results": pages}


def _unquoted(property_id: str) -> str:
    # Property ids come URL-encoded in schemas (`pr%7Cj`); the core encodes path values once more.
    return unquote(property_id)


def _page_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    return page_size


def _list_params(start_cursor: str | None, page_size: int) -> dict[str, Any]:
    params: dict[str, Any] = {"page_size": _page_size(page_size)}
    if start_cursor is not None:
        params["start_cursor"] = start_cursor
    return params


def _walk(fetch: Callable[[Cursor | None], NotionList[M]]) -> Iterator[M]:
    """Every item of a paginated list; `has_more` without a `next_cursor` is an API fault."""

    def page(cursor: Cursor | None) -> Page[M]:
        listing = fetch(cursor)
        if listing.has_more and not listing.next_cursor:
            raise BadData("notion said has_more without a next_cursor; pagination stopped", service=SERVICE)
        return Page(listing.results, listing.next_cursor if listing.has_more else None)

    return iterate_items(page, service=SERVICE)
