"""The HTML report's charts, drawn by pygal as inline SVG.

pygal's default configuration links its tooltip script from the web; `js=[]` keeps every chart
self-contained (http://www.pygal.org/en/stable/documentation/configuration/rendering.html), and
`explicit_size=False` leaves only a viewBox so a chart scales to the width of a phone. Titles are
the page's headings, not the SVG's, so they stay readable at any size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pygal
from pygal.style import Style

from summary.format import Formatter
from summary.result import Summary

PALETTE = ("#2f6f9f", "#e07a2e", "#3a9a6a", "#b8457a", "#7d6bc4", "#c9a227", "#5a8f96", "#8a6d4f")
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    value_font_size=13,
    no_data_font_size=20,
)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str


def _config(f: Formatter, formatter: Callable[[float], str], **options: object) -> dict[str, object]:
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": 640,
        "height": 360,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "truncate_legend": 40,
        "value_formatter": formatter,
        "no_data_text": f.t("no_data"),
        "margin": 8,
        "min_scale": 3,
        "max_scale": 6,
        **options,
    }


def charts(summary: Summary, f: Formatter) -> list[Chart]:
    found = []
    if summary.hours is not None:
        found += _hours_charts(summary, f)
        estimated = _estimates_chart(summary, f)
        if estimated is not None:
            found.append(estimated)
    if summary.trend:
        found.append(_tasks_chart(summary, f))
    return found


def _hours_charts(summary: Summary, f: Formatter) -> list[Chart]:
    """One chart per person (her days, stacked by project); for a single day, one chart of the people."""
    assert summary.hours is not None
    days = summary.period.days()
    cells: dict[tuple[str | None, int, str | None], int] = defaultdict(int)
    for row in summary.hours.daily:
        cells[(row.person, days.index(row.day), row.project)] += row.seconds
    projects = sorted({project for _, _, project in cells}, key=lambda key: (key is None, key or ""))
    people = [row.person for row in summary.hours.people if row.seconds]
    hours = f.hours_of
    if len(days) == 1:
        chart = pygal.StackedBar(**_config(f, hours, x_label_rotation=0))
        chart.x_labels = [summary.person_name(person) or f.t("unknown_person") for person in people]
        for project in projects:
            chart.add(
                _project(summary, f, project),
                [cells.get((person, 0, project), 0) / 3600 or None for person in people],
            )
        return [Chart("hours-per-person", f.t("chart_hours_per_person"), chart.render(is_unicode=True))]
    found = []
    for index, person in enumerate(people):
        chart = pygal.StackedBar(**_config(f, hours))
        chart.x_labels = [f.day_label(day) for day in days]
        # Every project in every chart, in one order: a project keeps its colour from chart to chart.
        for project in projects:
            values = [cells.get((person, day, project), 0) / 3600 or None for day in range(len(days))]
            chart.add(_project(summary, f, project), values)
        name = summary.person_name(person) or f.t("unknown_person")
        found.append(
            Chart(f"hours-{index}", f"{f.t('chart_hours_per_day')}: {name}", chart.render(is_unicode=True))
        )
    return found


def _project(summary: Summary, f: Formatter, key: str | None) -> str:
    return summary.project_name(key) or f.t("no_project")


def _estimates_chart(summary: Summary, f: Formatter) -> Chart | None:
    assert summary.hours is not None
    rows = [row for row in summary.hours.projects if row.estimate_hours]
    if not rows:
        return None
    chart = pygal.HorizontalBar(**_config(f, f.hours_of, height=120 + 70 * len(rows)))
    chart.x_labels = [_project(summary, f, row.project) for row in rows]
    chart.add(f.t("series_tracked"), [row.tracked_on_estimates_seconds / 3600 for row in rows])
    chart.add(f.t("series_estimate"), [row.estimate_hours for row in rows])
    return Chart("estimates", f.t("chart_estimates"), chart.render(is_unicode=True))


def _tasks_chart(summary: Summary, f: Formatter) -> Chart:
    chart = pygal.Line(**_config(f, lambda value: f.number(int(value)), include_x_axis=True))
    chart.x_labels = [f.day_label(point.day) for point in summary.trend]
    chart.add(f.t("series_open"), [point.open for point in summary.trend])
    chart.add(f.t("series_overdue"), [point.overdue for point in summary.trend])
    return Chart("tasks", f.t("chart_tasks"), chart.render(is_unicode=True))
