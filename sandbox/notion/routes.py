"""The endpoints of the Notion API (2025-09-03) that the hub uses, under `/v1`.

Each handler parses ids (with or without dashes; anything else is a 400 `path failed validation`),
reads or changes the store, and answers in Notion's shapes. Lists are
`{"object": "list", "results", "next_cursor", "has_more", "type", <type>: {}, "request_id"}`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request

from sandbox.emulator import ApiError
from sandbox.notion import blocks, pages, query
from sandbox.notion.store import Json, canonical_id
from sandbox.notion.values import invalid

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
    """Handlers bound to one emulator (its store and its clock)."""

    def __init__(self, emulator: NotionEmulator) -> None:
        self.emulator = emulator

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.emulator.store

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
            ("GET", "/blocks/{block_id}/children", self.list_block_children),
            ("PATCH", "/blocks/{block_id}/children", self.append_block_children),
        ]
        for method, path, endpoint in routes:
            router.add_api_route(path, endpoint, methods=[method], dependencies=[Depends(check_version)])

    # -- users ---------------------------------------------------------------------------------

    async def list_users(self, request: Request) -> Json:
        users = sorted(self.store.users.values(), key=lambda user: user["id"])
        chunk, cursor = query.paginate(
            users, request.query_params.get("start_cursor"), _query_ints(request, "page_size"), "query"
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
        candidates = [p for p in self.store.pages_of(source["id"]) if p["in_trash"] is trashed]
        if body.get("filter") is not None:
            candidates = [p for p in candidates if query.matches(p, source, body["filter"])]
        ordered = query.sort_pages(candidates, source, body.get("sorts"))
        chunk, cursor = query.paginate(ordered, body.get("start_cursor"), body.get("page_size"))
        only = _filter_properties(request)
        return listing([pages.render(page, only) for page in chunk], cursor, "page_or_data_source")

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, page_id: str) -> Json:
        found = self.store.pages.get(path_id(page_id, "page_id"))
        if found is None:
            raise pages.not_found("page", page_id)
        return found

    async def create_page(self, request: Request) -> Json:
        page = pages.create_page(self.store, await json_body(request), self.emulator.now())
        return pages.render(page)

    async def retrieve_page(self, page_id: str, request: Request) -> Json:
        return pages.render(self._page(page_id), _filter_properties(request))

    async def update_page(self, page_id: str, request: Request) -> Json:
        page = self._page(page_id)
        return pages.render(
            pages.update_page(self.store, page, await json_body(request), self.emulator.now())
        )

    # -- blocks --------------------------------------------------------------------------------

    def _container(self, block_id: str) -> Json:
        found_id = path_id(block_id, "block_id")
        found = self.store.pages.get(found_id) or self.store.blocks.get(found_id)
        if found is None:
            raise pages.not_found("block", block_id)
        return found

    async def list_block_children(self, block_id: str, request: Request) -> Json:
        parent = self._container(block_id)
        children = [self.store.blocks[i] for i in self.store.children.get(parent["id"], [])]
        chunk, cursor = query.paginate(
            children, request.query_params.get("start_cursor"), _query_ints(request, "page_size"), "query"
        )
        return listing(chunk, cursor, "block")

    async def append_block_children(self, block_id: str, request: Request) -> Json:
        parent = self._container(block_id)
        if parent.get("in_trash"):
            raise ApiError(
                400,
                "Can't edit block that is archived. You must unarchive the block before editing.",
                "validation_error",
            )
        created = blocks.append_children(self.store, parent, await json_body(request), self.emulator.now())
        return listing(created, None, "block")
