"""Running a plan: each step's writes, then one transaction that records what they did.

Crash safety, step by step:
1. Before a create, the link and its pending side are committed. A crash between the remote create
   and step 3 leaves a pending side: the next plan adopts the copy carrying the link id if its read
   saw one, or looks it up (`find_by_link`) before creating; it never creates blindly again. Link ids
   are derived from the source copy, so the next plan uses the same id. Either way the audit log
   gets an `adopt` row for that copy: the create's own row was lost with the crash.
2. The writes: creates first, then updates (which may need the created copy's address), then archives.
   An `ItemError` (conflict, gone, rejected) fails that side and the run goes on; anything else (bad
   credentials, rate limits, an outage) stops the writes after recording the step.
3. One transaction: each side's new base (`Step.bases_after`), the snapshot rows as the services
   answered, the link's state, the audit log and the conflicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from sync.actions import Plan, Step, Write
from sync.connector import Connector, Remote
from sync.errors import ItemError, SyncSafetyError
from sync.journal import ConflictRecord, WriteRecord, plain
from sync.model import Record
from sync.state import Link
from sync.store import Store, journal, links, snapshots

T = TypeVar("T", bound=Record)

Progress = Callable[[int, int], None]


@dataclass
class ApplyReport:
    relation: str
    created: int = 0
    updated: int = 0
    archived: int = 0
    adopted: int = 0
    conflicts: list[ConflictRecord] = field(default_factory=list)
    writes: list[WriteRecord] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line per item that could not be written
    stopped: BaseException | None = None  # what stopped the writes early, if anything

    def count(self, write: WriteRecord) -> None:
        self.writes.append(write)
        if write.action == "create":
            self.created += 1
        elif write.action == "update":
            self.updated += 1
        elif write.action == "archive":
            self.archived += 1
        else:
            self.adopted += 1


def apply_plan(
    plan: Plan[T],
    connectors: Mapping[str, Connector[T]],
    store: Store,
    *,
    workspace: str,
    model: type[T],
    run_id: int | None = None,
    on_progress: Progress | None = None,
) -> ApplyReport:
    """Run every step of `plan`; raises SyncSafetyError for a refused plan (nothing is written)."""
    if plan.refusal:
        raise SyncSafetyError(plan.refusal)
    known = store.links(workspace, plan.relation, model) if plan.linked else {}
    followed = store.links(workspace, plan.bases_of, model) if plan.bases_of else {}
    applier = _Applier(plan.relation, connectors, store, workspace, run_id, known, linked=plan.linked)
    applier.follow(plan.bases_of, followed)
    for done, step in enumerate(plan.steps, start=1):
        applier.run(step)
        if on_progress is not None:
            on_progress(done, len(plan.steps))
        if applier.report.stopped is not None:
            break
    return applier.report


class _Applier(Generic[T]):
    def __init__(
        self,
        relation: str,
        connectors: Mapping[str, Connector[T]],
        store: Store,
        workspace: str,
        run_id: int | None,
        known: Mapping[str, Link[T]],
        *,
        linked: bool = True,
    ) -> None:
        self.relation, self.connectors, self.store = relation, connectors, store
        self.linked = linked
        self.workspace, self.run_id, self.known = workspace, run_id, known
        self.report = ApplyReport(relation)
        self._log_rows: list[WriteRecord] = []  # the step's audit rows, recorded with the step
        self._followed: tuple[str, Mapping[str, Link[T]]] | None = None

    def follow(self, relation: str | None, followed: Mapping[str, Link[T]]) -> None:
        """Move `relation`'s bases along with this plan's writes (see `Plan.bases_of`)."""
        self._followed = (relation, followed) if relation else None

    def run(self, step: Step[T]) -> None:
        if any(write.kind == "create" for write in step.writes):
            self._record_intent(step)
        results: dict[str, Remote[T] | None] = {}
        failed: set[str] = set()
        done: list[tuple[Write[T], Remote[T] | None]] = []
        if step.recover is not None:
            found = self._recover(step)
            if found is not None:
                results[step.recover] = found
        if step.adopted is not None:  # the read saw what the interrupted create made
            adopted = step.current[step.adopted]
            self._log(step, step.adopted, "adopt", adopted, "the interrupted create had happened: adopted")
        for write in sorted(step.writes, key=_order):
            if write.kind == "create" and write.side in results:
                continue  # the interrupted create had happened: adopted, not repeated
            write = _without_failed_sources(write, failed)
            if write.kind == "update" and not write.fields and not write.set_link:
                continue
            try:
                result = self._perform(step, write, results)
            except ItemError as exc:
                failed.add(write.side)
                self.report.failures.append(
                    f"{write.side} {write.remote_id or '(new)'} «{step.title}»: {exc}"
                )
                continue
            except Exception as exc:  # credentials, rate limits, an outage: stop after recording
                failed.add(write.side)
                self.report.stopped = exc
                break
            results[write.side] = result
            done.append((write, result))
        self._record(step, results, frozenset(failed), done)

    # -- the writes ----------------------------------------------------------------------------

    def _perform(
        self, step: Step[T], write: Write[T], results: Mapping[str, Remote[T] | None]
    ) -> Remote[T] | None:
        connector = self.connectors[write.side]
        if write.kind == "create":
            assert write.item is not None
            return connector.create(write.item, link_id=step.link_id)
        if write.kind == "archive":
            assert write.remote_id is not None
            connector.archive(write.remote_id, if_version=write.if_version)
            return None
        assert write.item is not None and write.remote_id is not None
        item = write.item
        if "peer_url" in write.sources:
            item = item.model_copy(update={"peer_url": _address(step, write.sources["peer_url"], results)})
        return connector.update(
            write.remote_id,
            item,
            if_version=write.if_version,
            fields=write.fields,
            link_id=step.link_id if write.set_link else None,
        )

    def _recover(self, step: Step[T]) -> Remote[T] | None:
        """The copies that carry the link id on the pending side: keep one, archive extra ones (a
        service that did not detect a duplicate client-chosen id may have made two)."""
        assert step.recover is not None
        connector = self.connectors[step.recover]
        found = [remote for remote in connector.find_by_link(step.link_id) if not remote.item.retired]
        if not found:
            return None
        keep, *extra = sorted(found, key=lambda remote: remote.remote_id)
        for remote in extra:
            connector.archive(remote.remote_id)
            self._log(step, step.recover, "archive", remote, "a duplicate of an interrupted create")
        self._log(step, step.recover, "adopt", keep, "the interrupted create had happened: adopted")
        return keep

    # -- recording -----------------------------------------------------------------------------

    def _record_intent(self, step: Step[T]) -> None:
        """Before a create: the link, its known sides and the pending one, committed first."""
        existing = self.known.get(step.link_id)
        now = self.store.now()
        with self.store.transaction() as connection:
            links.put_link(connection, self.workspace, self.relation, step.link_id, "active", now)
            for side, remote in step.current.items():
                if existing is None or existing.side(side) is None:
                    links.put_side(
                        connection,
                        self.workspace,
                        self.relation,
                        step.link_id,
                        side,
                        remote.remote_id,
                        None,
                        now,
                        remote.version,
                    )
            for write in step.writes:
                if write.kind == "create":
                    links.put_side(
                        connection, self.workspace, self.relation, step.link_id, write.side, None, None, now
                    )

    def _record(
        self,
        step: Step[T],
        results: Mapping[str, Remote[T] | None],
        failed: frozenset[str],
        done: list[tuple[Write[T], Remote[T] | None]],
    ) -> None:
        now = self.store.now()
        bases = step.bases_after(results, failed)
        with self.store.transaction() as connection:
            if self.linked:
                self._record_link(connection, step, results, bases, failed, now)
            for write, result in done:
                self._note(connection, step, write, result, now)
                if self._followed is not None and result is not None:
                    self._move_followed_base(connection, step.link_id, write, result, now)
            for conflict in step.conflicts:
                conflict = ConflictRecord(**{**conflict.__dict__, "at": now, "run_id": self.run_id})
                journal.add_conflict(connection, self.run_id, self.workspace, self.relation, conflict)
                self.report.conflicts.append(conflict)
            for row in self._log_rows:
                journal.add_write(connection, self.run_id, self.workspace, self.relation, row)
        self._log_rows.clear()

    def _record_link(
        self,
        connection: Connection,
        step: Step[T],
        results: Mapping[str, Remote[T] | None],
        bases: Mapping[str, T | None],
        failed: frozenset[str],
        now: Any,
    ) -> None:
        links.put_link(connection, self.workspace, self.relation, step.link_id, step.state, now)
        for side, base in bases.items():
            remote = results.get(side) or step.current.get(side)
            if remote is not None:
                links.put_side(
                    connection,
                    self.workspace,
                    self.relation,
                    step.link_id,
                    side,
                    remote.remote_id,
                    base,
                    now,
                    remote.version,
                )
        self._forget_failed_creates(connection, step, failed)

    def _move_followed_base(
        self, connection: Connection, link_id: str, write: Write[T], result: Remote[T], now: Any
    ) -> None:
        """The written fields of the followed relation's base on this side, and only those: any
        other edit of the copy stays an edit for that relation."""
        assert self._followed is not None
        relation, followed = self._followed
        link = followed.get(link_id)
        side = link.side(write.side) if link else None
        if side is None or side.base is None or side.remote_id != result.remote_id:
            return
        base = side.base.model_copy(update={name: getattr(result.item, name) for name in write.fields})
        links.put_side(
            connection,
            self.workspace,
            relation,
            link_id,
            write.side,
            side.remote_id,
            base,
            now,
            result.version,
        )

    def _forget_failed_creates(self, connection: Connection, step: Step[T], failed: frozenset[str]) -> None:
        """A create the service refused (not one whose answer was lost) is planned again next run."""
        for write in step.writes:
            if write.kind == "create" and write.side in failed and self.report.stopped is None:
                links.drop_side(connection, self.workspace, self.relation, step.link_id, write.side)

    def _note(
        self, connection: Connection, step: Step[T], write: Write[T], result: Remote[T] | None, now: Any
    ) -> None:
        if result is not None:
            snapshots.note_written(connection, self.workspace, write.side, result, now)
            before = step.current.get(write.side)
            self._log(step, write.side, write.kind, result, write.reason, write.fields, before)
            return
        before = step.current.get(write.side)
        if before is None:
            return
        if "archived" in type(before.item).model_fields:  # a task: kept, archived
            item = before.item.model_copy(update={"archived": True})
            after = Remote(before.remote_id, before.version, item, before.link_id, before.url)
            snapshots.note_written(connection, self.workspace, write.side, after, now)
            self._log(step, write.side, "archive", after, write.reason, frozenset({"archived"}), before)
        else:  # an event or an entry: deleted, a tombstone until the next read
            snapshots.note_archived(connection, self.workspace, write.side, before.remote_id, now)
            self._log(step, write.side, "archive", before, write.reason)

    def _log(
        self,
        step: Step[T],
        side: str,
        action: Any,
        remote: Remote[T],
        reason: str,
        fields: frozenset[str] = frozenset(),
        before: Remote[T] | None = None,
    ) -> None:
        names = sorted(fields)
        record = WriteRecord(
            service=side,
            action=action,
            reason=reason,
            link_id=step.link_id,
            remote_id=remote.remote_id,
            fields=tuple(names),
            before={name: plain(getattr(before.item, name)) for name in names} if before else {},
            after={name: plain(getattr(remote.item, name)) for name in names},
            at=self.store.now(),
            run_id=self.run_id,
        )
        self._log_rows.append(record)
        self.report.count(record)


def _order(write: Write[Any]) -> int:
    return {"create": 0, "update": 1, "archive": 2}[write.kind]


def _address(step: Step[Any], side: str, results: Mapping[str, Remote[Any] | None]) -> str | None:
    remote = results.get(side) or step.current.get(side)
    return remote.url if remote is not None else None


def _without_failed_sources(write: Write[T], failed: frozenset[str] | set[str]) -> Write[T]:
    """An update without the fields whose source side failed this step (an address not created)."""
    dropped = {name for name, side in write.sources.items() if side in failed}
    if write.kind != "update" or not dropped:
        return write
    sources = {name: side for name, side in write.sources.items() if name not in dropped}
    return Write(
        write.side,
        write.kind,
        write.reason,
        write.remote_id,
        write.item,
        write.fields - dropped,
        sources,
        write.if_version,
        write.set_link,
    )
