"""The demo business the sandbox serves: Bright Path Coaching.

A coaching business run by its owner (Camille) with an OBM (Sophie) and three VAs (Léa, Marcus,
Priya); the people, ids and mappings come from `config/sandbox.toml`. Everything else is generated
here, deterministically from a seed and a reference time `now`, in service-neutral records that each
emulator's seed turns into its own shapes:

- about 60 tasks on a Trello board (Backlog, This week, Doing, Review, Done), some archived; part of
  them also in the Notion tasks database, a few with small differences, and a few only in Notion;
- two weeks of calendar events in Europe/Paris (this week and next): client sessions, discovery
  calls, a weekly recurring team sync with one moved instance, all-day and multi-day events;
- two weeks of Toggl entries (last week and this week up to `now`) for the OBM and the three VAs
  across three projects, billable and not, some without a project, many naming a card (by its
  title, its link, its short link or its number) or tagged with a task label; entries across
  midnight and across the week boundary, entries edited after they stopped, deleted ones, a VA's
  timer running for the last 47 minutes and the OBM's left running since last evening.

Same seed and same `now`, same business: tests pin `now` and predict the numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.hub_file import HubFile, Person, Workspace, read_hub_file
from config.loader import SANDBOX_HUB_FILE

DEFAULT_SEED = 2026
WORKSPACE_KEY = "brightpath"
LISTS = ("Backlog", "This week", "Doing", "Review", "Done")
COACHING, LAUNCH, OPERATIONS = "Signature Coaching Program", "Spring Launch", "Operations"


@dataclass(frozen=True)
class BizProject:
    name: str
    label: str  # the Trello label / Notion tag that marks it
    color: str
    billable: bool
    client: str | None


@dataclass(frozen=True)
class BizTask:
    key: str  # stable across runs: "task-017"
    title: str
    description: str
    list_name: str
    status: str  # the Notion status (status_map of the list)
    due: datetime | None  # aware, Europe/Paris
    due_date_only: bool  # Notion stores just the date
    labels: tuple[str, ...]
    assignees: tuple[str, ...]  # emails
    estimate_hours: float | None
    project: str
    archived: bool
    on_trello: bool
    on_notion: bool
    notion_differences: dict[str, object] = field(default_factory=dict)  # field -> the Notion-side value
    created: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    @property
    def done(self) -> bool:
        return self.list_name == "Done"


@dataclass(frozen=True)
class BizEvent:
    key: str
    title: str
    description: str
    start: datetime | date  # aware datetime (Europe/Paris) or a date for all-day events
    end: datetime | date  # exclusive for all-day events
    attendees: tuple[str, ...] = ()
    recurrence: tuple[str, ...] = ()  # RRULE/EXDATE lines for a recurring series
    moved_instances: tuple[
        tuple[datetime, datetime, datetime], ...
    ] = ()  # (original start, new start, new end)
    location: str | None = None

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


@dataclass(frozen=True)
class BizTimeEntry:
    key: str
    person: str  # email
    project: str | None
    description: str
    start: datetime  # aware UTC
    stop: datetime | None  # None: the timer is running
    billable: bool
    tags: tuple[str, ...] = ()
    task_key: str | None = None  # the task the entry was tracked for
    # How the description names the task: its "title", its card's "url" or bare "shortlink", its card
    # "number" (#17), or not at all ("label": the entry is tagged with one of the task's labels).
    # The Toggl seed writes the card's reference, as people paste it.
    names_task: str = "title"
    edited_at: datetime | None = None  # last edited after it stopped (Toggl's `at`), when it was
    deleted_at: datetime | None = None  # deleted in Toggl (still returned by `since` reads)


@dataclass(frozen=True)
class Business:
    workspace: Workspace
    now: datetime
    seed: int
    projects: tuple[BizProject, ...]
    labels: tuple[str, ...]
    tasks: tuple[BizTask, ...]
    events: tuple[BizEvent, ...]
    time_entries: tuple[BizTimeEntry, ...]
    key: str = WORKSPACE_KEY  # the workspace's key in the hub file
    # Prefixes the seeds' id salts for every business but the demo one, whose ids predate it.
    namespace: str = ""

    def scoped(self, salt: str) -> str:
        """A seed's id salt, unique across the sandbox's businesses."""
        return f"{self.namespace}/{salt}" if self.namespace else salt

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.workspace.timezone)

    @property
    def people(self) -> tuple[Person, ...]:
        return self.workspace.people

    def person(self, email: str) -> Person:
        return next(p for p in self.people if p.email == email)

    @property
    def team(self) -> tuple[Person, ...]:
        """Those who track time: the OBM and the VAs."""
        return tuple(p for p in self.people if p.role in {"obm", "va"})


def load_workspace() -> Workspace:
    return HubFile.model_validate(read_hub_file(SANDBOX_HUB_FILE)).workspaces[WORKSPACE_KEY]


def generate(
    seed: int = DEFAULT_SEED, now: datetime | None = None, workspace: Workspace | None = None
) -> Business:
    """The demo business as of `now` (default: the current time); with `workspace`, a business of
    the same trade under that workspace's name, people and ids (see portfolio.py)."""
    workspace = workspace or load_workspace()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(seed)
    zone = ZoneInfo(workspace.timezone)
    monday = now.astimezone(zone).date() - timedelta(days=now.astimezone(zone).weekday())
    projects = _projects()
    tasks = _tasks(rng, workspace, now.astimezone(zone).date(), zone)
    return Business(
        workspace=workspace,
        now=now,
        seed=seed,
        projects=projects,
        labels=tuple(
            sorted({label for task in tasks for label in task.labels} | {p.label for p in projects})
        ),
        tasks=tasks,
        events=_events(rng, workspace, monday, zone),
        time_entries=_time_entries(rng, workspace, tasks, monday, zone, now),
    )


def _projects() -> tuple[BizProject, ...]:
    return (
        BizProject(COACHING, "Client", "#06a893", billable=True, client="Coaching clients"),
        BizProject(LAUNCH, "Marketing", "#c9806b", billable=False, client=None),
        BizProject(OPERATIONS, "Admin", "#4dc3ff", billable=False, client=None),
    )


CLIENTS = ("Amélie Roux", "Jonas Becker", "Nadia Haddad", "Tom Whitaker", "Inès Moreau", "Kenji Watanabe")
TOPICS = ("5 myths about burnout", "Morning routines", "Saying no", "Goal setting that sticks", "Deep work")
TEMPLATES: dict[str, tuple[str, ...]] = {
    COACHING: (
        "Send onboarding pack to {client}",
        "Schedule kickoff call with {client}",
        "Prepare session notes for {client}",
        "Send invoice to {client}",
        "Collect feedback form from {client}",
        "Book follow-up session with {client}",
    ),
    LAUNCH: (
        "Draft launch email #{n}",
        "Create Instagram carousel: {topic}",
        "Write blog post: {topic}",
        "Brief podcast guest #{n}",
        "Update sales page copy",
        "Design sales page mockup",
        "Set up checkout page",
        "Schedule launch webinar",
        "Record launch video script",
    ),
    OPERATIONS: (
        "Reconcile {month} invoices",
        "Update SOP: {process}",
        "Prepare weekly metrics report ({week})",
        "Review VA timesheets ({week})",
        "Renew Zoom subscription",
        "Clean up shared drive",
        "Set up new Calendly event types",
        "Archive old client folders",
    ),
}
SOP_FOLDER = "https://drive.google.com/drive/folders/brightpath-sops"
PROCESSES = ("client onboarding", "invoicing", "podcast publishing", "inbox triage")
MONTHS = ("September", "October", "November")
NOTION_ONLY_TITLES = (
    "Plan Q1 team retreat",
    "Outline new group program",
    "Decide on podcast sponsorship offers",
    "Refresh testimonials page",
    "Map the 2027 content calendar",
    "Interview candidates for a fourth VA",
    "Review pricing for VIP days",
    "Write the annual business review",
)
# How many tasks sit in each list (Done ones partly archived), on the Trello board.
LIST_SIZES = {"Backlog": 14, "This week": 12, "Doing": 8, "Review": 7, "Done": 19}
ARCHIVED = 6
EXTRA_LABELS = ("Urgent", "Content", "Finance", "Waiting on client")


def _titles(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Distinct (project, title) pairs drawn from the templates."""
    found: dict[str, str] = {}
    projects = [COACHING] * 5 + [LAUNCH] * 4 + [OPERATIONS] * 3
    while len(found) < count:
        project = rng.choice(projects)
        title = rng.choice(TEMPLATES[project]).format(
            client=rng.choice(CLIENTS),
            n=rng.randint(1, 12),
            topic=rng.choice(TOPICS),
            month=rng.choice(MONTHS),
            process=rng.choice(PROCESSES),
            week=f"week {rng.randint(40, 48)}",
        )
        found.setdefault(title, project)
    return [(project, title) for title, project in found.items()]


def _due(rng: random.Random, list_name: str, today: date, zone: ZoneInfo) -> datetime | None:
    """Around today, as a team keeps its board: Done in the past, Doing and Review close to now."""
    if rng.random() < 0.15:
        return None
    offsets = {
        "Backlog": (3, 20),
        "This week": (0, 6),
        "Doing": (-2, 4),
        "Review": (-3, 2),
        "Done": (-14, -1),
    }
    low, high = offsets[list_name]
    day = today + timedelta(days=rng.randint(low, high))
    return datetime.combine(day, time(rng.choice((10, 12, 17, 17, 17))), zone)


def _tasks(rng: random.Random, workspace: Workspace, today: date, zone: ZoneInfo) -> tuple[BizTask, ...]:
    monday = today - timedelta(days=today.weekday())
    team = [p.email for p in workspace.people if p.role in {"obm", "va"}]
    labels = {p.name: p.label for p in _projects()}
    pairs = _titles(rng, sum(LIST_SIZES.values()))
    lists = [name for name, size in LIST_SIZES.items() for _ in range(size)]
    tasks = []
    for index, ((project, title), list_name) in enumerate(zip(pairs, lists, strict=True)):
        extra = (rng.choice(EXTRA_LABELS),) if rng.random() < 0.3 else ()
        due = _due(rng, list_name, today, zone)
        tasks.append(
            BizTask(
                key=f"task-{index + 1:03d}",
                title=title,
                description=_description(rng, title),
                list_name=list_name,
                status=workspace.status_map.get(list_name, list_name),
                due=due,
                due_date_only=due is not None and due.hour == 17 and rng.random() < 0.5,
                labels=(labels[project], *extra),
                assignees=tuple(sorted(rng.sample(team, 2 if rng.random() < 0.2 else 1))),
                estimate_hours=rng.choice((0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)),
                project=project,
                archived=False,
                on_trello=True,
                on_notion=False,
                created=datetime.combine(monday - timedelta(days=rng.randint(7, 60)), time(9), zone),
            )
        )
    return tuple(_with_notion_side(rng, _archive_some(tasks), workspace, monday, zone))


def _description(rng: random.Random, title: str) -> str:
    if rng.random() < 0.4:
        return ""
    # Markdown, as Trello descriptions are; the Notion copies hold the same as rich text.
    lines = [
        f"Checklist in the [SOP folder]({SOP_FOLDER}).",
        "Ask Sophie if anything is unclear.",
        "Client prefers **email** over Slack.",
    ]
    return f"{title}.\n\n{rng.choice(lines)}"


def _archive_some(tasks: list[BizTask]) -> list[BizTask]:
    done = [task for task in tasks if task.list_name == "Done"]
    archived = {task.key for task in done[:ARCHIVED]}
    return [_replace(task, archived=task.key in archived) for task in tasks]


def _with_notion_side(
    rng: random.Random, tasks: list[BizTask], workspace: Workspace, monday: date, zone: ZoneInfo
) -> list[BizTask]:
    """About 40 % of the board is also in Notion (a few with small differences), plus Notion-only items."""
    result = []
    differing = 0
    for task in tasks:
        if task.archived or rng.random() >= 0.45:
            result.append(task)
            continue
        differences: dict[str, object] = {}
        if differing < 8 and rng.random() < 0.4:
            differing += 1
            differences = _small_difference(rng, task, workspace)
        result.append(_replace(task, on_notion=True, notion_differences=differences))
    owner = next(p.email for p in workspace.people if p.role == "owner")
    for index, title in enumerate(NOTION_ONLY_TITLES):
        day = monday + timedelta(days=rng.randint(2, 30))
        status = rng.choice(("Backlog", "This week", "In progress"))
        result.append(
            BizTask(
                key=f"notion-{index + 1:03d}",
                title=title,
                description="",
                list_name=next((k for k, v in workspace.status_map.items() if v == status), status),
                status=status,
                due=datetime.combine(day, time(17), zone) if rng.random() < 0.7 else None,
                due_date_only=True,
                labels=("Admin",) if index % 2 else ("Marketing",),
                assignees=(owner,),
                estimate_hours=rng.choice((1.0, 2.0, 4.0)),
                project=OPERATIONS if index % 2 else LAUNCH,
                archived=False,
                on_trello=False,
                on_notion=True,
            )
        )
    return result


def _small_difference(rng: random.Random, task: BizTask, workspace: Workspace) -> dict[str, object]:
    """What a person typically changed on one side only."""
    choice = rng.choice(("status", "due", "title", "estimate"))
    if choice == "status":
        statuses = [s for s in workspace.status_map.values() if s != task.status]
        return {"status": rng.choice(statuses)}
    if choice == "due" and task.due is not None:
        return {"due": task.due + timedelta(days=1)}
    if choice == "title":
        return {
            "title": task.title.replace(" to ", " for ", 1) if " to " in task.title else task.title + " (v2)"
        }
    return {"estimate_hours": (task.estimate_hours or 1.0) + 1.0}


def _replace(task: BizTask, **changes: object) -> BizTask:
    from dataclasses import replace

    return replace(task, **changes)  # type: ignore[arg-type]


def _events(rng: random.Random, workspace: Workspace, monday: date, zone: ZoneInfo) -> tuple[BizEvent, ...]:
    owner = next(p.email for p in workspace.people if p.role == "owner")
    obm = next(p.email for p in workspace.people if p.role == "obm")
    team = tuple(p.email for p in workspace.people)
    at = lambda day, hour, minute=0: datetime.combine(day, time(hour, minute), zone)  # noqa: E731
    series_start = monday - timedelta(days=21)
    next_monday = monday + timedelta(days=7)
    events = [
        BizEvent(
            "event-team-sync",
            "Team sync",
            "Weekly: wins, blockers, priorities. Agenda in Notion.",
            at(series_start, 9, 30),
            at(series_start, 10, 0),
            attendees=team,
            recurrence=("RRULE:FREQ=WEEKLY;BYDAY=MO",),
            moved_instances=(
                (
                    at(next_monday, 9, 30),
                    at(next_monday + timedelta(days=1), 10),
                    at(next_monday + timedelta(days=1), 10, 30),
                ),
            ),
            location="https://meet.google.com/abc-defg-hij",
        ),
        BizEvent(
            "event-allday-launch",
            "Spring Launch: sales page live",
            "",
            monday + timedelta(days=3),
            monday + timedelta(days=4),
        ),
        BizEvent(
            "event-allday-priya-off",
            "Priya off",
            "Annual leave",
            next_monday + timedelta(days=2),
            next_monday + timedelta(days=4),
        ),
        BizEvent(
            "event-allday-newsletter",
            "Newsletter send day",
            "",
            next_monday + timedelta(days=1),
            next_monday + timedelta(days=2),
        ),
        BizEvent(
            "event-review-1",
            "Weekly review with Camille",
            "Metrics, cash, priorities.",
            at(monday + timedelta(days=4), 16),
            at(monday + timedelta(days=4), 17),
            attendees=(owner, obm),
        ),
        BizEvent(
            "event-review-2",
            "Weekly review with Camille",
            "Metrics, cash, priorities.",
            at(next_monday + timedelta(days=4), 16),
            at(next_monday + timedelta(days=4), 17),
            attendees=(owner, obm),
        ),
    ]
    for index in range(12):
        day = monday + timedelta(days=rng.choice((0, 1, 2, 3, 4, 7, 8, 9, 10, 11)))
        start = at(day, rng.choice((9, 10, 11, 14, 15, 16)), rng.choice((0, 30)))
        client = CLIENTS[index % len(CLIENTS)]
        kind = "Discovery call" if index >= 9 else "Coaching session"
        events.append(
            BizEvent(
                f"event-client-{index + 1:02d}",
                f"{kind} — {client}",
                "Zoom link in the client portal.",
                start,
                start + timedelta(minutes=45 if kind == "Discovery call" else 60),
                attendees=(owner,),
            )
        )
    return tuple(events)


GENERIC_WORK = ("Inbox triage", "Slack and email", "Team sync", "Weekly planning", "Client portal updates")


def _time_entries(
    rng: random.Random,
    workspace: Workspace,
    tasks: tuple[BizTask, ...],
    monday: date,
    zone: ZoneInfo,
    now: datetime,
) -> tuple[BizTimeEntry, ...]:
    projects = {p.name: p for p in _projects()}
    trello_tasks = [task for task in tasks if task.on_trello]
    entries: list[BizTimeEntry] = []
    trackers = [p for p in workspace.people if p.role in {"obm", "va"}]
    for offset in range(-7, 7):
        day = monday + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for person in trackers:
            clock = datetime.combine(day, time(9, rng.choice((0, 15, 30))), zone)
            for _ in range(rng.randint(2, 4)):
                minutes = rng.choice((25, 30, 45, 60, 75, 90, 120, 150))
                start, stop = clock, clock + timedelta(minutes=minutes)
                clock = stop + timedelta(minutes=rng.choice((0, 10, 15, 30, 60)))
                if stop.astimezone(UTC) > now:
                    break
                entries.append(_entry(rng, len(entries), person.email, start, stop, trello_tasks, projects))
    runner = next(p for p in trackers if p.role == "va")
    running = _entry(
        rng, len(entries), runner.email, now - timedelta(minutes=47), None, trello_tasks, projects
    )
    entries.append(running)
    entries = [_named(rng, entry, tasks) for entry in entries]
    entries = _edited_and_deleted(rng, entries, now)
    return tuple(_edge_entries(workspace, monday, zone, now, entries))


NAMING = (("title", 0.4), ("url", 0.2), ("shortlink", 0.15), ("number", 0.15), ("label", 0.1))


def _named(rng: random.Random, entry: BizTimeEntry, tasks: tuple[BizTask, ...]) -> BizTimeEntry:
    """How the person named the task she tracked time for (titles alone are what most people type)."""
    if entry.task_key is None:
        return entry
    style = rng.choices([name for name, _ in NAMING], weights=[weight for _, weight in NAMING])[0]
    if style != "label":
        return _replace_entry(entry, names_task=style)
    task = next(task for task in tasks if task.key == entry.task_key)
    label = task.labels[-1]
    description = rng.choice(GENERIC_WORK)
    return _replace_entry(entry, names_task="label", description=description, tags=(*entry.tags, label))


def _edited_and_deleted(rng: random.Random, entries: list[BizTimeEntry], now: datetime) -> list[BizTimeEntry]:
    """Some entries fixed a day or two after they stopped, a few deleted since (kept with their
    deletion time: Toggl's `since` reads still return them)."""
    result = []
    for entry in entries:
        if entry.stop is None:
            result.append(entry)
            continue
        roll = rng.random()
        later = entry.stop + timedelta(hours=rng.randint(2, 40))
        if later < now and roll < 0.08:
            entry = _replace_entry(entry, edited_at=later)
        elif later < now and roll < 0.11:
            entry = _replace_entry(entry, deleted_at=later)
        result.append(entry)
    return result


def _edge_entries(
    workspace: Workspace, monday: date, zone: ZoneInfo, now: datetime, entries: list[BizTimeEntry]
) -> list[BizTimeEntry]:
    """What a real team's fortnight also holds: late work past midnight, a Sunday night running into
    Monday, non-billable time on a billable project, and the OBM's timer left running since last
    evening (she has tracked nothing since, so her later entries go)."""
    trackers = [p.email for p in workspace.people if p.role == "va"] or [p.email for p in workspace.people]
    obm = next((p.email for p in workspace.people if p.role == "obm"), trackers[0])

    def at(days: int, hour: int, minute: int) -> datetime:
        return datetime.combine(monday + timedelta(days=days), time(hour, minute), zone)

    evening = datetime.combine(now.astimezone(zone).date() - timedelta(days=1), time(18, 5), zone)
    edges = (  # who, project, description, local start, minutes (None: still running)
        (trackers[-1], COACHING, "Client portal updates", at(-4, 23, 20), 75),  # last Thursday night
        (trackers[1 % len(trackers)], LAUNCH, "Schedule launch webinar", at(-1, 23, 30), 80),  # into Monday
        (trackers[0], COACHING, "Prepare session notes (internal)", at(0, 8, 10), 35),
        (obm, OPERATIONS, "Weekly planning", evening, None),
    )
    kept = [e for e in entries if not (e.person == obm and e.start >= evening)]
    for index, (who, project, description, start, minutes) in enumerate(edges):
        stop = start + timedelta(minutes=minutes) if minutes is not None else None
        kept.append(
            BizTimeEntry(
                key=f"entry-{len(entries) + index + 1:04d}",
                person=who,
                project=project,
                description=description,
                start=start.astimezone(UTC),
                stop=stop.astimezone(UTC) if stop is not None else None,
                billable=False,
            )
        )
    return kept


def _replace_entry(entry: BizTimeEntry, **changes: object) -> BizTimeEntry:
    from dataclasses import replace

    return replace(entry, **changes)  # type: ignore[arg-type]


def _entry(
    rng: random.Random,
    index: int,
    person: str,
    start: datetime,
    stop: datetime | None,
    tasks: list[BizTask],
    projects: dict[str, BizProject],
) -> BizTimeEntry:
    task = rng.choice(tasks) if rng.random() < 0.55 else None
    if task is not None:
        project: str | None = task.project
        description = task.title
    else:
        project = rng.choice((COACHING, LAUNCH, OPERATIONS))
        description = rng.choice(GENERIC_WORK)
    if rng.random() < 0.12:
        project = None  # forgot to pick one: it happens every week
    return BizTimeEntry(
        key=f"entry-{index + 1:04d}",
        person=person,
        project=project,
        description=description,
        start=start.astimezone(UTC),
        stop=stop.astimezone(UTC) if stop is not None else None,
        billable=bool(project and projects[project].billable),
        tags=("client",) if project == COACHING and rng.random() < 0.5 else (),
        task_key=task.key if task is not None else None,
    )
