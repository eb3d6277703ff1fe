"""The summary's loader over a real store: what the health table counts comes from the runs journal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from config.hub_file import HubFile, read_hub_file
from config.loader import SANDBOX_HUB_FILE
from summary.load import summary_input
from sync.store import Store, journal

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
THIS_WEEK = datetime(2026, 11, 23, tzinfo=UTC)


def _read_run(store: Store, service: str, at: datetime, requests: int, label: str) -> None:
    with store.transaction() as connection:
        run_id = journal.start_run(
            connection, "brightpath", f"read:{service}", label=label, dry_run=False, now=at
        )
        journal.finish_run(connection, run_id, "ok", at + timedelta(seconds=5), requests={service: requests})


def test_the_period_s_requests_are_the_period_s_runs_only(tmp_path):
    workspace = HubFile.model_validate(read_hub_file(SANDBOX_HUB_FILE)).workspaces["brightpath"]
    store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}", clock=lambda: NOW)
    _read_run(store, "trello", THIS_WEEK - timedelta(days=2), 100, "last-week")  # the previous period
    _read_run(store, "trello", THIS_WEEK + timedelta(days=1), 7, "monday")
    _read_run(store, "trello", NOW - timedelta(hours=1), 3, "today")
    source = summary_input(
        store, "brightpath", workspace, now=NOW, since=THIS_WEEK - timedelta(days=7), period_start=THIS_WEEK
    )
    [trello] = [status for status in source.services if status.service == "trello"]
    assert (trello.requests_period, trello.requests_last_run) == (10, 3)
    store.close()
