"""Which property of the task data source holds which field of a canonical Task, checked against the
data source's schema once (then kept in the connector's memo).

The hub file names the properties (`workspace.notion.title_property`, ...). An optional field is synced
only when the data source has a property of that name and a fitting type. The title and the link
property (the "Hub ID" rich text that carries the hub's link id) are required. After resolution the
hub works with property ids, which "remain constant when the property name changes"
(https://developers.notion.com/reference/property-object): renaming a column does not break a sync.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from config.errors import ConfigError, ConfigProblem
from config.hub_file import NotionDatabase as NotionConfig
from connectors.notion.models import NotionDataSource, NotionPage
from connectors.notion.richtext import plain_text
from sync.model import Project


@dataclass(frozen=True)
class Prop:
    """One property of the data source: its name (the key in page payloads), id and type."""

    name: str
    id: str
    type: str


@dataclass(frozen=True)
class _Field:
    attribute: str  # the hub-file key naming the property
    types: tuple[str, ...]
    required: bool = False


# Task field -> where its property name comes from and the property types that can hold it.
FIELDS: dict[str, _Field] = {
    "title": _Field("title_property", ("title",), required=True),
    "link": _Field("link_property", ("rich_text",), required=True),
    "status": _Field("status_property", ("status", "select")),
    "due": _Field("due_property", ("date",)),
    "assignees": _Field("assignee_property", ("people",)),
    "labels": _Field("labels_property", ("multi_select",)),
    "estimate": _Field("estimate_property", ("number",)),
    "tracked": _Field("tracked_property", ("number",)),
    "card_url": _Field("card_url_property", ("url",)),
    "description": _Field("description_property", ("rich_text",)),
    "project": _Field("project_property", ("relation",)),
}


@dataclass(frozen=True)
class TaskProperties:
    """The resolved properties; an optional field whose property is absent is None (not synced)."""

    title: Prop
    link: Prop
    status: Prop | None = None
    due: Prop | None = None
    assignees: Prop | None = None
    labels: Prop | None = None
    estimate: Prop | None = None
    tracked: Prop | None = None
    card_url: Prop | None = None
    description: Prop | None = None
    project: Prop | None = None
    status_options: tuple[str, ...] = ()
    project_source_id: str | None = None  # the data source the project relation points to

    def present(self) -> list[Prop]:
        return [prop for name in FIELDS if (prop := getattr(self, name)) is not None]

    def ids(self) -> list[str]:
        """Property ids for `filter_properties`: pages then carry only what the mapping reads."""
        return [prop.id for prop in self.present()]

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> TaskProperties:
        data: dict[str, Any] = json.loads(text)
        props = {name: Prop(**value) if value else None for name, value in data.items() if name in FIELDS}
        return cls(
            **props,  # type: ignore[arg-type]
            status_options=tuple(data.get("status_options") or ()),
            project_source_id=data.get("project_source_id"),
        )


def resolve_properties(config: NotionConfig, source: NotionDataSource) -> TaskProperties:
    """Match the configured names to the data source's schema; every mismatch named at once."""
    found: dict[str, Prop | None] = {}
    problems: list[ConfigProblem] = []
    for name, spec in FIELDS.items():
        wanted = getattr(config, spec.attribute)
        key = f"notion.{spec.attribute}"
        schema = source.properties.get(wanted)
        if schema is None:
            found[name] = None
            if spec.required:
                problems.append(_problem(key, source, f"no property named {wanted!r}{_choices(source)}"))
        elif schema.type not in spec.types:
            found[name] = None
            problems.append(
                _problem(
                    key, source, f"{wanted!r} is a {schema.type} property; the hub needs {_or(spec.types)}"
                )
            )
        else:
            found[name] = Prop(wanted, schema.id, schema.type)
    if problems:
        raise ConfigError(problems)
    status, project = found["status"], found["project"]
    return TaskProperties(
        **found,  # type: ignore[arg-type]
        status_options=tuple(source.properties[status.name].option_names()) if status else (),
        project_source_id=source.properties[project.name].config.get("data_source_id") if project else None,
    )


def _problem(key: str, source: NotionDataSource, message: str) -> ConfigProblem:
    return ConfigProblem(key, f"Notion data source {source.id}", message)


def _choices(source: NotionDataSource) -> str:
    names = sorted(source.properties)
    return f" (it has {', '.join(map(repr, names))})" if names else ""


def _or(types: Iterable[str]) -> str:
    return " or ".join(f"a {kind}" for kind in types)


def compact_id(notion_id: str) -> str:
    """Notion ids compare without dashes and case: both spellings are accepted by the API."""
    return notion_id.replace("-", "").lower()


@dataclass(frozen=True)
class ProjectIndex:
    """Live project pages of the related data source, by page id and by project key."""

    by_id: Mapping[str, str] = field(default_factory=dict)  # compact page id -> project key
    by_key: Mapping[str, str] = field(default_factory=dict)  # project key -> page id
    names: Mapping[str, str] = field(default_factory=dict)  # project key -> name as written
    others: frozenset[str] = frozenset()  # compact ids of pages seen that are no project (trashed, untitled)

    @classmethod
    def from_pages(cls, pages: Iterable[NotionPage]) -> ProjectIndex:
        by_id: dict[str, str] = {}
        by_key: dict[str, str] = {}
        names: dict[str, str] = {}
        others: set[str] = set()
        for page in pages:
            title = next((v.value for v in page.properties.values() if v.type == "title"), None)
            name = plain_text(title).strip()
            if not name or page.trashed:
                others.add(compact_id(page.id))
                continue
            project = Project.named(name)
            by_id[compact_id(page.id)] = project.key
            by_key.setdefault(project.key, page.id)
            names.setdefault(project.key, project.name)
        return cls(by_id, by_key, names, frozenset(others))

    def key_of(self, page_id: str) -> str | None:
        return self.by_id.get(compact_id(page_id))

    def knows(self, page_id: str) -> bool:
        """Whether the page was seen when the index was built (a project or not)."""
        return compact_id(page_id) in self.by_id or compact_id(page_id) in self.others

    def projects(self) -> list[Project]:
        return [Project(key=key, name=name) for key, name in sorted(self.names.items())]

    def dumps(self) -> str:
        data = {"by_id": self.by_id, "by_key": self.by_key, "names": self.names}
        return json.dumps({**data, "others": sorted(self.others)}, sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> ProjectIndex:
        data = json.loads(text)
        return cls(data["by_id"], data["by_key"], data.get("names", {}), frozenset(data.get("others", ())))
