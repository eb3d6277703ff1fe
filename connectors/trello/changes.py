"""What a board's actions since a cursor say changed: pure, no I/O.

Trello records an action for every change (https://developer.atlassian.com/cloud/trello/guides/
rest-api/action-types/); the hub asks only for those that change what it reads of a card:

- the card's fields, members, labels (createCard, updateCard, add/removeMember..., add/removeLabel...);
- the card's version: `dateLastActivity` moves with comments, checklists and attachments too, and an
  update checks the version it was given, so those are read again (their content is unchanged);
- the card's place: `deleteCard` removes it; `moveCardFromBoard` takes it to another board (it left the
  board, it was not deleted); `moveCardToBoard`, `copyCard` and `convertToCardFromCheckItem` bring one;
- its list: `updateList` renaming or (un)archiving a list changes the status or the archived state of
  every card in it without a card action, so those cards are read again.

The newest action per card decides: a card moved away and back again has changed, not left.

What the store already holds is not read again (`unseen`): a card whose every action since the cursor
is dated at or before the `dateLastActivity` of the copy the hub holds (from the answer to its own
write, or its last read) changed only by what that copy already shows: those actions are the hub's
own writes, read back. The copy's `dateLastActivity` is the instant of the card's latest activity
when Trello answered, so an edit made after that answer is an action dated after it: that card is
read. (Both are Trello's clock, to the millisecond; an edit in the very millisecond of the hub's
write would be taken for it.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from connectors.trello.models import TrelloAction

CARD_ACTIONS = (
    "createCard",
    "updateCard",
    "deleteCard",
    "copyCard",
    "moveCardToBoard",
    "moveCardFromBoard",
    "convertToCardFromCheckItem",
    "addMemberToCard",
    "removeMemberFromCard",
    "addLabelToCard",
    "removeLabelFromCard",
    "commentCard",
    "addChecklistToCard",
    "updateCheckItemStateOnCard",
    "addAttachmentToCard",
    "deleteAttachmentFromCard",
)
LIST_ACTIONS = ("updateList",)
WATCHED = CARD_ACTIONS + LIST_ACTIONS
LIST_FIELDS_ON_CARDS = frozenset({"name", "closed"})  # a list's fields that show on its cards


@dataclass(frozen=True)
class BoardChanges:
    changed: tuple[str, ...] = ()  # card ids to read again
    deleted: tuple[str, ...] = ()
    left: tuple[str, ...] = ()  # moved to another board
    lists: frozenset[str] = frozenset()  # lists renamed or (un)archived: every card in them changed


def board_changes(actions: Iterable[TrelloAction]) -> BoardChanges:
    newest: dict[str, TrelloAction] = {}
    lists: set[str] = set()
    for action in actions:
        card_id, list_id = action.card_id, action.list_id
        if action.type in LIST_ACTIONS:
            if list_id and LIST_FIELDS_ON_CARDS & set(action.data.old or {}):
                lists.add(list_id)
        elif card_id is not None and (card_id not in newest or action.id > newest[card_id].id):
            newest[card_id] = action
    by_kind: dict[str, list[str]] = {"deleteCard": [], "moveCardFromBoard": [], "": []}
    for card_id, action in newest.items():
        by_kind.get(action.type, by_kind[""]).append(card_id)
    return BoardChanges(
        changed=tuple(by_kind[""]),
        deleted=tuple(by_kind["deleteCard"]),
        left=tuple(by_kind["moveCardFromBoard"]),
        lists=frozenset(lists),
    )


def held_versions(versions: Mapping[str, str | None]) -> dict[str, datetime]:
    """The held copies' versions (`dateLastActivity`) as instants, those readable as such."""
    return {card_id: when for card_id, version in versions.items() if (when := _date(version)) is not None}


def unseen(
    changes: BoardChanges, actions: Iterable[TrelloAction], versions: Mapping[str, datetime]
) -> BoardChanges:
    """The changes less the cards the store already holds as they are: every card action since the
    cursor dated at or before the held copy's `dateLastActivity` (`versions`, by card id). A card
    with an undated action, or none held, stays to be read."""
    latest: dict[str, datetime] = {}
    undated: set[str] = set()
    for action in actions:
        card_id = action.card_id
        if card_id is None or action.type not in CARD_ACTIONS or card_id not in versions:
            continue
        when = _date(action.date)
        if when is None:
            undated.add(card_id)
        elif card_id not in latest or when > latest[card_id]:
            latest[card_id] = when
    held = {c for c, when in latest.items() if c not in undated and when <= versions[c]}
    return replace(changes, changed=tuple(c for c in changes.changed if c not in held))


def _date(value: str | None) -> datetime | None:
    """An action's date (Trello's ISO instant with `Z`); None when missing, unreadable or naive."""
    try:
        when = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return when if when is not None and when.tzinfo is not None else None
