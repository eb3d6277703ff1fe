"""A plan: frozen steps, one per link, each with the writes it needs and a reason a person can read.

A step is the unit the applier runs: its writes, then one transaction that records the link's new
bases, the snapshot rows and the audit log. How each side's base moves (see `Step.bases_after`) is
what keeps an interrupted step safe: a side's change whose propagation failed stays a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from sync.connector import Remote
from sync.journal import ConflictRecord
from sync.model import Record
from sync.state import LinkState

T = TypeVar("T", bound=Record)

WriteKind = Literal["create", "update", "archive"]
StepKind = Literal["link", "create", "sync", "archive", "unlink", "adopt", "recover"]


@dataclass(frozen=True)
class Write(Generic[T]):
    """One request's worth of change on one side."""

    side: str
    kind: WriteKind
    reason: str
    remote_id: str | None = None  # None for a create
    item: T | None = None  # the full desired item (create, update)
    fields: frozenset[str] = frozenset()  # the canonical fields an update writes
    sources: Mapping[str, str] = field(default_factory=dict)  # field -> the side whose value it is
    if_version: str | None = None
    set_link: bool = False  # mark the copy with the link id (a copy matched at first contact)

    def describe(self) -> str:
        if self.kind == "update":
            return f"update {self.side} {self.remote_id}: {', '.join(sorted(self.fields))}"
        target = self.remote_id or "(new)"
        return f"{self.kind} {self.side} {target}"


@dataclass(frozen=True)
class Step(Generic[T]):
    """Everything the plan does for one link."""

    link_id: str
    kind: StepKind
    title: str
    reason: str
    writes: tuple[Write[T], ...] = ()
    current: Mapping[str, Remote[T]] = field(default_factory=dict)  # side -> copy as read
    bases: Mapping[str, T | None] = field(default_factory=dict)  # side -> base before the step
    state: LinkState = "active"  # the link's state after the step
    conflicts: tuple[ConflictRecord, ...] = ()
    new_link: bool = False
    # A pending create to look up first (find_by_link) on this side; the create write runs only if
    # nothing carries the link yet.
    recover: str | None = None
    # The side whose pending create the read found done (its copy carries the link id): the copy is
    # the hub's, made by a run that crashed before recording it, so the audit log says so.
    adopted: str | None = None

    @property
    def remote_writes(self) -> int:
        return len(self.writes)

    def bases_after(
        self, results: Mapping[str, Remote[T] | None], failed: frozenset[str]
    ) -> dict[str, T | None]:
        """Each side's base once the writes ran: `results` holds what each written side answered,
        `failed` the sides whose write failed.

        A side's base becomes its current copy, with the fields written to it as the service
        answered them; but a field whose value was on its way to a side whose write failed keeps its
        old base, so the next run still sees it as changed and sends it again.
        """
        bases: dict[str, T | None] = {}
        for side, remote in self.current.items():
            values = remote.item.model_dump()
            write = self._write_to(side)
            result = results.get(side)
            if write is not None and write.kind == "update" and result is not None and side not in failed:
                values.update({name: getattr(result.item, name) for name in write.fields})
            old = self.bases.get(side)
            for other in self.writes:
                if other.side in failed and old is not None:
                    for name, source in other.sources.items():
                        if source == side:
                            values[name] = getattr(old, name)
            bases[side] = type(remote.item).model_validate(values)
        for side, result in results.items():
            if side not in self.current and result is not None:
                bases[side] = result.item  # a side created by this step: its base is what it holds
        return bases

    def _write_to(self, side: str) -> Write[T] | None:
        return next((write for write in self.writes if write.side == side), None)


@dataclass(frozen=True)
class Plan(Generic[T]):
    relation: str
    steps: tuple[Step[T], ...] = ()
    problems: tuple[str, ...] = ()  # what the planner would not guess at (ambiguous matches)
    refusal: str | None = None  # why the plan must not run (a mass archive), if it must not
    linked: bool = True  # False: the steps write derived values (tracked hours); no links to keep
    # Another relation whose bases follow this plan's writes, field by field (tracked hours and moved
    # dues are written to task copies: the tasks relation must not take them for a person's edit).
    bases_of: str | None = None

    @property
    def writes(self) -> list[tuple[Step[T], Write[T]]]:
        return [(step, write) for step in self.steps for write in step.writes]

    def rows(self) -> list[dict[str, Any]]:
        """One row per remote write, for tables, artifacts and `obm-hub plan --json`."""
        return [
            {
                "relation": self.relation,
                "link": step.link_id,
                "service": write.side,
                "action": write.kind,
                "remote_id": write.remote_id,
                "fields": sorted(write.fields),
                "title": step.title,
                "reason": write.reason,
            }
            for step, write in self.writes
        ]

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "archive": 0}
        for _, write in self.writes:
            counts[write.kind] += 1
        return counts
