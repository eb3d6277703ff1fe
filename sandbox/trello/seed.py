"""The demo business as a Trello board, deterministically.

One board (the workspace's board id, "Bright Path Coaching") with the lists in `LISTS` order, the
project and extra labels, the people with a Trello username as members, and one card per task that is
on Trello. Card ids carry the task's creation time, as Trello ids do; the rest of every id is a hash
of the business key. The action log tells the board's story: a createCard per card when it was
created, an updateCard move into its list for every card past the Backlog, and an updateCard
closing each archived card, so that `actions?since=` works from the first request.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sandbox.business import LISTS, BizTask, Business
from sandbox.trello.store import Json, TrelloStore, id_time, object_id, short_link, trello_time

BOARD_NAME = "Bright Path Coaching"
LABEL_COLORS = {
    "Client": "green",
    "Marketing": "orange",
    "Admin": "sky",
    "Urgent": "red",
    "Content": "purple",
    "Finance": "yellow",
    "Waiting on client": "blue",
}
POS_STEP = 65536.0


def seed_store(business: Business) -> TrelloStore:
    workspace = business.workspace
    assert workspace.trello is not None, "the demo business has a Trello board"
    board_id = workspace.trello.board_id
    store = TrelloStore(board={"id": board_id, "name": BOARD_NAME, "shortLink": short_link(board_id)})
    _lists_labels_members(store, business)
    usernames = {person.email: person.trello_username for person in business.people}
    tasks = [task for task in business.tasks if task.on_trello]
    for index, task in enumerate(tasks):
        card = _card(store, task, index, usernames)
        store.cards[card["id"]] = card
    _history(store, tasks, business.now)
    return store


def _lists_labels_members(store: TrelloStore, business: Business) -> None:
    """The board's furniture, with ids made at the board's own creation time."""
    board_id = store.board["id"]
    born = id_time(board_id)
    for index, name in enumerate(LISTS):
        list_id = object_id(born, f"list:{name}")
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
    for name in business.labels:
        label_id = object_id(born, f"label:{name}")
        store.labels[label_id] = {
            "id": label_id,
            "idBoard": board_id,
            "name": name,
            "color": LABEL_COLORS.get(name),
        }
    for person in business.people:
        if not person.trello_username:
            continue
        member_id = object_id(born, f"member:{person.trello_username}")
        initials = "".join(part[0] for part in person.name.split()).upper()
        store.members[member_id] = {
            "id": member_id,
            "fullName": person.name,
            "username": person.trello_username,
            "initials": initials,
        }
        if person.role == "obm":  # the OBM runs the board; the sandbox token is hers
            store.operator = member_id


def _card(store: TrelloStore, task: BizTask, index: int, usernames: dict[str, str | None]) -> Json:
    card_id = object_id(task.created, f"card:{task.key}")
    list_id = _by_name(store.lists, task.list_name)
    position = sum(1 for c in store.cards.values() if c["idList"] == list_id)
    by_username = {member["username"]: member_id for member_id, member in store.members.items()}
    return {
        "id": card_id,
        "name": task.title,
        "desc": task.description,
        "closed": task.archived,
        "idList": list_id,
        "idLabels": [_by_name(store.labels, label) for label in task.labels],
        "idMembers": [by_username[usernames[email]] for email in task.assignees if usernames.get(email)],
        "due": trello_time(task.due) if task.due is not None else None,
        "dueComplete": task.done,
        "start": None,
        "dateLastActivity": trello_time(task.created),
        "pos": POS_STEP * (position + 1),
        "idShort": index + 1,
        "shortLink": short_link(card_id),
    }


def _history(store: TrelloStore, tasks: list[BizTask], now: datetime) -> None:
    """Replay the board's life in time order, as actions."""
    events: list[tuple[datetime, str, int, BizTask]] = []
    for task in tasks:
        events.append((task.created, task.key, 0, task))
        moved = _moment(task, now, days=1 + _spread(task.key, 5))
        if task.list_name != LISTS[0]:
            events.append((moved, task.key, 1, task))
        if task.archived:
            events.append((_moment(task, now, days=7 + _spread(task.key, 5)), task.key, 2, task))
    for moment, _, kind, task in sorted(events, key=lambda event: event[:3]):
        card = store.cards[object_id(task.created, f"card:{task.key}")]
        if kind == 0:
            store.record("createCard", moment, {"list": store.list_ref(card["idList"])}, card=card)
        elif kind == 1:
            before = _by_name(store.lists, LISTS[LISTS.index(task.list_name) - 1])
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


def _by_name(objects: dict[str, Json], name: str) -> str:
    return next(key for key, item in objects.items() if item["name"] == name)
