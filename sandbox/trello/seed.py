"""The sandbox's businesses as Trello boards, deterministically.

Per business: its board (the workspace's board id, named after the business) with the lists in
`LISTS` order, the project and extra labels, the people with a Trello username as members, and one
card per task that is on Trello; and a second, empty board of the same team ("… — Someday", lists
Ideas, Someday, Parked) that cards can be moved to. Card ids carry the task's creation time, as
Trello ids do; the rest of every id is a hash of the business key. The action log tells the boards'
story, all businesses' in one time order: a createCard per card when it was created, an updateCard
move into its list for every card past the Backlog, and an updateCard closing each archived card, so
that `actions?since=` works from the first request.

The sandbox token belongs to the first business's OBM: she is a member of every board, as an OBM who
runs several clients' boards is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sandbox.business import LISTS, BizTask, Business
from sandbox.trello.store import (
    Json,
    TrelloStore,
    id_time,
    object_id,
    short_link,
    token_record,
    trello_time,
)

LABEL_COLORS = {
    "Client": "green",
    "Marketing": "orange",
    "Admin": "sky",
    "Urgent": "red",
    "Content": "purple",
    "Finance": "yellow",
    "Waiting on client": "blue",
}
SOMEDAY_LISTS = ("Ideas", "Someday", "Parked")
POS_STEP = 65536.0
TOKEN_AGE = timedelta(days=90)
History = list[tuple[datetime, str, int, BizTask, str]]  # (moment, task key, kind, task, card id)


def seed_store(businesses: Business | Sequence[Business]) -> TrelloStore:
    chosen = (businesses,) if isinstance(businesses, Business) else tuple(businesses)
    store = TrelloStore()
    history: History = []
    for business in chosen:
        board_id = _board(store, business)
        _someday_board(store, business, board_id)
        history += _cards(store, business, board_id)
    for board in store.boards.values():
        if store.operator not in board["idMembers"]:
            board["idMembers"].append(store.operator)
    _replay(store, history)
    # The OBM granted the hub its token a quarter ago, with `expiration=never` (actions can change it).
    store.token = token_record(chosen[0].now - TOKEN_AGE, store.operator)
    return store


def _board(store: TrelloStore, business: Business) -> str:
    workspace = business.workspace
    assert workspace.trello is not None, "every sandbox business has a Trello board"
    board_id = workspace.trello.board_id
    store.boards[board_id] = {
        "id": board_id,
        "name": workspace.name,
        "shortLink": short_link(board_id),
        "idMembers": _members(store, business, id_time(board_id)),
    }
    _lists(store, business, board_id, LISTS, "list")
    born = id_time(board_id)
    for name in business.labels:
        label_id = object_id(born, business.scoped(f"label:{name}"))
        store.labels[label_id] = {
            "id": label_id,
            "idBoard": board_id,
            "name": name,
            "color": LABEL_COLORS.get(name),
        }
    return board_id


def _someday_board(store: TrelloStore, business: Business, main_board: str) -> None:
    born = id_time(main_board) + timedelta(days=1)
    board_id = object_id(born, business.scoped("board:someday"))
    store.boards[board_id] = {
        "id": board_id,
        "name": f"{business.workspace.name} — Someday",
        "shortLink": short_link(board_id),
        "idMembers": list(store.boards[main_board]["idMembers"]),
    }
    _lists(store, business, board_id, SOMEDAY_LISTS, "someday-list")


def _lists(store: TrelloStore, business: Business, board_id: str, names: Sequence[str], kind: str) -> None:
    born = id_time(board_id)
    for index, name in enumerate(names):
        list_id = object_id(born, business.scoped(f"{kind}:{name}"))
        store.lists[list_id] = {
            "id": list_id,
            "name": name,
            "closed": False,
            "color": None,
            "idBoard": board_id,
            "pos": POS_STEP * (index + 1),
            "subscribed": False,
            "softLimit": None,
        }


def _members(store: TrelloStore, business: Business, born: datetime) -> list[str]:
    """The people with a Trello username, as members made at the board's creation time."""
    member_ids = []
    for person in business.people:
        if not person.trello_username:
            continue
        member_id = object_id(born, business.scoped(f"member:{person.trello_username}"))
        initials = "".join(part[0] for part in person.name.split()).upper()
        store.members[member_id] = {
            "id": member_id,
            "fullName": person.name,
            "username": person.trello_username,
            "initials": initials,
        }
        member_ids.append(member_id)
        if person.role == "obm" and not store.operator:  # the sandbox token is the first OBM's
            store.operator = member_id
    return member_ids


def _cards(store: TrelloStore, business: Business, board_id: str) -> History:
    usernames = {person.email: person.trello_username for person in business.people}
    tasks = [task for task in business.tasks if task.on_trello]
    history: History = []
    for index, task in enumerate(tasks):
        card = _card(store, board_id, task, index, usernames)
        store.cards[card["id"]] = card
        history += _story(task, card["id"], business.now)
    return history


def _card(
    store: TrelloStore, board_id: str, task: BizTask, index: int, usernames: dict[str, str | None]
) -> Json:
    card_id = object_id(task.created, f"card:{task.key}")
    list_id = _by_name(store, board_id, store.lists, task.list_name)
    position = sum(1 for c in store.cards.values() if c["idList"] == list_id)
    board_members = store.boards[board_id]["idMembers"]
    by_username = {store.members[m]["username"]: m for m in board_members}
    return {
        "id": card_id,
        "name": task.title,
        "desc": task.description,
        "closed": task.archived,
        "idBoard": board_id,
        "idList": list_id,
        "idLabels": [_by_name(store, board_id, store.labels, label) for label in task.labels],
        "idMembers": [by_username[usernames[email]] for email in task.assignees if usernames.get(email)],
        "due": trello_time(task.due) if task.due is not None else None,
        "dueComplete": task.done,
        "start": None,
        "dateLastActivity": trello_time(task.created),
        "pos": POS_STEP * (position + 1),
        "idShort": index + 1,
        "shortLink": short_link(card_id),
        "idChecklists": [],
        "attachments": [],
        "comments": 0,
    }


def _story(task: BizTask, card_id: str, now: datetime) -> History:
    """The card's life as (moment, key, kind) events: created, moved into its list, archived."""
    events = [(task.created, task.key, 0, task, card_id)]
    if task.list_name != LISTS[0]:
        events.append((_moment(task, now, days=1 + _spread(task.key, 5)), task.key, 1, task, card_id))
    if task.archived:
        events.append((_moment(task, now, days=7 + _spread(task.key, 5)), task.key, 2, task, card_id))
    return events


def _replay(store: TrelloStore, history: History) -> None:
    """Every board's story in one time order, as actions."""
    for moment, _, kind, task, card_id in sorted(history, key=lambda event: event[:3]):
        card = store.cards[card_id]
        if kind == 0:
            store.record("createCard", moment, {"list": store.list_ref(card["idList"])}, card=card)
        elif kind == 1:
            previous = LISTS[LISTS.index(task.list_name) - 1]
            before = _by_name(store, card["idBoard"], store.lists, previous)
            store.record(
                "updateCard", moment, store.move_data(before, card["idList"]), card=card, shown=("idList",)
            )
        else:
            store.record("updateCard", moment, {"old": {"closed": False}}, card=card, shown=("closed",))


def _moment(task: BizTask, now: datetime, *, days: int) -> datetime:
    """`days` after the task's creation, but never later than an hour before `now`."""
    return min(task.created + timedelta(days=days), max(task.created, now - timedelta(hours=1)))


def _spread(key: str, size: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % size


def _by_name(store: TrelloStore, board_id: str, objects: dict[str, Json], name: str) -> str:
    return next(key for key, item in objects.items() if item["name"] == name and item["idBoard"] == board_id)
