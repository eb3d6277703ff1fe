"""The workspace's tasks as one list, whichever services hold them: what the agenda, the hours and the
summary work from.

A task linked across services (the tasks relation) is one task, keyed by its link id, whose copies
each service holds; its fields come from the first copy in service order, with what that copy cannot
hold (an estimate, tracked hours) taken from the others. A task only one service holds (a workspace
without Notion, or a card not linked yet) is keyed `<service>:<remote id>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.model import Task
from sync.state import Link, Seen, Snapshot

# Fields a copy may lack because its service cannot hold them: taken from another copy.
_FILLED = ("estimate_hours", "tracked_hours", "description", "peer_url")


@dataclass(frozen=True)
class TaskRecord:
    key: str
    task: Task
    copies: Mapping[str, Seen[Task]] = field(default_factory=dict)  # service -> copy as last read

    @property
    def sources(self) -> dict[str, str]:
        """Service -> the address of its copy."""
        return {service: seen.remote.url for service, seen in self.copies.items() if seen.remote.url}

    @property
    def done_since(self) -> datetime | None:
        return _earliest(seen.done_since for seen in self.copies.values())

    @property
    def status_since(self) -> datetime | None:
        return _earliest(seen.status_since for seen in self.copies.values())

    @property
    def first_seen(self) -> datetime | None:
        return _earliest(seen.first_seen_at for seen in self.copies.values())

    def remote_id(self, service: str) -> str | None:
        seen = self.copies.get(service)
        return seen.remote.remote_id if seen else None


def task_records(
    services: Sequence[str], snapshots: Mapping[str, Snapshot[Task]], links: Mapping[str, Link[Task]]
) -> list[TaskRecord]:
    """One record per task: linked ones by link id, the rest per copy; present copies only."""
    records: list[TaskRecord] = []
    claimed: dict[str, set[str]] = {service: set() for service in services}
    for link_id in sorted(links):
        copies = _present_copies(links[link_id], services, snapshots)
        for service, seen in copies.items():
            claimed[service].add(seen.remote.remote_id)
        if copies:
            records.append(TaskRecord(link_id, _merged(copies), copies))
    for service in services:
        for remote_id, seen in sorted(snapshots[service].items.items()):
            if seen.present and remote_id not in claimed[service]:
                records.append(TaskRecord(f"{service}:{remote_id}", seen.remote.item, {service: seen}))
    return records


def _present_copies(
    link: Link[Task], services: Sequence[str], snapshots: Mapping[str, Snapshot[Task]]
) -> dict[str, Seen[Task]]:
    copies = {}
    for service in services:
        side = link.side(service)
        seen = snapshots[service].get(side.remote_id) if side is not None else None
        if seen is not None and seen.present:
            copies[service] = seen
    return copies


def _merged(copies: Mapping[str, Seen[Task]]) -> Task:
    first, *others = (seen.remote.item for seen in copies.values())
    fills: dict[str, Any] = {}
    for name in _FILLED:
        if not getattr(first, name):
            value = next((getattr(other, name) for other in others if getattr(other, name)), None)
            if value is not None:
                fills[name] = value
    return first.model_copy(update=fills) if fills else first


def _earliest(values: Any) -> datetime | None:
    present = [value for value in values if value is not None]
    return min(present) if present else None
