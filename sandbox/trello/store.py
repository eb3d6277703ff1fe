"""The Trello emulator's state: one board, its lists, labels, members, cards and action log.

Ids are 24-hex ObjectIds whose first four bytes are the creation time, as Trello's are; that is what
lets `since`/`before` take an id. Ids made at run time end with a counter, so two made in the same
second still sort in creation order. Writes record the action Trello records (createCard, updateCard
with `data.old`, add/removeMemberToCard, add/removeLabelToCard, deleteCard) and move the card's
`dateLastActivity`. Everything here is plain JSON, for `dump()`/`load()`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]
_MACHINE = hashlib.sha256(b"obm-hub trello sandbox").hexdigest()[:10]
_HEX_ID = re.compile(r"^[0-9a-fA-F]{24}$")


def object_id(moment: datetime, salt: str) -> str:
    """A deterministic ObjectId created at `moment` (seeded objects: the salt is the business key)."""
    return f"{int(moment.timestamp()):08x}{hashlib.sha256(salt.encode()).hexdigest()[:16]}"


def id_time(value: str) -> datetime:
    """When an ObjectId was made: its first four bytes."""
    return datetime.fromtimestamp(int(value[:8], 16), UTC)


def is_object_id(value: str) -> bool:
    return bool(_HEX_ID.match(value))


def trello_time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and `Z`, as every Trello date."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def short_link(salt: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int(hashlib.sha256(salt.encode()).hexdigest(), 16)
    return "".join(alphabet[(number >> (6 * i)) % len(alphabet)] for i in range(8))


@dataclass
class TrelloStore:
    board: Json
    lists: dict[str, Json] = field(default_factory=dict)
    labels: dict[str, Json] = field(default_factory=dict)
    members: dict[str, Json] = field(default_factory=dict)
    cards: dict[str, Json] = field(default_factory=dict)
    actions: list[Json] = field(default_factory=list)  # oldest first
    operator: str = ""  # the member the sandbox token belongs to
    sequence: int = 0

    def dump(self) -> Json:
        return asdict(self)

    @classmethod
    def load(cls, data: Json) -> TrelloStore:
        return cls(**data)

    # -- ids and actions ---------------------------------------------------------------------

    def new_id(self, moment: datetime) -> str:
        self.sequence += 1
        return f"{int(moment.timestamp()):08x}{_MACHINE}{self.sequence % 0x1000000:06x}"

    def record(
        self, kind: str, now: datetime, data: Json, *, card: Json | None = None, shown: tuple[str, ...] = ()
    ) -> Json:
        """Append an action (about `card`, showing its `shown` fields) and touch the card. The log's
        time never goes back, so it stays in id order."""
        latest = parse_time(self.actions[-1]["date"]) if self.actions else now
        moment = max(now, latest)
        if card is not None:
            data = {"card": self.card_ref(card, *shown), **data}
        action = {
            "id": self.new_id(moment),
            "idMemberCreator": self.operator,
            "type": kind,
            "date": trello_time(moment),
            "data": {**data, "board": self.board_ref()},
            "appCreator": None,
            "limits": {},
        }
        self.actions.append(action)
        if card is not None:
            card["dateLastActivity"] = action["date"]
        return action

    def board_ref(self) -> Json:
        return {"id": self.board["id"], "name": self.board["name"], "shortLink": self.board["shortLink"]}

    def card_ref(self, card: Json, *fields: str) -> Json:
        ref = {
            "id": card["id"],
            "name": card["name"],
            "idShort": card["idShort"],
            "shortLink": card["shortLink"],
        }
        return {**ref, **{name: card[name] for name in fields}}

    def list_ref(self, list_id: str) -> Json:
        return {"id": list_id, "name": self.lists[list_id]["name"]}

    def move_data(self, before: str, after: str) -> Json:
        """An updateCard's data for a move between lists."""
        return {
            "old": {"idList": before},
            "listBefore": self.list_ref(before),
            "listAfter": self.list_ref(after),
        }

    # -- lookups -----------------------------------------------------------------------------

    def find_card(self, card_id: str) -> Json | None:
        """By id or by short link, as Trello accepts both."""
        return self.cards.get(card_id) or next(
            (card for card in self.cards.values() if card["shortLink"] == card_id), None
        )

    def next_pos(self, list_id: str, where: object) -> float:
        positions = [c["pos"] for c in self.cards.values() if c["idList"] == list_id and not c["closed"]]
        if where == "top":
            return min(positions, default=65536.0) / 2
        if isinstance(where, (int, float)) and not isinstance(where, bool):
            return float(where)
        return max(positions, default=0.0) + 65536.0

    # -- rendering ---------------------------------------------------------------------------

    def render_card(self, card: Json) -> Json:
        """The card as `GET /cards/{id}` returns it (every default field)."""
        labels = [self.labels[label_id] for label_id in card["idLabels"]]
        slug = re.sub(r"[^a-z0-9]+", "-", card["name"].lower()).strip("-")
        return {
            "id": card["id"],
            "badges": _badges(card),
            "checkItemStates": [],
            "closed": card["closed"],
            "dueComplete": card["dueComplete"],
            "dateLastActivity": card["dateLastActivity"],
            "desc": card["desc"],
            "descData": {"emoji": {}},
            "due": card["due"],
            "dueReminder": None,
            "email": None,
            "idBoard": self.board["id"],
            "idChecklists": [],
            "idList": card["idList"],
            "idMembers": list(card["idMembers"]),
            "idMembersVoted": [],
            "idShort": card["idShort"],
            "idAttachmentCover": None,
            "labels": [dict(label) for label in labels],
            "idLabels": list(card["idLabels"]),
            "manualCoverAttachment": False,
            "name": card["name"],
            "pos": card["pos"],
            "shortLink": card["shortLink"],
            "shortUrl": f"https://trello.com/c/{card['shortLink']}",
            "start": card.get("start"),
            "subscribed": False,
            "url": f"https://trello.com/c/{card['shortLink']}/{card['idShort']}-{slug}",
            "cover": {"idAttachment": None, "color": None, "idUploadedBackground": None, "size": "normal"},
            "isTemplate": False,
            "cardRole": None,
        }

    def render_action(self, action: Json, *, with_creator: bool) -> Json:
        if not with_creator:
            return dict(action)
        member = self.members.get(action["idMemberCreator"], {})
        creator = {
            "id": action["idMemberCreator"],
            "activityBlocked": False,
            "avatarHash": None,
            "avatarUrl": None,
            "fullName": member.get("fullName"),
            "idMemberReferrer": None,
            "initials": member.get("initials"),
            "nonPublic": {},
            "nonPublicAvailable": True,
            "username": member.get("username"),
        }
        return {**action, "memberCreator": creator}


def _badges(card: Json) -> Json:
    return {
        "attachmentsByType": {"trello": {"board": 0, "card": 0}},
        "location": False,
        "votes": 0,
        "viewingMemberVoted": False,
        "subscribed": False,
        "fogbugz": "",
        "checkItems": 0,
        "checkItemsChecked": 0,
        "checkItemsEarliestDue": None,
        "comments": 0,
        "attachments": 0,
        "description": bool(card["desc"]),
        "due": card["due"],
        "dueComplete": card["dueComplete"],
        "start": card.get("start"),
    }
