"""The Trello endpoints the hub uses, with Trello's parameters, shapes and plain-text errors.

Paths and parameter names follow the official OpenAPI document (`/boards/{id}/cards/{filter}`,
`/boards/{boardId}/actions`, ...), so the request log's templates are the spec's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.emulator import ApiError
from sandbox.trello.store import Json, TrelloStore, is_object_id, parse_time
from sandbox.trello.writes import create_card, create_label, delete_card, update_card

if TYPE_CHECKING:
    from sandbox.trello.emulator import TrelloEmulator

ACTIONS_DEFAULT_LIMIT, ACTIONS_MAX_LIMIT = 50, 1000
LABELS_DEFAULT_LIMIT = 50
MEMBER_FIELDS = ("id", "fullName", "username")
CARD_FILTERS = ("all", "closed", "complete", "incomplete", "none", "open", "visible")
LIST_FILTERS = ("all", "closed", "none", "open")


def register(router: APIRouter, emulator: TrelloEmulator) -> None:
    _board_routes(router, emulator)
    _board_content_routes(router, emulator)
    _card_routes(router, emulator)


def _board_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.get("/boards/{id}/lists")
    async def board_lists(request: Request) -> Any:
        store = emulator.store
        _board(store, request.path_params["id"])
        wanted = _choice(request.query_params.get("filter", "open"), LIST_FILTERS, "filter")
        lists = sorted(store.lists.values(), key=lambda item: item["pos"])
        found = [item for item in lists if _status_matches(item["closed"], wanted)]
        return [_select(item, request.query_params.get("fields")) for item in found]

    @router.get("/boards/{id}/labels")
    async def board_labels(request: Request) -> Any:
        store = emulator.store
        _board(store, request.path_params["id"])
        limit = _number(request.query_params.get("limit"), LABELS_DEFAULT_LIMIT, 0, 1000, "limit")
        labels = sorted(store.labels.values(), key=lambda label: (label["name"] or "", label["id"]))
        return [_select(label, request.query_params.get("fields")) for label in labels[:limit]]

    @router.post("/boards/{id}/labels")
    async def board_label_create(request: Request) -> Any:
        _board(emulator.store, request.path_params["id"])
        return create_label(emulator.store, await _params(request), emulator.now())

    @router.get("/boards/{id}/members")
    async def board_members(request: Request) -> Any:
        store = emulator.store
        _board(store, request.path_params["id"])
        return [{name: member[name] for name in MEMBER_FIELDS} for member in store.members.values()]


def _board_content_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.get("/boards/{id}/cards")
    async def board_cards_open(request: Request) -> Any:
        return _board_cards(emulator.store, request, "open")

    @router.get("/boards/{id}/cards/{filter}")
    async def board_cards(request: Request) -> Any:
        return _board_cards(emulator.store, request, request.path_params["filter"])

    @router.get("/boards/{boardId}/actions")
    async def board_actions(request: Request) -> Any:
        store = emulator.store
        _board(store, request.path_params["boardId"])
        query = request.query_params
        limit = _number(query.get("limit"), ACTIONS_DEFAULT_LIMIT, 0, ACTIONS_MAX_LIMIT, "limit")
        page = _number(query.get("page"), 0, 0, ACTIONS_MAX_LIMIT, "page")
        if page * limit >= ACTIONS_MAX_LIMIT and page:  # "Page * limit must be less than 1000"
            raise ApiError(400, "invalid value for page")
        found = _actions(store, query.get("filter", "all"), query.get("since"), query.get("before"))
        with_creator = query.get("memberCreator", "true") != "false"
        chosen = found[page * limit : (page + 1) * limit]
        rendered = (store.render_action(action, with_creator=with_creator) for action in chosen)
        return [_select(action, query.get("fields"), keep=("memberCreator",)) for action in rendered]


def _card_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.get("/cards/{id}")
    async def card_get(request: Request) -> Any:
        store = emulator.store
        card = _card(store, request.path_params["id"])
        query = request.query_params
        body = _select(store.render_card(card), query.get("fields"))
        if query.get("list") == "true":
            body["list"] = dict(store.lists[card["idList"]])
        if query.get("members") == "true":
            fields = query.get("member_fields", ",".join(MEMBER_FIELDS))
            members = (store.members[member_id] for member_id in card["idMembers"])
            body["members"] = [_select(member, fields) for member in members]
        return body

    @router.post("/cards")
    async def card_create(request: Request) -> Any:
        card = create_card(emulator.store, await _params(request), emulator.now())
        return emulator.store.render_card(card)

    @router.put("/cards/{id}")
    async def card_update(request: Request) -> Any:
        card = _card(emulator.store, request.path_params["id"])
        update_card(emulator.store, card, await _params(request), emulator.now())
        return emulator.store.render_card(card)

    @router.delete("/cards/{id}")
    async def card_delete(request: Request) -> Any:
        card = _card(emulator.store, request.path_params["id"])
        delete_card(emulator.store, card, emulator.now())
        return JSONResponse({"limits": {}})


# -- helpers ---------------------------------------------------------------------------------------


def _board(store: TrelloStore, board_id: str) -> Json:
    if not (is_object_id(board_id) or _is_short_link(board_id)):
        raise ApiError(400, "invalid id")
    if board_id.lower() != store.board["id"] and board_id != store.board["shortLink"]:
        raise ApiError(404)
    return store.board


def _card(store: TrelloStore, card_id: str) -> Json:
    if not (is_object_id(card_id) or _is_short_link(card_id)):
        raise ApiError(400, "invalid id")
    card = store.find_card(card_id.lower() if is_object_id(card_id) else card_id)
    if card is None:
        raise ApiError(404)
    return card


def _is_short_link(value: str) -> bool:
    return len(value) == 8 and value.isalnum()


def _board_cards(store: TrelloStore, request: Request, wanted: str) -> list[Json]:
    _board(store, request.path_params["id"])
    _choice(wanted, CARD_FILTERS, "filter")
    order = {list_id: item["pos"] for list_id, item in store.lists.items()}
    cards = sorted(store.cards.values(), key=lambda card: (order[card["idList"]], card["pos"]))
    found = [card for card in cards if _card_matches(store, card, wanted)]
    return [_select(store.render_card(card), request.query_params.get("fields")) for card in found]


def _card_matches(store: TrelloStore, card: Json, wanted: str) -> bool:
    checks = {
        "all": True,
        "none": False,
        "open": not card["closed"],
        "closed": card["closed"],
        "visible": not card["closed"] and not store.lists[card["idList"]]["closed"],
        "complete": card["dueComplete"],
        "incomplete": not card["dueComplete"],
    }
    return checks[wanted]


def _status_matches(closed: bool, wanted: str) -> bool:
    return {"all": True, "none": False, "open": not closed, "closed": closed}[wanted]


def _actions(store: TrelloStore, kinds: str, since: str | None, before: str | None) -> list[Json]:
    """Matching actions, newest first."""
    types = None if kinds == "all" else set(kinds.split(","))
    after_point, before_point = _point(since, "since"), _point(before, "before")
    return [
        action
        for action in reversed(store.actions)
        if (types is None or action["type"] in types)
        and (after_point is None or _compare(action, after_point) > 0)
        and (before_point is None or _compare(action, before_point) < 0)
    ]


def _point(value: str | None, name: str) -> tuple[str, Any] | None:
    """A `since`/`before` bound: an action id (compared as ids) or a date."""
    if value is None:
        return None
    if is_object_id(value):
        return ("id", value.lower())
    try:
        return ("date", parse_time(value))
    except ValueError:
        raise ApiError(400, f"invalid value for {name}") from None


def _compare(action: Json, point: tuple[str, Any]) -> int:
    mine = action["id"] if point[0] == "id" else parse_time(action["date"])
    return (mine > point[1]) - (mine < point[1])


def _select(item: Json, fields: str | None, keep: Iterable[str] = ()) -> Json:
    """`fields=all` or a comma-separated list; `id` always comes back."""
    if fields is None or fields == "all":
        return dict(item)
    names = {"id", *keep, *(name.strip() for name in fields.split(","))}
    return {name: value for name, value in item.items() if name in names}


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ApiError(400, f"invalid value for {name}")
    return value


def _number(value: str | None, default: int, low: int, high: int, name: str) -> int:
    if value is None:
        return default
    try:
        number = int(float(value))
    except ValueError:
        raise ApiError(400, f"invalid value for {name}") from None
    if not low <= number <= high:
        raise ApiError(400, f"invalid value for {name}")
    return number


async def _params(request: Request) -> dict[str, Any]:
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
