"""The demo business as Toggl holds it: deterministic, ids derived from the business keys.

- Workspace `workspace.toggl.workspace_id` ("Bright Path Coaching"), on a Starter organization; the
  owner and the OBM administer it.
- One user per person with a `toggl_user_id`, each with her own API token
  `sandbox-toggl-token-<email local part>` (the v9 API reads entries only as their owner). The hub
  uses the OBM's token, as an OBM would.
- The three projects (names, colors, billable, client) and the tags the entries use.
- The two weeks of entries, started in the Toggl apps: stopped ones with `tags: []`, the running
  timers with a duration of minus their start epoch, the apps' convention (timers started through
  the API carry -1). Edited entries carry their later `at`; deleted ones their `server_deleted_at`.
- Descriptions name the task the way the business says: its title, or its Trello card's link
  (`https://trello.com/c/<shortLink>`), bare short link or number (`#17`), taken from the cards the
  Trello emulator seeds, so that the hub can match them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from config.hub_file import Person
from sandbox.business import BizProject, BizTimeEntry, Business
from sandbox.toggl.store import Client, Entry, Project, Tag, TogglStore, User, Workspace

SIGNED_UP = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)  # when the team joined Toggl
CREATED_WITH = "Toggl Track"  # what the Toggl apps send


def token_for(person: Person) -> str:
    return f"sandbox-toggl-token-{person.email.split('@')[0]}"


def hub_person(business: Business) -> Person:
    """Whose token the hub's settings carry: the OBM's."""
    return next(p for p in business.people if p.role == "obm" and p.toggl_user_id is not None)


def stable_id(kind: str, key: str, base: int, span: int) -> int:
    digest = hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()
    return base + int(digest[:12], 16) % span


def seed_store(business: Business, store: TogglStore | None = None) -> TogglStore:
    """The business's Toggl workspace, in a new store or added to `store` (several businesses)."""
    if business.workspace.toggl is None:
        raise ValueError("the demo business has no Toggl workspace")
    store = store or TogglStore()
    workspace_id = business.workspace.toggl.workspace_id
    people = [p for p in business.people if p.toggl_user_id is not None]
    for person in people:
        assert person.toggl_user_id is not None
        store.users[person.toggl_user_id] = User(
            id=person.toggl_user_id,
            email=person.email,
            fullname=person.name,
            api_token=token_for(person),
            timezone=business.workspace.timezone,
            default_workspace_id=workspace_id,
            created_at=SIGNED_UP,
        )
    admins = [p.toggl_user_id for p in people if p.role in {"owner", "obm"} and p.toggl_user_id]
    store.workspaces[workspace_id] = Workspace(
        id=workspace_id,
        organization_id=stable_id("organization", business.workspace.name, 8_100_000, 100_000),
        name=business.workspace.name,
        admins=admins,
        members=sorted(p.toggl_user_id for p in people if p.toggl_user_id is not None),  # its own team
        created_at=SIGNED_UP,
    )
    for biz_project in business.projects:
        _add_project(store, workspace_id, biz_project)
    for name in sorted({tag for entry in business.time_entries for tag in entry.tags}):
        tag_id = stable_id("tag", business.scoped(name), 18_000_000, 1_000_000)
        store.tags[tag_id] = Tag(
            id=tag_id, workspace_id=workspace_id, name=name, creator_id=admins[-1], at=SIGNED_UP
        )
    cards = card_refs(business)
    for biz_entry in business.time_entries:
        _add_entry(store, business, workspace_id, biz_entry, creator=admins[-1], cards=cards)
    return store


def card_refs(business: Business) -> dict[str, tuple[int, str]]:
    """Each task on the board: its card's number and short link, as the Trello emulator seeds them."""
    from sandbox.trello.seed import seed_store as trello_seed  # the cards are the Trello emulator's

    keys = {task.title: task.key for task in business.tasks if task.on_trello}
    cards = trello_seed(business).cards.values()
    return {keys[c["name"]]: (c["idShort"], c["shortLink"]) for c in cards if c["name"] in keys}


def description(biz: BizTimeEntry, cards: dict[str, tuple[int, str]]) -> str:
    """The entry's description, naming its task the way the person did."""
    card = cards.get(biz.task_key) if biz.task_key is not None else None
    if card is None or biz.names_task in {"title", "label"}:
        return biz.description
    number, short = card
    return {
        "url": f"{biz.description} https://trello.com/c/{short}",
        "shortlink": f"{short} {biz.description}",
        "number": f"#{number} {biz.description}",
    }[biz.names_task]


def _add_project(store: TogglStore, workspace_id: int, biz: BizProject) -> None:
    client_id = None
    if biz.client is not None:
        client_id = stable_id("client", biz.client, 66_000_000, 1_000_000)
        store.clients[client_id] = Client(
            id=client_id, workspace_id=workspace_id, name=biz.client, at=SIGNED_UP
        )
    project_id = stable_id("project", biz.name, 210_000_000, 10_000_000)
    store.projects[project_id] = Project(
        id=project_id,
        workspace_id=workspace_id,
        name=biz.name,
        color=biz.color,
        billable=biz.billable,
        active=True,
        client_id=client_id,
        created_at=SIGNED_UP,
        at=SIGNED_UP,
    )


def _add_entry(
    store: TogglStore,
    business: Business,
    workspace_id: int,
    biz: BizTimeEntry,
    *,
    creator: int,
    cards: dict[str, tuple[int, str]],
) -> None:
    user_id = business.person(biz.person).toggl_user_id
    if user_id is None:
        return
    entry_id = stable_id("entry", biz.key, 4_000_000_000, 100_000_000)
    if entry_id in store.entries:
        raise ValueError(f"time entry id collision for {biz.key}")
    start = biz.start.replace(microsecond=0)
    stop = biz.stop.replace(microsecond=0) if biz.stop is not None else None
    # Saved a moment after it stopped (or started), or when last edited or deleted: `at` has
    # microseconds, as Toggl's does.
    jitter = timedelta(microseconds=stable_id("at", biz.key, 0, 4_000_000))
    touched = biz.deleted_at or biz.edited_at or stop or start
    at = min(touched + jitter, business.now)
    store.entries[entry_id] = Entry(
        id=entry_id,
        workspace_id=workspace_id,
        user_id=user_id,
        project_id=_project_id(store, biz.project),
        description=description(biz, cards),
        start=start,
        stop=stop,
        duration=int((stop - start).total_seconds()) if stop else -int(start.timestamp()),
        billable=biz.billable,
        tags=list(biz.tags),
        tag_ids=store.tag_ids(workspace_id, list(biz.tags), creator, SIGNED_UP),
        at=at,
        server_deleted_at=biz.deleted_at.replace(microsecond=0) if biz.deleted_at else None,
        created_with=CREATED_WITH,
    )


def _project_id(store: TogglStore, name: str | None) -> int | None:
    if name is None:
        return None
    return next(p.id for p in store.projects.values() if p.name == name)
