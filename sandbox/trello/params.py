"""How the Trello emulator reads a request: ids, parameters, `fields` selections, and the plain-text
400/404 answers Trello gives when one is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from sandbox.emulator import ApiError
from sandbox.trello.store import Json, TrelloStore, is_object_id


def board(store: TrelloStore, board_id: str) -> Json:
    if not (is_object_id(board_id) or is_short_link(board_id)):
        raise ApiError(400, "invalid id")
    found = store.find_board(board_id)
    if found is None:
        raise ApiError(404)
    return found


def card(store: TrelloStore, card_id: str) -> Json:
    if not (is_object_id(card_id) or is_short_link(card_id)):
        raise ApiError(400, "invalid id")
    found = store.find_card(card_id.lower() if is_object_id(card_id) else card_id)
    if found is None:
        raise ApiError(404)
    return found


def one(objects: dict[str, Json], object_id: str) -> Json:
    """A list or checklist by id."""
    if not is_object_id(object_id):
        raise ApiError(400, "invalid id")
    found = objects.get(object_id.lower())
    if found is None:
        raise ApiError(404)
    return found


def is_short_link(value: str) -> bool:
    return len(value) == 8 and value.isalnum()


def select(item: Json, fields: str | None, keep: Iterable[str] = ()) -> Json:
    """`fields=all` or a comma-separated list; `id` always comes back."""
    if fields is None or fields == "all":
        return dict(item)
    names = {"id", *keep, *(name.strip() for name in fields.split(","))}
    return {name: value for name, value in item.items() if name in names}


def choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ApiError(400, f"invalid value for {name}")
    return value


def number(value: str | None, default: int, low: int, high: int, name: str) -> int:
    if value is None:
        return default
    try:
        parsed = int(float(value))
    except ValueError:
        raise ApiError(400, f"invalid value for {name}") from None
    if not low <= parsed <= high:
        raise ApiError(400, f"invalid value for {name}")
    return parsed


async def write_params(request: Request) -> dict[str, Any]:
    """Write parameters from the query string, then a JSON or form body (body wins)."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "json" in content_type and await request.body():
        body = await request.json()
        if not isinstance(body, dict):
            raise ApiError(400, "invalid request")
        params.update(body)
    elif "form" in content_type:
        # Parsed by hand: Starlette's form parser needs python-multipart, which the hub does not ship.
        params.update(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    return {name: value for name, value in params.items() if name not in ("key", "token")}
