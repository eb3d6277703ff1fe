"""Writing a summary's files: Markdown, HTML and JSON side by side in the reports folder.

Names say the workspace and the period (`brightpath-2026-w48.md`), so a re-run of the same period
replaces its files and never piles up copies.
"""

from __future__ import annotations

from pathlib import Path

from summary.render.html import render_html
from summary.render.json_out import render_json
from summary.render.markdown import render_markdown
from summary.result import Summary

RENDERERS = {"md": render_markdown, "html": render_html, "json": render_json}


def write_reports(summary: Summary, folder: Path) -> dict[str, Path]:
    """Write the Markdown, HTML and JSON files; format -> path written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for extension, render in RENDERERS.items():
        path = folder / f"{summary.workspace_key}-{summary.period.slug}.{extension}"
        path.write_text(render(summary), encoding="utf-8")
        written[extension] = path
    return written
