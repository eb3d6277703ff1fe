"""Toggl's Reports API v3 detailed search: the one read that sees the whole team's time entries.

`POST /reports/api/v3/workspace/{workspace_id}/search/time_entries`
(https://engineering.toggl.com/docs/reports/detailed_reports, reports_start):
- pages of 50 rows ("API results for Detailed Reports are paginated, returning 50 entries at a
  time"); a page with more after it carries `X-Next-ID` and `X-Next-Row-Number`, sent back as
  `first_id` and `first_row_number`;
- a workspace admin sees every member's entries; anyone else her own (and public projects');
- running entries are not in reports; deleted ones are gone;
- it counts against the workspace quota bucket, like every workspace request.
"""

from __future__ import annotations

from collections.abc import Iterator

from connectors.http import HttpCore
from connectors.pagination import Page, iterate_items
from connectors.toggl.models import SERVICE, TogglReportQuery, TogglReportRow, many

SEARCH = "/workspace/{workspace_id}/search/time_entries"


class TogglReports:
    """The Reports API over its own HttpCore (another base path, the workspace quota bucket)."""

    def __init__(self, core: HttpCore) -> None:
        self._core = core

    def close(self) -> None:
        self._core.close()

    def search_time_entries(self, workspace_id: int, query: TogglReportQuery) -> Page[TogglReportRow]:
        """One page of rows; its cursor is "<next id>:<next row number>" when more follow.
        The search is a read: safe to retry although it is a POST."""
        response = self._core.request(
            "POST",
            SEARCH,
            path={"workspace_id": workspace_id},
            json=query.body(),
            idempotent=True,
            expect_json=True,
        )
        rows = many(TogglReportRow, response.json(), "POST " + SEARCH)
        next_id, next_row = response.headers.get("X-Next-ID"), response.headers.get("X-Next-Row-Number")
        return Page(rows, f"{next_id}:{next_row}" if next_id and next_row else None)

    def rows(self, workspace_id: int, query: TogglReportQuery) -> Iterator[TogglReportRow]:
        """Every row of the search, page after page (a repeated next row fails loudly)."""

        def fetch(cursor: str | None) -> Page[TogglReportRow]:
            page = query
            if cursor is not None:
                first_id, first_row = (int(part) for part in cursor.split(":"))
                page = query.model_copy(update={"first_id": first_id, "first_row_number": first_row})
            return self.search_time_entries(workspace_id, page)

        return iterate_items(fetch, service=SERVICE)
