"""Raw Notion API shapes (version 2025-09-03), as the API sends them.

Models tolerate unknown fields (`extra="allow"`): Notion adds fields without a version bump (2026
responses carry `is_archived` and `is_locked` next to `archived` and `in_trash`). Type-specific data
lives under a key named by `type` (`{"type": "date", "date": {...}}`); `NotionPropertyValue.value`
and `NotionPropertySchema.config` read it.

Reference: https://developers.notion.com/reference/page, /reference/data-source,
/reference/database, /reference/user, /reference/block, /reference/intro#pagination.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class NotionModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    def _typed(self, key: str) -> Any:
        """The type-specific member named `key` (kept by `extra="allow"`)."""
        return (self.model_extra or {}).get(key)


class NotionUser(NotionModel):
    """A person or a bot. Page fields such as `created_by` carry only `object` and `id`."""

    object: str = "user"
    id: str
    type: str | None = None  # "person" | "bot"; absent on partial users
    name: str | None = None
    person: dict[str, Any] | None = None
    bot: dict[str, Any] | None = None

    @property
    def email(self) -> str | None:
        return (self.person or {}).get("email")


class NotionDataSourceRef(NotionModel):
    """An entry of a database's `data_sources` list."""

    id: str
    name: str = ""


class NotionDatabase(NotionModel):
    """A database container: since 2025-09-03 its rows live in its data sources."""

    object: str = "database"
    id: str
    title: list[dict[str, Any]] = Field(default_factory=list)
    data_sources: list[NotionDataSourceRef] = Field(default_factory=list)
    in_trash: bool = False


class NotionPropertySchema(NotionModel):
    """One column of a data source: `{"id", "name", "type", <type>: {configuration}}`."""

    id: str
    name: str = ""
    type: str

    @property
    def config(self) -> dict[str, Any]:
        """The type's configuration: `options` of a select or status, a relation's target..."""
        value = self._typed(self.type)
        return value if isinstance(value, dict) else {}

    def option_names(self) -> list[str]:
        return [str(option.get("name")) for option in self.config.get("options", [])]


class NotionDataSource(NotionModel):
    """A data source: the schema (`properties`) and the parent of its pages."""

    object: str = "data_source"
    id: str
    title: list[dict[str, Any]] = Field(default_factory=list)
    parent: dict[str, Any] = Field(default_factory=dict)
    properties: dict[str, NotionPropertySchema] = Field(default_factory=dict)


class NotionPropertyValue(NotionModel):
    """A page's value for one property: `{"id", "type", <type>: value}`; empty values are null or []."""

    id: str
    type: str

    @property
    def value(self) -> Any:
        return self._typed(self.type)


class NotionPage(NotionModel):
    """A page; a row of a data source when `parent.type` is `data_source_id`.

    `last_edited_time` is kept as sent (minute precision, `2026-07-04T09:09:00.000Z`): it is the page's
    version string, and `edited_at` parses it. `last_edited_by` is the partial user who last edited
    the page (an integration's writes name its bot user; https://developers.notion.com/reference/page).
    """

    object: str = "page"
    id: str
    created_time: str
    last_edited_time: str
    archived: bool = False
    in_trash: bool = False
    url: str | None = None
    parent: dict[str, Any] = Field(default_factory=dict)
    properties: dict[str, NotionPropertyValue] = Field(default_factory=dict)
    last_edited_by: dict[str, Any] | None = None

    @property
    def editor(self) -> str | None:
        """The id of the user (a person or a bot) who last edited the page, when sent."""
        user_id = (self.last_edited_by or {}).get("id")
        return user_id if isinstance(user_id, str) and user_id else None

    @property
    def trashed(self) -> bool:
        """In the trash. Under 2025-09-03 `archived` mirrors `in_trash` (deprecated April 2024)."""
        return self.in_trash or self.archived

    @property
    def edited_at(self) -> datetime:
        return datetime.fromisoformat(self.last_edited_time)


class NotionBlock(NotionModel):
    """A block of page content: `{"object": "block", "id", "type", <type>: {...}}`."""

    object: str = "block"
    id: str
    type: str
    has_children: bool = False

    @property
    def content(self) -> dict[str, Any]:
        value = self._typed(self.type)
        return value if isinstance(value, dict) else {}


T = TypeVar("T", bound=NotionModel)


class NotionList(NotionModel, Generic[T]):
    """The paginated envelope: `{"object": "list", "results", "next_cursor", "has_more", "type"}`."""

    object: str = "list"
    results: list[T] = Field(default_factory=list)
    next_cursor: str | None = None
    has_more: bool = False
    type: str | None = None
