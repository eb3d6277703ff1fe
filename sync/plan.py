"""The planner of a two-way relation (tasks: a Trello board and a Notion data source). Pure: links and
snapshots in, a frozen `Plan` out; no I/O, no clock.

For each link (see `_plan_link`):

    side A            side B            ->  step
    present           present               merge fields (merge.py); mark copies with the link id and
                                            each other's address where they lack them
    deleted           present               archive B (archive propagates as archive, never a delete)
    left              present               unlink (policy "unlink") or archive B (policy "archive")
    pending create    -                     adopt the copy carrying the link id if the read saw one,
                                            else look it up (find_by_link) and create only if absent
    unknown id        -                     nothing: a copy the store never saw is not "gone"

Then the items no link claims (first contact, see `_first_contact`): copies carrying the same link id
on both sides are linked again (a lost database); the rest are matched by normalised title and due
date; an ambiguous match is reported, not guessed; what stays unmatched is created on the other side
(per the relation's mode). Archived unlinked items are left alone.

Last, the mass-archive guard: a plan archiving too much of a side is refused (`Plan.refusal`).
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from sync.actions import Plan, Step, Write
from sync.connector import Remote
from sync.matching import match
from sync.merge import MergeResult, SideView, merge, synced_fields
from sync.model import Record
from sync.policy import RelationPolicy
from sync.state import Link, LinkState, Seen, Side, Snapshot

T = TypeVar("T", bound=Record)


@dataclass(frozen=True)
class SideSpec(Generic[T]):
    """One side of a relation: its name (the service) and how it represents an item."""

    name: str
    represent: Callable[[T], T]


def derive_link_id(relation: str, side: str, remote_id: str) -> str:
    """A new link's id, derived from the copy it starts from: a dry run shows the ids a real run
    will use, and a step interrupted and planned again uses the same id (so its pending create is
    found, never repeated)."""
    digest = hashlib.blake2b(f"{relation}:{side}:{remote_id}".encode(), digest_size=15).digest()
    return base64.b32encode(digest).decode().lower()


def plan_two_way(
    relation: str,
    a: SideSpec[T],
    b: SideSpec[T],
    snapshots: Mapping[str, Snapshot[T]],
    links: Mapping[str, Link[T]],
    policy: RelationPolicy,
    model: type[T],
) -> Plan[T]:
    planner = _Planner(relation, a, b, snapshots, links, policy, synced_fields(model, policy))
    return planner.plan()


class _Planner(Generic[T]):
    def __init__(
        self,
        relation: str,
        a: SideSpec[T],
        b: SideSpec[T],
        snapshots: Mapping[str, Snapshot[T]],
        links: Mapping[str, Link[T]],
        policy: RelationPolicy,
        fields: tuple[str, ...],
    ) -> None:
        self.relation, self.a, self.b = relation, a, b
        self.snapshots, self.links, self.policy, self.fields = snapshots, links, policy, fields
        self.specs = {a.name: a, b.name: b}
        self.problems: list[str] = []
        # Remote ids that belong to a link, per side: a copy carrying a link id is not enough (a
        # card copied in Trello carries its original's link line). Sides of unlinked links stay
        # claimed: a page whose card moved to another board is not a new task for this board.
        self.claimed: dict[str, set[str]] = {name: set() for name in self.specs}
        for link in links.values():
            for name, side in link.sides.items():
                if side.remote_id is not None and name in self.claimed:
                    self.claimed[name].add(side.remote_id)
        self._carrying: dict[str, dict[str, Seen[T]]] = {}  # side -> link id -> copy; built on demand
        self._a_items, self._b_items = snapshots[a.name].items, snapshots[b.name].items

    def plan(self) -> Plan[T]:
        settled = self._settled
        unsettled = [link for link in self.links.values() if not settled(link)]
        steps = [step for link in sorted(unsettled, key=_link_id) if (step := self._plan_link(link))]
        steps += self._first_contact()
        plan = Plan(self.relation, tuple(steps), tuple(self.problems))
        refusal = None if self.policy.allow_mass_archive else self._guard(plan)
        return Plan(plan.relation, plan.steps, plan.problems, refusal)

    # -- linked items --------------------------------------------------------------------------

    def _settled(self, link: Link[T]) -> bool:
        """The hot path (most links of a sync): an active link whose two copies are present, still
        hold their bases (stored hashes equal), carry the link id and each other's address."""
        if link.state != "active":
            return False
        sides = link.sides
        a_side, b_side = sides.get(self.a.name), sides.get(self.b.name)
        if a_side is None or b_side is None or a_side.base_hash is None or b_side.base_hash is None:
            return False
        a = self._a_items.get(a_side.remote_id or "")
        b = self._b_items.get(b_side.remote_id or "")
        if a is None or b is None or a.content_hash != a_side.base_hash or b.content_hash != b_side.base_hash:
            return False
        if a.state != "present" or b.state != "present":
            return False
        a_remote, b_remote = a.remote, b.remote
        a_item, b_item = a_remote.item, b_remote.item
        return (
            a_remote.link_id == link.link_id == b_remote.link_id
            and getattr(a_item, "peer_url", None) == b_remote.url
            and getattr(b_item, "peer_url", None) == a_remote.url
            and not (a_item.retired and b_item.retired)
        )

    def _plan_link(self, link: Link[T]) -> Step[T] | None:
        if link.state == "dismissed":
            return None
        found: dict[str, Seen[T] | None] = {}
        sides = link.sides
        for name in self.specs:
            side = sides.get(name)
            if side is None or side.remote_id is None:
                return self._recover(link, name)
            seen = self.snapshots[name].items.get(side.remote_id)
            if seen is None:
                self.problems.append(
                    f"{self.relation} link {link.link_id}: its {name} copy {side.remote_id} was never read; "
                    "left as is"
                )
                return None
            found[name] = seen
        if link.state == "unlinked":
            # Synced again only once every copy is back in the sync (a card moved back to the board).
            if not all(seen is not None and seen.present for seen in found.values()):
                return None
            link = Link(link.link_id, "active", link.sides)
        return self._pair(link, found)

    def _pair(self, link: Link[T], found: Mapping[str, Seen[T] | None]) -> Step[T] | None:
        a, b = found[self.a.name], found[self.b.name]
        assert a is not None and b is not None
        if a.present and b.present:
            if _quiet(link, {self.a.name: a.hash(), self.b.name: b.hash()}) and self._marked(link, a, b):
                return None  # the common case, kept cheap: nothing changed, both copies marked
            return self._sync(link, a.remote, b.remote, (a.hash(), b.hash()))
        gone, other = (a, b) if not a.present else (b, a)
        gone_side = self.a.name if gone is a else self.b.name
        other_side = self.b.name if gone is a else self.a.name
        if not other.present or other.remote.item.retired:
            return None if link.state == "archived" else self._mark(link, "archived", gone_side)
        if gone.state == "left" and self.policy.on_left == "unlink":
            return self._mark(link, "unlinked", gone_side)
        if link.state == "archived" and gone.state == "deleted":
            # Restored after its other copy was deleted: created anew there, not archived again.
            return self._recreate(link, gone_side, other.remote)
        what = "was deleted" if gone.state == "deleted" else "left its collection"
        write: Write[T] = Write(other_side, "archive", f"its {gone_side} copy {what}", other.remote.remote_id)
        return Step(
            link.link_id,
            "archive",
            _title(other.remote),
            f"{gone_side} copy {what}",
            (write,),
            current={other_side: other.remote},
            bases={other_side: _base(link, other_side)},
            state="archived",
        )

    def _recreate(self, link: Link[T], name: str, source: Remote[T]) -> Step[T]:
        other = self._other(name)
        return Step(
            link.link_id,
            "create",
            _title(source),
            f"restored on {other} after its {name} copy was deleted: created anew on {name}",
            (
                self._create_write(name, source, f"restored on {other}"),
                _link_update(other, source, link.link_id, name),
            ),
            current={other: source},
            bases={other: _base(link, other)},
        )

    def _mark(self, link: Link[T], state: LinkState, side: str) -> Step[T]:
        if state == "unlinked":
            why = f"the {side} copy left the sync (moved to another board or collection)"
            return Step(link.link_id, "unlink", link.link_id, why, state="unlinked")
        return Step(link.link_id, "archive", link.link_id, "both copies are archived or gone", state=state)

    def _sync(
        self, link: Link[T], a: Remote[T], b: Remote[T], hashes: tuple[str | None, str | None] = (None, None)
    ) -> Step[T] | None:
        views = {
            self.a.name: SideView(self.a.name, a.item, _base(link, self.a.name), self.a.represent),
            self.b.name: SideView(self.b.name, b.item, _base(link, self.b.name), self.b.represent),
        }
        # A quiet link (each side still holds its base, told by the stored hashes) needs no merge:
        # most links of a 15-minute sync are quiet.
        quiet = _quiet(link, {self.a.name: hashes[0], self.b.name: hashes[1]})
        a_view, b_view = views[self.a.name], views[self.b.name]
        result = MergeResult() if quiet else merge(link.link_id, a_view, b_view, self.fields, self.policy)
        current = {self.a.name: a, self.b.name: b}
        writes = self._writes(link.link_id, result, current)
        state: LinkState = (
            "archived" if all(_archived_after(r, writes) for r in current.items()) else "active"
        )
        bases_move = not quiet and any(
            _moved(views[name].base, remote.item) for name, remote in current.items()
        )
        if not writes and not bases_move and state == link.state:
            return None
        reason = "; ".join(write.reason for write in writes) or "both sides agree; bases move"
        return Step(
            link.link_id,
            "sync",
            _title(a),
            reason,
            tuple(writes),
            current=current,
            bases={name: view.base for name, view in views.items()},
            state=state,
            conflicts=tuple(result.conflicts),
        )

    def _marked(self, link: Link[T], a: Seen[T], b: Seen[T]) -> bool:
        """Both copies carry the link id and each other's address, and the link's state is current."""
        state = "archived" if a.remote.item.retired and b.remote.item.retired else "active"
        return (
            link.state == state
            and a.remote.link_id == link.link_id == b.remote.link_id
            and (
                b.remote.url is None
                or _peer_url(a.remote) == b.remote.url
                or not self._holds_peer(self.a.name, a.remote, b.remote.url)
            )
            and (
                a.remote.url is None
                or _peer_url(b.remote) == a.remote.url
                or not self._holds_peer(self.b.name, b.remote, a.remote.url)
            )
        )

    def _writes(self, link_id: str, result: MergeResult, current: Mapping[str, Remote[T]]) -> list[Write[T]]:
        writes = []
        for name, remote in current.items():
            other = self.b.name if name == self.a.name else self.a.name
            sources = dict(result.to.get(name, {}))
            peer_url = current[other].url
            if peer_url and _peer_url(remote) != peer_url and self._holds_peer(name, remote, peer_url):
                sources["peer_url"] = other
            set_link = remote.link_id != link_id
            if not sources and not set_link:
                continue
            values = {field: getattr(current[source].item, field) for field, source in sources.items()}
            if "peer_url" in sources:
                values["peer_url"] = peer_url
            writes.append(_update(name, remote, values, sources, set_link, other))
        return writes

    def _holds_peer(self, name: str, remote: Remote[T], url: str) -> bool:
        if "peer_url" not in type(remote.item).model_fields:
            return False
        candidate = self.specs[name].represent(remote.item.model_copy(update={"peer_url": url}))
        return getattr(candidate, "peer_url", None) == url

    def _recover(self, link: Link[T], name: str) -> Step[T] | None:
        """A side whose create is pending: adopt the copy the read saw, else look it up, then create."""
        other = self._other(name)
        other_side = link.side(other)
        source = self.snapshots[other].get(other_side.remote_id) if other_side else None
        if source is None or not source.present:
            return None  # nothing to create from any more
        seen = self._by_link(name).get(link.link_id)
        if seen is not None:
            self.claimed[name].add(seen.remote.remote_id)
            adopted = Link(link.link_id, link.state, {**link.sides, name: Side(seen.remote.remote_id)})
            pair = {name: seen.remote, other: source.remote}
            step = self._sync(adopted, pair[self.a.name], pair[self.b.name])
            return replace(step, adopted=name) if step is not None else None
        create = self._create_write(name, source.remote, f"finish the create left pending on {name}")
        return Step(
            link.link_id,
            "recover",
            _title(source.remote),
            f"a create on {name} was interrupted: look for it, create it only if absent",
            (create, _link_update(other, source.remote, link.link_id, name)),
            current={other: source.remote},
            bases={other: None},
            recover=name,
        )

    def _other(self, name: str) -> str:
        return self.b.name if name == self.a.name else self.a.name

    # -- first contact -------------------------------------------------------------------------

    def _first_contact(self) -> list[Step[T]]:
        unlinked = {name: self._unlinked(name) for name in self.specs}
        steps = self._relink(unlinked)
        if self.policy.mode != "create_only":
            steps += self._match(unlinked)
        if self.policy.mode != "match_only":
            steps += self._creates(unlinked)
        return steps

    def _unlinked(self, name: str) -> dict[str, Remote[T]]:
        claimed = self.claimed[name]
        return {
            remote_id: seen.remote
            for remote_id, seen in self.snapshots[name].items.items()
            if remote_id not in claimed and seen.state == "present" and not seen.remote.item.retired
        }

    def _relink(self, unlinked: dict[str, dict[str, Remote[T]]]) -> list[Step[T]]:
        """Copies that carry the same link id the store does not know (its database was lost)."""
        carried: dict[str, dict[str, list[Remote[T]]]] = {
            name: _group(r for r in items.values() if r.link_id and r.link_id not in self.links)
            for name, items in unlinked.items()
        }
        steps = []
        for link_id in sorted(set(carried[self.a.name]) & set(carried[self.b.name])):
            a_copies, b_copies = carried[self.a.name][link_id], carried[self.b.name][link_id]
            if len(a_copies) == 1 and len(b_copies) == 1:
                steps.append(
                    self._new_link(
                        link_id, a_copies[0], b_copies[0], "linked again by the link id both carry"
                    )
                )
                del unlinked[self.a.name][a_copies[0].remote_id], unlinked[self.b.name][b_copies[0].remote_id]
        return steps

    def _match(self, unlinked: dict[str, dict[str, Remote[T]]]) -> list[Step[T]]:
        found = match(
            self.a.name, unlinked[self.a.name], self.b.name, unlinked[self.b.name], self.policy.zone
        )
        self.problems += [f"{self.relation}: {problem}" for problem in found.problems]
        steps = []
        for pair in found.matches:
            link_id = derive_link_id(self.relation, self.a.name, pair.a.remote_id)
            steps.append(self._new_link(link_id, pair.a, pair.b, pair.why))
            del unlinked[self.a.name][pair.a.remote_id], unlinked[self.b.name][pair.b.remote_id]
        for name, held in found.held.items():
            for remote_id in held:
                unlinked[name].pop(remote_id, None)
        return steps

    def _new_link(self, link_id: str, a: Remote[T], b: Remote[T], why: str) -> Step[T]:
        step = self._sync(
            Link(link_id, "active", {self.a.name: Side(a.remote_id), self.b.name: Side(b.remote_id)}), a, b
        )
        assert step is not None  # a new link always records its sides
        return Step(
            link_id,
            "link",
            step.title,
            f"{why}; {step.reason}",
            step.writes,
            step.current,
            step.bases,
            step.state,
            step.conflicts,
            new_link=True,
        )

    def _creates(self, unlinked: dict[str, dict[str, Remote[T]]]) -> list[Step[T]]:
        steps = []
        for name, items in unlinked.items():
            target = self.b.name if name == self.a.name else self.a.name
            for remote_id in sorted(items):
                source = items[remote_id]
                link_id = derive_link_id(self.relation, name, remote_id)
                create = self._create_write(target, source, f"new on {name}")
                steps.append(
                    Step(
                        link_id,
                        "create",
                        _title(source),
                        f"only on {name}: create it on {target}",
                        (create, _link_update(name, source, link_id, target)),
                        current={name: source},
                        bases={name: None},
                        new_link=True,
                    )
                )
        return steps

    def _create_write(self, target: str, source: Remote[T], reason: str) -> Write[T]:
        item = source.item
        if "peer_url" in type(item).model_fields:
            item = item.model_copy(update={"peer_url": source.url})
        return Write(target, "create", reason, item=self.specs[target].represent(item))

    def _by_link(self, name: str) -> dict[str, Seen[T]]:
        """Unclaimed present copies by the link id they carry (the first one seen wins)."""
        if name not in self._carrying:
            found: dict[str, Seen[T]] = {}
            for seen in self.snapshots[name].items.values():
                if seen.present and seen.remote.link_id and seen.remote.remote_id not in self.claimed[name]:
                    found.setdefault(seen.remote.link_id, seen)
            self._carrying[name] = found
        return self._carrying[name]

    # -- the mass-archive guard ----------------------------------------------------------------

    def _guard(self, plan: Plan[T]) -> str | None:
        for name in self.specs:
            archives = sum(1 for step, write in plan.writes if write.side == name and _archives(step, write))
            if archives <= self.policy.guard.floor:
                continue  # within the floor whatever the share: no need to count the links
            linked = sum(1 for link in self.links.values() if link.state == "active" and name in link.sides)
            limit = self.policy.guard.limit(linked)
            if archives > limit:
                return (
                    f"the plan would archive {archives} of {linked} linked {name} items "
                    f"(the limit is {limit}: "
                    f"{self.policy.guard.share:.0%} of them, at least {self.policy.guard.floor}, at most "
                    f"{self.policy.guard.count}); refused. Check what happened on the other side, then run "
                    "again allowing it (--allow-mass-archive) if it is intended."
                )
        return None


def _link_id(link: Link[Any]) -> str:
    return link.link_id


def _quiet(link: Link[Any], hashes: Mapping[str, str | None]) -> bool:
    """Each side still holds its base (by the stored content hashes)."""
    for name, current in hashes.items():
        side = link.side(name)
        if current is None or side is None or side.hash() != current:
            return False
    return True


def _moved(base: Record | None, item: Record) -> bool:
    """Whether recording `item` as the base changes it (synced fields only: an edit time is no edit)."""
    return base is None or base.content_hash() != item.content_hash()


def _archived_after(side: tuple[str, Remote[Any]], writes: list[Write[Any]]) -> bool:
    """Whether a side's copy is archived once the step's writes to it are done."""
    name, remote = side
    for write in writes:
        if write.side == name and "archived" in write.fields and write.item is not None:
            return bool(getattr(write.item, "archived", False))
    return remote.item.retired


def _peer_url(remote: Remote[Any]) -> str | None:
    value = getattr(remote.item, "peer_url", None)
    return value if isinstance(value, str) else None


def _archives(step: Step[Any], write: Write[Any]) -> bool:
    if write.kind == "archive":
        return True
    current = step.current.get(write.side)
    return (
        write.kind == "update"
        and "archived" in write.fields
        and write.item is not None
        and bool(getattr(write.item, "archived", False))
        and current is not None
        and not current.item.retired
    )


def _update(
    side: str, remote: Remote[T], values: dict[str, Any], sources: dict[str, str], set_link: bool, other: str
) -> Write[T]:
    fields = frozenset(values)
    parts = [f"{field} from {sources[field]}" for field in sorted(fields)]
    if set_link:
        parts.append("mark with the link id")
    return Write(
        side,
        "update",
        "; ".join(parts),
        remote.remote_id,
        item=remote.item.model_copy(update=values),
        fields=fields,
        sources=sources,
        if_version=remote.version,
        set_link=set_link,
    )


def _link_update(side: str, source: Remote[T], link_id: str, created_on: str) -> Write[T]:
    """After a create on the other side: mark the source copy with the link id and the new address."""
    sources = {"peer_url": created_on} if "peer_url" in type(source.item).model_fields else {}
    return Write(
        side,
        "update",
        f"mark with the link id and the address of its {created_on} copy",
        source.remote_id,
        item=source.item,
        fields=frozenset(sources),
        sources=sources,
        if_version=source.version,
        set_link=source.link_id != link_id,
    )


def _base(link: Link[T], name: str) -> T | None:
    side = link.side(name)
    return side.base if side else None


def _title(remote: Remote[Any]) -> str:
    return str(getattr(remote.item, "title", remote.remote_id))


def _group(remotes: Iterable[Remote[T]]) -> dict[str, list[Remote[T]]]:
    return _group_by(remotes, lambda remote: remote.link_id or "")


def _group_by(remotes: Iterable[Remote[T]], key: Callable[[Remote[T]], Any]) -> dict[Any, list[Remote[T]]]:
    groups: dict[Any, list[Remote[T]]] = defaultdict(list)
    for remote in remotes:
        groups[key(remote)].append(remote)
    return groups
