"""What the hub sees in one workspace: a pure digest of what the connectors read.

The morning operations summary grows from this: task counts by status and what is overdue, today's
agenda, hours tracked this week per person, timers left running. No I/O here: callers pass canonical
items, the people's names and the time, and get a frozen record and its Markdown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sync.model import Event, Task, TimeEntry


@dataclass(frozen=True)
class RunningTimer:
    person: str
    description: str
    minutes: int


@dataclass(frozen=True)
class Overview:
    workspace: str
    now: datetime
    tasks_by_status: Mapping[str, Mapping[str, int]]  # service -> status -> open tasks
    overdue: Mapping[str, int]  # service -> open tasks past due
    agenda: tuple[str, ...]  # today's events, in order
    hours_this_week: Mapping[str, float]  # person name -> hours
    running: tuple[RunningTimer, ...]
    entries_without_project: int
    requests: Mapping[str, int] = field(default_factory=dict)  # service -> API requests this run
    failures: tuple[str, ...] = ()  # one line per service that could not be read, saying what to fix

    def markdown(self) -> str:
        lines = [f"# {self.workspace}: {self.now:%A %d %B %Y, %H:%M}", ""]
        if self.failures:
            noun = "service" if len(self.failures) == 1 else "services"
            lines += [
                f"**Partial overview**: {len(self.failures)} {noun} could not be read; "
                "what is shown for them is their last good read, if any.",
                "",
                *(f"- {line}" for line in self.failures),
                "",
            ]
        lines.append("## Tasks")
        for service, statuses in self.tasks_by_status.items():
            counts = ", ".join(f"{status} {n}" for status, n in statuses.items()) or "none open"
            lines.append(f"- {service}: {counts}; overdue {self.overdue.get(service, 0)}")
        lines += ["", "## Today", *(f"- {item}" for item in self.agenda or ("nothing scheduled",))]
        lines += ["", "## Hours this week"]
        lines += [f"- {name}: {hours:.1f} h" for name, hours in self.hours_this_week.items()]
        for timer in self.running:
            lines.append(f"- running: {timer.person}, {timer.description!r}, {timer.minutes} min so far")
        lines.append(f"- entries without a project: {self.entries_without_project}")
        if self.requests:
            lines += ["", "## API requests this run"]
            lines += [f"- {service}: {n}" for service, n in sorted(self.requests.items())]
        return "\n".join(lines) + "\n"


def build_overview(
    *,
    workspace: str,
    zone: ZoneInfo,
    now: datetime,
    names: Mapping[str, str],
    tasks: Mapping[str, Iterable[Task]],
    events: Iterable[Event],
    entries: Iterable[TimeEntry],
    requests: Mapping[str, int] | None = None,
    failures: Iterable[str] = (),
) -> Overview:
    entries = list(entries)
    return Overview(
        workspace=workspace,
        now=now.astimezone(zone),
        tasks_by_status={service: _open_by_status(items) for service, items in tasks.items()},
        overdue={service: _overdue(items, now, zone) for service, items in tasks.items()},
        agenda=_agenda(events, now, zone),
        hours_this_week=_hours_this_week(entries, now, zone, names),
        running=tuple(_running(entries, now, names)),
        entries_without_project=sum(1 for entry in entries if entry.project is None),
        requests=dict(requests or {}),
        failures=tuple(failures),
    )


def _open_by_status(tasks: Iterable[Task]) -> dict[str, int]:
    counts = Counter(task.status or "(no status)" for task in tasks if not task.archived and not task.done)
    return dict(sorted(counts.items()))


def _overdue(tasks: Iterable[Task], now: datetime, zone: ZoneInfo) -> int:
    today = now.astimezone(zone).date()
    return sum(
        1
        for task in tasks
        if not task.archived and not task.done and task.due is not None and _due_before(task.due, now, today)
    )


def _due_before(due: date | datetime, now: datetime, today: date) -> bool:
    # A date-only due is overdue from the next day on; a timed one from its instant on.
    return due < now if isinstance(due, datetime) else due < today


def _agenda(events: Iterable[Event], now: datetime, zone: ZoneInfo) -> tuple[str, ...]:
    today = now.astimezone(zone).date()
    start_of_day = datetime.combine(today, time(0), zone)
    end_of_day = start_of_day + timedelta(days=1)
    all_day, timed = [], []
    for event in events:
        if event.status == "cancelled":
            continue
        start, end = event.start, event.end
        if isinstance(start, datetime) and isinstance(end, datetime):
            if start < end_of_day and end > start_of_day:
                local = start.astimezone(zone)
                timed.append((local, f"{local:%H:%M} {event.title}"))
        elif start <= today < end:  # all-day: dates, the end exclusive
            all_day.append(f"all day: {event.title}")
    return tuple(all_day + [line for _, line in sorted(timed)])


def _hours_this_week(
    entries: list[TimeEntry], now: datetime, zone: ZoneInfo, names: Mapping[str, str]
) -> dict[str, float]:
    local = now.astimezone(zone)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), zone)
    seconds: Counter[str] = Counter()
    for entry in entries:
        if entry.start >= monday:
            seconds[_name(entry.person, names)] += int(entry.elapsed(now).total_seconds())
    return {name: round(total / 3600, 2) for name, total in sorted(seconds.items())}


def _running(entries: list[TimeEntry], now: datetime, names: Mapping[str, str]) -> list[RunningTimer]:
    return [
        RunningTimer(
            _name(entry.person, names), entry.description, int(entry.elapsed(now).total_seconds() // 60)
        )
        for entry in entries
        if entry.running
    ]


def _name(person: str | None, names: Mapping[str, str]) -> str:
    """The person's display name (`names`: person key -> name), else her key."""
    return names.get(person, person) if person else "(unknown)"
