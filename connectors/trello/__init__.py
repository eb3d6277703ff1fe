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
    TrelloAttachment,
    TrelloCard,
    TrelloCardWrite,
    TrelloLabel,
    TrelloList,
    TrelloMember,
    TrelloToken,
)
from connectors.trello.peer import PEER_ATTACHMENT
from connectors.trello.represent import represent

__all__ = [
    "PEER_ATTACHMENT",
    "BoardIndex",
    "TrelloAction",
    "TrelloAttachment",
    "TrelloAuth",
    "TrelloCard",
    "TrelloCardWrite",
    "TrelloClient",
    "TrelloConnector",
    "TrelloLabel",
    "TrelloList",
    "TrelloMapping",
    "TrelloMember",
    "TrelloToken",
    "card_to_task",
    "represent",
    "split_link",
    "task_to_card",
    "with_link",
]
