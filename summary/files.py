"""Writing a summary's files: Markdown, HTML and JSON side by side in the reports folder, and the
client report's beside them when the workspace names its client (`client_name`).

Names say the workspace and the period (`brightpath-2026-w48.md`, `brightpath-2026-w48-client.md`), so
a re-run of the same period replaces its files and never piles up copies.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from summary.client import client_report
from summary.render.html import render_client_html, render_html
from summary.render.json_out import render_client_json, render_json
from summary.render.markdown import render_client_markdown, render_markdown
from summary.result import Summary

RENDERERS: dict[str, Callable[[Summary], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
}
CLIENT_RENDERERS: dict[str, Callable[[Any], str]] = {
    "md": render_client_markdown,
    "html": render_client_html,
    "json": render_client_json,
}
CLIENT = "client-"  # the prefix of the client report's formats in what write_reports returns


def write_reports(summary: Summary, folder: Path) -> dict[str, Path]:
    """Write the Markdown, HTML and JSON files (and the client report's); format -> path written, the
    client report's formats as `client-md`, `client-html`, `client-json`."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{summary.workspace_key}-{summary.period.slug}"
    texts = {extension: (stem, render(summary)) for extension, render in RENDERERS.items()}
    if summary.settings.client_name:
        report = client_report(summary)
        for extension, render_client in CLIENT_RENDERERS.items():
            texts[CLIENT + extension] = (f"{stem}-client", render_client(report))
    written = {}
    for kind, (name, text) in texts.items():
        path = folder / f"{name}.{kind.removeprefix(CLIENT)}"
        path.write_text(text, encoding="utf-8")
        written[kind] = path
    return written
