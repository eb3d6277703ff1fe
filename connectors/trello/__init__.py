"""Trello: one board's cards as canonical tasks (client, raw models, mapping, connector)."""

from connectors.trello.client import TrelloAuth, TrelloClient
from connectors.trello.connector import TrelloConnector
from connectors.trello.mapping import (
    BoardIndex,
    TrelloMapping,
    card_to_task,
    split_link,
    task_to_card,
    with_link,
)
from connectors.trello.models import (
    TrelloAction,
    TrelloCard,
    TrelloCardWrite,
    TrelloLabel,
    TrelloList,
    TrelloMember,
)

__all__ = [
    "BoardIndex",
    "TrelloAction",
    "TrelloAuth",
    "TrelloCard",
    "TrelloCardWrite",
    "TrelloClient",
    "TrelloConnector",
    "TrelloLabel",
    "TrelloList",
    "TrelloMapping",
    "TrelloMember",
    "card_to_task",
    "split_link",
    "task_to_card",
    "with_link",
]
