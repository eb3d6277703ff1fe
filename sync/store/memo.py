"""What a connector may keep between runs (Notion's data source id and property ids): a small
key-value map per workspace and service, written through to the store."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from sync.store.schema import memo
from sync.store.sql import upsert


class StoreMemo(MutableMapping[str, str]):
    def __init__(self, engine: Engine, workspace: str, service: str) -> None:
        self._engine = engine
        self._key = (workspace, service)
        with engine.connect() as connection:
            rows = connection.execute(
                select(memo.c.key, memo.c.value).where(
                    memo.c.workspace == workspace, memo.c.service == service
                )
            )
            self._values = {key: value for key, value in rows}

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __setitem__(self, key: str, value: str) -> None:
        workspace, service = self._key
        row = {"workspace": workspace, "service": service, "key": key, "value": value}
        with self._engine.begin() as connection:
            upsert(connection, memo, {**row, "updated_at": datetime.now(UTC)})
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        workspace, service = self._key
        with self._engine.begin() as connection:
            connection.execute(
                memo.delete().where(
                    memo.c.workspace == workspace, memo.c.service == service, memo.c.key == key
                )
            )
        del self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._values))

    def __len__(self) -> int:
        return len(self._values)
