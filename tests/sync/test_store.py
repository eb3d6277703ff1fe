"""The store: reads recorded with their cursors, tombstones, refusals, links, leases and migrations."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from sync.connector import ChangeBatch, Remote
from sync.model import Task, TimeEntry
from sync.store import LeaseHeld, Store, StoreError, SuspiciousRead, migrate
from sync.store import links as link_rows

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _remote(remote_id: str, title: str, version: str = "v1", **fields) -> Remote[Task]:
    task = Task(title=title, due=date(2026, 11, 30), labels=frozenset({"b", "a"}), **fields)
    return Remote(
        remote_id, version, task, link_id=f"link-{remote_id}", url=f"https://trello.com/c/{remote_id}"
    )


def _ids(store: Store, service: str = "trello") -> list[str]:
    return [remote.remote_id for remote in store.load_items("w", service, Task)]


def test_cursor_round_trip_survives_reopening(store_url):
    store = Store.open(store_url)
    assert store.get_cursor("brightpath", "google") is None
    store.set_cursor("brightpath", "google", "sync-token-1")
    store.set_cursor("brightpath", "google", "sync-token-2")
    store.set_cursor("other", "google", "x")
    store.close()
    again = Store.open(store_url)
    assert again.get_cursor("brightpath", "google") == "sync-token-2"
    assert again.get_cursor("other", "google") == "x"
    again.set_cursor("brightpath", "google", None)
    assert again.get_cursor("brightpath", "google") is None
    again.close()


def test_full_then_incremental_reads_keep_the_last_state_tombstones_and_cursor(store_url):
    store = Store.open(store_url)
    store.record_read(
        "w", "trello", ChangeBatch([_remote("c1", "one"), _remote("c2", "two")], cursor="a1", full=True)
    )
    result = store.record_read(
        "w", "trello", ChangeBatch([_remote("c2", "two, renamed", "v2")], deleted=["c1"], cursor="a2")
    )
    assert (result.changed, result.deleted) == (1, 1)
    store.record_read("w", "notion", ChangeBatch([_remote("p1", "page")], cursor="n1", full=True))
    loaded = store.load_items("w", "trello", Task)
    assert [(r.remote_id, r.version, r.item.title, r.link_id) for r in loaded] == [
        ("c2", "v2", "two, renamed", "link-c2")
    ]
    assert loaded[0].item == _remote("c2", "two, renamed").item
    assert store.get_cursor("w", "trello") == "a2"
    snapshot = store.snapshot("w", "trello", Task)
    assert snapshot.items["c1"].state == "deleted"  # a tombstone: gone, not "never seen"
    # A new snapshot: what it does not list is gone; the other service is untouched.
    store.record_read("w", "trello", ChangeBatch([_remote("c3", "three")], cursor="a3", full=True))
    assert _ids(store) == ["c3"]
    assert _ids(store, "notion") == ["p1"]
    store.close()


def test_a_card_that_left_the_board_is_marked_left_not_deleted(store_url):
    store = Store.open(store_url)
    store.record_read("w", "trello", ChangeBatch([_remote("c1", "one"), _remote("c2", "two")], full=True))
    store.record_read("w", "trello", ChangeBatch([], left=["c1"], deleted=["c2"]))
    states = {remote_id: seen.state for remote_id, seen in store.snapshot("w", "trello", Task).items.items()}
    assert states == {"c1": "left", "c2": "deleted"}
    store.close()


def test_a_failed_read_changes_nothing(store_url):
    store = Store.open(store_url)
    store.record_read("w", "trello", ChangeBatch([_remote("c1", "one")], cursor="a1", full=True))
    broken = Remote("c2", "v", object(), None, None)  # not a record: fails halfway through the batch
    with pytest.raises(AttributeError):
        store.record_read("w", "trello", ChangeBatch([_remote("c9", "nine"), broken], cursor="a2", full=True))
    assert _ids(store) == ["c1"]
    assert store.get_cursor("w", "trello") == "a1"
    store.close()


def test_a_full_read_keeps_the_items_it_skipped(store_url):
    """Issue 7, defect 7: skipped (unparseable) is not absent; the last good state stands."""
    store = Store.open(store_url)
    store.record_read("w", "trello", ChangeBatch([_remote("c1", "one"), _remote("c2", "two")], full=True))
    store.record_read("w", "trello", ChangeBatch([_remote("c1", "one")], skipped=["c2"], full=True))
    assert _ids(store) == ["c1", "c2"]
    assert store.snapshot("w", "trello", Task).items["c2"].remote.item.title == "two"
    store.close()


def test_an_empty_snapshot_of_a_side_that_held_items_is_refused(store_url):
    """Issue 7, defect 7: an empty full read is suspicious, not "everything was deleted"."""
    store = Store.open(store_url)
    store.record_read("w", "trello", ChangeBatch([_remote("c1", "one")], cursor="a1", full=True))
    with pytest.raises(SuspiciousRead, match="empty snapshot where the hub knew 1 items"):
        store.record_read("w", "trello", ChangeBatch([], cursor="a2", full=True))
    assert _ids(store) == ["c1"] and store.get_cursor("w", "trello") == "a1"
    # A first read may be empty, and a person may allow an empty one on purpose.
    store.record_read("w", "notion", ChangeBatch([], cursor="n1", full=True))
    store.record_read("w", "trello", ChangeBatch([], cursor="a3", full=True), allow_empty=True)
    assert _ids(store) == []
    store.close()


def _entry(remote_id: str, start: datetime) -> Remote[TimeEntry]:
    entry = TimeEntry(start=start, stop=start + timedelta(hours=1), duration_seconds=3600)
    return Remote(remote_id, "v", entry)


def test_a_window_snapshot_forgets_nothing_older_than_its_window(store_url):
    store = Store.open(store_url)
    old, recent = _entry("1", T0 - timedelta(days=30)), _entry("2", T0 - timedelta(days=2))
    store.record_read("w", "toggl", ChangeBatch([old, recent], full=True))
    window = T0 - timedelta(days=14)
    store.record_read("w", "toggl", ChangeBatch([], full=True, window_start=window), allow_empty=True)
    states = {
        remote_id: seen.state for remote_id, seen in store.snapshot("w", "toggl", TimeEntry).items.items()
    }
    assert states == {"1": "present", "2": "deleted"}
    store.close()


def test_done_and_status_milestones_are_noticed(store_url):
    clock = Clock()
    store = Store.open(store_url, clock=clock)
    edited = T0 - timedelta(days=3)
    store.record_read(
        "w",
        "trello",
        ChangeBatch(
            [
                _remote("c1", "a", status="Doing"),
                _remote("c2", "b", status="Done", done=True, edited_at=edited),
            ],
            full=True,
        ),
    )
    seen = store.snapshot("w", "trello", Task).items
    assert seen["c1"].done_since is None and seen["c1"].status_since == T0
    assert seen["c2"].done_since == edited  # done before the hub first looked: the service's last edit
    clock.now = T0 + timedelta(hours=5)
    store.record_read("w", "trello", ChangeBatch([_remote("c1", "a", status="Done", done=True)]))
    store.record_read("w", "trello", ChangeBatch([_remote("c2", "b, renamed", status="Done", done=True)]))
    seen = store.snapshot("w", "trello", Task).items
    assert seen["c1"].done_since == clock.now and seen["c1"].status_since == clock.now
    assert seen["c2"].done_since == edited  # still done: unchanged
    store.close()


def test_links_keep_each_sides_base_and_pending_creates(store_url):
    store = Store.open(store_url)
    base = _remote("c1", "one").item
    with store.transaction() as connection:
        link_rows.put_link(connection, "w", "tasks", "L1", "active", T0)
        link_rows.put_side(
            connection, "w", "tasks", "L1", "trello", "c1", base, T0, "2026-11-25T09:00:00.000Z"
        )
        link_rows.put_side(connection, "w", "tasks", "L1", "notion", None, None, T0)
    loaded = store.links("w", "tasks", Task)
    assert loaded["L1"].sides["trello"].base == base
    assert loaded["L1"].sides["trello"].version == "2026-11-25T09:00:00.000Z"
    assert loaded["L1"].sides["trello"].base_hash == base.content_hash()
    assert loaded["L1"].sides["notion"].pending
    assert store.links("w", "agenda", Task) == {}
    store.close()


def test_one_lease_per_workspace_until_it_expires(store_url):
    clock = Clock()
    store = Store.open(store_url, clock=clock)
    store.acquire_lease("w", "run-a", timedelta(minutes=10))
    store.acquire_lease("w", "run-a", timedelta(minutes=10))  # the holder may renew by taking it again
    with pytest.raises(
        LeaseHeld, match=r"another run \(run-a\) has been syncing workspace 'w' since 2026-11-25 09:30"
    ):
        store.acquire_lease("w", "run-b", timedelta(minutes=10))
    store.acquire_lease("other", "run-b", timedelta(minutes=10))  # workspaces are independent
    clock.now = T0 + timedelta(minutes=11)  # run-a was killed: its lease expires on its own
    assert store.acquire_lease("w", "run-b", timedelta(minutes=10)).holder == "run-b"
    store.release_lease("w", "run-b")
    store.acquire_lease("w", "run-c", timedelta(minutes=10))
    store.close()


def test_the_memo_is_kept_between_openings(store_url):
    store = Store.open(store_url)
    memo = store.memo("w", "notion")
    memo["data_source_id"] = "ds-1"
    memo["schema"] = "{}"
    del memo["schema"]
    store.close()
    again = Store.open(store_url)
    assert dict(again.memo("w", "notion")) == {"data_source_id": "ds-1"}
    assert dict(again.memo("w", "trello")) == {}
    again.close()


def test_a_database_from_a_newer_hub_is_refused(store_url):
    Store.open(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer obm-hub"):
        Store.open(store_url)


def test_a_store_from_obm_hub_0_1_is_adopted_and_upgraded(tmp_path):
    """The first store (no Alembic, versioned by obm_hub_meta) keeps its items and cursors."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    engine = create_engine(url)
    item = _remote("c1", "one").item
    stamp = datetime(2026, 11, 1, 10, tzinfo=UTC)
    with engine.begin() as connection:
        # 0.1's tables, as revision 0001 describes them, without Alembic's bookkeeping.
        command.upgrade(migrate._config(connection), "0001")
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("INSERT INTO obm_hub_meta VALUES ('schema_version', 1)"))
        connection.execute(
            text("INSERT INTO obm_hub_items VALUES ('w', 'trello', 'c1', 'v1', NULL, NULL, :h, :d, :t)"),
            {"h": item.content_hash(), "d": item.model_dump_json(), "t": stamp.replace(tzinfo=None)},
        )
        connection.execute(text("INSERT INTO obm_hub_cursors VALUES ('w', 'trello', 'a1', :t)"), {"t": stamp})
    engine.dispose()
    store = Store.open(url)
    assert _ids(store) == ["c1"]
    assert store.snapshot("w", "trello", Task).items["c1"].first_seen_at == stamp
    assert store.get_cursor("w", "trello") == "a1"
    store.close()


def test_an_unusable_url_is_a_store_error():
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open("notaurl")


_OPEN_AND_WRITE = textwrap.dedent(
    """
    import sys
    from sync.store import Store
    store = Store.open(sys.argv[1])
    store.set_cursor("w", sys.argv[2], "c")
    store.close()
    """
)


def test_several_processes_open_an_empty_database_at_once(store_url):
    """Migrations run under a lock: four processes creating the schema together all succeed."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_AND_WRITE, store_url, f"s{n}"], cwd=ROOT, stderr=subprocess.PIPE
        )
        for n in range(4)
    ]
    errors = [process.communicate(timeout=120)[1].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0, 0], errors
    store = Store.open(store_url)
    assert [store.get_cursor("w", f"s{n}") for n in range(4)] == ["c"] * 4
    store.close()


def test_a_lease_whose_holder_is_gone_is_taken_over_at_once_and_only_by_one(store_url):
    store = Store.open(store_url)
    store.acquire_lease("w", "run-a", timedelta(minutes=30))
    with pytest.raises(LeaseHeld):
        store.acquire_lease("w", "run-b", timedelta(minutes=30), gone=lambda holder: False)
    taken = store.acquire_lease("w", "run-b", timedelta(minutes=30), gone=lambda holder: holder == "run-a")
    assert taken.holder == "run-b"
    with pytest.raises(LeaseHeld, match=r"\(run-b\)"):  # run-b is alive: run-c waits
        store.acquire_lease("w", "run-c", timedelta(minutes=30), gone=lambda holder: holder == "run-a")
    store.close()
