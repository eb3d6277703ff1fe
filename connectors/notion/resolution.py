"""What the connector learns about a workspace once and keeps: the task data source, its schema, the
project pages. Kept in the connector's memo (a string mapping the engine backs with its store), so a
quiet incremental read costs its two queries and nothing else.

The data source is the configured one, else the database's only one (several and none configured is
a configuration error naming the choices). The schema is checked against the configured property
names. The project pages are those of the data source the project relation points to; a related
page the index has never seen refreshes it (a project created since). `forget()` drops everything:
the next use resolves again (a property or the data source disappeared).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping, Sequence
from typing import Any

from config.errors import ConfigError, ConfigProblem
from config.hub_file import NotionDatabase as NotionConfig
from connectors.directory import Directory
from connectors.notion.client import NotionClient
from connectors.notion.mapping import TaskContext
from connectors.notion.schema import ProjectIndex, TaskProperties, compact_id, resolve_properties

logger = logging.getLogger(__name__)

MEMO_SOURCE = "notion.data_source_id"
MEMO_SCHEMA = "notion.schema"
MEMO_PROJECTS = "notion.projects"


class Resolution:
    def __init__(
        self,
        client: NotionClient,
        config: NotionConfig,
        directory: Directory,
        zone: Any,
        memo: MutableMapping[str, str],
    ) -> None:
        self.client = client
        self.config = config
        self.directory = directory
        self.zone = zone
        self.memo = memo
        self._context: TaskContext | None = None

    @property
    def data_source_id(self) -> str:
        """The task data source: configured, remembered, or the database's only one (one request)."""
        if self.config.data_source_id:
            return self.config.data_source_id
        if MEMO_SOURCE not in self.memo:
            database = self.client.retrieve_database(self.config.database_id)
            sources = database.data_sources
            if len(sources) != 1:
                raise ConfigError([_data_source_problem(self.config.database_id, sources)])
            self.memo[MEMO_SOURCE] = sources[0].id
        return self.memo[MEMO_SOURCE]

    @property
    def context(self) -> TaskContext:
        """Property ids checked against the schema, and the project pages (remembered)."""
        if self._context is None:
            properties = self._properties()
            projects = self._projects(properties)
            self._context = TaskContext(properties, self.directory, self.zone, projects)
        return self._context

    def remembered(self) -> TaskProperties | None:
        """The schema as remembered (no request): what a refusal may say is gone."""
        if self._context is not None:
            return self._context.properties
        return TaskProperties.loads(self.memo[MEMO_SCHEMA]) if MEMO_SCHEMA in self.memo else None

    def _properties(self) -> TaskProperties:
        if MEMO_SCHEMA in self.memo:
            return TaskProperties.loads(self.memo[MEMO_SCHEMA])
        properties = resolve_properties(self.config, self.client.retrieve_data_source(self.data_source_id))
        self.memo[MEMO_SCHEMA] = properties.dumps()
        return properties

    def _projects(self, properties: TaskProperties) -> ProjectIndex:
        if not properties.project_source_id:
            return ProjectIndex()
        if MEMO_PROJECTS in self.memo:
            return ProjectIndex.loads(self.memo[MEMO_PROJECTS])
        return self._read_projects(properties.project_source_id)

    def _read_projects(self, source_id: str, others: frozenset[str] = frozenset()) -> ProjectIndex:
        index = ProjectIndex.from_pages(self.client.query_data_source_all(source_id))
        index = ProjectIndex(index.by_id, index.by_key, index.names, index.others | others)
        self.memo[MEMO_PROJECTS] = index.dumps()
        return index

    def resolve_projects(self, page_ids: set[str]) -> None:
        """Read the project pages again when a relation names pages the index has never seen (a
        project created since); those still unknown (in the trash, elsewhere) are remembered as no
        project, so they cost nothing next time."""
        context = self.context
        unknown = {page_id for page_id in page_ids if not context.projects.knows(page_id)}
        if not unknown or not context.properties.project_source_id:
            return
        projects = self._read_projects(context.properties.project_source_id)
        others = frozenset(compact_id(i) for i in unknown if not projects.knows(i)) | projects.others
        projects = ProjectIndex(projects.by_id, projects.by_key, projects.names, others)
        self.memo[MEMO_PROJECTS] = projects.dumps()
        self._context = TaskContext(context.properties, self.directory, self.zone, projects)

    def list_projects(self) -> ProjectIndex:
        """The project pages, read now."""
        context = self.context
        if not context.properties.project_source_id:
            return context.projects
        projects = self._read_projects(context.properties.project_source_id, context.projects.others)
        self._context = TaskContext(context.properties, self.directory, self.zone, projects)
        return projects

    def forget(self) -> None:
        for key in (MEMO_SOURCE, MEMO_SCHEMA, MEMO_PROJECTS):
            self.memo.pop(key, None)
        self._context = None


def _data_source_problem(database_id: str, sources: Sequence[Any]) -> ConfigProblem:
    if not sources:
        return ConfigProblem("notion.database_id", f"Notion database {database_id}", "it has no data source")
    choices = ", ".join(f"{source.name!r} ({source.id})" for source in sources)
    return ConfigProblem(
        "notion.data_source_id",
        f"Notion database {database_id}",
        f"it has {len(sources)} data sources: {choices}; set data_source_id to the tasks one",
    )
