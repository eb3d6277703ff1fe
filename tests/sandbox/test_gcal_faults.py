"""Each fault the sandbox injects, met by the Calendar connector: reads recover, writes stay single.

No test narrows the faults to the API: the token endpoint is never faulted (the emulator's rule)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.settings import HubSettings
from connectors.accounting import RequestKey, RequestStats
from connectors.errors import Unavailable
from connectors.gcal import GoogleCalendarConnector
from sandbox.gcal.quirks import DUPLICATE_FORMS
from sandbox.gcal.seed import event_id
from sync.model import Event
from tests.conftest import fast_options
from tests.connectors.gcal.conftest import NOW
from tests.connectors.gcal.test_e2e import expected_window

# With this seed and a 50 % rate the first API request is faulted and the second is not.
SEED = 4
LIST = "/calendars/{calendarId}/events"
LEA = "lea@brightpath.coach"


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


@pytest.fixture
def stats() -> RequestStats:
    return RequestStats()


@pytest.fixture
def connector(sandbox, stats) -> Iterator[GoogleCalendarConnector]:
    settings = sandbox.settings(HubSettings()).google
    options = fast_options(timeout=0.5, stats=stats)  # shorter than the timeout fault's late answer
    with GoogleCalendarConnector.from_settings(
        settings, sandbox.business.workspace, options, clock=lambda: NOW
    ) as built:
        yield built


def statuses(sandbox, method: str, path: str) -> list[int]:
    return [e.status for e in sandbox.log.entries("google") if (e.method, e.path) == (method, path)]


def in_window(sandbox) -> int:
    """The events a full read returns with no fault at all (counted from the seeded business)."""
    singles, slots = expected_window(sandbox.business)
    return singles + len(slots)


@pytest.mark.parametrize(
    ("kind", "logged"),
    [
        ("500", 500),
        ("502", 502),
        ("503", 503),
        ("timeout", None),  # answered after the client gave up (and after this test): see below
        ("reset", 200),  # the connection drops in the middle of a 200
        ("malformed", 200),  # a 200 whose JSON is cut short
    ],
)
def test_a_read_recovers_from_each_fault(sandbox, connector, stats, kind, logged):
    sandbox.set_faults("google", error_rate=0.5, kinds=(kind,), seed=SEED, timeout_seconds=1.0)
    batch = connector.fetch_changes(None)
    assert batch.full and len(batch.items) == in_window(sandbox)
    assert stats.requests[RequestKey("google", "GET", LIST)] == 2  # one faulted attempt, one good
    if logged is None:  # the emulator logs a timed-out request when its late answer goes out
        assert stats.statuses[("google", "error")] == 1 and statuses(sandbox, "GET", LIST)[-1] == 200
    else:
        assert statuses(sandbox, "GET", LIST) == [logged, 200]


def test_a_storm_in_all_three_forms_is_waited_out(sandbox, connector):
    # With this seed the five answers are 403 userRateLimitExceeded, 429 rateLimitExceeded (twice),
    # 403 userRateLimitExceeded and 403 rateLimitExceeded: each one a rate limit, each one retried.
    sandbox.set_faults("google", storm=5, seed=3)
    assert len(connector.fetch_changes(None).items) == in_window(sandbox)
    assert statuses(sandbox, "GET", LIST) == [403, 429, 429, 403, 403, 200]


def new_event() -> Event:
    start = datetime(2026, 11, 27, 14, tzinfo=ZoneInfo("Europe/Paris"))
    return Event(
        title="Kickoff",
        start=start,
        end=start + timedelta(minutes=30),
        all_day=False,
        timezone="Europe/Paris",
    )


def test_a_create_whose_answer_was_lost_is_looked_up_not_resent(sandbox, connector):
    cursor = connector.fetch_changes(None).cursor
    # The insert is applied, then its answer arrives cut short: the connector looks the event up by
    # its link, finds it, and inserts nothing more.
    sandbox.set_faults("google", error_rate=0.5, kinds=("malformed",), seed=SEED, methods=("POST",))
    created = connector.create(new_event(), link_id="lnk-lost-answer")
    assert statuses(sandbox, "POST", LIST) == [200]
    assert statuses(sandbox, "GET", LIST) == [200, 200]  # the full read, the look-up
    changes = connector.fetch_changes(cursor)
    assert [r.remote_id for r in changes.items] == [created.remote_id]


@pytest.mark.parametrize("form", [None, *DUPLICATE_FORMS])
@pytest.mark.parametrize("archived", [False, True], ids=["live", "archived"])
def test_a_create_for_a_link_already_on_the_calendar_leaves_one_event(sandbox, connector, form, archived):
    first = connector.create(new_event(), link_id="lnk-twice")
    if archived:
        connector.archive(first.remote_id)
    if form is not None:  # the insert's id collision goes undetected, in this form
        sandbox.set_faults("google", silent_duplicates=1.0, duplicate_forms=[form])
    wanted = new_event().model_copy(update={"title": "Kickoff (moved)", "attendees": frozenset({LEA})})
    again = connector.create(wanted, link_id="lnk-twice")
    sandbox.set_faults("google")
    [only] = connector.find_by_link("lnk-twice")
    assert only.remote_id == again.remote_id == first.remote_id
    assert only.item.content_hash() == again.item.content_hash() == connector.represent(wanted).content_hash()
    assert only.version == again.version


def test_full_and_incremental_reads_are_whole_under_short_pages(sandbox, connector):
    whole = connector.fetch_changes(None)
    sandbox.set_faults("google", short_pages=0.5, seed=7)
    shortened = connector.fetch_changes(None)
    assert [r.remote_id for r in shortened.items] == [r.remote_id for r in whole.items]
    assert len(statuses(sandbox, "GET", LIST)) > 2  # the second read took several pages
    sandbox.set_faults("google")
    made = [connector.create(new_event(), link_id=f"lnk-short-{n}") for n in range(6)]
    connector.archive(made[0].remote_id)
    sandbox.log.clear()
    sandbox.set_faults("google", short_pages=0.5, seed=7)
    changes = connector.fetch_changes(shortened.cursor)
    assert [r.remote_id for r in changes.items] == [r.remote_id for r in made[1:]]
    assert list(changes.deleted) == [made[0].remote_id]
    assert len(statuses(sandbox, "GET", LIST)) > 1


def test_a_cancelled_instance_leaves_the_expanded_reads_whole(sandbox, connector):
    first = connector.fetch_changes(None)
    removed = f"{event_id('event-team-sync')}_20261207T083000Z"
    assert removed in {r.remote_id for r in first.items}
    connector.archive(removed)  # as a person deleting one occurrence would
    changes = connector.fetch_changes(first.cursor)
    assert (list(changes.deleted), list(changes.items), list(changes.skipped)) == ([removed], [], [])
    again = connector.fetch_changes(None)
    assert {r.remote_id for r in again.items} == {r.remote_id for r in first.items} - {removed}
    assert not again.skipped


def test_a_failed_patch_is_not_resent(sandbox, connector):
    created = connector.create(new_event(), link_id="lnk-patch")
    sandbox.set_faults("google", error_rate=1.0, kinds=("503",), methods=("PATCH",))
    with pytest.raises(Unavailable):
        connector.update(created.remote_id, created.item.model_copy(update={"title": "Kickoff v2"}))
    assert statuses(sandbox, "PATCH", LIST + "/{eventId}") == [503]  # a PATCH may have landed: no blind retry
