"""The endpoints of the Notion API (2025-09-03) that the hub uses, under `/v1`.

Each handler parses ids (with or without dashes; anything else is a 400 `path failed validation`),
reads or changes the store, and answers in Notion's shapes. Lists are
`{"object": "list", "results", "next_cursor", "has_more", "type", <type>: {}, "request_id"}`, paged by
opaque cursors (cursors.py). Writes to one page or block go through `WriteHolds` (holds.py).

A data source query lists pages, and for a wiki also the data sources of the databases inside it
(https://developers.notion.com/reference/query-a-data-source: "this API returns all data sources that
are children of that database"; `result_type` "page" or "data_source" keeps one kind).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request

from sandbox.emulator import ApiError
from sandbox.notion import blocks, pages, query
from sandbox.notion.checks import invalid
from sandbox.notion.cursors import Cursors
from sandbox.notion.holds import WriteHolds
from sandbox.notion.property_items import property_item
from sandbox.notion.store import Json, NotionStore, canonical_id

if TYPE_CHECKING:
    from sandbox.notion.emulator import NotionEmulator

API_VERSION = "2025-09-03"
QUERY_FIELDS = frozenset(
    {"filter", "sorts", "start_cursor", "page_size", "in_trash", "archived", "result_type"}
)


def listing(results: list[Json], next_cursor: str | None, kind: str) -> Json:
    return {
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": next_cursor is not None,
        "type": kind,
        kind: {},
        "request_id": str(uuid.uuid4()),
    }


def path_id(value: str, name: str) -> str:
    found = canonical_id(value)
    if found is None:
        raise invalid(f"path.{name}", "a valid uuid", value)
    return found


async def json_body(request: Request) -> Json:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        raise ApiError(400, "Error parsing JSON body.", "invalid_json") from None
    if not isinstance(body, dict):
        raise invalid("body", "an object", body)
    return body


def check_version(request: Request) -> None:
    """Every request names the API version; the sandbox serves 2025-09-03 only."""
    version = request.headers.get("Notion-Version")
    if version is None:
        raise ApiError(
            400,
            "Notion-Version header failed validation: Notion-Version header should be defined, "
            "instead was `undefined`.",
            "missing_version",
        )
    if version != API_VERSION:
        raise ApiError(
            400,
            f'Notion-Version header failed validation: Notion-Version header should be "{API_VERSION}" '
            f"(the only version this sandbox serves), instead was `{json.dumps(version)}`.",
            "missing_version",
        )


def _query_ints(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise invalid(f"query.{name}", "a number", value) from None


def _filter_properties(request: Request) -> list[str]:
    params = request.query_params
    return params.getlist("filter_properties") + params.getlist("filter_properties[]")


class NotionRoutes:
    """Handlers bound to one emulator (its store, its clock and its faults)."""

    def __init__(self, emulator: NotionEmulator) -> None:
        self.emulator = emulator
        self.cursors = Cursors()
        self.holds = WriteHolds(emulator)

    @property
    def store(self) -> NotionStore:
        return self.emulator.store

    def keep(self, count: int) -> int:
        return self.emulator.faults.page_length(count)

    def register(self, router: APIRouter) -> None:
        routes: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", "/users", self.list_users),
            ("GET", "/users/me", self.get_self),
            ("GET", "/databases/{database_id}", self.retrieve_database),
            ("GET", "/data_sources/{data_source_id}", self.retrieve_data_source),
            ("POST", "/data_sources/{data_source_id}/query", self.query_data_source),
            ("POST", "/pages", self.create_page),
            ("GET", "/pages/{page_id}", self.retrieve_page),
            ("PATCH", "/pages/{page_id}", self.update_page),
            ("GET", "/pages/{page_id}/properties/{property_id}", self.retrieve_property),
            ("GET", "/blocks/{block_id}/children", self.list_block_children),
            ("PATCH", "/blocks/{block_id}/children", self.append_block_children),
            ("DELETE", "/blocks/{block_id}", self.delete_block),
        ]
        for method, path, endpoint in routes:
            router.add_api_route(path, endpoint, methods=[method], dependencies=[Depends(check_version)])

    # -- users ---------------------------------------------------------------------------------

    async def list_users(self, request: Request) -> Json:
        users = sorted(self.store.users.values(), key=lambda user: user["id"])
        chunk, cursor = self.cursors.page(
            "users",
            users,
            request.query_params.get("start_cursor"),
            _query_ints(request, "page_size"),
            where="query",
            keep=self.keep,
        )
        return listing(chunk, cursor, "user")

    async def get_self(self) -> Json:
        return self.store.users[self.store.bot_id]

    # -- databases and data sources ------------------------------------------------------------

    async def retrieve_database(self, database_id: str) -> Json:
        found = self.store.databases.get(path_id(database_id, "database_id"))
        if found is None:
            raise pages.not_found("database", database_id)
        return found

    def _source(self, data_source_id: str) -> Json:
        found = self.store.data_sources.get(path_id(data_source_id, "data_source_id"))
        if found is None:
            raise pages.not_found("data_source", data_source_id)
        return found

    async def retrieve_data_source(self, data_source_id: str) -> Json:
        return self._source(data_source_id)

    async def query_data_source(self, data_source_id: str, request: Request) -> Json:
        source = self._source(data_source_id)
        body = await json_body(request)
        unknown = sorted(set(body) - QUERY_FIELDS)
        if unknown:  # the query body schema allows no other field
            raise invalid(f"body.{unknown[0]}", "not present", body[unknown[0]])
        trashed = body.get("in_trash", body.get("archived", False))
        if not isinstance(trashed, bool):
            raise invalid("body.in_trash", "a boolean", trashed)
        result_type = body.get("result_type")
        if result_type not in (None, "page", "data_source"):
            raise invalid("body.result_type", '"page" or "data_source"', result_type)
        found = self._query_pages(source, body, trashed) if result_type != "data_source" else []
        if not trashed and result_type != "page":
            found += self._query_sources(source, body.get("filter"))
        chunk, cursor = self.cursors.page(
            f"query:{source['id']}:{trashed}",
            found,
            body.get("start_cursor"),
            body.get("page_size"),
            keep=self.keep,
        )
        only = _filter_properties(request)
        shown = [pages.render(self.store, item, only) if item["object"] == "page" else item for item in chunk]
        return listing(shown, cursor, "page_or_data_source")

    def _query_pages(self, source: Json, body: Json, trashed: bool) -> list[Json]:
        candidates = [p for p in self.store.pages_of(source["id"]) if p["in_trash"] is trashed]
        if body.get("filter") is not None:
            candidates = [p for p in candidates if query.matches(p, source, body["filter"])]
        return query.sort_pages(candidates, source, body.get("sorts"))

    def _query_sources(self, source: Json, condition: Any) -> list[Json]:
        children = [self.store.data_sources[i] for i in self.store.child_sources.get(source["id"], [])]
        if condition is None:
            return children
        if not query.timestamps_only(condition):
            return []  # a data source has no property values to filter on
        return [child for child in children if query.matches(child, source, condition)]

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, page_id: str) -> Json:
        found = self.store.pages.get(path_id(page_id, "page_id"))
        if found is None:
            raise pages.not_found("page", page_id)
        return found

    async def create_page(self, request: Request) -> Json:
        page = pages.create_page(self.store, await json_body(request), self.emulator.now())
        return pages.render(self.store, page)

    async def retrieve_page(self, page_id: str, request: Request) -> Json:
        return pages.render(self.store, self._page(page_id), _filter_properties(request))

    async def update_page(self, page_id: str, request: Request) -> Json:
        page = self._page(page_id)
        body = await json_body(request)
        async with self.holds.hold(page["id"]):
            updated = pages.update_page(self.store, page, body, self.emulator.now())
        return pages.render(self.store, updated)

    async def retrieve_property(self, page_id: str, property_id: str, request: Request) -> Json:
        page = self._page(page_id)

        def next_url(cursor: str) -> str:
            return str(request.url.replace(query=f"start_cursor={cursor}"))

        found = property_item(
            self.store,
            self.cursors,
            page,
            property_id,
            start_cursor=request.query_params.get("start_cursor"),
            page_size=_query_ints(request, "page_size"),
            next_url=next_url,
            keep=self.keep,
        )
        if found["object"] == "list":
            found["request_id"] = str(uuid.uuid4())
        return found

    # -- blocks --------------------------------------------------------------------------------

    def _container(self, block_id: str) -> Json:
        found_id = path_id(block_id, "block_id")
        found = self.store.pages.get(found_id) or self.store.blocks.get(found_id)
        if found is None:
            raise pages.not_found("block", block_id)
        return found

    async def list_block_children(self, block_id: str, request: Request) -> Json:
        parent = self._container(block_id)
        chunk, cursor = self.cursors.page(
            f"children:{parent['id']}",
            blocks.live_children(self.store, parent["id"]),
            request.query_params.get("start_cursor"),
            _query_ints(request, "page_size"),
            where="query",
            keep=self.keep,
        )
        return listing(chunk, cursor, "block")

    async def append_block_children(self, block_id: str, request: Request) -> Json:
        parent = self._container(block_id)
        body = await json_body(request)
        async with self.holds.hold(parent["id"]):
            created = blocks.append_children(self.store, parent, body, self.emulator.now())
        return listing(created, None, "block")

    async def delete_block(self, block_id: str) -> Json:
        found = self._container(block_id)
        async with self.holds.hold(found["id"]):
            return blocks.delete(self.store, found["id"], self.emulator.now())
