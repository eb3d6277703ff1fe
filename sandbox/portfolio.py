"""Many client businesses from one seed, for scale tests: the OBM's portfolio.

Business 1 is the demo business, Bright Path Coaching, exactly as `generate()` makes it. Each further
business runs the same trade under its own name, team, board, Notion database (and data source),
calendar, Toggl workspace, time zone and project names; every name and id is distinct across the
portfolio, and its seeded ids are salted with its key (`Business.namespace`), so the four emulators
serve all of them at once. `hub_file_text()` writes the matching hub file: one workspace per business,
keyed `brightpath` then by the slug of each business's name.

Same seed, same count and same `now`: same portfolio.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from config.hub_file import GoogleCalendar as CalendarConfig
from config.hub_file import Person, TogglWorkspace, TrelloBoard, Workspace
from config.slug import slug
from sandbox.business import (
    COACHING,
    DEFAULT_SEED,
    LAUNCH,
    OPERATIONS,
    BizProject,
    Business,
    generate,
    load_workspace,
)

PLACES = (
    "Northwind", "Harbor", "Cedar", "Lumen", "Willow", "Juniper", "Meridian", "Saffron", "Atlas",
    "Bramble", "Cobalt", "Fernhill",
)  # fmt: skip
# Trade -> (client programme, launch, operations, client group): the three projects and the Toggl client.
TRADES = {
    "Yoga Studio": ("Teacher Training", "Retreat Launch", "Studio Operations", "members"),
    "Bookkeeping": ("Monthly Close", "Tax Season Campaign", "Back Office", "bookkeeping clients"),
    "Design Co.": ("Brand Sprints", "Portfolio Relaunch", "Studio Admin", "design clients"),
    "Wellness": ("Coaching Circles", "Summer Challenge", "Operations", "wellness clients"),
    "Copywriting": ("Client Retainers", "Course Launch", "Admin", "retainer clients"),
    "Photography": ("Wedding Season", "Print Shop Launch", "Studio Admin", "couples"),
    "Nutrition": ("1:1 Programme", "Cookbook Launch", "Practice Admin", "nutrition clients"),
    "Consulting": ("Advisory Clients", "Workshop Series", "Firm Operations", "advisory clients"),
}
FIRST_NAMES = (
    "Maya", "Omar", "Zoë", "Tobias", "Aisha", "Jonas", "Elena", "Kwame", "Nora", "Ravi", "Ingrid",
    "Mateo", "Chloé", "Hiro", "Fatima", "Lukas", "Sofia", "Dmitri", "Amara", "Felix", "Yara", "Hugo",
    "Leila", "Emil", "Noor", "Bruno", "Anja", "Kofi", "Mira", "Tomás",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Novak", "Silva", "Brennan", "Kowalski",
    "Achebe", "Fischer", "Rossi", "Nakamura", "Duarte", "Petrov", "Osei", "Varga", "Jensen", "Costa",
    "Ibrahim", "Keller", "Santos", "Nilsson", "Mensah", "Weber", "Laine", "Ortiz", "Sato", "Ahmed", "Byrne",
)  # fmt: skip
ZONES = (
    "Europe/Paris", "Europe/London", "America/New_York", "America/Los_Angeles", "Australia/Sydney",
    "Europe/Berlin", "America/Toronto", "Asia/Singapore",
)  # fmt: skip
ROLES = ("owner", "obm", "va", "va", "va")
_ID_NAMESPACE = uuid.UUID("4f6d2a1e-9c3b-4e8a-b7d5-2a9c8e1f0b34")


def generate_portfolio(
    count: int, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> tuple[Business, ...]:
    """`count` businesses: the demo one, then `count - 1` clients of the same OBM."""
    if count < 1:
        raise ValueError("a portfolio has at least one business")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    first = generate(seed, now)
    names = _business_names(count - 1, seed)
    people = _people_names(5 * (count - 1), seed)
    clients = []
    for index, (place, trade) in enumerate(names, start=2):
        team = people[5 * (index - 2) : 5 * (index - 1)]
        clients.append(_client(index, place, trade, team, seed, now))
    return (first, *clients)


def hub_file_text(businesses: Sequence[Business]) -> str:
    """The hub file (TOML) for a hub pointed at a sandbox serving `businesses`."""
    tables = {b.key: b.workspace.model_dump(mode="json", exclude_none=True) for b in businesses}
    header = (
        f"# The sandbox's {len(businesses)} businesses (obm-hub sandbox --workspaces {len(businesses)}).\n"
        "# Generated: every id below exists in that sandbox and nowhere else.\n\n"
    )
    return header + "\n".join(_toml_table(("workspaces", key), table) for key, table in tables.items())


def _toml_table(path: tuple[str, ...], table: dict[str, Any], *, array: bool = False) -> str:
    """One TOML table: its plain values, then its sub-tables and arrays of tables (the hub file's
    shapes: strings, numbers, lists of strings, tables)."""
    name = ".".join(_toml_key(part) for part in path)
    lines = [f"[[{name}]]" if array else f"[{name}]"]
    nested = []
    for key, value in table.items():
        if isinstance(value, dict):
            nested.append(_toml_table((*path, key), value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            nested += [_toml_table((*path, key), item, array=True) for item in value]
        else:
            lines.append(f"{_toml_key(key)} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n" + "".join("\n" + block for block in nested)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _business_names(count: int, seed: int) -> list[tuple[str, str]]:
    combos = [(place, trade) for place in PLACES for trade in TRADES]
    random.Random(f"portfolio/{seed}").shuffle(combos)
    return [_numbered(combos, i) for i in range(count)]


def _people_names(count: int, seed: int) -> list[tuple[str, str]]:
    combos = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    random.Random(f"people/{seed}").shuffle(combos)
    return [_numbered(combos, i) for i in range(count)]


def _numbered(combos: list[tuple[str, str]], i: int) -> tuple[str, str]:
    """The i-th combination; past them all, a number keeps names distinct ("Harbor 2", "Osei2")."""
    first, second = combos[i % len(combos)]
    rounds = i // len(combos)
    return (first, second) if rounds == 0 else (f"{first} {rounds + 1}", second)


def _client(
    index: int, place: str, trade: str, team: Sequence[tuple[str, str]], seed: int, now: datetime
) -> Business:
    name = f"{place} {trade}"
    key = slug(name)
    rng = random.Random(f"client/{seed}/{index}")
    programme, launch, operations, group = TRADES[trade]
    projects = {
        COACHING: f"{place} {programme}",
        LAUNCH: f"{place} {launch}",
        OPERATIONS: f"{place} {operations}",
    }
    workspace = _workspace(index, name, key, rng.choice(ZONES), projects, team)
    business = generate(seed + index, now, workspace)
    return _renamed(business, key, projects, f"{place} {group}")


def _workspace(
    index: int, name: str, key: str, zone: str, projects: dict[str, str], team: Sequence[tuple[str, str]]
) -> Workspace:
    demo = load_workspace()  # the demo's mappings and property names
    assert demo.notion is not None
    born = datetime(2025, 1, 6, 9, tzinfo=UTC) + timedelta(days=index)
    board_id = f"{int(born.timestamp()):08x}{hashlib.sha256(f'board:{key}'.encode()).hexdigest()[:16]}"
    labels = {"Client": projects[COACHING], "Marketing": projects[LAUNCH], "Admin": projects[OPERATIONS]}
    return Workspace(
        name=name,
        timezone=zone,
        language="fr" if zone == "Europe/Paris" else "en",
        trello=TrelloBoard(board_id=board_id, project_labels=labels),
        notion=demo.notion.model_copy(
            update={"database_id": str(uuid.uuid5(_ID_NAMESPACE, f"database/{key}"))}
        ),
        google=CalendarConfig(calendar_id=f"c_{key.replace('-', '')}.team@group.calendar.google.com"),
        toggl=TogglWorkspace(workspace_id=7_500_000 + index),
        status_map=dict(demo.status_map),
        done_statuses=demo.done_statuses,
        people=tuple(
            _person(index, position, first, last, key) for position, (first, last) in enumerate(team)
        ),
    )


def _person(index: int, position: int, first: str, last: str, key: str) -> Person:
    login = slug(f"{first} {last}").replace("-", "")
    return Person(
        name=f"{first} {last}",
        email=f"{slug(first)}.{slug(last)}@{key}.example",
        role=ROLES[position],
        trello_username=login,
        notion_user_id=str(uuid.uuid5(_ID_NAMESPACE, f"user/{key}/{login}")),
        toggl_user_id=9_200_000 + 10 * index + position,
        aliases=(f"{first} {last[0]}.",) if ROLES[position] == "obm" else (),
    )


def _renamed(business: Business, key: str, projects: dict[str, str], group: str) -> Business:
    """The business with its own project names and keys salted with its own key."""
    return replace(
        business,
        key=key,
        namespace=key,
        projects=tuple(_project(p, projects, group) for p in business.projects),
        tasks=tuple(replace(t, key=f"{key}/{t.key}", project=projects[t.project]) for t in business.tasks),
        events=tuple(replace(e, key=f"{key}/{e.key}") for e in business.events),
        time_entries=tuple(
            replace(
                e,
                key=f"{key}/{e.key}",
                project=projects[e.project] if e.project else None,
                task_key=f"{key}/{e.task_key}" if e.task_key else None,
            )
            for e in business.time_entries
        ),
    )


def _project(project: BizProject, names: dict[str, str], group: str) -> BizProject:
    return replace(project, name=names[project.name], client=group if project.client else None)
