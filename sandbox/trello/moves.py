"""Cards that change boards or are copied: `PUT /cards/{id}` with `idBoard`, `POST /cards` with
`idCardSource`.

A move is two actions, one on each board: `moveCardFromBoard` on the board the card left, naming
`boardTarget`, and `moveCardToBoard` on the board it reached, naming `boardSource` (TrelloDotNet's
`TrelloActionData`: "BoardTarget ... only there when event is 'moveCardFromBoard'", "BoardSource ...
only there when event is 'moveCardToBoard'"; ruby-trello's cassette
`can_move_a_card_to_another_board_with_specific_list.yml` moves one with `idBoard` and `idList`). The
card keeps its id and short link, leaves the first board's `cards/all` without a `deleteCard`, takes
the next card number of its new board (`idShort` is "the short numeric identifier for the card within
its board") and, without `idList`, lands in the new board's first open list. Labels and members
belong to a board: the card keeps the labels the new board has by the same name and colour and the
members who are on the new board (Trello's exact label rule is unverified; this is the cautious one).

A copy (`keepFromSource`, default `all`: "attachments, checklists, comments, due, labels, members,
start, stickers") is a new card with a `copyCard` action naming `cardSource`; its description comes
along, so a copy carries the hub's link line too.
https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-post
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sandbox.emulator import ApiError
from sandbox.trello.store import Json, TrelloStore, short_link, trello_time

KEEP_ALL = (
    "attachments", "checklists", "comments", "customFields", "due", "start", "labels", "members", "stickers",
)  # fmt: skip


def target_board(store: TrelloStore, card: Json, params: Mapping[str, Any]) -> str:
    """The board a `PUT /cards/{id}` leaves the card on (by id or short link)."""
    if "idBoard" not in params:
        return str(card["idBoard"])
    board = store.find_board(params["idBoard"]) if isinstance(params["idBoard"], str) else None
    if board is None:
        raise ApiError(400, "invalid value for idBoard")
    return str(board["id"])


def move_to_board(store: TrelloStore, card: Json, board_id: str, list_id: str | None, now: datetime) -> None:
    target = store.boards[board_id]
    list_id = _landing_list(store, board_id, list_id)
    source_board, source_list = card["idBoard"], card["idList"]
    data = {"boardTarget": {"id": target["id"]}, "list": store.list_ref(source_list)}
    store.record("moveCardFromBoard", now, data, card=card)
    card.update(
        idBoard=target["id"],
        idList=list_id,
        idShort=store.next_id_short(target["id"]),
        pos=store.next_pos(list_id, "bottom"),
        idLabels=_labels_on(store, card["idLabels"], target["id"]),
        idMembers=[m for m in card["idMembers"] if m in target["idMembers"]],
    )
    for checklist_id in card.get("idChecklists", []):
        store.checklists[checklist_id]["idBoard"] = target["id"]
    data = {"boardSource": {"id": source_board}, "list": store.list_ref(list_id)}
    store.record("moveCardToBoard", now, data, card=card)


def copy_card(store: TrelloStore, params: Mapping[str, Any], list_id: str, now: datetime) -> Json:
    source = store.find_card(str(params["idCardSource"]))
    if source is None:
        raise ApiError(400, "invalid value for idCardSource")
    keep = _kept(params.get("keepFromSource", "all"))
    board_id = store.lists[list_id]["idBoard"]
    card_id = store.new_id(now)
    name = params.get("name", source["name"])
    card = {
        **copy.deepcopy(source),
        **_kept_parts(store, source, keep, board_id, card_id, now),
        "id": card_id,
        "name": name if isinstance(name, str) else source["name"],
        "closed": False,
        "idBoard": board_id,
        "idList": list_id,
        "pos": store.next_pos(list_id, params.get("pos", "bottom")),
        "idShort": store.next_id_short(board_id),
        "shortLink": short_link(card_id),
        "dateLastActivity": trello_time(now),
    }
    store.cards[card_id] = card
    data = {"cardSource": store.card_ref(source), "list": store.list_ref(list_id)}
    store.record("copyCard", now, data, card=card)
    return card


def _kept_parts(
    store: TrelloStore, source: Json, keep: tuple[str, ...], board_id: str, card_id: str, now: datetime
) -> Json:
    """What `keepFromSource` copies; the rest starts empty."""
    on_board = store.boards[board_id]["idMembers"]
    return {
        "idLabels": _labels_on(store, source["idLabels"], board_id) if "labels" in keep else [],
        "idMembers": [m for m in source["idMembers"] if m in on_board] if "members" in keep else [],
        "due": source["due"] if "due" in keep else None,
        "dueComplete": source["dueComplete"] if "due" in keep else False,
        "idChecklists": _copied_checklists(store, source, card_id, board_id, now)
        if "checklists" in keep
        else [],
        "attachments": _copied_attachments(store, source, now) if "attachments" in keep else [],
        "comments": source.get("comments", 0) if "comments" in keep else 0,
    }


def _landing_list(store: TrelloStore, board_id: str, list_id: str | None) -> str:
    """The list asked for (already checked to be on the board), else the board's first open list."""
    if list_id is not None:
        return list_id
    lists = sorted(
        (item for item in store.on_board(store.lists, board_id) if not item["closed"]), key=lambda i: i["pos"]
    )
    if not lists:
        raise ApiError(400, "invalid value for idList")
    return str(lists[0]["id"])


def _labels_on(store: TrelloStore, label_ids: list[str], board_id: str) -> list[str]:
    """The target board's labels named and coloured like `label_ids`."""
    wanted = {(store.labels[i]["name"], store.labels[i]["color"]) for i in label_ids}
    if all(store.labels[i]["idBoard"] == board_id for i in label_ids):
        return list(label_ids)
    mine = store.on_board(store.labels, board_id)
    return [label["id"] for label in mine if (label["name"], label["color"]) in wanted]


def _kept(value: object) -> tuple[str, ...]:
    if value == "all":
        return KEEP_ALL
    names = tuple(part.strip() for part in str(value).split(",") if part.strip())
    if any(name not in KEEP_ALL for name in names):
        raise ApiError(400, "invalid value for keepFromSource")
    return names


def _copied_checklists(
    store: TrelloStore, source: Json, card_id: str, board_id: str, now: datetime
) -> list[str]:
    copied = []
    for checklist_id in source.get("idChecklists", []):
        checklist = copy.deepcopy(store.checklists[checklist_id])
        checklist.update(id=store.new_id(now), idCard=card_id, idBoard=board_id)
        for item in checklist["checkItems"]:
            item.update(id=store.new_id(now), idChecklist=checklist["id"])
        store.checklists[checklist["id"]] = checklist
        copied.append(checklist["id"])
    return copied


def _copied_attachments(store: TrelloStore, source: Json, now: datetime) -> list[Json]:
    return [{**attachment, "id": store.new_id(now)} for attachment in source.get("attachments", [])]
