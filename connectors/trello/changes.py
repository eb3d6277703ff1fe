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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
