"""A task as Trello would hold it after a write and a read: pure, no I/O.

The engine compares copies across services through this, so that what Trello cannot hold is never
mistaken for an edit (and written again on every run). Rule by rule:

- estimate and tracked hours: Trello has neither, so both read back as None;
- due: a card's due is an instant with millisecond precision (`2020-04-26T12:56:00.000Z`, NOTES.md
  §1.2), read back in UTC; a date-only due (from Notion) becomes `DATE_ONLY_DUE_TIME` in the
  workspace's time zone (mapping.py says why);
- labels: the task's own plus its project's label; project: whatever those labels name, read back
  the way `card_to_task` reads it (the first mapped label by name);
- status: the list the status lands in, read back as that list's status. With the board known, a
  status no open list maps and no list is named like is kept: Trello cannot place it, the card stays
  in its list (or the first list for a new card), and the engine sees the difference; it must report
  such a status, not write it again. Without the board, mapped statuses stand as they are;
- done: under `done_rule = "status"`, exactly the status's doneness; under "status_or_due_complete",
  also the tick the write leaves (`dueComplete` mirrors done);
- assignees: only people with a Trello username (and, with the board known, on the board);
- description: what the link line round-trips to (its blank separator goes with it);
- about the copy: url, refs and edited_at are the card's own, unknown until it exists: None/empty;
  peer_url is written as an attachment and reads back as given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from connectors.trello.mapping import (
    DATE_ONLY_DUE_TIME,
    BoardIndex,
    TrelloMapping,
    label_names,
    split_link,
    with_link,
)
from sync.model import Task


def represent(task: Task, mapping: TrelloMapping, board: BoardIndex | None = None) -> Task:
    status = held_status(task.status, mapping, board)
    labels = frozenset(label_names(task, mapping))
    description, _ = split_link(with_link(task.description, "represent"))
    update = {
        "description": description,
        "status": status,
        "done": mapping.is_done(status, task.done),
        "due": held_due(task.due, mapping),
        "assignees": frozenset(key for key in task.assignees if _holds_person(key, mapping, board)),
        "labels": labels,
        "project": mapping.project_of(set(labels)),
        "estimate_hours": None,
        "tracked_hours": None,
        "url": None,
        "refs": frozenset(),
        "edited_at": None,
    }
    return task.model_copy(update=update)


def held_status(status: str | None, mapping: TrelloMapping, board: BoardIndex | None) -> str | None:
    if board is None:
        return status
    names = board.open_list_names()
    name = mapping.list_for_status(status, names)
    if name is None:
        # No list for it: a new card goes to the first list, an existing one stays where it is.
        return status if status is not None else (mapping.status_for_list(names[0]) if names else None)
    return mapping.status_for_list(name)


def held_due(due: date | datetime | None, mapping: TrelloMapping) -> datetime | None:
    if due is None:
        return None
    if not isinstance(due, datetime):
        due = datetime.combine(due, DATE_ONLY_DUE_TIME, mapping.timezone)
    instant = due.astimezone(UTC)
    return instant.replace(microsecond=instant.microsecond // 1000 * 1000)


def _holds_person(key: str, mapping: TrelloMapping, board: BoardIndex | None) -> bool:
    username = mapping.directory.trello_username(key)
    return username is not None and (board is None or board.member_id(username) is not None)
