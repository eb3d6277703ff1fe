"""Card and label writes on the emulated boards, with the actions Trello records for each.

Parameters arrive as Trello takes them: in the query string, a JSON body or a form body; id lists as
arrays or comma-separated strings; booleans as JSON or "true"/"false". A value Trello would refuse is
a 400 with its plain-text `invalid value for <name>`. Ids are checked against the card's board: a
list, label or member of another board is refused, as Trello scopes them to their board.

`updateCard` actions carry `data.old` with the field's previous value and the new one in `data.card`
(the object-definitions page's example: `"card": {..., "due": new}, "old": {"due": old}`), one action
per changed field: https://developer.atlassian.com/cloud/trello/guides/rest-api/object-definitions/
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sandbox.emulator import ApiError
from sandbox.trello import moves
from sandbox.trello.store import Json, TrelloStore, parse_time, short_link, trello_time

COLORS = ("yellow", "purple", "blue", "red", "green", "orange", "black", "sky", "pink", "lime")
# The fields an updateCard action reports one at a time, in the order Trello applies them.
_SIMPLE_FIELDS = ("name", "desc", "closed", "due", "dueComplete", "pos")


def create_card(store: TrelloStore, params: Mapping[str, Any], now: datetime) -> Json:
    """`POST /cards`: a new card, or with `idCardSource` a copy of one (a copyCard action)."""
    list_id = params.get("idList")
    if not isinstance(list_id, str) or list_id not in store.lists:
        raise ApiError(400, "invalid value for idList")
    board_id = store.lists[list_id]["idBoard"]
    if "idCardSource" in params:
        return moves.copy_card(store, params, list_id, now)
    values = card_values(store, params, board_id)
    card_id = store.new_id(now)
    card = {
        "id": card_id,
        "name": values.get("name", ""),
        "desc": values.get("desc", ""),
        "closed": False,
        "idBoard": board_id,
        "idList": list_id,
        "idLabels": values.get("idLabels", []),
        "idMembers": values.get("idMembers", []),
        "due": values.get("due"),
        "dueComplete": values.get("dueComplete", False),
        "start": None,
        "dateLastActivity": trello_time(now),
        "pos": store.next_pos(list_id, values.get("pos", "bottom")),
        "idShort": store.next_id_short(board_id),
        "shortLink": short_link(card_id),
        "idChecklists": [],
        "attachments": [],
        "comments": 0,
    }
    store.cards[card_id] = card
    store.record("createCard", now, {"list": store.list_ref(list_id)}, card=card)
    return card


def update_card(store: TrelloStore, card: Json, params: Mapping[str, Any], now: datetime) -> Json:
    """Apply the changes; each field that really changed is one action, as on Trello. With `idBoard`
    the card first moves to that board (moveCardFromBoard, moveCardToBoard), then takes the rest."""
    board_id = moves.target_board(store, card, params)
    values = card_values(store, params, board_id)  # all checked before anything changes
    if board_id != card["idBoard"]:
        moves.move_to_board(store, card, board_id, values.pop("idList", None), now)
    if "pos" in values:
        values["pos"] = store.next_pos(values.get("idList", card["idList"]), values["pos"])
    for name in _SIMPLE_FIELDS:
        if name in values and values[name] != card[name]:
            old, card[name] = card[name], values[name]
            store.record("updateCard", now, {"old": {name: old}}, card=card, shown=(name,))
    if "idList" in values and values["idList"] != card["idList"]:
        before, card["idList"] = card["idList"], values["idList"]
        store.record("updateCard", now, store.move_data(before, card["idList"]), card=card, shown=("idList",))
    _update_members(store, card, values.get("idMembers"), now)
    _update_labels(store, card, values.get("idLabels"), now)
    return card


def delete_card(store: TrelloStore, card: Json, now: datetime) -> None:
    del store.cards[card["id"]]
    for checklist_id in card.get("idChecklists", []):
        store.checklists.pop(checklist_id, None)
    ref = {"id": card["id"], "idShort": card["idShort"], "shortLink": card["shortLink"]}
    data = {"card": ref, "list": store.list_ref(card["idList"])}
    store.record("deleteCard", now, data, board_id=card["idBoard"])


def create_label(store: TrelloStore, board_id: str, params: Mapping[str, Any], now: datetime) -> Json:
    name, color = params.get("name"), params.get("color")
    if not isinstance(name, str):
        raise ApiError(400, "invalid value for name")
    if color in ("", "null"):
        color = None
    if color is not None and color not in COLORS:
        raise ApiError(400, "invalid value for color")
    label = {"id": store.new_id(now), "idBoard": board_id, "name": name, "color": color}
    store.labels[label["id"]] = label
    data = {"label": {"id": label["id"], "name": name, "color": color}}
    store.record("createLabel", now, data, board_id=board_id)
    return label


def _update_members(store: TrelloStore, card: Json, wanted: list[str] | None, now: datetime) -> None:
    if wanted is None:
        return
    added = [m for m in wanted if m not in card["idMembers"]]
    removed = [m for m in card["idMembers"] if m not in wanted]
    card["idMembers"] = list(wanted)
    for kind, member_ids in (("addMemberToCard", added), ("removeMemberFromCard", removed)):
        for member_id in member_ids:
            member = {"id": member_id, "name": store.members[member_id]["fullName"]}
            store.record(kind, now, {"idMember": member_id, "member": member}, card=card)


def _update_labels(store: TrelloStore, card: Json, wanted: list[str] | None, now: datetime) -> None:
    if wanted is None:
        return
    added = [label for label in wanted if label not in card["idLabels"]]
    removed = [label for label in card["idLabels"] if label not in wanted]
    card["idLabels"] = list(wanted)
    for kind, label_ids in (("addLabelToCard", added), ("removeLabelFromCard", removed)):
        for label_id in label_ids:
            label = store.labels[label_id]
            ref = {"id": label_id, "name": label["name"], "color": label["color"]}
            data = {"label": ref, "text": label["name"], "value": label["color"]}
            store.record(kind, now, data, card=card)


# -- parameters ------------------------------------------------------------------------------------


def card_values(store: TrelloStore, params: Mapping[str, Any], board_id: str) -> Json:
    """The card fields among `params`, coerced and checked against the board."""
    board = store.boards[board_id]
    coercers: dict[str, Callable[[object, str], object]] = {
        "name": text,
        "desc": text,
        "closed": flag,
        "dueComplete": flag,
        "due": _due,
        "pos": position,
        "idList": partial(_one_id, known={item["id"] for item in store.on_board(store.lists, board_id)}),
        "idLabels": partial(_ids, known={item["id"] for item in store.on_board(store.labels, board_id)}),
        "idMembers": partial(_ids, known=set(board["idMembers"])),
    }
    return {name: coerce(params[name], name) for name, coerce in coercers.items() if name in params}


def text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ApiError(400, f"invalid value for {name}")
    return value


def flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ApiError(400, f"invalid value for {name}")


def _due(value: object, name: str) -> str | None:
    if value is None or value in ("", "null"):
        return None
    try:
        return trello_time(parse_time(str(value)))
    except ValueError:
        raise ApiError(400, f"invalid value for {name}") from None


def position(value: object, name: str) -> object:
    if value in ("top", "bottom") or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    try:
        return float(str(value))
    except ValueError:
        raise ApiError(400, f"invalid value for {name}") from None


def _one_id(value: object, name: str, *, known: set[str]) -> str:
    if not isinstance(value, str) or value not in known:
        raise ApiError(400, f"invalid value for {name}")
    return value


def _ids(value: object, name: str, *, known: set[str]) -> list[str]:
    if isinstance(value, str):
        ids = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        ids = list(value)
    else:
        raise ApiError(400, f"invalid value for {name}")
    if any(item not in known for item in ids):
        raise ApiError(400, f"invalid value for {name}")
    return list(dict.fromkeys(ids))
