"""Concurrent writes to one object: Notion's 409 `conflict_error`.

Notion answers 409 `conflict_error`, "Conflict occurred while saving. Please try again.", when a
transaction collides with another one on the same data
(https://developers.notion.com/reference/status-codes: "The transaction could not be completed,
potentially due to a data collision. Make sure the parameters are up to date and try again."; the body
as recorded in rowthan/pagenote issue #162). The emulator's handlers run one at a time, so writes
never overlap by themselves: with the `conflict_window_ms` fault, a write holds the object it changes
for that long before applying, and any other write to the same object meanwhile gets the 409 and
changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sandbox.emulator import ApiError

if TYPE_CHECKING:
    from sandbox.emulator import Emulator


class WriteHolds:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._held: set[str] = set()

    @asynccontextmanager
    async def hold(self, object_id: str) -> AsyncIterator[None]:
        if object_id in self._held:
            raise ApiError(409, None, "conflict_error")
        window = self.emulator.faults.conflict_window_ms
        if window <= 0:
            yield
            return
        self._held.add(object_id)
        try:
            await asyncio.sleep(window / 1000)
            yield
        finally:
            self._held.discard(object_id)
