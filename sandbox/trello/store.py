"""The Trello emulator's state: boards, their lists, labels, members and cards, checklists, and one
action log.

Ids are 24-hex ObjectIds whose first four bytes are the creation time, as Trello's are; that is what
lets `since`/`before` take an id. Ids made at run time end with a counter, so two made in the same
second still sort in creation order. Every write records the action Trello records for it (see
writes.py, moves.py, activity.py) and moves the card's `dateLastActivity`. Lists, labels and cards
name their board (`idBoard`); an action names its board in `data.board`, and a board's log is the
actions that name it. The sandbox token has its record too (`token`: whose it is, when it was granted,
when it expires), as `GET /1/tokens/{token}` shows it. Everything here is plain JSON, for
`dump()`/`load()`.
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
# A token granted with `scope=read,write` reads and writes every board and workspace of its member;
# the spec's `TokenPermission` names the model type and `*` for all of them.
TOKEN_SCOPE = ("board", "organization")


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


def token_record(created: datetime, member_id: str) -> Json:
    """A token as Trello keeps it once granted: the app it was granted to (`identifier`, the authorize
    route's `name`), its member, when, until when (`dateExpires`, null: never) and what it may do."""
    return {
        "id": object_id(created, "token"),
        "identifier": "obm-hub",
        "idMember": member_id,
        "dateCreated": trello_time(created),
        "dateExpires": None,
        "permissions": [
            {"idModel": "*", "modelType": kind, "read": True, "write": True} for kind in TOKEN_SCOPE
        ],
    }


def short_link(salt: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int(hashlib.sha256(salt.encode()).hexdigest(), 16)
    return "".join(alphabet[(number >> (6 * i)) % len(alphabet)] for i in range(8))


@dataclass
class TrelloStore:
    boards: dict[str, Json] = field(default_factory=dict)  # with `idMembers`: who is on the board
    lists: dict[str, Json] = field(default_factory=dict)
    labels: dict[str, Json] = field(default_factory=dict)
    members: dict[str, Json] = field(default_factory=dict)
    cards: dict[str, Json] = field(default_factory=dict)  # with `attachments`, `comments`
    checklists: dict[str, Json] = field(default_factory=dict)  # with their `checkItems`
    actions: list[Json] = field(default_factory=list)  # oldest first, every board's
    operator: str = ""  # the member the sandbox token belongs to
    token: Json = field(default_factory=dict)  # the sandbox token's record (token_record)
    sequence: int = 0

    def dump(self) -> Json:
        return asdict(self)

    @classmethod
    def load(cls, data: Json) -> TrelloStore:
        return cls(**_upgraded(data))

    # -- ids and actions ---------------------------------------------------------------------

    def new_id(self, moment: datetime) -> str:
        self.sequence += 1
        return f"{int(moment.timestamp()):08x}{_MACHINE}{self.sequence % 0x1000000:06x}"

    def record(
        self,
        kind: str,
        now: datetime,
        data: Json,
        *,
        card: Json | None = None,
        shown: tuple[str, ...] = (),
        board_id: str | None = None,
    ) -> Json:
        """Append an action on `board_id` (default: the card's board) about `card`, showing its
        `shown` fields, and touch the card. The log's time never goes back, so it stays in id order."""
        latest = parse_time(self.actions[-1]["date"]) if self.actions else now
        moment = max(now, latest)
        if card is not None:
            data = {"card": self.card_ref(card, *shown), **data}
        board = board_id or (card["idBoard"] if card is not None else "")
        action = {
            "id": self.new_id(moment),
            "idMemberCreator": self.operator,
            "type": kind,
            "date": trello_time(moment),
            "data": {**data, "board": self.board_ref(board)},
            "appCreator": None,
            "limits": {},
        }
        self.actions.append(action)
        if card is not None:
            card["dateLastActivity"] = action["date"]
        return action

    def board_ref(self, board_id: str) -> Json:
        board = self.boards[board_id]
        return {"id": board["id"], "name": board["name"], "shortLink": board["shortLink"]}

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

    def find_board(self, board_id: str) -> Json | None:
        """By id or by short link, as Trello accepts both."""
        return self.boards.get(board_id.lower()) or next(
            (board for board in self.boards.values() if board["shortLink"] == board_id), None
        )

    def find_card(self, card_id: str) -> Json | None:
        """By id or by short link, as Trello accepts both."""
        return self.cards.get(card_id) or next(
            (card for card in self.cards.values() if card["shortLink"] == card_id), None
        )

    def on_board(self, objects: dict[str, Json], board_id: str) -> list[Json]:
        """The lists, labels or cards of one board."""
        return [item for item in objects.values() if item["idBoard"] == board_id]

    def next_pos(self, list_id: str, where: object) -> float:
        positions = [c["pos"] for c in self.cards.values() if c["idList"] == list_id and not c["closed"]]
        if where == "top":
            return min(positions, default=65536.0) / 2
        if isinstance(where, (int, float)) and not isinstance(where, bool):
            return float(where)
        return max(positions, default=0.0) + 65536.0

    def next_id_short(self, board_id: str) -> int:
        """Card numbers count per board ("the short numeric identifier for the card within its board")."""
        return max((c["idShort"] for c in self.cards.values() if c["idBoard"] == board_id), default=0) + 1


def _upgraded(data: Json) -> Json:
    """State saved before the token had a record (it never expires), or before boards were plural
    (one `board`, no `idBoard` on lists, labels, cards)."""
    if not data.get("token"):
        actions = data.get("actions") or []
        created = parse_time(actions[0]["date"]) if actions else datetime(2020, 1, 1, tzinfo=UTC)
        data = {**data, "token": token_record(created, data.get("operator", ""))}
    if "board" not in data:
        return data
    data = dict(data)
    board = {**data.pop("board"), "idMembers": list(data.get("members", {}))}
    for kind in ("lists", "labels", "cards"):
        for item in data.get(kind, {}).values():
            item.setdefault("idBoard", board["id"])
    return {**data, "boards": {board["id"]: board}}
