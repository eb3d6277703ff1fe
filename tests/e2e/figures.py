"""The world issue 11's proof looks at, and what a person counts in it (tests/e2e/test_summary_figures.py).

`synced_world` syncs the seeded sandbox with the workspace runner (no Prefect), lets people work on
through the services' APIs, syncs again and writes the summaries of this week and last week.
`count_for` counts, for one of those summaries' period and `now`, what a person counts from what
the services hold: the emulators' JSON state, in the services' own shapes (Trello cards, Notion
pages, Toggl entries, Calendar events), never the summary code or the hub's store.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@contextmanager
def synced_world(tmp: Path) -> Iterator[World]:
    """The world, set up in `tmp`, and stopped afterwards."""
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
        if c["idList"] == lists["Review"] and c["due"] and instant(c["due"]) < instant(FIXED_NOW_ISO)
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


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _local(text: str) -> datetime:
    return instant(text).astimezone(PARIS)


def _monday(instant: datetime) -> date:
    day = instant.astimezone(PARIS).date()
    return day - timedelta(days=day.weekday())


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), PARIS).astimezone(UTC)


def _board(trello: dict[str, Any]) -> str:
    return next(iter(trello["boards"]))  # the demo business's board comes first


def seconds_between(start: datetime, stop: datetime, lower: datetime, upper: datetime) -> int:
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
        return midnight(self.due + timedelta(days=1)) if self.due else None

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
            done_at=(done_since.get(card["id"]) or instant(card["dateLastActivity"])) if done else None,
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
    return instant(card["due"]) if card["due"] else None


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
            found[card["id"]] = instant(card["dateLastActivity"])
    for page in notion["pages"].values():
        status = (page["properties"].get("Status") or {}).get("status")
        if not status or status["name"] != "Done":
            continue
        title = "".join(part["plain_text"] for part in page["properties"]["Name"]["title"])
        card_id = short_links.get(_page_card(page) or "") or titles.get(title)
        if card_id is not None:
            edited = instant(page["last_edited_time"])
            found[card_id] = min(found.get(card_id, edited), edited)
    return found


def _entries(world: World, cards: dict[str, Card], now: datetime) -> list[Entry]:
    """The live entries, stops capped at now, running timers up to now. A teammate's running timer
    (not the token owner's) is what Toggl's dashboard shows of it, the only place it shows before it
    stops: no tags and no billable flag, so it names its task by its description only and is not
    billable until it stops (README, "How the summary counts")."""
    toggl = world.after["toggl"]
    emails = {user["id"]: user["email"] for user in toggl["users"]}
    token = world.runner.settings.toggl.api_token.get_secret_value()  # type: ignore[union-attr]
    owner = next(user["id"] for user in toggl["users"] if user["api_token"] == token)
    projects = {project["id"]: project["name"].casefold() for project in toggl["projects"]}
    found = []
    for raw in toggl["entries"]:
        start = instant(raw["start"])
        if raw["server_deleted_at"] or start >= now:
            continue
        teammate_s_timer = raw["stop"] is None and raw["user_id"] != owner
        card = _card_of({**raw, "tags": []} if teammate_s_timer else raw, cards)
        own = projects.get(raw["project_id"]) if raw["project_id"] else None
        stop = min(instant(raw["stop"]), now) if raw["stop"] else now
        found.append(
            Entry(
                raw["id"],
                emails[raw["user_id"]],
                own or (cards[card].project if card else None),
                card,
                raw["description"] or "",
                bool(raw["billable"]) and not teammate_s_timer,
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
        return seconds_between(entry.start, entry.stop, self.start, self.upper)

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
            if midnight(day) > self.now:
                break
            points.append((day, min(midnight(day + timedelta(days=1)), self.now)))
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


def count_for(world: World, outputs: SummaryOutputs) -> tuple[Expected, dict[str, Any]]:
    data = world.data(outputs)
    return count_at(world, data), data


def count_at(world: World, data: dict[str, Any]) -> Expected:
    """What a person counts for the summary's period, as of the summary's `now`."""
    now = datetime.fromisoformat(data["now"]).astimezone(UTC)
    cards = _cards(world, now)
    first, last = date.fromisoformat(data["period"]["first"]), date.fromisoformat(data["period"]["last"])
    entries = _entries(world, cards, now)
    return Expected(now, cards, entries, midnight(first), midnight(last + timedelta(days=1)))


def meetings(world: World) -> list[tuple[str, datetime, datetime, frozenset[str]]]:
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
        start, end = instant(event["start"]["dateTime"]), instant(event["end"]["dateTime"])
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
            begin = instant(real["start"]["dateTime"]) if real else occurrence
            finish = instant(real["end"]["dateTime"]) if real else occurrence + (end - start)
            attendees = frozenset(a["email"] for a in (real or event).get("attendees", []))
            found.append((event["summary"], begin, finish, attendees))
    return found


CALENDAR_LOOKBACK = timedelta(days=14)  # how far back the hub reads the calendar (connectors/gcal)


def untracked(world: World, expected: Expected, since: datetime) -> list[tuple[str, datetime, list[str]]]:
    """Meetings that ended in the period before now (and after `since`), with the attendees who track
    time but tracked none while they ran."""
    trackers = {entry.person for entry in expected.entries}
    missing = []
    for title, start, end, attendees in meetings(world):
        if not (expected.start < end <= expected.end and since < end <= expected.now):
            continue
        busy = {e.person for e in expected.entries if seconds_between(e.start, e.stop, start, end)}
        if who := sorted((attendees & trackers) - busy):
            missing.append((title, start, who))
    return sorted(missing)


def said_untracked(data: dict[str, Any]) -> list[tuple[str, datetime, list[str]]]:
    meetings = data["hours"]["untracked_meetings"]
    return sorted((item["title"], instant(item["start"]), item["people"]) for item in meetings)
