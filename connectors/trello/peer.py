"""The link from a card to its linked copy on the other service (`Task.peer_url`), kept as one link
attachment named `PEER_ATTACHMENT` (Trello shows it on the card with the service's name).

Trello has no way to edit an attachment, so replacing the link is an add then a delete: the new link
goes on first, so an interrupted replacement leaves two (the newest wins on read, and the next write
removes the rest), never none. Attachments come with the card when it is read with
`attachments=true` (a nested resource), so reading costs no extra request.
https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-attachments-post
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.trello.models import TrelloAttachment, TrelloCard

PEER_ATTACHMENT = "Notion"


def peer_attachments(card: TrelloCard) -> list[TrelloAttachment]:
    """The card's peer links, oldest first (Trello lists attachments in the order they were added)."""
    return [a for a in card.attachments or () if a.name == PEER_ATTACHMENT and a.url]


def peer_url(card: TrelloCard) -> str | None:
    """The newest peer link, or None (also when the card was read without its attachments)."""
    found = peer_attachments(card)
    return found[-1].url if found else None


@dataclass(frozen=True)
class PeerChange:
    """What makes the card hold exactly one peer link to `url` (none when `url` is None)."""

    add: str | None = None
    remove: Sequence[str] = ()

    @property
    def empty(self) -> bool:
        return self.add is None and not self.remove


def peer_change(card: TrelloCard, url: str | None) -> PeerChange:
    found = peer_attachments(card)
    keep = next((a for a in reversed(found) if a.url == url), None) if url else None
    return PeerChange(
        add=url if url and keep is None else None,
        remove=tuple(a.id for a in found if a is not keep),
    )
