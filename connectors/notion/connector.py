"""The Notion side of the hub: the tasks of one data source, as canonical Tasks.

Resolution (resolution.py): the data source, its schema checked against the configured property names,
and the project pages, kept in the connector's memo: with a memo from a previous run, a quiet
incremental read costs its two queries. When a remembered property or the data source has gone (a
page lacks a property it was asked for, a 400 names one, the data source is not found), the connector
forgets what it remembered, resolves again and retries, once.

Reads. `fetch_changes(None)` is a full snapshot: the live pages, then the trashed ones. A query
lists either live pages or, with `in_trash: true`, only trashed ones
(https://developers.notion.com/reference/query-a-data-source), so every read is two queries; trashed
pages come back as archived tasks, which is how an archive is seen. `fetch_changes(cursor)` asks
both for pages whose `last_edited_time` is on or after the cursor minus a lookback. Notion rounds
`last_edited_time` down to the minute, so an edit made at 09:30:50 reads 09:30:00: the window starts
at the minute, at least one full minute before the cursor, and pages seen twice (in both queries, or
twice in one walk) are returned once, as last seen. The new cursor is the newest `last_edited_time`
the read saw: Notion's clock, never ours (a client clock running ahead would skip edits); a read
that saw nothing keeps the old cursor. Pages removed from the data source (moved away, or deleted
for good from the trash) are not seen by an incremental read: the next full read drops them. Results
that are not pages (a wiki's data sources) are skipped. A page object shows at most 25 references of
a relation (`has_more`) and 25 page mentions of a text: such values are completed through the
property item endpoint (https://developers.notion.com/reference/retrieve-a-page-property), except
in an incremental read given `known` (the store's copies), for a page that is the hub's own last
write read back: its held values stand (completion.py, `held_copy`). The hub's bot user is learnt
from the answers to its writes and remembered in the memo.

Writes. `update` writes only the fields asked for; with `if_version` it re-reads the page, raises
Conflict if it moved, and leaves out the fields whose value the page already holds, so a description
that did not change is not sent and its rich text stays byte for byte as it was. Notion has no
precondition: between that re-read and the write nothing can stop another editor (a write colliding
with another one is Notion's 409 `conflict_error`, raised as Conflict). The version is
`<last_edited_time>#<content hash>` (mapping.py), so an edit in the same minute as the version's is
still caught when it changed a synced field. Archive is `in_trash: true`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from config.hub_file import NotionDatabase as NotionConfig
from config.hub_file import Workspace
from config.settings import NotionSettings
from connectors.base import Closing, require_ready
from connectors.directory import Directory
from connectors.errors import BadData, Conflict, NotFound
from connectors.http import CoreOptions
from connectors.notion.client import NotionClient
from connectors.notion.completion import complete, drifted, held_copy
from connectors.notion.mapping import (
    SYNCED,
    TaskContext,
    link_id_of,
    page_to_remote,
    page_to_task,
    represent,
    split_version,
    task_to_properties,
)
from connectors.notion.models import NotionPage
from connectors.notion.publishing import publish_page
from connectors.notion.resolution import Resolution
from connectors.notion.schema import TaskProperties
from connectors.notion.spans import rich_text_request, text
from sync.connector import ChangeBatch, Clock, Remote, utc_now
from sync.model import Project, Task

logger = logging.getLogger(__name__)

DEFAULT_LOOKBACK = timedelta(minutes=2)
MEMO_BOT = "notion.bot_user"  # the integration's bot user, as its writes' answers name it
_SORT_BY_EDIT = ({"timestamp": "last_edited_time", "direction": "ascending"},)
R = TypeVar("R")


class _Drift(Exception):
    """A remembered property or data source is gone: resolve again."""


class NotionConnector(Closing):
    """Tasks in one Notion data source. Implements `sync.connector.Connector[Task]`."""

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
        memo: MutableMapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.resolution = Resolution(client, config, directory, zone, memo if memo is not None else {})
        self.lookback = max(lookback, timedelta(minutes=1))  # the minute rounding needs at least one
        self.page_size = page_size
        self.clock = clock

    @classmethod
    def from_settings(
        cls,
        settings: NotionSettings,
        workspace: Workspace,
        options: CoreOptions | None = None,
        *,
        clock: Clock = utc_now,
        memo: MutableMapping[str, str] | None = None,
    ) -> NotionConnector:
        """A connector for the workspace's database; ConfigError when the token or the database is missing."""
        require_ready("notion", settings, workspace)
        assert settings.token is not None and workspace.notion is not None
        client = NotionClient.connect(
            settings.base_url, settings.token.get_secret_value(), version=settings.version, options=options
        )
        directory = Directory.from_workspace(workspace)
        zone = ZoneInfo(workspace.timezone)
        return cls(client, workspace.notion, directory, zone=zone, clock=clock, memo=memo)

    def close(self) -> None:
        self.client.close()

    @property
    def data_source_id(self) -> str:
        return self.resolution.data_source_id

    @property
    def context(self) -> TaskContext:
        return self.resolution.context

    def _resolved(self, action: Callable[[], R]) -> R:
        """Run `action`; when what the memo says has gone, resolve again and run it once more."""
        try:
            return action()
        except (_Drift, NotFound, BadData) as exc:
            if not isinstance(exc, _Drift) and not _gone(exc, self.resolution.remembered()):
                raise
            logger.info("notion: the data source changed (%s); resolving it again", type(exc).__name__)
            self.resolution.forget()
            return action()

    # -- reads ---------------------------------------------------------------------------------

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[Task]] | None = None
    ) -> ChangeBatch[Task]:
        """Changes since `cursor` (an ISO timestamp); a full snapshot when it is None or unreadable.
        `known`: the store's copies, whose values stand for the hub's own writes read back."""
        return self._resolved(lambda: self._fetch(cursor, known))

    def _fetch(
        self, cursor: str | None, known: Mapping[str, Remote[Task]] | None = None
    ) -> ChangeBatch[Task]:
        since = _parse_cursor(cursor)
        self.context  # noqa: B018 - resolved first: its requests are not part of the read
        if since is None:
            pages = self._pages()
        else:
            pages = self._pages(_edited_since(since - self.lookback), _SORT_BY_EDIT)
        items, skipped = self._map(pages, known if since is not None else None)
        seen = [page.edited_at for page in pages] + ([since] if since is not None else [])
        newest = max(seen, default=self.clock())  # never backwards; the clock only for an empty source
        return ChangeBatch(items=items, cursor=newest.isoformat(), full=since is None, skipped=skipped)

    def _pages(
        self, filter: Mapping[str, Any] | None = None, sorts: Sequence[Mapping[str, Any]] | None = None
    ) -> list[NotionPage]:
        """Live pages, then trashed ones; a page listed twice keeps its last copy.

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

    def _complete(
        self, pages: Iterable[NotionPage], known: Mapping[str, Remote[Task]] | None = None
    ) -> tuple[list[NotionPage], dict[str, Remote[Task]]]:
        """The pages with truncated values completed, after checking they carry every mapped property;
        and the copies `known` holds of the hub's own writes read back (left as they are)."""
        properties = self.context.properties
        bot = self.resolution.memo.get(MEMO_BOT) if known is not None else None
        completed, held = [], {}
        for page in pages:
            if drifted(page, properties):
                raise _Drift(page.id)
            copy = held_copy(page, known.get(page.id), bot, self.context) if known is not None else None
            if copy is not None:
                held[page.id] = copy
                completed.append(page)
            else:
                completed.append(complete(self.client, page, properties))
        return completed, held

    def _whole(self, page: NotionPage) -> NotionPage:
        return self._complete([page])[0][0]

    def _learn_bot(self, page: NotionPage) -> NotionPage:
        """A write's answer names the integration's bot user as the page's last editor: remembered."""
        memo = self.resolution.memo
        if page.editor is not None and memo.get(MEMO_BOT) != page.editor:
            memo[MEMO_BOT] = page.editor
        return page

    def _map(
        self, pages: Iterable[NotionPage], known: Mapping[str, Remote[Task]] | None = None
    ) -> tuple[list[Remote[Task]], list[str]]:
        completed, held = self._complete(pages, known)
        project = self.context.properties.project
        if project is not None:
            related = {i["id"] for page in completed for i in (_value_of(page, project.id) or [])}
            self.resolution.resolve_projects(related)
        context = self.context
        items, skipped = [], []
        for page in completed:
            if page.id in held:
                items.append(held[page.id])
                continue
            try:
                items.append(page_to_remote(page, context))
            except BadData as exc:
                logger.warning("notion: page %s skipped: %s", page.id, exc)
                skipped.append(page.id)
        return items, skipped

    def _remote(self, page: NotionPage) -> Remote[Task]:
        items, skipped = self._map([page])
        if skipped:
            raise BadData(f"notion page {page.id} is not a valid task", service=self.service)
        return items[0]

    def find_by_link(self, link_id: str) -> list[Remote[Task]]:
        """The pages (live or trashed) whose link property holds `link_id`: two queries.

        A create that failed without an answer (a timeout, a cut-off body) may have created the page:
        look for it before creating again, since creates are never retried.
        """

        def find() -> list[Remote[Task]]:
            link = {"property": self.context.properties.link.id, "rich_text": {"equals": link_id}}
            items, _ = self._map(self._pages(link))
            return items

        return self._resolved(find)

    def list_projects(self) -> list[Project]:
        """The live project pages of the project relation's data source, read now (one query per 100)."""
        return self.resolution.list_projects().projects()

    def create_project(self, name: str) -> Project:
        """A project page named `name` in the projects data source (`sync.connector.ProjectCatalog`)."""
        source_id = self.context.properties.project_source_id
        if source_id is None:
            raise BadData(
                "the Notion task data source has no project relation to hold projects", service="notion"
            )
        title = {"title": {"title": rich_text_request([text(name)], where="project name")}}
        self.client.create_page(parent={"data_source_id": source_id}, properties=title)
        self.resolution.list_projects()  # the new page joins the index (and the memo)
        return Project.named(name)

    def represent(self, item: Task) -> Task:
        """The task as this data source holds it (mapping.represent); the schema is resolved first."""
        return represent(item, self.context)

    # -- writes --------------------------------------------------------------------------------

    def create(self, item: Task, *, link_id: str) -> Remote[Task]:
        """A new page in the data source, carrying the hub's link id in the link property."""

        def create() -> Remote[Task]:
            properties = task_to_properties(item, self.context, link_id=link_id)
            page = self._learn_bot(
                self.client.create_page(parent={"data_source_id": self.data_source_id}, properties=properties)
            )
            if item.archived:
                page = self._learn_bot(self.client.update_page(page.id, in_trash=True))
            return self._remote(page)

        return self._resolved(create)

    def update(
        self,
        remote_id: str,
        item: Task,
        *,
        if_version: str | None = None,
        fields: frozenset[str] | None = None,
        link_id: str | None = None,
    ) -> Remote[Task]:
        """Write `fields` of the task (all synced fields when None) over the page, and `link_id` into
        its link property when given (a page matched at first contact).

        With `if_version`, what the page already holds is left out, and nothing is sent when nothing
        is left. Notion refuses edits to a page in the trash unless the same request restores it, so an
        archived task whose page is already trashed is left as it is: the returned copy says what the
        page holds.
        """
        return self._resolved(lambda: self._update(remote_id, item, if_version, fields, link_id))

    def _update(
        self,
        remote_id: str,
        item: Task,
        if_version: str | None,
        fields: frozenset[str] | None,
        link_id: str | None,
    ) -> Remote[Task]:
        wanted = set(SYNCED if fields is None else fields) & SYNCED
        current = None
        if if_version is not None:
            current = self._check_version(remote_id, if_version)
            wanted = self._changed(current, item, wanted)
            if link_id_of(current, self.context.properties) == link_id:
                link_id = None  # already there
        elif item.archived and "archived" in wanted:
            current = self._whole(self.client.retrieve_page(remote_id))
        if current is not None and item.archived and current.trashed:
            return self._remote(current)
        properties = task_to_properties(item, self.context, fields=wanted, link_id=link_id)
        in_trash = item.archived if "archived" in wanted else None
        if not properties and in_trash is None:
            return self._remote(current or self.client.retrieve_page(remote_id))
        page = self.client.update_page(remote_id, properties=properties or None, in_trash=in_trash)
        return self._remote(self._learn_bot(page))

    def _changed(self, current: NotionPage, item: Task, wanted: set[str]) -> set[str]:
        """The fields of `wanted` whose value the page does not hold already."""
        held = page_to_task(current, self.context)
        wished = represent(item, self.context)
        return {name for name in wanted if getattr(held, name) != getattr(wished, name)}

    def archive(self, remote_id: str, *, if_version: str | None = None) -> None:
        """Move the page to the trash (reversible for 30 days in the Notion UI). A page already in
        the trash, or gone for good (emptied from the trash: 404), is left as it is."""
        try:
            if if_version is not None and self._check_version(remote_id, if_version).trashed:
                return
            self.client.update_page(remote_id, in_trash=True)
        except NotFound:
            logger.info("notion: page %s is gone; nothing to archive", remote_id)

    def _check_version(self, remote_id: str, if_version: str) -> NotionPage:
        """Re-read the page; Conflict if it moved past `if_version` (time, or content in the same minute)."""
        page = self._whole(self.client.retrieve_page(remote_id))
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

    # -- the operations summary ----------------------------------------------------------------

    def publish_page(self, parent_page_id: str, title: str, blocks: Sequence[Mapping[str, Any]]) -> str:
        """Create or replace, in place, the page titled `title` under the parent; its URL (publishing.py)."""
        return publish_page(self.client, parent_page_id, title, blocks)


def _value_of(page: NotionPage, property_id: str) -> Any:
    return next((v.value for v in page.properties.values() if v.id == property_id), None)


def _gone(error: NotFound | BadData, remembered: TaskProperties | None) -> bool:
    """Whether the error says a remembered thing has gone: the data source is not found, or a 400
    names a remembered property (`<name> is not a property that exists.`, or its id)."""
    if remembered is None:
        return False
    if isinstance(error, NotFound):
        return (error.path or "").startswith(("/data_sources", "/databases"))
    body = error.body or ""
    named = any(prop.id in body or f"{prop.name} is not" in body for prop in remembered.present())
    return error.status == 400 and named


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
