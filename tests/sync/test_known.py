"""The engine tells an incremental read what the store holds (`known`): the copies as last read or
written, by remote id, loaded only when the connector looks; a snapshot is told nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sync.connector import ChangeBatch, Remote
from sync.engine import apply_and_record, plan_tasks, read_into_store
from sync.model import Task
from sync.policy import RelationPolicy
from sync.store import Store
from tests.sync.fakes import PARIS, FakeTasks, TickingClock

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@dataclass
class Recording(FakeTasks):
    """A fake service that keeps what each read was told."""

    told: list[Mapping[str, Remote[Task]] | None] = field(default_factory=list)

    def fetch_changes(
        self, cursor: str | None, *, known: Mapping[str, Remote[Task]] | None = None
    ) -> ChangeBatch[Task]:
        self.told.append(known)
        return super().fetch_changes(cursor)


def test_an_incremental_read_is_told_the_stores_copies_and_a_snapshot_nothing(tmp_path, monkeypatch):
    clock = TickingClock(T0)
    trello, notion = Recording("trello", clock), Recording("notion", clock, minute_edits=True)
    store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}", clock=clock)
    card = trello.user_add("Book the venue")
    for side in (trello, notion):
        read_into_store(store, "w", side, model=Task)
    assert trello.told == notion.told == [None]  # snapshots
    plan = plan_tasks(store, "w", (trello, notion), RelationPolicy(zone=PARIS))
    apply_and_record(store, "w", plan, {"trello": trello, "notion": notion}, Task)
    (page,) = notion.copies  # the hub created the page; the store holds its answer

    loads: list[str] = []
    load_items = store.load_items

    def counted(workspace: str, service: str, model: Any) -> list[Remote[Any]]:
        loads.append(service)
        return load_items(workspace, service, model)

    monkeypatch.setattr(store, "load_items", counted)
    read_into_store(store, "w", notion, model=Task)
    read_into_store(store, "w", trello, model=Task)
    assert loads == []  # told, but not loaded until a connector looks
    known = notion.told[-1]
    assert known is not None and set(known) == {page} and loads == ["notion"]
    held = store.snapshot("w", "notion", Task).get(page)
    assert held is not None and known[page] == held.remote
    assert known[page].version == notion._remote(page).version  # the version the write answered
    trello_known = trello.told[-1]
    assert trello_known is not None and set(trello_known) == {card}

    read_into_store(store, "w", notion)  # no model: nothing to tell
    assert notion.told[-1] is None
    store.close()
