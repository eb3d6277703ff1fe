"""What a read costs per service, against the sandbox over real HTTP on 127.0.0.1.

For each connector: a full snapshot, then an incremental read with nothing changed; for Notion and
Toggl also the quiet read of a later run, whose connector starts from the memo the first one filled
(Toggl's: the day's admin check and the owner's user id; the demo leaves her timer running, so each
of its reads asks `/me/time_entries/current` once). Request counts
come from the sandbox's own request log (exact); times are wall-clock in one run, with the
client-side limiter at the documented rates, so Toggl's 1 request/s shows as in production.
Run: .venv/bin/python bench/connector_reads.py
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from config import HubSettings
from connectors.http import CoreOptions
from connectors.notion import NotionConnector
from connectors.registry import connect
from sandbox import Sandbox
from sync.connector import ChangeBatch, Connector

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def _read(
    sandbox: Sandbox,
    connector: Connector[Any],
    label: str,
    cursor: str | None,
    known: ChangeBatch[Any] | None = None,
) -> ChangeBatch[Any]:
    """One read, printed with the requests the emulator received for it and the seconds it took;
    `known`: a batch whose items stand for the store's copies, as the engine hands them over."""
    before = sandbox.log.count(connector.service)
    started = time.perf_counter()
    if known is None:
        batch = connector.fetch_changes(cursor)
    else:
        batch = connector.fetch_changes(cursor, known={r.remote_id: r for r in known.items})
    seconds = time.perf_counter() - started
    requests = sandbox.log.count(connector.service) - before
    print(f"{connector.service:<8} {label:<22} {requests:>8} {len(batch.items):>6} {seconds:>8.2f}")
    return batch


def main() -> None:
    print(f"{'service':<8} {'read':<22} {'requests':>8} {'items':>6} {'seconds':>8}")
    with Sandbox(now=NOW) as sandbox:
        settings = sandbox.settings(HubSettings())
        workspace = sandbox.business.workspace
        for service in ("trello", "google"):
            with connect(service, settings, workspace, CoreOptions()) as connector:  # type: ignore[arg-type]
                full = _read(sandbox, connector, "full snapshot", None)
                _read(sandbox, connector, "incremental, no change", full.cursor)
        toggl_memo: dict[str, str] = {}
        with connect("toggl", settings, workspace, CoreOptions(), memo=toggl_memo) as toggl:
            full = _read(sandbox, toggl, "full snapshot", None)
            _read(sandbox, toggl, "incremental, no change", full.cursor, full)
        with connect("toggl", settings, workspace, CoreOptions(), memo=toggl_memo) as toggl:
            _read(sandbox, toggl, "next run, from its memo", full.cursor, full)
        memo: dict[str, str] = {}
        with NotionConnector.from_settings(settings.notion, workspace, CoreOptions(), memo=memo) as notion:
            full = _read(sandbox, notion, "full snapshot", None)
            _read(sandbox, notion, "incremental, no change", full.cursor)
        with NotionConnector.from_settings(settings.notion, workspace, CoreOptions(), memo=memo) as notion:
            _read(sandbox, notion, "next run, from its memo", full.cursor)
    print(f"\ntotal requests received by the sandbox: {sandbox.log.count()}")
    for (service, method, path), n in sorted(sandbox.log.counts().items()):
        print(f"  {n:3d}  {service:<7} {method:<6} {path}")


if __name__ == "__main__":
    main()
