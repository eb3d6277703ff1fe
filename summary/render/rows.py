"""The summary's tables, built once for every output (Markdown, HTML, Notion, Prefect table artifacts).

A table is a header and rows of cells; a cell is text, or a `Link` (text and address) that each
renderer writes its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from summary.format import Formatter
from summary.result import Summary, TaskRef


class Link(NamedTuple):
    text: str
    url: str


Cell = str | Link


@dataclass(frozen=True)
class Table:
    key: str  # a slug: the Prefect artifact's suffix, the HTML table's id
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def text(cell: Cell) -> str:
    return cell.text if isinstance(cell, Link) else cell


def task_cell(task: TaskRef) -> Cell:
    return Link(task.title, task.url) if task.url else task.title


def names(summary: Summary, f: Formatter, keys: tuple[str, ...] | list[str]) -> str:
    return ", ".join(summary.person_name(key) or "" for key in keys) or f.t("nobody")


def project(summary: Summary, f: Formatter, key: str | None) -> str:
    return summary.project_name(key) or f.t("no_project")


def person(summary: Summary, f: Formatter, key: str | None) -> str:
    return summary.person_name(key) or f.t("unknown_person")


def tracked_of(f: Formatter, seconds: int, estimate: float | None) -> str:
    """ "2.5 h" or "2.5 h / 3.0 h" against an estimate."""
    return f.hours(seconds) + (f" / {f.hours_of(estimate)}" if estimate is not None else "")


def overdue_table(summary: Summary, f: Formatter) -> Table:
    header = (f.t("col_task"), f.t("col_owner"), f.t("col_due"), f.t("col_late"), f.t("col_tracked"))
    rows = tuple(
        (
            task_cell(item.task),
            names(summary, f, item.task.assignees),
            f.due(item.due),
            f.t("days_late", count=item.days_late) if item.days_late else f.t("late_today"),
            tracked_of(f, item.tracked_seconds, item.estimate_hours),
        )
        for item in summary.overdue
    )
    return Table("overdue", header, rows)


def at_risk_table(summary: Summary, f: Formatter) -> Table:
    header = (f.t("col_task"), f.t("col_owner"), f.t("col_due"), f.t("col_why"), f.t("col_tracked"))
    rows = tuple(
        (
            task_cell(item.task),
            names(summary, f, item.task.assignees),
            f.due(item.due),
            ", ".join(f.t(f"risk_{reason}") for reason in item.reasons),
            tracked_of(f, item.tracked_seconds, item.estimate_hours),
        )
        for item in summary.at_risk
    )
    return Table("at-risk", header, rows)


def people_table(summary: Summary, f: Formatter) -> Table:
    header = (
        f.t("col_person"),
        f.t("col_hours"),
        f.t("col_billable"),
        f.t("col_capacity"),
        f.t("col_utilisation"),
    )
    people = summary.hours.people if summary.hours else ()
    rows = tuple(
        (
            person(summary, f, row.person),
            f.hours(row.seconds),
            f.percent(row.billable_seconds / row.seconds) if row.seconds else "–",
            f.hours_of(row.capacity_hours) if row.capacity_hours is not None else "–",
            f.percent(row.utilisation) if row.utilisation is not None else "–",
        )
        for row in people
    )
    return Table("hours-by-person", header, rows)


def projects_table(summary: Summary, f: Formatter) -> Table:
    header = (
        f.t("col_project"),
        f.t("col_hours"),
        f.t("col_billable"),
        f.t("col_tracked_on_estimates"),
        f.t("col_burn"),
    )
    projects = summary.hours.projects if summary.hours else ()
    rows = tuple(
        (
            project(summary, f, row.project),
            f.hours(row.seconds),
            f.percent(row.billable_seconds / row.seconds) if row.seconds else "–",
            tracked_of(f, row.tracked_on_estimates_seconds, row.estimate_hours)
            if row.estimate_hours
            else "–",
            f.percent(row.burn) if row.burn is not None else "–",
        )
        for row in projects
    )
    return Table("hours-by-project", header, rows)


def changes_table(summary: Summary, f: Formatter) -> Table:
    header = (f.t("col_measure"), f.t("col_this_period"), f.t("col_previous_period"), f.t("col_change"))
    deltas = summary.deltas
    rows: list[tuple[Cell, ...]] = [
        (
            f.t("measure_done"),
            f.number(deltas.done.current),
            f.number(deltas.done.previous),
            f.signed(deltas.done.change),
        ),
        (
            f.t("measure_overdue"),
            f.number(deltas.overdue.current),
            f.number(deltas.overdue.previous),
            f.signed(deltas.overdue.change),
        ),
    ]
    if deltas.hours_seconds is not None:
        hours = deltas.hours_seconds
        rows.append(
            (
                f.t("measure_hours"),
                f.hours(hours.current),
                f.hours(hours.previous),
                f.signed(hours.change, hours=True),
            )
        )
    return Table("changes", header, tuple(rows))


def health_table(summary: Summary, f: Formatter) -> Table:
    header = (
        f.t("col_relation"),
        f.t("col_service"),
        f.t("col_last_run"),
        f.t("col_outcome"),
        f.t("col_last_ok"),
        f.t("col_runs"),
        f.t("col_changes"),
    )
    rows = tuple(
        (
            f.t(f"relation_{row.relation}") if f"relation_{row.relation}" in f.labels else row.relation,
            row.service,
            f.moment(row.last_run_at),
            f.t(f"outcome_{row.last_outcome}"),
            f.moment(row.last_ok_at) if row.last_ok_at else f.t("never"),
            f.number(row.runs),
            f"{f.number(row.created)} / {f.number(row.updated)} / {f.number(row.archived)}",
        )
        for row in summary.health.relations
    )
    return Table("sync-health", header, rows)


def services_table(summary: Summary, f: Formatter) -> Table:
    header = (
        f.t("col_service"),
        f.t("col_requests"),
        f.t("col_requests_last"),
        f.t("col_quota"),
        f.t("col_credentials"),
    )
    rows = tuple(
        (
            row.service,
            f.number(row.requests_period),
            f.number(row.requests_last_run),
            _quota(f, row.quota_remaining, row.quota_resets_at),
            _credentials(f, row.credentials, row.credentials_expire_at, row.credentials_message),
        )
        for row in summary.health.services
    )
    return Table("services", header, rows)


def _quota(f: Formatter, remaining: int | None, resets: datetime | None) -> str:
    if remaining is None:
        return "–"
    if resets is not None:
        return f.t("quota_resets", count=remaining, when=f.time(resets))
    return f.number(remaining)


def _credentials(f: Formatter, state: str, expires: datetime | None, message: str | None) -> str:
    if state == "expiring" and expires is not None:
        label = f.t("credentials_expiring", when=f.moment(expires))
    else:
        label = f.t(f"credentials_{state}")
    return f"{label}: {message}" if message else label


def all_tables(summary: Summary, f: Formatter) -> tuple[Table, ...]:
    """Every table the summary has, for Prefect table artifacts (hours ones only with time tracking)."""
    tables = [overdue_table(summary, f), at_risk_table(summary, f)]
    if summary.hours is not None:
        tables += [people_table(summary, f), projects_table(summary, f)]
    tables += [changes_table(summary, f), health_table(summary, f), services_table(summary, f)]
    return tuple(tables)
