"""The Calendar connector against the sandbox's Calendar emulator, over real HTTP.

Request budgets come from the emulator's own log: a full or incremental read of this calendar is one
`events.list` (one page), a write one call, the first read one token exchange before it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from config.settings import GoogleSettings, HubSettings
from connectors.errors import AuthError, Conflict
from connectors.gcal import LOOKBACK, GoogleCalendarConnector
from sandbox.gcal.seed import HORIZON, event_id
from sync.model import Event
from tests.conftest import fast_options
from tests.connectors.gcal.conftest import NOW, service_account_json

PARIS = ZoneInfo("Europe/Paris")
LIST = ("GET", "/calendars/{calendarId}/events")
TOKEN = ("POST", "/token")


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(services=("google",), rate_limits=False)


def settings_of(sandbox) -> GoogleSettings:
    return sandbox.settings(HubSettings()).google


def make_connector(sandbox, settings: GoogleSettings | None = None) -> GoogleCalendarConnector:
    return GoogleCalendarConnector.from_settings(
        settings or settings_of(sandbox), sandbox.business.workspace, fast_options(), clock=lambda: NOW
    )


@pytest.fixture
def connector(sandbox) -> Iterator[GoogleCalendarConnector]:
    with make_connector(sandbox) as built:
        yield built


def requests(sandbox) -> list[tuple[str, str, int]]:
    return [(e.method, e.path, e.status) for e in sandbox.log.entries("google")]


def expected_window(business) -> tuple[int, list[datetime]]:
    """Single events ending after the lookback, and the team sync's Monday slots in the window."""
    since = NOW - LOOKBACK

    def end_instant(event) -> datetime:
        end = event.end
        return end if isinstance(end, datetime) else datetime.combine(end, time(0), PARIS)

    singles = sum(1 for e in business.events if not e.recurrence and end_instant(e) > since)
    series = next(e for e in business.events if e.key == "event-team-sync")
    slots, start = [], series.start
    while start < business.now + HORIZON:
        if start + timedelta(minutes=30) > since:
            slots.append(start)
        start = datetime.combine(start.date() + timedelta(weeks=1), start.timetz())
    return singles, slots


def test_full_read_returns_the_expanded_instances_in_the_window(sandbox, connector):
    batch = connector.fetch_changes(None)
    singles, slots = expected_window(sandbox.business)
    assert batch.full is True and batch.cursor and not batch.skipped
    assert len(batch.items) == singles + len(slots) == 17 + 54
    master = event_id("event-team-sync")
    syncs = {r.remote_id: r.item for r in batch.items if r.item.title == "Team sync"}
    assert len(syncs) == len(slots)
    # The instance moved from Monday 30 Nov 09:30 keeps the name of its slot and shows at its new time.
    moved = syncs[f"{master}_20261130T083000Z"]
    assert moved.start == datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    assert datetime(2026, 11, 30, 9, 30, tzinfo=PARIS) not in {item.start for item in syncs.values()}
    assert syncs[f"{master}_20261123T083000Z"].start == datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
    all_day = {r.item.title: r.item for r in batch.items if r.item.all_day}
    assert all_day["Priya off"].end - all_day["Priya off"].start == timedelta(days=2)  # type: ignore[operator]
    assert requests(sandbox) == [(*TOKEN, 200), (*LIST, 200)]


def new_event(title: str, day: int = 27, hour: int = 14) -> Event:
    start = datetime(2026, 11, day, hour, tzinfo=PARIS)
    return Event(
        title=title,
        start=start,
        end=start + timedelta(minutes=30),
        all_day=False,
        timezone="Europe/Paris",
        task_link="lnk-task-017",
    )


def test_writes_then_an_incremental_read_returns_exactly_those_changes(sandbox, connector):
    cursor = connector.fetch_changes(None).cursor
    sandbox.log.clear()
    kept = connector.create(new_event("Invoice Nadia"), link_id="lnk-a")
    dropped = connector.create(new_event("Brief podcast guest", hour=15), link_id="lnk-b")
    changed = connector.update(
        kept.remote_id,
        kept.item.model_copy(update={"title": "Invoice Nadia (sent)"}),
        if_version=kept.version,
        fields=frozenset({"title"}),
    )
    connector.archive(dropped.remote_id, if_version=dropped.version)
    batch = connector.fetch_changes(cursor)
    assert batch.full is False
    assert [(r.remote_id, r.item.title, r.version) for r in batch.items] == [
        (kept.remote_id, "Invoice Nadia (sent)", changed.version)
    ]
    assert list(batch.deleted) == [dropped.remote_id]
    assert batch.items[0].link_id == "lnk-a" and batch.items[0].item.task_link == "lnk-task-017"
    assert requests(sandbox) == [
        ("POST", "/calendars/{calendarId}/events", 200),
        ("POST", "/calendars/{calendarId}/events", 200),
        ("PATCH", "/calendars/{calendarId}/events/{eventId}", 200),
        ("DELETE", "/calendars/{calendarId}/events/{eventId}", 204),
        (*LIST, 200),
    ]
    after = connector.fetch_changes(batch.cursor)
    assert (after.items, after.deleted) == ((), ())


def test_a_stale_version_is_a_conflict(sandbox, connector):
    created = connector.create(new_event("Kickoff"), link_id="lnk-c")
    connector.update(created.remote_id, created.item.model_copy(update={"title": "Kickoff v2"}))
    with pytest.raises(Conflict) as caught:
        connector.update(created.remote_id, created.item, if_version=created.version)
    assert caught.value.status == 412 and caught.value.code == "conditionNotMet"
    with pytest.raises(Conflict):
        connector.archive(created.remote_id, if_version=created.version)


def test_a_resent_create_finds_the_first_one(sandbox, connector):
    first = connector.create(new_event("Onboarding pack"), link_id="lnk-d")
    sandbox.log.clear()
    again = connector.create(new_event("Onboarding pack"), link_id="lnk-d")
    assert again.remote_id == first.remote_id and again.version == first.version
    assert requests(sandbox) == [
        ("POST", "/calendars/{calendarId}/events", 409),
        ("GET", "/calendars/{calendarId}/events/{eventId}", 200),
    ]


def test_archive_twice_is_done_once(sandbox, connector):
    created = connector.create(new_event("Renew Zoom"), link_id="lnk-e")
    connector.archive(created.remote_id)
    connector.archive(created.remote_id)
    assert [e.status for e in sandbox.log.entries() if e.method == "DELETE"] == [204, 410]


def test_an_expired_sync_token_falls_back_to_a_full_read(sandbox, connector, caplog):
    first = connector.fetch_changes(None)
    sandbox.emulators["google"].expire_sync_tokens()
    sandbox.log.clear()
    with caplog.at_level(logging.WARNING, logger="connectors.gcal.connector"):
        batch = connector.fetch_changes(first.cursor)
    assert batch.full is True and len(batch.items) == len(first.items)
    assert batch.cursor and batch.cursor != first.cursor
    assert requests(sandbox) == [(*LIST, 410), (*LIST, 200)]
    assert "expired" in caplog.text
    assert connector.fetch_changes(batch.cursor).full is False  # the new token works


def test_expired_access_tokens_are_refreshed_transparently(sandbox, connector):
    cursor = connector.fetch_changes(None).cursor
    sandbox.emulators["google"].expire_access_tokens()
    sandbox.log.clear()
    batch = connector.fetch_changes(cursor)
    assert batch.full is False and not batch.items
    assert requests(sandbox) == [(*LIST, 401), (*TOKEN, 200), (*LIST, 200)]
    assert sandbox.log.count("google", "POST", "/token") == 1


def test_find_by_link_finds_a_hub_created_event_live_or_deleted(sandbox, connector):
    created = connector.create(new_event("Discovery call"), link_id="lnk-f")
    sandbox.log.clear()
    [found] = connector.find_by_link("lnk-f")
    assert found.remote_id == created.remote_id and found.item == created.item
    assert connector.find_by_link("lnk-unknown") == []
    connector.archive(created.remote_id)
    [deleted] = connector.find_by_link("lnk-f")
    assert deleted.remote_id == created.remote_id and deleted.item.status == "cancelled"
    assert deleted.item.title == "Discovery call"  # read in full: the listing shows a stub
    assert requests(sandbox) == [
        (*LIST, 200),
        (*LIST, 200),
        ("DELETE", "/calendars/{calendarId}/events/{eventId}", 204),
        (*LIST, 200),
        ("GET", "/calendars/{calendarId}/events/{eventId}", 200),
    ]


def test_a_full_update_writes_every_field_and_merges_the_guest_list(sandbox, connector):
    created = connector.create(new_event("Strategy call"), link_id="lnk-j")
    outsider = {"email": "nadia@client.example", "responseStatus": "accepted"}
    store = sandbox.emulators["google"].store
    store.events[created.remote_id]["attendees"] = [outsider]  # a person added a client meanwhile
    wanted = created.item.model_copy(
        update={"title": "Strategy call (v2)", "attendees": frozenset({"lea@brightpath.coach"})}
    )
    sandbox.log.clear()
    updated = connector.update(created.remote_id, wanted)
    assert updated.item == connector.represent(wanted).model_copy(update={"url": updated.item.url})
    assert store.events[created.remote_id]["attendees"] == [
        outsider,
        {"email": "lea@brightpath.coach", "responseStatus": "needsAction"},
    ]
    assert [(m, s) for m, _, s in requests(sandbox)] == [("GET", 200), ("PATCH", 200)]


def test_an_event_met_at_first_contact_is_marked_and_found_by_its_link(sandbox, connector):
    seeded = next(r for r in connector.fetch_changes(None).items if r.item.title == "Team sync")
    assert seeded.link_id is None and connector.find_by_link("lnk-team-sync") == []
    marked = connector.update(seeded.remote_id, seeded.item, fields=frozenset(), link_id="lnk-team-sync")
    assert marked.link_id == "lnk-team-sync" and marked.item.content_hash() == seeded.item.content_hash()
    assert [r.remote_id for r in connector.find_by_link("lnk-team-sync")] == [seeded.remote_id]


def test_archive_of_an_event_gone_for_good_is_done(sandbox, connector):
    created = connector.create(new_event("Old webinar"), link_id="lnk-k")
    connector.archive(created.remote_id)
    sandbox.emulators["google"].purge_deleted()
    connector.archive(created.remote_id)
    assert [e.status for e in sandbox.log.entries() if e.method == "DELETE"] == [204, 404]


PEOPLE_AND_OTHERS = frozenset({"Camille@BrightPath.coach", "lea@brightpath.coach", "nadia@client.example"})


@pytest.mark.parametrize(
    "event",
    [
        Event(
            title="Fractions",
            start=datetime(2026, 11, 27, 14, 0, 5, 250000, tzinfo=PARIS),
            end=datetime(2026, 11, 27, 14, 30, 0, 999999, tzinfo=PARIS),
            all_day=False,
            timezone="Europe/Paris",
        ),
        Event(
            title="No zone named",
            start=datetime(2026, 11, 27, 9, tzinfo=ZoneInfo("America/New_York")),
            end=datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("America/New_York")),
            all_day=False,
        ),
        Event(
            title="New York call",
            description="Line one\n\nline two — ünïcode",
            start=datetime(2026, 11, 27, 9, tzinfo=ZoneInfo("America/New_York")),
            end=datetime(2026, 11, 27, 10, tzinfo=ZoneInfo("America/New_York")),
            all_day=False,
            timezone="America/New_York",
            status="tentative",
            task_link="lnk-task-9",
            attendees=PEOPLE_AND_OTHERS,
        ),
        Event(
            title="Tokyo holiday",
            start=date(2026, 12, 7),
            end=date(2026, 12, 8),
            all_day=True,
            timezone="Asia/Tokyo",
            attendees=PEOPLE_AND_OTHERS,
        ),
    ],
    ids=["fractions", "no-zone", "everything", "all-day-elsewhere"],
)
def test_represent_is_exactly_what_the_calendar_gives_back(sandbox, connector, event):
    cursor = connector.fetch_changes(None).cursor
    created = connector.create(event, link_id="lnk-represent")
    [read] = connector.fetch_changes(cursor).items
    expected = connector.represent(event)
    assert read.item.model_copy(update={"url": None}) == expected
    bounds = [
        (b.isoformat(), a.isoformat())
        for b, a in ((read.item.start, expected.start), (read.item.end, expected.end))
    ]
    assert all(got == wanted for got, wanted in bounds)  # the same offsets, not only the same instants
    assert created.item.content_hash() == expected.content_hash()
    assert sandbox.log.count("google", "PATCH") == 0  # the insert's answer already held it


def test_all_day_and_dst_events_round_trip_through_the_calendar(sandbox, connector):
    cursor = connector.fetch_changes(None).cursor
    day_off = Event(
        title="Léa off", start=date(2026, 12, 7), end=date(2026, 12, 9), all_day=True, timezone="Europe/Paris"
    )
    night = Event(
        title="Server migration",
        start=datetime(2026, 10, 25, 1, 30, tzinfo=PARIS),
        end=datetime(2026, 10, 25, 4, 0, tzinfo=PARIS),
        all_day=False,
        timezone="Europe/Paris",
    )
    connector.create(day_off, link_id="lnk-g")
    connector.create(night, link_id="lnk-h")
    read = {r.link_id: r.item for r in connector.fetch_changes(cursor).items}
    assert read["lnk-g"].content_hash() == day_off.content_hash()
    assert read["lnk-h"].content_hash() == night.content_hash()
    assert read["lnk-h"].end - read["lnk-h"].start == timedelta(hours=3, minutes=30)  # type: ignore[operator]


def test_a_revoked_refresh_token_asks_to_reauthorise(sandbox):
    settings = settings_of(sandbox).model_copy(
        update={"refresh_token": SecretStr("1//revoked-refresh-token")}
    )
    with make_connector(sandbox, settings) as connector, pytest.raises(AuthError, match="re-authorise"):
        connector.fetch_changes(None)
    assert requests(sandbox) == [(*TOKEN, 400)]


def service_account_settings(sandbox, pem: str, subject: str) -> GoogleSettings:
    return GoogleSettings(
        base_url=sandbox.base_url("google"),
        token_uri=sandbox.root_url("google") + "/token",
        service_account_json=SecretStr(service_account_json(pem)),
        subject=subject,
    )


def test_a_service_account_with_delegation_reads_the_calendar(sandbox, private_key_pem):
    settings = service_account_settings(sandbox, private_key_pem, "sophie@brightpath.coach")
    with make_connector(sandbox, settings) as connector:
        created = connector.create(new_event("Weekly metrics"), link_id="lnk-i")
    assert sandbox.emulators["google"].store.events[created.remote_id]["creator"] == {
        "email": "sophie@brightpath.coach"
    }
    outsider = service_account_settings(sandbox, private_key_pem, "someone@elsewhere.example")
    with make_connector(sandbox, outsider) as connector, pytest.raises(AuthError, match="delegation"):
        connector.fetch_changes(None)
    assert [s for m, p, s in requests(sandbox) if p == "/token"] == [200, 401]
