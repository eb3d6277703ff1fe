"""What a connector may keep between runs (Notion's data source id and property ids): a small
key-value map per workspace and service, written through to the store.

The hub also keeps there what it last learnt of a service's credentials (the functions at the end):
when they expire, and when it last asked, so that it asks at most so often (flows/runner.py) and the
summary can warn before they stop working (summary/load.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
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


# -- credentials --------------------------------------------------------------------------------------

EXPIRE_AT = "credentials:expire_at"  # an ISO 8601 instant, or NEVER
CHECKED_AT = "credentials:checked_at"  # when the hub last asked (answered or not)
NEVER = "never"


def credentials_expiry(values: Mapping[str, str]) -> datetime | None:
    """When the credentials expire, as last read; None: they never do, or it is not known."""
    value = values.get(EXPIRE_AT)
    if value is None or value == NEVER:
        return None
    return _instant(value)


def credentials_checked_at(values: Mapping[str, str]) -> datetime | None:
    value = values.get(CHECKED_AT)
    return None if value is None else _instant(value)


def record_credentials_check(
    values: MutableMapping[str, str], checked_at: datetime, expire_at: datetime | None, *, answered: bool
) -> None:
    """A check at `checked_at`; only an answered one replaces the expiry (None: never expires)."""
    if answered:
        values[EXPIRE_AT] = NEVER if expire_at is None else expire_at.astimezone(UTC).isoformat()
    values[CHECKED_AT] = checked_at.astimezone(UTC).isoformat()


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
