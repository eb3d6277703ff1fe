"""The engine's policies for one workspace, from its hub-file tables (`[workspaces.X.sync]`,
`[workspaces.X.agenda]`, `[workspaces.X.time]`): the one place the configuration meets the engine."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from config.hub_file import ArchiveGuardSettings, Workspace
from sync.agenda import AgendaPolicy
from sync.meetings import MeetingPolicy
from sync.policy import ArchiveGuard, RelationPolicy


def guard(settings: ArchiveGuardSettings) -> ArchiveGuard:
    return ArchiveGuard(share=settings.share, floor=settings.floor, count=settings.count)


def tasks_policy(workspace: Workspace, *, allow_mass_archive: bool = False) -> RelationPolicy:
    settings = workspace.sync
    return RelationPolicy(
        mode=settings.mode,
        conflicts=dict(settings.conflicts),
        default_conflict=settings.default_conflict,
        on_left=settings.on_card_leaving,
        guard=guard(settings.archive_guard),
        allow_mass_archive=allow_mass_archive,
        zone=ZoneInfo(workspace.timezone),
        # Tracked hours belong to the time relation: the tasks sync neither sends nor clears them.
        excluded=frozenset({"tracked_hours"}),
    )


def agenda_policy(workspace: Workspace, *, allow_mass_archive: bool = False) -> AgendaPolicy:
    settings = workspace.agenda
    return AgendaPolicy(
        zone=ZoneInfo(workspace.timezone),
        done=settings.done,
        timed_minutes=settings.timed_minutes,
        prefix=settings.prefix,
        done_prefix=settings.done_prefix,
        two_way_dates=settings.two_way_dates,
        guard=guard(workspace.sync.archive_guard),
        allow_mass_archive=allow_mass_archive,
    )


def meeting_policy(workspace: Workspace, *, allow_mass_archive: bool = False) -> MeetingPolicy:
    settings = workspace.time
    if settings.meeting_people is not None:
        people = frozenset(settings.meeting_people)
    else:
        people = frozenset(person.email for person in workspace.people if person.toggl_user_id is not None)
    return MeetingPolicy(
        people=people,
        tags=frozenset(settings.meeting_tags),
        guard=guard(workspace.sync.archive_guard),
        allow_mass_archive=allow_mass_archive,
    )
