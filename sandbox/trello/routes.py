"""The Trello board and list endpoints the hub uses, with Trello's parameters, shapes and plain-text
errors (card endpoints: card_routes.py).

Paths and parameter names follow the official OpenAPI document (`/boards/{id}/cards/{filter}`,
`/boards/{boardId}/actions`, ...), so the request log's templates are the spec's. Everything is
scoped to the board in the path: its lists, labels, members, cards and the actions that name it.

`GET /tokens/{token}` answers the token's record (the spec's `Token` schema: `id`, `identifier`,
`idMember`, `dateCreated`, `dateExpires`, `permissions`; `fields` picks among those five, `webhooks`
adds the token's webhooks, none in the sandbox). A token Trello would not honour (unknown, expired)
answers 401 `invalid token`, as a request authenticated with it does (the authorization guide's
wording for a revoked token; which status Trello gives a well-formed token of another member is not
documented, so the sandbox treats every token it did not issue alike). A path with no token is a 404.
https://developer.atlassian.com/cloud/trello/rest/api-group-tokens/#api-tokens-token-get
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request

from sandbox.emulator import ApiError
from sandbox.trello import card_routes, params, shapes
from sandbox.trello.activity import create_list, update_list
from sandbox.trello.store import Json, TrelloStore, is_object_id, parse_time
from sandbox.trello.writes import create_label

if TYPE_CHECKING:
    from sandbox.trello.emulator import TrelloEmulator

ACTIONS_DEFAULT_LIMIT, ACTIONS_MAX_LIMIT = 50, 1000
LABELS_DEFAULT_LIMIT = 50
MEMBER_FIELDS = ("id", "fullName", "username")
CARD_FILTERS = ("all", "closed", "complete", "incomplete", "none", "open", "visible")
LIST_FILTERS = ("all", "closed", "none", "open")
TOKEN_FIELDS = ("identifier", "idMember", "dateCreated", "dateExpires", "permissions")  # `TokenFields`


def register(router: APIRouter, emulator: TrelloEmulator) -> None:
    _board_routes(router, emulator)
    _board_content_routes(router, emulator)
    _list_routes(router, emulator)
    _token_routes(router, emulator)
    card_routes.register(router, emulator)


def _board_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.get("/boards/{id}/lists")
    async def board_lists(request: Request) -> Any:
        store = emulator.store
        board = params.board(store, request.path_params["id"])
        wanted = params.choice(request.query_params.get("filter", "open"), LIST_FILTERS, "filter")
        lists = sorted(store.on_board(store.lists, board["id"]), key=lambda item: item["pos"])
        found = [item for item in lists if _status_matches(item["closed"], wanted)]
        return [params.select(item, request.query_params.get("fields")) for item in found]

    @router.post("/boards/{id}/lists")
    async def board_list_create(request: Request) -> Any:
        board = params.board(emulator.store, request.path_params["id"])
        return create_list(emulator.store, board["id"], await params.write_params(request), emulator.now())

    @router.get("/boards/{id}/labels")
    async def board_labels(request: Request) -> Any:
        store = emulator.store
        board = params.board(store, request.path_params["id"])
        limit = params.number(request.query_params.get("limit"), LABELS_DEFAULT_LIMIT, 0, 1000, "limit")
        labels = sorted(store.on_board(store.labels, board["id"]), key=lambda x: (x["name"] or "", x["id"]))
        return [params.select(label, request.query_params.get("fields")) for label in labels[:limit]]

    @router.post("/boards/{id}/labels")
    async def board_label_create(request: Request) -> Any:
        board = params.board(emulator.store, request.path_params["id"])
        return create_label(emulator.store, board["id"], await params.write_params(request), emulator.now())

    @router.get("/boards/{id}/members")
    async def board_members(request: Request) -> Any:
        store = emulator.store
        board = params.board(store, request.path_params["id"])
        members = (store.members[member_id] for member_id in board["idMembers"])
        return [{name: member[name] for name in MEMBER_FIELDS} for member in members]


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
        board = params.board(store, request.path_params["boardId"])
        query = request.query_params
        limit = params.number(query.get("limit"), ACTIONS_DEFAULT_LIMIT, 0, ACTIONS_MAX_LIMIT, "limit")
        page = params.number(query.get("page"), 0, 0, ACTIONS_MAX_LIMIT, "page")
        if page * limit >= ACTIONS_MAX_LIMIT and page:  # "Page * limit must be less than 1000"
            raise ApiError(400, "invalid value for page")
        kinds, since, before = query.get("filter", "all"), query.get("since"), query.get("before")
        found = _actions(store, board["id"], kinds, since, before)
        with_creator = query.get("memberCreator", "true") != "false"
        chosen = found[page * limit : (page + 1) * limit]
        rendered = (shapes.action(store, action, with_creator=with_creator) for action in chosen)
        return [params.select(action, query.get("fields"), keep=("memberCreator",)) for action in rendered]


def _list_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.post("/lists")
    async def list_create(request: Request) -> Any:
        values = await params.write_params(request)
        board_id = values.get("idBoard")
        if not isinstance(board_id, str) or emulator.store.find_board(board_id) is None:
            raise ApiError(400, "invalid value for idBoard")
        board = params.board(emulator.store, board_id)
        return create_list(emulator.store, board["id"], values, emulator.now())

    @router.get("/lists/{id}")
    async def list_get(request: Request) -> Any:
        item = params.one(emulator.store.lists, request.path_params["id"])
        return params.select(item, request.query_params.get("fields"))

    @router.put("/lists/{id}")
    async def list_update(request: Request) -> Any:
        item = params.one(emulator.store.lists, request.path_params["id"])
        return update_list(emulator.store, item, await params.write_params(request), emulator.now())


def _token_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.get("/tokens/{token}")
    async def token_get(request: Request) -> Any:
        record = emulator.token_record(request.path_params["token"])
        if record is None:
            raise ApiError(401, "invalid token")
        query = request.query_params
        fields = query.get("fields", "all")
        if fields != "all" and not {name.strip() for name in fields.split(",")} <= set(TOKEN_FIELDS):
            raise ApiError(400, "invalid value for fields")
        body = params.select(record, fields)
        if query.get("webhooks", "false") == "true":
            body["webhooks"] = []
        return body


# -- helpers ---------------------------------------------------------------------------------------


def _board_cards(store: TrelloStore, request: Request, wanted: str) -> list[Json]:
    board = params.board(store, request.path_params["id"])
    params.choice(wanted, CARD_FILTERS, "filter")
    order = {list_id: item["pos"] for list_id, item in store.lists.items()}
    cards = sorted(store.on_board(store.cards, board["id"]), key=lambda c: (order[c["idList"]], c["pos"]))
    found = [card for card in cards if _card_matches(store, card, wanted)]
    return [card_routes.card_body(store, card, request.query_params) for card in found]


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


def _actions(
    store: TrelloStore, board_id: str, kinds: str, since: str | None, before: str | None
) -> list[Json]:
    """The board's matching actions, newest first."""
    types = None if kinds == "all" else set(kinds.split(","))
    after_point, before_point = _point(since, "since"), _point(before, "before")
    return [
        action
        for action in reversed(store.actions)
        if action["data"]["board"]["id"] == board_id
        and (types is None or action["type"] in types)
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
