"""Helpers the templates share: names, projects, marks and counts worded for the summary's language."""

from __future__ import annotations

from dataclasses import dataclass

from summary.format import Formatter
from summary.render import rows
from summary.result import ClientReport, Summary

LEVEL_MARKS = {"green": "🟢", "amber": "🟠", "red": "🔴"}


@dataclass(frozen=True)
class View:
    summary: Summary
    f: Formatter

    def names(self, keys: tuple[str, ...] | list[str]) -> str:
        return rows.names(self.summary, self.f, keys)

    def project(self, key: str | None) -> str:
        return rows.project(self.summary, self.f, key)

    def person(self, key: str | None) -> str:
        return rows.person(self.summary, self.f, key)

    @staticmethod
    def level_mark(level: str) -> str:
        return LEVEL_MARKS[level]

    def days_left(self, days: int) -> str:
        return self.f.t("due_in", count=days) if days else self.f.t("due_today")

    @property
    def tidy(self) -> bool:
        hours = self.summary.hours
        return hours is not None and not (hours.without_task or hours.without_project or hours.long_timers)

    @property
    def errors(self) -> list[str]:
        """The last run's errors of every relation, once each."""
        seen: dict[str, None] = {}
        for relation in self.summary.health.relations:
            seen.update(dict.fromkeys(relation.errors))
        return list(seen)


def context(summary: Summary) -> dict[str, object]:
    """What every summary template receives."""
    f = Formatter(summary.language, summary.timezone)
    tables = {table.key: table for table in rows.all_tables(summary, f)}
    return {"s": summary, "f": f, "t": tables, "v": View(summary, f)}


def client_context(report: ClientReport) -> dict[str, object]:
    f = Formatter(report.language, report.timezone)
    return {"r": report, "f": f}
