"""The summary's tables as plain row lists, for Prefect table artifacts
(`create_table_artifact(table=rows, key=f"obm-hub-{workspace}-{name}")`: keys allow lowercase
letters, digits and dashes, which the names here are)."""

from __future__ import annotations

from summary.format import Formatter
from summary.render import rows
from summary.result import Summary


def tables(summary: Summary) -> dict[str, list[dict[str, str]]]:
    """Table name -> rows, each row a dict from the column's label (in the summary's language) to
    its text."""
    f = Formatter(summary.language, summary.timezone)
    found: dict[str, list[dict[str, str]]] = {}
    for table in rows.all_tables(summary, f):
        header = [label or "-" for label in table.header]
        found[table.key] = [
            dict(zip(header, (rows.text(cell) for cell in row), strict=True)) for row in table.rows
        ]
    return found
