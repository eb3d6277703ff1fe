"""Issue 11's proof: the operations summary of the demo business is right to the second.

The hub syncs the seeded sandbox (the workspace runner, no Prefect); people then work on through the
services' APIs (an entry edited, an entry deleted, a card moved to Done, a very long title pasted);
the hub syncs again and writes the summaries of this week and last week. Every figure of the JSON
file it wrote is compared with a count written here from what the services hold, read as the
emulators' JSON state (the services' own API shapes: Trello cards, Notion pages, Toggl entries),
never through the summary code or the hub's store. The rules are the README's ("How the summary
counts"), written out again:

- an entry counts its part inside the period, cut at midnight and at the period's edges, in whole
  seconds; a running timer counts up to now, a teammate's too (seen on Toggl's dashboard, without its
  tags or billable flag until it stops); a deleted entry counts nothing; an edited entry counts as it
  is now;
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
import re
import sqlite3
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.runner import WorkspaceRunner
from summary.locales import LABELS
from summary.render.html import render_html
from summary.render.json_out import render_json
from summary.render.markdown import render_markdown
from summary.render.notion import notion_blocks
from sync.store import Store
from tests.conftest import fast_options
from tests.e2e.figures import (
    CALENDAR_LOOKBACK,
    KEY,
    LONG_TIMER,
    LONG_TITLE,
    NBSP,
    PARIS,
    World,
    count_at,
    count_for,
    midnight,
    said_untracked,
    seconds_between,
    synced_world,
    untracked,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    with synced_world(tmp_path_factory.mktemp("figures")) as synced:
        yield synced


# -- the figures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["this_week", "last_week"])
def test_every_hour_figure_matches_what_a_person_counts(world, which):
    expected, data = count_for(world, getattr(world, which))
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
        lower, upper = midnight(day), min(midnight(day + timedelta(days=1)), expected.now)
        for entry in expected.entries:
            if part := seconds_between(entry.start, entry.stop, lower, upper):
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
    expected, data = count_for(world, getattr(world, which))
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
    expected = count_at(world, data)
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


@pytest.mark.parametrize("which", ["this_week", "last_week"])
def test_meetings_nobody_tracked_time_for(world, which):
    """Meetings that ended in the period before now, with the attendees who track time but tracked
    none while they ran; the hub reads the calendar from two weeks back, so an older meeting is unknown."""
    expected, data = count_for(world, getattr(world, which))
    assert said_untracked(data) == untracked(world, expected, expected.now - CALENDAR_LOOKBACK)
    if which == "this_week":  # the evening meeting: Léa and Marcus tracked nothing, Sophie's timer ran
        assert [(title, people) for title, _, people in said_untracked(data)] == [
            ("Launch debrief", ["lea@brightpath.coach", "marcus@brightpath.coach"])
        ]


def test_last_week_s_summary_sees_all_of_last_week_s_meetings(world):
    expected, data = count_for(world, world.last_week)
    missing = untracked(world, expected, expected.start)
    assert missing  # the Monday team sync Sophie tracked nothing for
    assert said_untracked(data) == missing


def test_the_changes_compare_this_week_with_last_week(world):
    this, this_data = count_for(world, world.this_week)
    last, _ = count_for(world, world.last_week)
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
    this, _ = count_for(world, world.this_week)
    last, _ = count_for(world, world.last_week)
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
    assert len(running) == 2 and all(e.stop == this.now for e in running)  # the OBM's and a VA's
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


def test_a_teammate_s_running_timer_counts_up_to_now(world, tmp_path):
    """Léa's timer, started 47 minutes before the hub's first read (Toggl's reports leave it out, the
    dashboard shows it): in her hours and her project's up to now, among long timers only past
    `long_timer_hours`, and covering a meeting it overlaps."""
    expected, data = count_for(world, world.this_week)
    running = {e.person: e for e in expected.entries if e.running}
    owner = world.runner.workspace.people[0]
    lea = running["lea@brightpath.coach"]
    assert len(running) == 2 and timedelta(minutes=47) <= expected.now - lea.start < LONG_TIMER
    assert data["hours"]["seconds"] == sum(part for _, part in expected.inside())
    people = {row["person"]: row for row in data["hours"]["people"]}
    so_far = int((expected.now - lea.start).total_seconds())
    before = sum(part for e, part in expected.inside() if e.person == lea.person and not e.running)
    assert people[lea.person]["seconds"] == before + so_far
    projects = {r["project"]: r["seconds"] for r in people[lea.person]["by_project"]}
    assert lea.project is not None and projects[lea.project] >= so_far
    long_running = {r["person"] for r in data["hours"]["long_timers"] if r["running"]}
    assert long_running == {p for p, e in running.items() if e.stop - e.start > LONG_TIMER} != set()
    assert lea.person not in long_running
    # A meeting while her timer runs, with Marcus, and the owner (who tracks no time): Léa is covered.
    # Read by a copy of the hub's store, so that the world's own summaries stay as they were.
    start = max(lea.start, expected.now - timedelta(minutes=30)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=10)
    google: Any = world.runner.connector("google")
    calendar = world.runner.workspace.google.calendar_id  # type: ignore[union-attr]
    attendees = ["lea@brightpath.coach", "marcus@brightpath.coach", owner.email]
    event = google.client.insert_event(
        calendar,
        {
            "summary": "Quick sync",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": end.isoformat()},
            "attendees": [{"email": email} for email in attendees],
        },
    )
    copy = tmp_path / "hub.db"
    with sqlite3.connect(world.store.engine.url.database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    store = Store.open(f"sqlite:///{copy}", clock=world.store.clock)
    try:
        with WorkspaceRunner(
            KEY, world.runner.workspace, world.runner.settings, store, options=fast_options()
        ) as runner:
            assert runner.read("google").ok
            summary = runner.summarize(world.this_week.summary.period, publish=False).summary
    finally:
        store.close()
        google.client.delete_event(calendar, event.id)
    said = [
        m
        for m in json.loads(render_json(summary))["hours"]["untracked_meetings"]
        if m["title"] == "Quick sync"
    ]
    trackers = {e.person for e in expected.entries}
    busy = {e.person for e in expected.entries if seconds_between(e.start, e.stop, start, end)}
    assert lea.person in busy and owner.email not in trackers
    missing = sorted((set(attendees) & trackers) - busy)
    assert [m["people"] for m in said] == ([missing] if missing else [])


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
    assert {kind: Path(said[kind]) for kind in ("md", "html", "json")} == {
        kind: path for kind, path in outputs.files.items() if kind in ("md", "html", "json")
    }
    clients = dict(re.findall(r"^  client report \((\w+)\): (.+)$", printed.getvalue(), flags=re.M))
    assert {f"client-{kind}": Path(path) for kind, path in clients.items()} == {
        kind: path for kind, path in outputs.files.items() if kind.startswith("client-")
    }
    assert Path(said["md"]).read_text(encoding="utf-8") == render_markdown(outputs.summary)
    assert json.loads(Path(said["json"]).read_text(encoding="utf-8"))["period"]["first"] == str(
        outputs.summary.period.first
    )
    assert "<svg" in Path(said["html"]).read_text(encoding="utf-8")
