"""The Notion emulator's state: users, databases, data sources, pages and blocks, kept in the shapes
the API returns them (2025-09-03), so that handlers mostly select and copy.

Ids are UUIDs; the API accepts them with or without dashes, the store keys them dashed and lower-case.
New ids come from a counter through uuid5, so a replay of the same requests creates the same ids.
Page times have minute precision, as Notion's do (`2026-07-04T09:09:00.000Z`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

NAMESPACE = uuid.UUID("8b7c4f3e-2a1d-4c5b-9e8f-7a6b5c4d3e2f")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")

Json = dict[str, Any]


def stable_id(*parts: object) -> str:
    """A deterministic UUID for a seeded object, from its business keys."""
    return str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))


def canonical_id(value: str) -> str | None:
    """The dashed lower-case form of a UUID written with or without dashes; None if it is not one."""
    return str(uuid.UUID(value)) if _UUID.match(value) else None


def minute_stamp(moment: datetime) -> str:
    """A page or block time as Notion writes it: UTC, rounded down to the minute, milliseconds, `Z`."""
    rounded = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return rounded.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def container_stamp(moment: datetime) -> str:
    """A database or data source time: rounded down to the minute like a page's, written with an
    offset (`2026-07-27T08:00:00.000+00:00`) as Notion writes these objects' times.

    "the last_edited_time and created_time properties will be rounded down to the closest minute for
    page, database, and block objects" (developers.notion.com/changelog/
    last-edited-time-is-now-rounded-to-the-nearest-minute); data sources split off databases in API
    version 2025-09-03 and carry the same timestamps.
    """
    rounded = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return rounded.isoformat(timespec="milliseconds")


def partial_user(user_id: str) -> Json:
    return {"object": "user", "id": user_id}


def text_segment(content: str, link: str | None = None) -> Json:
    """One rich-text segment in its read shape."""
    return {
        "type": "text",
        "text": {"content": content, "link": {"url": link} if link else None},
        "annotations": {
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "code": False,
            "color": "default",
        },
        "plain_text": content,
        "href": link,
    }


def plain(segments: list[Json] | None) -> str:
    return "".join(segment.get("plain_text", "") for segment in segments or ())


@dataclass
class NotionStore:
    bot_id: str = ""
    workspace_name: str = ""
    users: dict[str, Json] = field(default_factory=dict)
    databases: dict[str, Json] = field(default_factory=dict)
    data_sources: dict[str, Json] = field(default_factory=dict)
    pages: dict[str, Json] = field(default_factory=dict)
    blocks: dict[str, Json] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)  # page or block id -> child block ids
    # A wiki data source -> the data sources of the databases inside it, listed by its queries.
    child_sources: dict[str, list[str]] = field(default_factory=dict)
    sequence: int = 0

    def new_id(self, kind: str) -> str:
        self.sequence += 1
        return stable_id("created", kind, self.sequence)

    def pages_of(self, data_source_id: str) -> list[Json]:
        return [p for p in self.pages.values() if p["parent"].get("data_source_id") == data_source_id]

    def touch(self, obj: Json, now: datetime) -> None:
        """What every write does: the edit time (to the minute) and the editor (the integration)."""
        obj["last_edited_time"] = minute_stamp(now)
        obj["last_edited_by"] = partial_user(self.bot_id)

    def dump(self) -> Json:
        return asdict(self)

    @classmethod
    def load(cls, data: Json) -> NotionStore:
        return cls(**data)

    def page_title(self, page: Json) -> str:
        return next((plain(v["title"]) for v in page["properties"].values() if v["type"] == "title"), "")
