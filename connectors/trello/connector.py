"""The Trello connector: one board's cards as canonical tasks.

Reading
- `fetch_changes(None)` is a snapshot: the newest board action's id (the next cursor, read *first* so
  that a change made during the snapshot is read again next time rather than lost), then the board's
  lists, labels and members, then `cards/all` (archived cards included) with each card's attachments
  as a nested resource (the peer link). 5 requests.
- `fetch_changes(cursor)` reads the board's actions since the cursor (an action id: ids embed their
  creation time, and `since` accepts one), restricted to the types changes.py names. The newest action
  per card says whether it changed, was deleted (`deleted`) or moved to another board (`left`: it
  left the sync's scope, it was not deleted). Each changed card is then read with its list, members
  and attachments embedded: 1 + n requests; a card found on another board has left too; one that
  answers 404 twice without a `deleteCard` action is skipped, not deleted (see `_read_cards`). Past
  `CARD_READS_MAX` changed cards, or when a list was renamed or (un)archived (all its cards changed),
  one `cards/all` read (with the board's lists, labels and members) replaces the single reads. The
  next cursor is the newest action id seen. With `known` (the store's copies), a card whose actions
  are all dated at or before its copy's `dateLastActivity` is not read again (changes.py, `unseen`):
  the hub's own writes, read back, cost the one actions request.
- `find_by_link(link_id)` reads `cards/all` (1 request, plus the board once) and returns every card,
  live or archived, whose description carries the link line: a copied card carries it too, so there
  may be several. Trello's search (`GET /search`) is not used: it is eventually consistent, and a
  card whose create answer was lost is exactly one created a moment ago.

Writing. Trello has no precondition: `update` and `archive` re-read the card and raise `Conflict` when
its `dateLastActivity` moved past `if_version` (the window between that read and the write remains).
The re-read also gives `update` the card's link line, which it keeps, and its attachments. `update`
sends only the parameters of the fields asked for (`PARAMS_OF` in mapping.py). The peer link is one
attachment (peer.py), added before the card is written, so the version returned is the last one; a
write that changes only the link re-reads the card for it. A card that left the board is not written:
`update` raises NotFound, `archive` does nothing (as for a card already archived or gone). Lists,
labels and members are read once per connector (and again on each snapshot) to turn names into ids;
labels a task needs but the board lacks are created.

Credentials. `token_expiry()` reads when the token stops working (`GET /tokens/{token}`, 1 request;
None: never), so that whoever runs the connector can warn before it does.
"""

from __future__ import annotations

import contextlib
import logging
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import SecretStr

from config.hub_file import Workspace
from config.settings import TrelloSettings
from connectors.base import Closing, require_ready
from connectors.errors import BadData, Conflict, NotFound
from connectors.http import CoreOptions, build_core
from connectors.trello.changes import WATCHED, BoardChanges, board_changes, held_versions, unseen
from connectors.trello.client import TrelloAuth, TrelloClient
from connectors.trello.mapping import (
    BoardIndex,
    TrelloMapping,
    card_to_remote,
    format_instant,
    label_names,
    params_for,
    split_link,
    task_to_card,
)
from connectors.trello.models import SERVICE, TrelloAttachment, TrelloCard
from connectors.trello.peer import PEER_ATTACHMENT, peer_change
from connectors.trello.represent import represent
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import Task

logger = logging.getLogger(__name__)

# Beyond this many changed cards, one board read costs fewer requests than one read per card.
CARD_READS_MAX = 25
LABEL_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
# What `update(fields=None)` writes: every synced field, and the peer link.
ALL_FIELDS = frozenset(Task.model_fields) - Task.UNSYNCED | {"peer_url"}
_ACTION_ID = re.compile(r"^[0-9a-f]{24}$")


@dataclass
class _Read:
    """Cards read again after an incremental read's actions, sorted by what became of them."""

    items: list[Remote[Task]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, other: _Read) -> _Read:
        return _Read(
            self.items + other.items,
            self.deleted + other.deleted,
            self.left + other.left,
            self.skipped + other.skipped,
        )


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
        token: SecretStr | None = None,
    ) -> None:
        self.client = client
        self.board_id = board_id
        self.mapping = mapping
        self._clock = clock
        self._token = token  # the user token, for reading its own record
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
        return cls(TrelloClient(core), workspace.trello.board_id, mapping, clock=clock, token=settings.token)

    def close(self) -> None:
        self.client.core.close()

    # -- reading -----------------------------------------------------------------------------

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[Task]] | None = None
    ) -> ChangeBatch[Task]:
        """A snapshot when `cursor` is None (or unreadable), else the cards changed since it (those
        `known` holds as they are left out)."""
        if cursor is None:
            return self._snapshot()
        if not _valid_cursor(cursor):
            logger.warning("trello cursor %r is neither an action id nor a date; reading everything", cursor)
            return self._snapshot()
        return self._changes_since(cursor, known or {})

    def find_by_link(self, link_id: str) -> list[Remote[Task]]:
        """The board's cards, live or archived, that carry `link_id` (a copy carries it too)."""
        cards = self.client.get_board_cards(self.board_id, "all")
        cards = [card for card in cards if split_link(card.desc)[1] == link_id]
        items, _ = self._map(cards, self._board_for(cards))
        return items

    def token_expiry(self) -> datetime | None:
        """When the user token expires (None: never), from its record; 1 request."""
        if self._token is None:
            raise ValueError("this Trello connector was built without its token")
        return self.client.get_token(self._token.get_secret_value()).dateExpires

    def represent(self, item: Task) -> Task:
        """The task as this board would hold it (represent.py); uses the board when already read."""
        return represent(item, self.mapping, self._board_index)

    def _snapshot(self) -> ChangeBatch[Task]:
        newest = self.client.get_board_actions(self.board_id, limit=1)
        cursor = newest[0].id if newest else format_instant(self._clock())
        board = self._load_board()
        items, skipped = self._map(self.client.get_board_cards(self.board_id, "all"), board)
        return ChangeBatch(tuple(items), cursor=cursor, full=True, skipped=tuple(skipped))

    def _changes_since(self, cursor: str, known: Mapping[str, Remote[Task]]) -> ChangeBatch[Task]:
        actions = list(self.client.walk_board_actions(self.board_id, since=cursor, filter=WATCHED))
        if not actions:
            return ChangeBatch((), cursor=cursor)
        changes = board_changes(actions)
        if known and changes.changed:
            held = {card_id: known[card_id].version for card_id in changes.changed if card_id in known}
            changes = unseen(changes, actions, held_versions(held))
        if changes.lists or len(changes.changed) > CARD_READS_MAX:
            read = self._read_board_cards(changes)
        else:
            read = self._read_cards(changes.changed)
        return ChangeBatch(
            tuple(read.items),
            deleted=(*changes.deleted, *read.deleted),
            left=(*changes.left, *read.left),
            cursor=max(action.id for action in actions),
            skipped=tuple(read.skipped),
        )

    def _read_cards(self, card_ids: Sequence[str]) -> _Read:
        """One read per card: on another board has left; a 404 is not yet a deletion.

        These cards changed, and their newest action is not a `deleteCard` (that one is sorted into
        `deleted` by `board_changes`). A 404 here is a card deleted after the walk (whose `deleteCard`
        the next read brings), a card moved to a board the token cannot see, or a fluke: it is read
        once more and, if still missing, skipped (kept as last read) until an action says what
        happened. Counting it as deleted would archive its peer on one unconfirmed answer.
        """
        read = _Read()
        for card_id in card_ids:
            try:
                card = self._get_card_twice(card_id)
            except NotFound:
                logger.warning(
                    "trello card %s answers 404 with no deleteCard action; kept as last read", card_id
                )
                read.skipped.append(card_id)
                continue
            except BadData as exc:
                logger.warning("skipping %s", exc)
                read.skipped.append(card_id)
                continue
            if card.idBoard != self.board_id:
                read.left.append(card_id)
                continue
            items, skipped = self._map([card], BoardIndex.of_card(card))
            read.items += items
            read.skipped += skipped
        return read

    def _get_card_twice(self, card_id: str) -> TrelloCard:
        try:
            return self.client.get_card(card_id)
        except NotFound:
            return self.client.get_card(card_id)

    def _read_board_cards(self, changes: BoardChanges) -> _Read:
        """One board read; a changed card it lacks is read alone to learn whether it left or went."""
        if changes.lists:
            self._load_board()  # a list was renamed or (un)archived
        cards = {card.id: card for card in self.client.get_board_cards(self.board_id, "all")}
        in_lists = [card_id for card_id, card in cards.items() if card.idList in changes.lists]
        wanted = list(dict.fromkeys([*changes.changed, *in_lists]))
        present = [cards[card_id] for card_id in wanted if card_id in cards]
        items, skipped = self._map(present, self._board_for(present))
        absent = [card_id for card_id in wanted if card_id not in cards]
        return _Read(items, skipped=skipped).add(self._read_cards(absent))

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
        """A new card carrying the link line (and the peer link); an archived task is archived right after."""
        board = self._board_with_labels(item)
        payload = task_to_card(item, board, self.mapping, link_id=link_id)
        payload.pop("closed")  # not a POST /cards parameter
        card = self.client.create_card(payload)
        attachments = self._write_peer(card.model_copy(update={"attachments": []}), item.peer_url)
        if item.archived:
            card = self.client.update_card(card.id, {"closed": True})
        elif attachments:
            card = self.client.get_card(card.id)  # the attachment moved the card's version
        card = _with_attachments(card, attachments or [])
        return card_to_remote(card, self._board_for([card]), self.mapping)

    def update(
        self,
        remote_id: str,
        item: Task,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[Task]:
        """Write `fields` of the task (all synced fields and the peer link when None) over the card,
        keeping its link line, or writing `link_id`'s when given and new (the card's own text stays
        unless `description` is asked for); Conflict if it moved past `if_version`, NotFound if it
        left the board."""
        wanted = ALL_FIELDS if fields is None else frozenset(fields)
        params = params_for(wanted)
        current = self._card_on_board(remote_id)
        _check_version(current, if_version)
        text, current_link = split_link(current.desc)
        if link_id is not None and link_id != current_link:
            params |= {"desc"}
            if "description" not in wanted:
                item = item.model_copy(update={"description": text})
        board = self._board_with_labels(item) if "idLabels" in params else self._board()
        payload = task_to_card(
            item,
            board,
            self.mapping,
            link_id=link_id or current_link,
            current_list=current.idList,
            params=params,
        )
        attachments = self._write_peer(current, item.peer_url) if "peer_url" in wanted else None
        if payload:
            held = current.attachments if attachments is None else attachments
            card = _with_attachments(self.client.update_card(remote_id, payload), held)
        elif attachments is not None:
            card = self.client.get_card(remote_id)
        else:
            card = current
        return card_to_remote(card, self._board_for([card]), self.mapping)

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Archive the card (`closed: true`, reversible in Trello); Conflict if it moved. A card already
        archived, deleted or moved to another board is left as it is."""
        try:
            current = self.client.get_card(remote_id)
        except NotFound:
            return
        if current.closed or current.idBoard != self.board_id:
            return
        _check_version(current, if_version)
        self.client.update_card(remote_id, {"closed": True})

    def _card_on_board(self, card_id: str) -> TrelloCard:
        card = self.client.get_card(card_id)
        if card.idBoard != self.board_id:
            message = f"trello card {card_id} left the board"
            raise NotFound(message, service=SERVICE, method="GET", path="/cards/{id}")
        return card

    def _write_peer(self, card: TrelloCard, url: str | None) -> list[TrelloAttachment] | None:
        """Make the card hold one peer link to `url`; the card's attachments after, None if unchanged."""
        change = peer_change(card, url)
        if change.empty:
            return None
        attachments = list(card.attachments or ())
        if change.add is not None:
            attachments.append(self.client.add_attachment(card.id, change.add, PEER_ATTACHMENT))
        for attachment_id in change.remove:
            with contextlib.suppress(NotFound):  # someone removed it first
                self.client.delete_attachment(card.id, attachment_id)
        return [a for a in attachments if a.id not in change.remove]

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


def _with_attachments(card: TrelloCard, attachments: list[TrelloAttachment] | None) -> TrelloCard:
    """A written card (`PUT`/`POST` answers carry no nested resources) with the attachments it has."""
    return card.model_copy(update={"attachments": attachments})


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
