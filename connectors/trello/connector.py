"""The Trello connector: one board's cards as canonical tasks.

Reading
- `fetch_changes(None)` is a snapshot: the newest board action's id (the next cursor, read *first* so
  that a change made during the snapshot is read again next time rather than lost), then the board's
  lists, labels and members, then `cards/all` (archived cards included). 5 requests.
- `fetch_changes(cursor)` reads the board's actions since the cursor (an action id: ids embed their
  creation time, and `since` accepts one), restricted to the action types that change a card. The
  newest action per card says whether it changed or left the board (deleted, moved to another board).
  Each changed card is then read with its list and members embedded: 1 + n requests. Past
  `CARD_READS_MAX` changed cards, one `cards/all` read (with the board's lists and members) is cheaper
  than n single reads. The next cursor is the newest action id seen.

Writing. Trello has no precondition: `update` and `archive` re-read the card and raise `Conflict` when
its `dateLastActivity` moved past `if_version` (the window between that read and the write remains).
The re-read also gives `update` the card's link line, which it keeps. Lists, labels and members are
read once per connector (and again on each snapshot) to turn names into ids; labels a task needs but
the board lacks are created.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from config.hub_file import Workspace
from config.settings import TrelloSettings
from connectors.base import Closing, require_ready
from connectors.errors import BadData, Conflict, NotFound
from connectors.http import CoreOptions, build_core
from connectors.trello.client import TrelloAuth, TrelloClient
from connectors.trello.mapping import (
    BoardIndex,
    TrelloMapping,
    card_to_remote,
    format_instant,
    label_names,
    split_link,
    task_to_card,
)
from connectors.trello.models import SERVICE, TrelloAction, TrelloCard
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import Task

logger = logging.getLogger(__name__)

# Action types that create, change or remove a card (https://developer.atlassian.com/cloud/trello/
# guides/rest-api/action-types/). Label changes are logged as add/removeLabelToCard on the board.
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
)
GONE_ACTIONS = frozenset({"deleteCard", "moveCardFromBoard"})
# Beyond this many changed cards, one board read costs fewer requests than one read per card.
CARD_READS_MAX = 25
LABEL_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
_ACTION_ID = re.compile(r"^[0-9a-f]{24}$")


class TrelloConnector(Closing):
    """Tasks on one Trello board. See the module docstring for the request budget."""

    service = SERVICE

    def __init__(
        self,
        client: TrelloClient,
        board_id: str,
        mapping: TrelloMapping,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.client = client
        self.board_id = board_id
        self.mapping = mapping
        self._clock = clock
        self._board_index: BoardIndex | None = None

    @classmethod
    def from_settings(
        cls,
        settings: TrelloSettings,
        workspace: Workspace,
        options: CoreOptions | None = None,
        *,
        clock: Clock = utc_now,
    ) -> TrelloConnector:
        """A connector for the workspace's board (the hub file's `project_labels` name the projects)."""
        require_ready(SERVICE, settings, workspace)
        assert workspace.trello is not None and settings.api_key is not None and settings.token is not None
        key, token = settings.api_key.get_secret_value(), settings.token.get_secret_value()
        auth = TrelloAuth(key, token)
        core = build_core(SERVICE, settings.base_url, credential=token, auth=auth, options=options)
        mapping = TrelloMapping.from_workspace(workspace)
        return cls(TrelloClient(core), workspace.trello.board_id, mapping, clock=clock)

    def close(self) -> None:
        self.client.core.close()

    # -- reading -----------------------------------------------------------------------------

    def fetch_changes(self, cursor: str | None) -> ChangeBatch[Task]:
        """A snapshot when `cursor` is None (or unreadable), else the cards changed since it."""
        if cursor is None:
            return self._snapshot()
        if not _valid_cursor(cursor):
            logger.warning("trello cursor %r is neither an action id nor a date; reading everything", cursor)
            return self._snapshot()
        return self._changes_since(cursor)

    def _snapshot(self) -> ChangeBatch[Task]:
        newest = self.client.get_board_actions(self.board_id, limit=1)
        cursor = newest[0].id if newest else format_instant(self._clock())
        board = self._load_board()
        items, skipped = self._map(self.client.get_board_cards(self.board_id, "all"), board)
        return ChangeBatch(tuple(items), cursor=cursor, full=True, skipped=tuple(skipped))

    def _changes_since(self, cursor: str) -> ChangeBatch[Task]:
        actions = list(self.client.walk_board_actions(self.board_id, since=cursor, filter=CARD_ACTIONS))
        if not actions:
            return ChangeBatch((), cursor=cursor)
        changed, gone = _changed_and_gone(actions)
        read = self._read_board_cards if len(changed) > CARD_READS_MAX else self._read_cards
        items, missing, skipped = read(changed)
        newest = max(action.id for action in actions)
        return ChangeBatch(tuple(items), deleted=(*gone, *missing), cursor=newest, skipped=tuple(skipped))

    def _read_cards(self, card_ids: Sequence[str]) -> tuple[list[Remote[Task]], list[str], list[str]]:
        """One read per card; a card that is gone, or now on another board, counts as deleted."""
        items: list[Remote[Task]] = []
        missing, skipped = [], []
        for card_id in card_ids:
            try:
                card = self.client.get_card(card_id)
            except NotFound:
                missing.append(card_id)
                continue
            except BadData as exc:
                logger.warning("skipping %s", exc)
                skipped.append(card_id)
                continue
            if card.idBoard != self.board_id:
                missing.append(card_id)
                continue
            mapped, bad = self._map([card], BoardIndex.of_card(card))
            items += mapped
            skipped += bad
        return items, missing, skipped

    def _read_board_cards(self, card_ids: Sequence[str]) -> tuple[list[Remote[Task]], list[str], list[str]]:
        cards = {card.id: card for card in self.client.get_board_cards(self.board_id, "all")}
        wanted = [cards[card_id] for card_id in card_ids if card_id in cards]
        items, skipped = self._map(wanted, self._board_for(wanted))
        return items, [card_id for card_id in card_ids if card_id not in cards], skipped

    def _map(self, cards: Iterable[TrelloCard], board: BoardIndex) -> tuple[list[Remote[Task]], list[str]]:
        items, skipped = [], []
        for card in cards:
            try:
                items.append(card_to_remote(card, board, self.mapping))
            except BadData as exc:
                logger.warning("skipping %s", exc)
                skipped.append(card.id)
        return items, skipped

    # -- writing -----------------------------------------------------------------------------

    def create(self, item: Task, *, link_id: str) -> Remote[Task]:
        """A new card carrying the link line; an archived task is archived right after."""
        board = self._board_with_labels(item)
        payload = task_to_card(item, board, self.mapping, link_id=link_id)
        payload.pop("closed")  # not a POST /cards parameter
        card = self.client.create_card(payload)
        if item.archived:
            card = self.client.update_card(card.id, {"closed": True})
        return card_to_remote(card, self._board_for([card]), self.mapping)

    def update(self, remote_id: str, item: Task, *, if_version: str | None = None) -> Remote[Task]:
        """Write the task over the card, keeping its link line; Conflict if it moved past `if_version`."""
        current = self.client.get_card(remote_id)
        _check_version(current, if_version)
        _, link_id = split_link(current.desc)
        board = self._board_with_labels(item)
        payload = task_to_card(item, board, self.mapping, link_id=link_id, current_list=current.idList)
        card = self.client.update_card(remote_id, payload)
        return card_to_remote(card, self._board_for([card]), self.mapping)

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Archive the card (`closed: true`, reversible in Trello); Conflict if it moved."""
        if if_version is not None:
            _check_version(self.client.get_card(remote_id), if_version)
        self.client.update_card(remote_id, {"closed": True})

    # -- the board's lists, labels and members -----------------------------------------------

    def _board(self) -> BoardIndex:
        return self._board_index if self._board_index is not None else self._load_board()

    def _board_for(self, cards: Sequence[TrelloCard]) -> BoardIndex:
        """The board, read again if a list or member appeared since it was read."""
        board = self._board()
        return board if all(board.knows(card) for card in cards) else self._load_board()

    def _load_board(self) -> BoardIndex:
        self._board_index = BoardIndex(
            lists=tuple(self.client.get_board_lists(self.board_id)),
            labels=tuple(self.client.get_board_labels(self.board_id)),
            members=tuple(self.client.get_board_members(self.board_id)),
        )
        return self._board_index

    def _board_with_labels(self, item: Task) -> BoardIndex:
        """The board, after creating the labels the task names and the board lacks."""
        board = self._board()
        for name in sorted(label_names(item, self.mapping)):
            if board.label_id(name) is None:
                color = LABEL_COLORS[zlib.crc32(name.encode()) % len(LABEL_COLORS)]
                board = board.with_label(self.client.create_board_label(self.board_id, name, color))
        self._board_index = board
        return board


def _changed_and_gone(actions: Iterable[TrelloAction]) -> tuple[list[str], list[str]]:
    """Card ids whose newest action changed them, and those whose newest action removed them."""
    newest: dict[str, TrelloAction] = {}
    for action in actions:
        card_id = action.card_id
        if card_id is not None and (card_id not in newest or action.id > newest[card_id].id):
            newest[card_id] = action
    changed = [card_id for card_id, action in newest.items() if action.type not in GONE_ACTIONS]
    gone = [card_id for card_id, action in newest.items() if action.type in GONE_ACTIONS]
    return changed, gone


def _check_version(card: TrelloCard, if_version: str | None) -> None:
    if if_version is None or _instant(card.dateLastActivity) == _instant(if_version):
        return
    raise Conflict(
        f"trello card {card.id} changed since it was read"
        f" (version {if_version}, now {card.dateLastActivity})",
        service=SERVICE,
        method="PUT",
        path="/cards/{id}",
    )


def _instant(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _valid_cursor(cursor: str) -> bool:
    return bool(_ACTION_ID.match(cursor)) or _instant(cursor) is not None
