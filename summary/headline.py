"""The headline: green, amber or red, with one reason per line.

Red means act today: tasks overdue, a sync whose last run failed or refused a mass archive,
credentials that no longer work. Amber means look today: tasks at risk, blocked or stuck in review,
timers left running, someone over capacity, a partial sync, credentials about to expire, no sync run
yet. Green: none of these.
"""

from __future__ import annotations

from summary.result import Blockers, Headline, Hours, Level, Reason, SyncHealth

LEVELS: tuple[Level, ...] = ("green", "amber", "red")


def headline(
    overdue: int, at_risk: int, blockers: Blockers, hours: Hours | None, health: SyncHealth
) -> Headline:
    candidates = [
        Reason("red", "overdue", overdue),
        Reason("red", "sync_failed", _last(health, "failed")),
        Reason("red", "sync_refused", _last(health, "refused")),
        Reason("red", "credentials_failing", _credentials(health, "failing")),
        Reason("amber", "at_risk", at_risk),
        Reason("amber", "blocked", len(blockers.blocked)),
        Reason("amber", "in_review", len(blockers.in_review)),
        Reason("amber", "long_timers", len(hours.long_timers) if hours else 0),
        Reason("amber", "over_capacity", _over_capacity(hours)),
        Reason("amber", "sync_partial", _last(health, "partial")),
        Reason("amber", "credentials_expiring", _credentials(health, "expiring")),
        Reason("amber", "no_sync", 0 if health.relations else 1),
    ]
    reasons = tuple(reason for reason in candidates if reason.count > 0)
    level: Level = "green"
    for reason in reasons:
        level = max(level, reason.level, key=LEVELS.index)
    return Headline(level, reasons)


def _last(health: SyncHealth, outcome: str) -> int:
    return sum(1 for relation in health.relations if relation.last_outcome == outcome)


def _credentials(health: SyncHealth, state: str) -> int:
    return sum(1 for service in health.services if service.credentials == state)


def _over_capacity(hours: Hours | None) -> int:
    if hours is None:
        return 0
    return sum(1 for person in hours.people if person.utilisation is not None and person.utilisation > 1)
