"""Issue 11's proof: the operations summary of the demo business is right to the second.

The hub syncs the seeded sandbox (the workspace runner, no Prefect); people then work on through the
services' APIs (an entry edited, an entry deleted, a card moved to Done, a very long title pasted);
the hub syncs again and writes the summaries of this week and last week. Every figure of the JSON
file it wrote is compared with a count written here from what the services hold, read as the
emulators' JSON state (the services' own API shapes: Trello cards, Notion pages, Toggl entries),
never through the summary code or the hub's store. The rules are the README's ("How the summary
counts"), written out again:

- an entry counts its part inside the period, cut at midnight and at the period's edges, in whole
  seconds; a running timer counts up to now (the hub sees its token owner's timer only: the strict
  xfail below says so); a deleted entry counts nothing; an edited entry counts as it is now;
- an entry is a task's when it names the card (its short link, bare or in its URL, else its
  #number), is exactly its title (one live task), or is tagged with a label only one open task has;
- a task is done since its card's last activity when it was already in Done, else since it moved
  there; overdue from its due (an all-day Notion due: from the next midnight in Paris); days late
  and days left are calendar days in Paris.

The same summary is also checked at 18:30 (timed against all-day dues), in French, through its Notion
pages (one per period, replaced in place) and through what `obm-hub run` prints last.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from config import load_settings
from connectors.http import add_request_observer, remove_request_observer
from flows.runner import SummaryOutputs, WorkspaceRunner
from sandbox import Sandbox
from sandbox.business import load_workspace
from summary import Period
from summary.locales import LABELS
from summary.render.html import render_html
from summary.render.json_out import render_json
from summary.render.markdown import render_markdown
from summary.render.notion import notion_blocks
from sync.store import Store
from tests.conftest import FIXED_NOW_ISO, fast_options
from tests.contract.spec import load_spec, spec_name

KEY = "brightpath"
PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
LONG_TIMER = timedelta(hours=8)  # the demo's long_timer_hours
AT_RISK_DAYS = 3  # the demo's at_risk_working_days
# Someone pasted the client's whole brief into a card's title.
LONG_TITLE = "Fix the onboarding emails: " + " ".join(
    f"step {n} needs the client's answer;" for n in range(1, 100)
)


# -- the world: the sandbox synced twice, people's edits in between, the summaries written ------------


@dataclass
class World:
    sandbox: Sandbox
    runner: WorkspaceRunner
    store: Store
    before: dict[str, dict[str, Any]]  # service -> the emulator's state before the hub's first read
    after: dict[str, dict[str, Any]]  # ... after the second sync
    this_week: SummaryOutputs
    last_week: SummaryOutputs
    moved_to_done: str  # the card people moved to Done between the syncs
    edited: dict[str, Any]  # the Toggl entry people edited, as they left it
    deleted: int  # the Toggl entry people deleted
    parent: str  # the Notion page summaries are published under

    def data(self, outputs: SummaryOutputs) -> dict[str, Any]:
        return json.loads(outputs.files["json"].read_text(encoding="utf-8"))


def _states(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return {
        service: json.loads(json.dumps(emulator.dump_state(), default=str))
        for service, emulator in sandbox.emulators.items()
    }


def _sync(runner: WorkspaceRunner) -> None:
    for service in runner.needs(runner.relations()):
        assert runner.read(service).ok, service
    for relation in runner.relations():
        outcome = runner.apply(runner.plan(relation))
        assert outcome.outcome == "ok", (relation, outcome.errors)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("figures")
    with pytest.MonkeyPatch.context() as env:  # what tests/conftest.py's clean_environment does
        for name in [name for name in os.environ if name.startswith("OBM_HUB_")]:
            env.delenv(name)
        env.setenv("OBM_HUB_ENV_FILE", "")
        env.setenv("OBM_HUB_VAR_DIR", str(tmp / "var"))
        sandbox = Sandbox(now=datetime.fromisoformat(FIXED_NOW_ISO), rate_limits=False).start()
        settings = sandbox.settings(load_settings())
    workspace = load_workspace()
    # The hub's clock is the sandbox's: the business's `now`, running on at the real pace.
    store = Store.open(f"sqlite:///{tmp / 'hub.db'}", clock=sandbox.emulators["trello"].now)
    runner = WorkspaceRunner(KEY, workspace, settings, store, options=fast_options())
    violations: list[str] = []  # the suite's contract check is per test: this setup runs its own
    observe: Any = _contract_observer(violations)
    add_request_observer(observe)
    try:
        before = _states(sandbox)
        _sync(runner)
        moved, edited, deleted = _people_work_on(settings, before)
        _meet_in_the_evening(runner)
        _sync(runner)
        today = store.now().astimezone(PARIS).date()
        this_week = runner.summarize(Period.week(today))
        last_week = runner.summarize(Period.week(today).previous())
        assert not this_week.errors and not last_week.errors
        remove_request_observer(observe)
        observe = None  # the tests' own requests go through the suite's per-test check
        assert violations == [], violations
        yield World(
            sandbox,
            runner,
            store,
            before,
            _states(sandbox),
            this_week,
            last_week,
            moved,
            edited,
            deleted,
            workspace.summary.notion_parent_page_id or "",
        )
    finally:
        if observe is not None:
            remove_request_observer(observe)
        runner.close()
        store.close()
        sandbox.stop()


def _contract_observer(violations: list[str]) -> Any:
    """What tests/conftest.py's `contract_check` does: each request checked against the official spec."""

    def observe(service: str, request: httpx.Request) -> None:
        name = spec_name(service, str(request.url))
        if name is None:
            return
        json_body = request.content and "json" in request.headers.get("content-type", "")
        body = json.loads(request.content) if json_body else None
        problems = load_spec(name).check_request(request.method, str(request.url), body=body)
        violations.extend(f"{service} {request.method} {request.url.path}: {p}" for p in problems)

    return observe


def _people_work_on(settings: Any, before: dict[str, Any]) -> tuple[str, dict[str, Any], int]:
    """Between the syncs, through the APIs: Marcus's first entry of Monday is fixed (45 minutes
    longer), his second one deleted; an open card with a due is moved to Done; a late card in review
    gets a title longer than one Notion rich text (2,000 characters)."""
    toggl = before["toggl"]
    marcus = next(u["id"] for u in toggl["users"] if u["email"].startswith("marcus@"))
    monday = _monday(datetime.fromisoformat(FIXED_NOW_ISO))
    mondays = sorted(
        (
            e
            for e in toggl["entries"]
            if e["user_id"] == marcus and e["stop"] and _local(e["start"]).date() == monday
        ),
        key=lambda e: e["start"],
    )
    first, second = mondays[0], mondays[1]
    token = settings.toggl.api_token.get_secret_value()
    with httpx.Client(base_url=settings.toggl.base_url, auth=(token, "api_token"), timeout=5) as toggl_api:
        path = f"/workspaces/{first['workspace_id']}/time_entries"
        stop = datetime.fromisoformat(first["stop"]) + timedelta(minutes=45)
        answer = toggl_api.put(
            f"{path}/{first['id']}",
            json={"stop": stop.isoformat().replace("+00:00", "Z"), "duration": first["duration"] + 2700},
        )
        assert answer.status_code == 200, answer.text
        edited = answer.json()
        answer = toggl_api.delete(f"{path}/{second['id']}")
        assert answer.status_code == 200, answer.text
    trello = before["trello"]
    lists = {
        item["name"]: item["id"] for item in trello["lists"].values() if item["idBoard"] == _board(trello)
    }
    card = next(
        c
        for c in sorted(trello["cards"].values(), key=lambda c: c["idShort"])
        if c["idList"] == lists["This week"] and c["due"] and not c["closed"]
    )
    late = next(
        c
        for c in sorted(trello["cards"].values(), key=lambda c: c["idShort"])
        if c["idList"] == lists["Review"] and c["due"] and _instant(c["due"]) < _instant(FIXED_NOW_ISO)
    )
    auth = {
        "key": settings.trello.api_key.get_secret_value(),
        "token": settings.trello.token.get_secret_value(),
    }
    with httpx.Client(base_url=settings.trello.base_url, timeout=5) as trello_api:
        answer = trello_api.put(f"/cards/{card['id']}", params={"idList": lists["Done"], **auth})
        assert answer.status_code == 200, answer.text
        answer = trello_api.put(f"/cards/{late['id']}", params={"name": LONG_TITLE, **auth})
        assert answer.status_code == 200, answer.text
    return card["id"], edited, second["id"]


def _meet_in_the_evening(runner: WorkspaceRunner) -> None:
    """Tuesday 19:00 to 20:00, a meeting of Sophie (whose timer runs since 18:05), Léa and Marcus
    (who track nothing then); written through the Calendar API (the hub's client is only the pen)."""
    monday = _monday(datetime.fromisoformat(FIXED_NOW_ISO))
    tuesday = monday + timedelta(days=1)
    team = [p.email for p in runner.workspace.people if p.role in {"obm", "va"}][:3]
    google: Any = runner.connector("google")
    google.client.insert_event(
        runner.workspace.google.calendar_id,  # type: ignore[union-attr]
        {
            "summary": "Launch debrief",
            "start": {"dateTime": datetime.combine(tuesday, time(19), PARIS).isoformat()},
            "end": {"dateTime": datetime.combine(tuesday, time(20), PARIS).isoformat()},
            "attendees": [{"email": email} for email in team],
        },
    )


# -- what a person counts, from the services' data -------------------------------------------------------


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _local(text: str) -> datetime:
    return _instant(text).astimezone(PARIS)


def _monday(instant: datetime) -> date:
    day = instant.astimezone(PARIS).date()
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), PARIS).astimezone(UTC)


def _board(trello: dict[str, Any]) -> str:
    return next(iter(trello["boards"]))  # the demo business's board comes first


def _seconds(start: datetime, stop: datetime, lower: datetime, upper: datetime) -> int:
    """Whole seconds of [start, stop) inside [lower, upper)."""
    low, high = max(start, lower), min(stop, upper)
    return int((high - low).total_seconds()) if high > low else 0


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    url: str
    refs: frozenset[str]  # how people name it: its short link, "#<number>"
    done: bool
    archived: bool
    due: datetime | date | None  # a date: all-day (Notion holds just the date)
    assignees: frozenset[str]
    labels: frozenset[str]
    project: str | None  # case-folded name
    estimate: float | None
    tracked_property: float | None  # Notion's "Tracked (h)"
    done_at: datetime | None  # when it became done, as far as the services tell

    @property
    def open(self) -> bool:
        return not self.done and not self.archived

    def deadline(self) -> datetime | None:
        if isinstance(self.due, datetime):
            return self.due
        return _midnight(self.due + timedelta(days=1)) if self.due else None

    def due_day(self) -> date | None:
        if isinstance(self.due, datetime):
            return self.due.astimezone(PARIS).date()
        return self.due


@dataclass(frozen=True)
class Entry:
    id: int
    person: str
    project: str | None  # its own, else its card's
    card: str | None
    description: str
    billable: bool
    start: datetime
    stop: datetime  # capped at now
    running: bool


def _cards(world: World, now: datetime) -> dict[str, Card]:
    trello, notion = world.after["trello"], world.after["notion"]
    board = _board(trello)
    lists = {item["id"]: item for item in trello["lists"].values()}
    labels = {item["id"]: item["name"] for item in trello["labels"].values()}
    usernames = {item["id"]: item["username"] for item in trello["members"].values()}
    people = {person.trello_username: person.email for person in world.runner.workspace.people}
    projects = world.runner.workspace.trello.project_labels  # type: ignore[union-attr]
    pages = {_page_card(page): page for page in notion["pages"].values() if _page_card(page)}
    done_since = _done_since(world)
    cards = {}
    for card in trello["cards"].values():
        if card["idBoard"] != board:
            continue
        page = pages.get(card["shortLink"])
        names = {labels[label] for label in card["idLabels"]}
        done = lists[card["idList"]]["name"] == "Done"
        cards[card["id"]] = Card(
            id=card["id"],
            title=card["name"],
            url=f"https://trello.com/c/{card['shortLink']}",
            refs=frozenset({card["shortLink"].casefold(), f"#{card['idShort']}"}),
            done=done,
            archived=card["closed"] or lists[card["idList"]]["closed"],
            due=_due(card, page),
            assignees=frozenset(people[usernames[member]] for member in card["idMembers"]),
            labels=frozenset(names),
            project=next((projects[n].casefold() for n in sorted(names) if n in projects), None),
            estimate=_number(page, "Estimate (h)"),
            tracked_property=_number(page, "Tracked (h)"),
            # Done since before the hub's first read, else since it was moved (its last activity).
            done_at=(done_since.get(card["id"]) or _instant(card["dateLastActivity"])) if done else None,
        )
    return cards


def _page_card(page: dict[str, Any]) -> str | None:
    """The short link of the card a Notion task page points to (its "Trello card" property)."""
    url = (page.get("properties", {}).get("Trello card") or {}).get("url")
    return url.rstrip("/").rsplit("/", 1)[-1] if url and not page.get("in_trash") else None


def _number(page: dict[str, Any] | None, name: str) -> float | None:
    return page["properties"][name]["number"] if page else None


def _due(card: dict[str, Any], page: dict[str, Any] | None) -> datetime | date | None:
    """An all-day due when Notion holds just a date (Trello then shows its end of working day)."""
    if page is not None and (held := page["properties"]["Due"]["date"]) and "T" not in held["start"]:
        return date.fromisoformat(held["start"])
    return _instant(card["due"]) if card["due"] else None


def _done_since(world: World) -> dict[str, datetime]:
    """Cards already done before the hub's first read: done since their last activity then, or
    since their Notion page's last edit if that page said Done first (whichever is earlier)."""
    trello, notion = world.before["trello"], world.before["notion"]
    done_list = {item["id"] for item in trello["lists"].values() if item["name"] == "Done"}
    found: dict[str, datetime] = {}
    short_links = {card["shortLink"]: card["id"] for card in world.after["trello"]["cards"].values()}
    titles = {card["name"]: card["id"] for card in world.after["trello"]["cards"].values()}
    for card in trello["cards"].values():
        if card["idList"] in done_list:
            found[card["id"]] = _instant(card["dateLastActivity"])
    for page in notion["pages"].values():
        status = (page["properties"].get("Status") or {}).get("status")
        if not status or status["name"] != "Done":
            continue
        title = "".join(part["plain_text"] for part in page["properties"]["Name"]["title"])
        card_id = short_links.get(_page_card(page) or "") or titles.get(title)
        if card_id is not None:
            edited = _instant(page["last_edited_time"])
            found[card_id] = min(found.get(card_id, edited), edited)
    return found


def _entries(
    world: World, cards: dict[str, Card], now: datetime, *, everyone_s_timer: bool = False
) -> list[Entry]:
    """The live entries, stops capped at now. Running timers: only the hub's token owner's unless
    `everyone_s_timer` (Toggl's reports leave running entries out; `/me/time_entries/current` is hers)."""
    toggl = world.after["toggl"]
    emails = {user["id"]: user["email"] for user in toggl["users"]}
    token = world.runner.settings.toggl.api_token.get_secret_value()  # type: ignore[union-attr]
    owner = next(user["id"] for user in toggl["users"] if user["api_token"] == token)
    projects = {project["id"]: project["name"].casefold() for project in toggl["projects"]}
    found = []
    for raw in toggl["entries"]:
        start = _instant(raw["start"])
        if raw["server_deleted_at"] or start >= now:
            continue
        if raw["stop"] is None and raw["user_id"] != owner and not everyone_s_timer:
            continue
        card = _card_of(raw, cards)
        own = projects.get(raw["project_id"]) if raw["project_id"] else None
        stop = min(_instant(raw["stop"]), now) if raw["stop"] else now
        found.append(
            Entry(
                raw["id"],
                emails[raw["user_id"]],
                own or (cards[card].project if card else None),
                card,
                raw["description"] or "",
                bool(raw["billable"]),
                start,
                stop,
                raw["stop"] is None,
            )
        )
    return found


def _card_of(raw: dict[str, Any], cards: dict[str, Card]) -> str | None:
    """The card an entry names: by reference, then by exact title (one live card), then by a tag
    that is a label of one open card only."""
    words = {w.casefold() for w in re.findall(r"#\d+|[A-Za-z0-9]+", raw["description"] or "")}
    # A short link (bare or in the card's URL) names one card; "#8" may be part of a title
    # ("Draft launch email #8"), so a number counts only when no short link is there.
    for kind in ("link", "number"):
        named = [
            c.id
            for c in cards.values()
            for ref in c.refs & words
            if ref.startswith("#") == (kind == "number")
        ]
        if named:
            return named[0]
    said = " ".join((raw["description"] or "").split()).casefold()
    titled = [c.id for c in cards.values() if not c.archived and " ".join(c.title.split()).casefold() == said]
    if len(titled) == 1:
        return titled[0]
    for tag in sorted(raw["tags"] or []):
        labelled = [
            c.id for c in cards.values() if c.open and tag.casefold() in {x.casefold() for x in c.labels}
        ]
        if len(labelled) == 1:
            return labelled[0]
    return None


@dataclass
class Expected:
    """The figures of one period, counted here."""

    now: datetime
    cards: dict[str, Card]
    entries: list[Entry]
    start: datetime
    end: datetime  # excluded

    @property
    def upper(self) -> datetime:
        return min(self.end, self.now)

    def part(self, entry: Entry) -> int:
        return _seconds(entry.start, entry.stop, self.start, self.upper)

    def inside(self) -> list[tuple[Entry, int]]:
        return [(entry, part) for entry in self.entries if (part := self.part(entry)) > 0]

    def by(self, key: Any, billable: bool = False) -> dict[Any, int]:
        totals: dict[Any, int] = defaultdict(int)
        for entry, part in self.inside():
            if not billable or entry.billable:
                totals[key(entry)] += part
        return dict(totals)

    def tracked_on(self, card: Card) -> int:
        """All the time ever tracked on a card (up to now); with none, Notion's "Tracked (h)"."""
        mine = [e for e in self.entries if e.card == card.id]
        if mine:
            return sum(int((e.stop - e.start).total_seconds()) for e in mine)
        return round((card.tracked_property or 0) * 3600)

    def done(self) -> set[str]:
        return {
            c.title
            for c in self.cards.values()
            if c.done and c.done_at and self.start <= c.done_at < self.upper
        }

    def overdue(self) -> dict[str, int]:
        today = self.now.astimezone(PARIS).date()
        return {
            c.title: (today - c.due_day()).days  # type: ignore[operator]
            for c in self.cards.values()
            if c.open and c.due and self.now >= c.deadline()  # type: ignore[operator]
        }

    def at_risk(self) -> dict[str, set[str]]:
        today = self.now.astimezone(PARIS).date()
        horizon, counted = today, 0
        while counted < AT_RISK_DAYS:
            horizon += timedelta(days=1)
            counted += horizon.weekday() < 5
        found = {}
        for c in self.cards.values():
            if not (c.open and c.due and self.now < c.deadline() and c.due_day() <= horizon):  # type: ignore[operator]
                continue
            tracked = self.tracked_on(c)
            reasons = {"no_time"} if tracked == 0 else set()
            reasons |= {"no_assignee"} if not c.assignees else set()
            reasons |= {"over_estimate"} if c.estimate is not None and tracked > c.estimate * 3600 else set()
            if reasons:
                found[c.title] = reasons
        return found

    def deadlines(self) -> dict[str, int]:
        today = self.now.astimezone(PARIS).date()
        return {
            c.title: days
            for c in self.cards.values()
            if c.open
            and c.due
            and self.now < c.deadline()  # type: ignore[operator]
            and (days := (c.due_day() - today).days) <= 14  # type: ignore[operator]
        }

    def open_at(self, card: Card, at: datetime) -> bool:
        """Open then, from today's data: not archived, and not done by then. Every card existed
        before the week (the hub found them all at its first read, or in Notion then)."""
        return not card.archived and not (card.done and card.done_at is not None and card.done_at <= at)

    def overdue_at(self, at: datetime) -> int:
        return sum(1 for c in self.cards.values() if c.due and self.open_at(c, at) and at >= c.deadline())  # type: ignore[operator]

    def trend(self) -> list[tuple[str, int, int]]:
        """Open and overdue tasks at the period's start, then at each day's end up to now."""
        first = self.start.astimezone(PARIS).date()
        points = [(first - timedelta(days=1), self.start)]
        for n in range(7):
            day = first + timedelta(days=n)
            if _midnight(day) > self.now:
                break
            points.append((day, min(_midnight(day + timedelta(days=1)), self.now)))
        return [
            (day.isoformat(), sum(1 for c in self.cards.values() if self.open_at(c, at)), self.overdue_at(at))
            for day, at in points
        ]

    def burn(self) -> dict[str | None, tuple[float, int]]:
        """Per project: the estimates of its estimated tasks in play, and all time tracked on them."""
        found: dict[str | None, tuple[float, int]] = {}
        for c in self.cards.values():
            in_play = c.open or (c.done and c.done_at is not None and self.start <= c.done_at < self.end)
            if c.estimate is None or not in_play:
                continue
            estimate, tracked = found.get(c.project, (0.0, 0))
            found[c.project] = (estimate + c.estimate, tracked + self.tracked_on(c))
        return found


def _expected(
    world: World, outputs: SummaryOutputs, *, everyone_s_timer: bool = False
) -> tuple[Expected, dict[str, Any]]:
    data = world.data(outputs)
    return _expected_of(world, data, everyone_s_timer=everyone_s_timer), data


def _expected_of(world: World, data: dict[str, Any], *, everyone_s_timer: bool = False) -> Expected:
    """What a person counts for the summary's period, as of the summary's `now`."""
    now = datetime.fromisoformat(data["now"]).astimezone(UTC)
    cards = _cards(world, now)
    first, last = date.fromisoformat(data["period"]["first"]), date.fromisoformat(data["period"]["last"])
    entries = _entries(world, cards, now, everyone_s_timer=everyone_s_timer)
    return Expected(now, cards, entries, _midnight(first), _midnight(last + timedelta(days=1)))


# -- the figures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["this_week", "last_week"])
def test_every_hour_figure_matches_what_a_person_counts(world, which):
    expected, data = _expected(world, getattr(world, which))
    hours = data["hours"]
    inside = expected.inside()
    assert hours["seconds"] == sum(part for _, part in inside) > 0
    assert hours["billable_seconds"] == sum(part for entry, part in inside if entry.billable)
    people = {row["person"]: row for row in hours["people"]}
    per_person = expected.by(lambda e: e.person)
    billable = expected.by(lambda e: e.person, billable=True)
    capacity = {p.email: p.capacity_hours for p in world.runner.workspace.people}
    for person in {p.email for p in world.runner.workspace.people} | set(per_person):
        row = people[person]
        assert row["seconds"] == per_person.get(person, 0), person
        assert row["billable_seconds"] == billable.get(person, 0), person
        if capacity[person] is None:
            assert row["utilisation"] is None
        else:  # 5 working days in a week: the whole weekly capacity
            assert row["capacity_hours"] == capacity[person]
            assert row["utilisation"] == pytest.approx(per_person.get(person, 0) / 3600 / capacity[person])
        by_project: dict[str | None, int] = defaultdict(int)
        for entry, part in inside:
            if entry.person == person:
                by_project[entry.project] += part
        assert {r["project"]: r["seconds"] for r in row["by_project"]} == dict(by_project), person
    projects = {row["project"]: row for row in hours["projects"]}
    assert {k: v["seconds"] for k, v in projects.items() if v["seconds"]} == expected.by(lambda e: e.project)
    assert {k: v["billable_seconds"] for k, v in projects.items() if v["billable_seconds"]} == expected.by(
        lambda e: e.project, billable=True
    )
    # Each day from its midnight to the next, in Paris: entries across midnight split there.
    daily: dict[tuple[str, str | None], int] = defaultdict(int)
    for row in hours["daily"]:
        daily[(row["day"], row["person"])] += row["seconds"]
    days = [date.fromisoformat(data["period"]["first"]) + timedelta(days=n) for n in range(7)]
    counted: dict[tuple[str, str | None], int] = defaultdict(int)
    for day in days:
        lower, upper = _midnight(day), min(_midnight(day + timedelta(days=1)), expected.now)
        for entry in expected.entries:
            if part := _seconds(entry.start, entry.stop, lower, upper):
                counted[(day.isoformat(), entry.person)] += part
    assert dict(daily) == dict(counted)
    # What needs a look.
    loose = [(e.person, e.description, p) for e, p in inside if e.card is None]
    assert sorted((r["person"], r["description"], r["seconds"]) for r in hours["without_task"]) == sorted(
        loose
    )
    unfiled = [(e.person, e.description, p) for e, p in inside if e.project is None]
    assert sorted((r["person"], r["description"], r["seconds"]) for r in hours["without_project"]) == sorted(
        unfiled
    )
    timers = [
        (e.person, e.running, int((e.stop - e.start).total_seconds()))
        for e in expected.entries
        if e.stop - e.start > LONG_TIMER and (e.running or expected.part(e) > 0)
    ]
    assert sorted((r["person"], r["running"], r["seconds"]) for r in hours["long_timers"]) == sorted(timers)


@pytest.mark.parametrize("which", ["this_week", "last_week"])
def test_every_task_figure_matches_what_a_person_counts(world, which):
    expected, data = _expected(world, getattr(world, which))
    done = {item["task"]["title"] for group in data["done"] for item in group["tasks"]}
    assert done == expected.done()
    assert {item["task"]["title"]: item["days_late"] for item in data["overdue"]} == expected.overdue()
    assert {item["task"]["title"]: set(item["reasons"]) for item in data["at_risk"]} == expected.at_risk()
    deadlines = {
        item["title"]: item["days_left"]
        for group in ("within_7", "within_14")
        for item in data["deadlines"][group]
    }
    assert deadlines == expected.deadlines()
    assert all(item["days_left"] <= 7 for item in data["deadlines"]["within_7"])
    assert all(7 < item["days_left"] <= 14 for item in data["deadlines"]["within_14"])
    tracked = {item["task"]["title"]: item["tracked_seconds"] for item in data["overdue"] + data["at_risk"]}
    cards = {card.title: card for card in expected.cards.values()}
    assert tracked == {title: expected.tracked_on(cards[title]) for title in tracked}
    burn = expected.burn()
    projects = {row["project"]: row for row in data["hours"]["projects"]}
    assert {
        k: (v["estimate_hours"], v["tracked_on_estimates_seconds"])
        for k, v in projects.items()
        if v["estimate_hours"]
    } == burn
    for key, (estimate, seconds) in burn.items():
        assert projects[key]["burn"] == pytest.approx(seconds / 3600 / estimate)


def test_at_nightfall_a_day_s_all_day_dues_are_not_late_yet_and_its_timed_ones_are(world):
    """The same week as of 18:30 in Paris: a task due today at 17:00 is late by 0 days; a task due
    today as a day (a Notion date, which Trello shows at 17:00) is still a deadline of today."""
    today = world.this_week.summary.now.astimezone(PARIS).date()
    evening = datetime.combine(today, time(18, 30), PARIS)
    store = replace(world.store, clock=lambda: evening)
    with WorkspaceRunner(
        KEY, world.runner.workspace, world.runner.settings, store, options=fast_options()
    ) as runner:
        summary = runner.summarize(world.this_week.summary.period, publish=False).summary
    data = json.loads(render_json(summary))
    expected = _expected_of(world, data)
    assert expected.now == evening
    overdue = {item["task"]["title"]: item["days_late"] for item in data["overdue"]}
    deadlines = {
        item["title"]: item["days_left"]
        for item in data["deadlines"]["within_7"] + data["deadlines"]["within_14"]
    }
    assert overdue == expected.overdue() and deadlines == expected.deadlines()
    assert {item["task"]["title"]: set(item["reasons"]) for item in data["at_risk"]} == expected.at_risk()
    due_today = [c for c in expected.cards.values() if c.open and c.due_day() == today]
    timed = {c.title for c in due_today if isinstance(c.due, datetime)}
    all_day = {c.title for c in due_today if not isinstance(c.due, datetime)}
    assert timed and all_day
    assert {title: overdue[title] for title in timed} == dict.fromkeys(timed, 0)
    assert {title: deadlines[title] for title in all_day} == dict.fromkeys(all_day, 0)
    late = next(item for item in data["overdue"] if item["task"]["title"] in timed)
    coming = next(item for item in data["deadlines"]["within_7"] if item["title"] in all_day)
    assert "T" in late["due"] and coming["due"] == today.isoformat()  # an instant; a day


def _meetings(world: World) -> list[tuple[str, datetime, datetime, frozenset[str]]]:
    """The calendar's timed meetings (title, start, end, attendees), recurring ones expanded as a
    person reads them on her calendar, moved occurrences where they were moved to; cancelled ones and
    the hub's deadline events left out."""
    from dateutil.rrule import rrulestr

    events = world.after["google"]["calendar"]["events"].values()
    moved = {e["id"]: e for e in events if "_" in e["id"]}  # "<series id>_<original start>"
    found = []
    for event in events:
        private = (event.get("extendedProperties") or {}).get("private") or {}
        if event["status"] == "cancelled" or "obmHubTask" in private or "dateTime" not in event["start"]:
            continue
        if "_" in event["id"]:
            continue  # a moved occurrence: met through its series
        start, end = _instant(event["start"]["dateTime"]), _instant(event["end"]["dateTime"])
        starts = [start]
        if event.get("recurrence"):
            local = start.astimezone(PARIS).replace(tzinfo=None)
            rule = rrulestr("\n".join(event["recurrence"]), dtstart=local)
            limit = local + timedelta(days=60)
            starts = [
                datetime.combine(d.date(), d.time(), PARIS).astimezone(UTC)
                for d in rule.between(local, limit, inc=True)
            ]
        for occurrence in starts:
            stamp = f"{event['id']}_{occurrence:%Y%m%dT%H%M%SZ}"
            real = moved.get(stamp)
            if real is not None and real["status"] == "cancelled":
                continue
            begin = _instant(real["start"]["dateTime"]) if real else occurrence
            finish = _instant(real["end"]["dateTime"]) if real else occurrence + (end - start)
            attendees = frozenset(a["email"] for a in (real or event).get("attendees", []))
            found.append((event["summary"], begin, finish, attendees))
    return found


CALENDAR_LOOKBACK = timedelta(days=7)  # how far back the hub reads the calendar (connectors/gcal)


def _untracked(world: World, expected: Expected, since: datetime) -> list[tuple[str, datetime, list[str]]]:
    """Meetings that ended in the period before now (and after `since`), with the attendees who track
    time but tracked none while they ran."""
    trackers = {entry.person for entry in expected.entries}
    missing = []
    for title, start, end, attendees in _meetings(world):
        if not (expected.start < end <= expected.end and since < end <= expected.now):
            continue
        busy = {e.person for e in expected.entries if _seconds(e.start, e.stop, start, end)}
        if who := sorted((attendees & trackers) - busy):
            missing.append((title, start, who))
    return sorted(missing)


def _said_untracked(data: dict[str, Any]) -> list[tuple[str, datetime, list[str]]]:
    meetings = data["hours"]["untracked_meetings"]
    return sorted((item["title"], _instant(item["start"]), item["people"]) for item in meetings)


@pytest.mark.parametrize("which", ["this_week", "last_week"])
def test_meetings_nobody_tracked_time_for(world, which):
    """Meetings that ended in the period before now, with the attendees who track time but tracked
    none while they ran; the hub reads the calendar from a week back, so an older meeting is unknown."""
    expected, data = _expected(world, getattr(world, which))
    assert _said_untracked(data) == _untracked(world, expected, expected.now - CALENDAR_LOOKBACK)
    if which == "this_week":  # the evening meeting: Léa and Marcus tracked nothing, Sophie's timer ran
        assert [(title, people) for title, _, people in _said_untracked(data)] == [
            ("Launch debrief", ["lea@brightpath.coach", "marcus@brightpath.coach"])
        ]


@pytest.mark.xfail(
    strict=True,
    reason="the hub reads the calendar from 7 days back (connectors/gcal LOOKBACK): on a Wednesday, "
    "last week's Monday meeting is unknown to last week's summary",
)
def test_last_week_s_summary_sees_all_of_last_week_s_meetings(world):
    expected, data = _expected(world, world.last_week)
    missing = _untracked(world, expected, expected.start)
    assert missing  # the Monday team sync Sophie tracked nothing for
    assert _said_untracked(data) == missing


def test_the_changes_compare_this_week_with_last_week(world):
    this, this_data = _expected(world, world.this_week)
    last, _ = _expected(world, world.last_week)
    deltas = this_data["deltas"]
    assert deltas["hours_seconds"] == {
        "current": sum(p for _, p in this.inside()),
        "previous": sum(p for _, p in last.inside()),
        "change": sum(p for _, p in this.inside()) - sum(p for _, p in last.inside()),
    }
    assert (deltas["done"]["current"], deltas["done"]["previous"]) == (len(this.done()), len(last.done()))
    # Overdue at each period's end (this one's is now), from today's data.
    assert (deltas["overdue"]["current"], deltas["overdue"]["previous"]) == (
        this.overdue_at(this.upper),
        last.overdue_at(last.upper),
    )
    for expected, data in ((this, this_data), (last, world.data(world.last_week))):
        trend = [(point["day"], point["open"], point["overdue"]) for point in data["trend"]]
        assert trend == expected.trend()
        assert trend[0][1] > 40  # the tasks the hub found at its first read existed before it


def test_the_edge_cases_are_in_the_data_and_counted_as_a_person_would(world):
    """The demo business holds each case the rules speak of; the figures above count each as said."""
    this, _ = _expected(world, world.this_week)
    last, _ = _expected(world, world.last_week)
    entries = {entry.id: entry for entry in this.entries}
    # Across the week's edge (Sunday night into Monday): its Sunday part last week, the rest this week.
    edge = [e for e in this.entries if e.start < this.start < e.stop]
    assert edge and all(last.part(e) + this.part(e) == int((e.stop - e.start).total_seconds()) for e in edge)
    assert all(0 < this.part(e) < int((e.stop - e.start).total_seconds()) for e in edge)
    # Across midnight inside a period, and a timer running since last evening (counted up to now).
    assert any(
        e.start.astimezone(PARIS).date() != e.stop.astimezone(PARIS).date() and last.part(e)
        for e in last.entries
    )
    running = [e for e in this.entries if e.running]
    assert len(running) == 1 and all(e.stop == this.now for e in running)
    # The deleted entry counts nothing; the edited one counts as it is now (45 minutes longer).
    assert world.deleted not in entries
    assert world.deleted in {raw["id"] for raw in world.after["toggl"]["entries"]}  # Toggl keeps it, deleted
    edited = entries[world.edited["id"]]
    assert int((edited.stop - edited.start).total_seconds()) == world.edited["duration"]
    # The card moved to Done between the syncs is done this week; all-day dues exist and are open.
    moved = this.cards[world.moved_to_done]
    assert moved.done and moved.title in this.done()
    all_day = [
        c
        for c in this.cards.values()
        if c.open and isinstance(c.due, date) and not isinstance(c.due, datetime)
    ]
    assert all_day and any(c.title in this.deadlines() for c in all_day)


@pytest.mark.xfail(
    strict=True,
    reason="a teammate's running timer is not seen: Toggl's Reports API leaves running entries out and "
    "/me/time_entries/current is the token owner's; /workspaces/{id}/dashboard/all_activity lists them",
)
def test_a_teammate_s_running_timer_counts_up_to_now(world):
    expected, data = _expected(world, world.this_week, everyone_s_timer=True)
    running = {e.person for e in expected.entries if e.running}
    assert len(running) == 2  # the OBM's since last evening, a VA's for the last 47 minutes
    assert data["hours"]["seconds"] == sum(part for _, part in expected.inside())


# -- the Notion pages ---------------------------------------------------------------------------------


def _children(world: World, block_id: str) -> list[dict[str, Any]]:
    """A block's children, every page of them, through Notion's API."""
    notion = world.runner.settings.notion
    assert notion is not None
    headers = {
        "Authorization": f"Bearer {notion.token.get_secret_value()}",  # type: ignore[union-attr]
        "Notion-Version": notion.version,
    }
    found: list[dict[str, Any]] = []
    with httpx.Client(base_url=notion.base_url, headers=headers, timeout=5) as api:
        cursor = None
        while True:
            params = {"page_size": 100, **({"start_cursor": cursor} if cursor else {})}
            body = api.get(f"/blocks/{block_id}/children", params=params).json()
            found += body["results"]
            cursor = body.get("next_cursor")
            if not body.get("has_more"):
                return found


def _pages(world: World) -> dict[str, str]:
    """The summary pages under the configured parent: title -> page id."""
    pages = [b for b in _children(world, world.parent) if b["type"] == "child_page" and not b.get("in_trash")]
    titles = [page["child_page"]["title"] for page in pages]
    assert len(titles) == len(set(titles)), titles  # never two pages for one period
    return {page["child_page"]["title"]: page["id"] for page in pages}


def _rich_texts(block: dict[str, Any]) -> list[dict[str, Any]]:
    content = block[block["type"]]
    if block["type"] == "table_row":
        return [part for cell in content["cells"] for part in cell]
    return content.get("rich_text", [])


def test_one_notion_page_per_period_under_the_parent_replaced_in_place_on_a_re_run(world):
    pages = _pages(world)
    this, last = (world.data(world.this_week), world.data(world.last_week))
    assert len(pages) == 2 and world.this_week.notion_url and world.last_week.notion_url
    assert sorted(pages) == sorted(
        f"Bright Path Coaching · Week {_week(d)}, {_dates(d)}" for d in (this, last)
    )
    this_id = next(page for title, page in pages.items() if f"Week {_week(this)}," in title)
    assert this_id.replace("-", "") in world.this_week.notion_url.replace("-", "")
    blocks = notion_blocks(world.this_week.summary)
    assert [b["type"] for b in _children(world, this_id)] == [b["type"] for b in blocks]
    # A re-run of the same period replaces the content of the same page; nothing else moves.
    again = world.runner.summarize(world.this_week.summary.period)
    assert again.notion_url == world.this_week.notion_url and not again.errors
    assert _pages(world) == pages
    content = _children(world, this_id)
    assert [b["type"] for b in content] == [b["type"] for b in notion_blocks(again.summary)]
    texts = [part["plain_text"] for block in content for part in _rich_texts(block)]
    assert "".join(texts).count("Overdue") == 1  # the old content went to the trash, not below
    # The long title, in the overdue table and the blockers, is split into rich texts Notion accepts.
    table = content[[b["type"] for b in content].index("table")]
    rows = [
        [("".join(p["plain_text"] for p in cell), len(cell)) for cell in row["table_row"]["cells"]]
        for row in _children(world, table["id"])
    ]
    assert (LONG_TITLE, 2) in [cell for row in rows for cell in row]
    parts = [part for block in content for part in _rich_texts(block)]
    assert all(len(part["text"]["content"]) <= 2000 for part in parts if part["type"] == "text")
    assert len(LONG_TITLE) > 2000 and LONG_TITLE in "".join(texts)


def _week(data: dict[str, Any]) -> int:
    return date.fromisoformat(data["period"]["first"]).isocalendar()[1]


def _dates(data: dict[str, Any]) -> str:
    first, last = date.fromisoformat(data["period"]["first"]), date.fromisoformat(data["period"]["last"])
    return f"{first:%b} {first.day}\u2009–\u2009{last.day}, {last.year}"  # thin spaces, as Babel writes


# -- both languages -----------------------------------------------------------------------------------

ENGLISH_WORDS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun|AM|PM)\b"
)


def _english_leaks(text: str) -> set[str]:
    """English label texts (their fixed parts between placeholders, of two words or more), and English
    month and day names, found in `text`."""
    french = " ".join(str(label) for label in LABELS["fr"].values())
    found = set(ENGLISH_WORDS.findall(text))
    for label in LABELS["en"].values():
        for form in [label] if isinstance(label, str) else label.values():
            for part in re.split(r"\{[^}]*\}", form):
                part = part.strip(" :,.()·")
                if len(part.split()) >= 2 and part not in french and part in text:
                    found.add(part)
    return found


def _visible(html: str) -> str:
    """The text a reader sees in the HTML file: tags, style and script left out, entities decoded."""
    import html as entities

    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return entities.unescape(re.sub(r"<[^>]+>", " ", body))


def _french_hours(seconds: int) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    value = Decimal(seconds) / 3600
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}".replace(".", ",") + f"{NBSP}h"


def _without_user_data(world: World, text: str) -> str:
    """The text without what people typed (titles, descriptions, names, statuses): only what the
    summary itself says is left to check for English."""
    typed = {card["name"] for card in world.after["trello"]["cards"].values()}
    typed |= {entry["description"] for entry in world.after["toggl"]["entries"] if entry["description"]}
    typed |= {project["name"] for project in world.after["toggl"]["projects"]}
    typed |= {person.name for person in world.runner.workspace.people}
    typed |= set(world.runner.workspace.status_map) | set(world.runner.workspace.status_map.values())
    conflicts = world.this_week.summary.health.conflicts
    typed |= {v for c in conflicts for v in (c.left_value, c.right_value) if not re.match(r"\d{4}-", v)}
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ").replace(value.replace("#", "\\#"), " ")
    return text


FRENCH_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
FRENCH_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def test_the_same_summary_in_french_markdown_and_html(world):
    """The workspace in French: labels, dates and numbers per the French locale, nothing English left."""
    french = world.runner.workspace.model_copy(update={"language": "fr"})
    with WorkspaceRunner(KEY, french, world.runner.settings, world.store, options=fast_options()) as runner:
        summary = runner.summarize(world.this_week.summary.period, publish=False).summary
    english = world.this_week.summary
    assert (summary.overdue, summary.at_risk, summary.done) == (
        english.overdue,
        english.at_risk,
        english.done,
    )
    data = world.data(world.this_week)
    now = summary.now.astimezone(PARIS)
    first, last = date.fromisoformat(data["period"]["first"]), date.fromisoformat(data["period"]["last"])
    sophie = next(row for row in summary.hours.people if row.person.startswith("sophie@"))  # type: ignore[union-attr]
    for text in (render_markdown(summary), _visible(render_html(summary))):
        assert "résumé des opérations" in text.lower() and f"Semaine {_week(data)}" in text
        assert f"{first.day}–{last.day} {FRENCH_MONTHS[last.month - 1]} {last.year}" in text  # the period
        as_of = f"Au {FRENCH_DAYS[now.weekday()]} {now.day} {FRENCH_MONTHS[now.month - 1]}, {now:%H:%M}"
        assert as_of in text  # 24-hour time, French day and month
        assert _french_hours(sophie.seconds) in text  # "25,9 h": a decimal comma, a non-breaking space
        assert re.search(rf"\b\d+{NBSP}%", text)  # "86 %"
        assert f"{NBSP}: " in text
        assert "échéance valait" in text  # a conflict's field, in French, and its dates too
        left = _without_user_data(world, text)
        assert _english_leaks(left) == set(), _english_leaks(left)
        assert not re.search(r"\d{4}-\d\d-\d\dT", left)  # no raw ISO instant
    # The check finds English where there is English.
    assert {"Upcoming deadlines", "Nov"} <= _english_leaks(
        _without_user_data(world, render_markdown(english))
    )
    assert "Upcoming deadlines" in _english_leaks(_visible(render_html(english)))


# -- what `obm-hub run` prints last -------------------------------------------------------------------


def test_the_run_ends_with_each_file_and_the_notion_page_whole_even_in_a_narrow_terminal(world):
    """`obm-hub run` prints the summary, then the files and the page it wrote: each on one line, never
    cut at the terminal's width, and each file holds that summary."""
    from io import StringIO
    from types import SimpleNamespace

    from rich.console import Console

    from obm_hub.run import _print_run

    outputs = world.this_week
    run = SimpleNamespace(
        outcome="ok", workspace=KEY, lines=lambda: ["tasks: ok"], summary=outputs, timings={}, requests={}
    )
    printed = StringIO()
    _print_run(Console(file=printed, width=40), run, 1.0)
    said = dict(re.findall(r"^  summary \((\w+)\): (.+)$", printed.getvalue(), flags=re.M))
    assert said["Notion"] == outputs.notion_url
    assert {kind: Path(said[kind]) for kind in ("md", "html", "json")} == outputs.files
    assert Path(said["md"]).read_text(encoding="utf-8") == render_markdown(outputs.summary)
    assert json.loads(Path(said["json"]).read_text(encoding="utf-8"))["period"]["first"] == str(
        outputs.summary.period.first
    )
    assert "<svg" in Path(said["html"]).read_text(encoding="utf-8")
