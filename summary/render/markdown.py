"""The summary as Markdown: for the terminal, a file, and a Prefect Markdown artifact."""

from __future__ import annotations

from summary.render.environment import markdown_environment
from summary.render.view import client_context, context
from summary.result import ClientReport, Summary


def render_markdown(summary: Summary) -> str:
    return markdown_environment().get_template("summary.md.j2").render(context(summary))


def render_client_markdown(report: ClientReport) -> str:
    return markdown_environment().get_template("client.md.j2").render(client_context(report))
