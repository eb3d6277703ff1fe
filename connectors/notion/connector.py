"""The Notion side of the hub: the tasks of one data source, as canonical Tasks.

Resolution (once per connector, up to three requests): the workspace names a database; its data
source is the configured one, else the database's only one (several and none configured is a
configuration error naming the choices). The data source's schema is checked against the configured
property names, and the project relation's target is read to map projects.

Reads. `fetch_changes(None)` is a full snapshot: the live pages, then the trashed ones. A query lists
either live pages or, with `in_trash: true`, only trashed ones
(https://developers.notion.com/reference/query-a-data-source), so every read is two queries; trashed
pages come back as archived tasks, which is how an archive is seen. `fetch_changes(cursor)` asks both
for pages whose `last_edited_time` is on or after the cursor minus a lookback. Notion rounds
`last_edited_time` down to the minute, so an edit made at 09:30:50 reads 09:30:00: the window starts
at the minute, at least one full minute before the cursor, and pages seen twice are returned once.
The new cursor is the time the read started, never later. Trashing a page moves its
`last_edited_time` (in the emulator; should Notion not do so, the trashed page still shows up archived
in the next full read, which lists the trash). Pages removed from the data source (moved away, or
deleted for good from the trash) are not seen by an incremental read: the next full read drops them.

Writes. Notion has no precondition: with `if_version`, update and archive re-read the page and raise
Conflict if it moved. Its version is `<last_edited_time>#<content hash>` (mapping.py), so an edit in
the same minute as the version's is still caught when it changed a synced field. Between that re-read
and the write nothing can stop another editor. Archive is `in_trash: true`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config.errors import ConfigError, ConfigProblem
from config.hub_file import NotionDatabase as NotionConfig
from config.hub_file import Workspace
from config.settings import NotionSettings
from connectors.base import Closing, require_ready
from connectors.directory import Directory
from connectors.errors import BadData, Conflict
from connectors.http import CoreOptions
from connectors.notion.blocks import block_request
from connectors.notion.client import NotionClient
from connectors.notion.mapping import (
    TaskContext,
    page_to_remote,
    page_to_task,
    split_version,
    task_to_properties,
)
from connectors.notion.models import NotionBlock, NotionPage
from connectors.notion.schema import ProjectIndex, resolve_properties
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import Task

logger = logging.getLogger(__name__)

DEFAULT_LOOKBACK = timedelta(minutes=2)
_SORT_BY_EDIT = ({"timestamp": "last_edited_time", "direction": "ascending"},)


class NotionConnector(Closing):
    """Tasks in one Notion data source. Implements `connectors.base.Connector[Task]`."""

    service = "notion"

    def __init__(
        self,
        client: NotionClient,
        config: NotionConfig,
        directory: Directory,
        *,
        zone: ZoneInfo,
        lookback: timedelta = DEFAULT_LOOKBACK,
        page_size: int = 100,
        clock: Clock = utc_now,
    ) -> None:
        self.client = client
        self.config = config
        self.directory = directory
        self.zone = zone
        self.lookback = max(lookback, timedelta(minutes=1))  # the minute rounding needs at least one
        self.page_size = page_size
        self.clock = clock
        self._context: TaskContext | None = None
        self._data_source_id: str | None = config.data_source_id

    @classmethod
    def from_settings(
        cls,
        settings: NotionSettings,
        workspace: Workspace,
        options: CoreOptions | None = None,
        *,
        clock: Clock = utc_now,
    ) -> NotionConnector:
        """A connector for the workspace's database; ConfigError when the token or the database is missing."""
        require_ready("notion", settings, workspace)
        assert settings.token is not None and workspace.notion is not None
        client = NotionClient.connect(
            settings.base_url, settings.token.get_secret_value(), version=settings.version, options=options
        )
        directory = Directory.from_workspace(workspace)
        return cls(client, workspace.notion, directory, zone=ZoneInfo(workspace.timezone), clock=clock)

    def close(self) -> None:
        self.client.close()

    # -- resolution ----------------------------------------------------------------------------

    @property
    def data_source_id(self) -> str:
        """The task data source: configured, or the database's only one (one request, once)."""
        if self._data_source_id is None:
            database = self.client.retrieve_database(self.config.database_id)
            sources = database.data_sources
            if len(sources) != 1:
                raise ConfigError([_data_source_problem(self.config.database_id, sources)])
            self._data_source_id = sources[0].id
        return self._data_source_id

    @property
    def context(self) -> TaskContext:
        """Property names checked against the schema, and the project pages (once)."""
        if self._context is None:
            source = self.client.retrieve_data_source(self.data_source_id)
            properties = resolve_properties(self.config, source)
            projects = ProjectIndex()
            if properties.project_source_id:
                projects = ProjectIndex.from_pages(
                    self.client.query_data_source_all(properties.project_source_id)
                )
            self._context = TaskContext(properties, self.directory, self.zone, projects)
        return self._context

    # -- reads ---------------------------------------------------------------------------------

    def fetch_changes(self, cursor: str | None) -> ChangeBatch[Task]:
        """Changes since `cursor` (an ISO timestamp); a full snapshot when it is None or unreadable."""
        since = _parse_cursor(cursor)
        context = self.context  # resolved before the read starts: the cursor is the read's start
        started = self.clock()
        if since is None:
            pages = self._pages()
        else:
            pages = self._pages(_edited_since(since - self.lookback), _SORT_BY_EDIT)
        items, skipped = self._map(pages, context)
        return ChangeBatch(items=items, cursor=started.isoformat(), full=since is None, skipped=skipped)

    def _pages(
        self, filter: Mapping[str, Any] | None = None, sorts: Sequence[Mapping[str, Any]] | None = None
    ) -> list[NotionPage]:
        """Live pages, then trashed ones; a page listed twice (trashed mid-read) keeps its last copy.

        Pages carry only the mapped properties (`filter_properties`): smaller and faster answers.
        """
        found: dict[str, NotionPage] = {}
        for in_trash in (None, True):
            pages = self.client.query_data_source_all(
                self.data_source_id,
                filter=filter,
                sorts=sorts,
                page_size=self.page_size,
                in_trash=in_trash,
                filter_properties=self.context.properties.ids(),
            )
            for page in pages:
                found.pop(page.id, None)  # re-insert: the order follows the last sighting
                found[page.id] = page
        return list(found.values())

    @staticmethod
    def _map(pages: Iterable[NotionPage], context: TaskContext) -> tuple[list[Remote[Task]], list[str]]:
        items, skipped = [], []
        for page in pages:
            try:
                items.append(page_to_remote(page, context))
            except BadData as exc:
                logger.warning("notion: page %s skipped: %s", page.id, exc)
                skipped.append(page.id)
        return items, skipped

    # -- writes --------------------------------------------------------------------------------

    def create(self, item: Task, *, link_id: str) -> Remote[Task]:
        """A new page in the data source, carrying the hub's link id in the link property."""
        context = self.context
        properties = task_to_properties(item, context, link_id=link_id)
        page = self.client.create_page(parent={"data_source_id": self.data_source_id}, properties=properties)
        if item.archived:
            page = self.client.update_page(page.id, in_trash=True)
        return page_to_remote(page, context)

    def find_by_link(self, link_id: str) -> list[Remote[Task]]:
        """The pages (live or trashed) whose link property holds `link_id`: two queries.

        A create that failed without an answer (a timeout, a cut-off body) may have created the page:
        look for it before creating again, since creates are never retried.
        """
        context = self.context
        link = {"property": context.properties.link.id, "rich_text": {"equals": link_id}}
        items, _ = self._map(self._pages(link), context)
        return items

    def update(self, remote_id: str, item: Task, *, if_version: str | None = None) -> Remote[Task]:
        """Write the task's synced fields over the page (and move it to or from the trash).

        Notion refuses edits to a page in the trash unless the same request restores it, so an archived
        task whose page is already trashed is left as it is (restoring it to edit it would flash it
        back into the team's views): the returned copy says what the page holds.
        """
        context = self.context
        current = None
        if if_version is not None:
            current = self._check_version(remote_id, if_version)
        elif item.archived:
            current = self.client.retrieve_page(remote_id)
        if item.archived and current is not None and current.trashed:
            return page_to_remote(current, context)
        properties = task_to_properties(item, context)
        page = self.client.update_page(remote_id, properties=properties, in_trash=item.archived)
        return page_to_remote(page, context)

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Move the page to the trash (reversible for 30 days in the Notion UI)."""
        if if_version is not None and self._check_version(remote_id, if_version).trashed:
            return
        self.client.update_page(remote_id, in_trash=True)

    def _check_version(self, remote_id: str, if_version: str) -> NotionPage:
        """Re-read the page; Conflict if it moved past `if_version` (time, or content in the same minute)."""
        page = self.client.retrieve_page(remote_id)
        expected_time, expected_hash = split_version(if_version)
        moved = page.edited_at != expected_time
        if not moved and expected_hash is not None:
            moved = not page_to_task(page, self.context).content_hash().startswith(expected_hash)
        if moved:
            raise Conflict(
                f"notion page {remote_id} changed since version {if_version} "
                f"(now edited at {page.last_edited_time})",
                service=self.service,
                method="PATCH",
                path="/pages/{page_id}",
            )
        return page

    def write_blocks(self, page_id: str, blocks: Sequence[Mapping[str, Any]]) -> list[NotionBlock]:
        """Append simple blocks (`{"type": "heading_2", "text": ...}`, see blocks.py) to a page."""
        return self.client.append_block_children(page_id, [block_request(block) for block in blocks])


def _parse_cursor(cursor: str | None) -> datetime | None:
    if cursor is None:
        return None
    try:
        since = datetime.fromisoformat(cursor)
    except ValueError:
        logger.warning("notion: unreadable cursor %r; reading everything", cursor)
        return None
    return since if since.tzinfo is not None else since.replace(tzinfo=UTC)


def _edited_since(moment: datetime) -> dict[str, Any]:
    """A timestamp filter from the start of `moment`'s minute (last_edited_time is rounded down)."""
    start = moment.astimezone(UTC).replace(second=0, microsecond=0)
    stamp = start.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": stamp}}


def _data_source_problem(database_id: str, sources: Sequence[Any]) -> ConfigProblem:
    if not sources:
        return ConfigProblem("notion.database_id", f"Notion database {database_id}", "it has no data source")
    choices = ", ".join(f"{source.name!r} ({source.id})" for source in sources)
    return ConfigProblem(
        "notion.data_source_id",
        f"Notion database {database_id}",
        f"it has {len(sources)} data sources: {choices}; set data_source_id to the tasks one",
    )
