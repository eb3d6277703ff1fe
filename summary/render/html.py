"""The summary as one self-contained HTML file: inline CSS, charts as inline SVG, no script, font
or image loaded from anywhere, readable on a phone (tables become cards below 640 px)."""

from __future__ import annotations

from summary.render.charts import charts
from summary.render.environment import html_environment
from summary.render.view import client_context, context
from summary.result import ClientReport, Summary


def render_html(summary: Summary) -> str:
    values = context(summary)
    values["charts"] = charts(summary, values["f"])  # type: ignore[arg-type]
    return html_environment().get_template("summary.html.j2").render(values)


def render_client_html(report: ClientReport) -> str:
    return html_environment().get_template("client.html.j2").render(client_context(report))
