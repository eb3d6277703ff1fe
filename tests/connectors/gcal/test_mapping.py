"""Google events <-> canonical events, on real-shaped payloads (fixtures/*.json)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from connectors.errors import BadData
from connectors.gcal.mapping import (
    LINK_PROPERTY,
    WIRE_KEYS,
    attendee_list,
    event_id_for_link,
    link_of,
    represent,
    to_body,
    to_event,
    to_remote,
    wire_keys,
)
from connectors.gcal.models import GoogleEvent
from sync.model import Event
from tests.contract.spec import load_spec

FIXTURES = Path(__file__).parent / "fixtures"
PARIS = "Europe/Paris"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def mapped(name: str) -> Event:
    return to_event(GoogleEvent.model_validate(fixture(name)), calendar_timezone=PARIS)


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_fixtures_conform_to_the_official_schema(name: str) -> None:
    url = "https://www.googleapis.com/calendar/v3/calendars/primary/events/x"
    assert load_spec("gcal").check_response("GET", url, 200, fixture(name)) == []


def test_all_day_event_has_date_bounds_with_an_exclusive_end() -> None:
    event = mapped("allday")
    assert event.all_day is True
    assert (event.start, event.end) == (date(2026, 11, 26), date(2026, 11, 27))
    assert event.timezone == PARIS  # no start.timeZone: the calendar's
    assert event.title == "Spring Launch: sales page live"


def test_multi_day_all_day_event_spans_its_days() -> None:
    event = mapped("allday_multiday")
    assert event.all_day
    assert event.end - event.start == timedelta(days=2)  # type: ignore[operator]
    assert event.description == "Annual leave"


def test_recurring_instance_is_an_ordinary_event_under_its_instance_id() -> None:
    raw = GoogleEvent.model_validate(fixture("recurring_instance"))
    remote = to_remote(raw, calendar_timezone=PARIS)
    assert remote.remote_id == "5hni4sj3ql1669otmjg7sn1mok_20261130T083000Z"
    assert raw.recurring_event_id == "5hni4sj3ql1669otmjg7sn1mok"
    assert raw.original_start_time is not None
    assert raw.original_start_time.date_time == "2026-11-30T09:30:00+01:00"
    # The moved occurrence: Tuesday 10:00, not the Monday slot it is named after.
    assert remote.item.start == datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo(PARIS))
    assert remote.version == '"3486122104630000"'


def test_cancelled_stub_carries_only_its_id_and_is_not_an_event() -> None:
    raw = GoogleEvent.model_validate(fixture("cancelled"))
    assert raw.cancelled and raw.id == "0a1b2c3d4e5f6g7h8i9j0k1l2m"
    with pytest.raises(BadData, match="no start or end"):
        to_event(raw, calendar_timezone=PARIS)


def test_event_across_the_dst_change_keeps_its_real_duration() -> None:
    event = mapped("dst_change")
    assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
    # 01:30 CEST (UTC+2) to 04:00 CET (UTC+1): 23:30Z to 03:00Z.
    assert event.end - event.start == timedelta(hours=3, minutes=30)
    assert event.start.utcoffset() == timedelta(hours=2)
    assert event.end.utcoffset() == timedelta(hours=1)
    assert (event.start.hour, event.end.hour) == (1, 4)


def test_extended_properties_carry_the_link_and_the_task() -> None:
    raw = GoogleEvent.model_validate(fixture("linked"))
    event = to_event(raw, calendar_timezone=PARIS)
    assert link_of(raw) == "lnk-7f3a9c"
    assert event.task_link == "lnk-task-017"
    assert event.status == "tentative"
    assert event.url is not None and event.url.startswith("https://www.google.com/calendar/event?eid=")


def test_timed_event_in_another_time_zone_keeps_its_zone() -> None:
    event = mapped("other_timezone")
    assert event.timezone == "America/New_York"
    assert isinstance(event.start, datetime)
    assert event.start.utcoffset() == timedelta(hours=-5)
    assert event.start == datetime(2026, 11, 26, 15, 0, tzinfo=ZoneInfo(PARIS))  # the same instant


def test_naive_date_time_is_read_in_its_time_zone() -> None:
    raw = GoogleEvent.model_validate(
        {
            "id": "abcde12345",
            "start": {"dateTime": "2026-11-26T09:00:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-11-26T10:00:00", "timeZone": "America/New_York"},
        }
    )
    event = to_event(raw, calendar_timezone=PARIS)
    assert event.start == datetime(2026, 11, 26, 14, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"start": {"dateTime": "2026-11-26T09:00:00+01:00", "timeZone": "Mars/Olympus"}},
            "unknown time zone",
        ),
        ({"end": {"date": "2026-11-20"}}, "not a valid event"),  # all-day end before its start
        ({"end": {"dateTime": "2026-11-27T10:00:00+01:00"}}, "not a valid event"),  # date start, timed end
        ({"start": {"date": "26/11/2026"}}, "malformed"),
        ({"status": "postponed"}, "unknown status"),
    ],
)
def test_unmappable_events_are_bad_data(change: dict[str, Any], problem: str) -> None:
    raw = GoogleEvent.model_validate({**fixture("allday"), **change})
    with pytest.raises(BadData, match=problem) as caught:
        to_event(raw, calendar_timezone=PARIS)
    assert caught.value.service == "google"


def test_event_id_for_a_link_is_deterministic_base32hex() -> None:
    first, again, other = event_id_for_link("lnk-1"), event_id_for_link("lnk-1"), event_id_for_link("lnk-2")
    assert first == again != other
    assert re.fullmatch(r"[a-v0-9]{32}", first)


def _served(body: dict[str, Any], *, calendar_timezone: str = PARIS) -> GoogleEvent:
    """What the API answers to an insert: the body plus server fields."""
    return GoogleEvent.model_validate(
        {
            **body,
            "kind": "calendar#event",
            "etag": '"1"',
            "htmlLink": "https://www.google.com/calendar/event?eid=x",
        }
    )


@pytest.mark.parametrize(
    "event",
    [
        Event(
            title="Send invoice to Nadia Haddad",
            description="Line one\n\nline two",
            start=datetime(2026, 11, 27, 14, 0, tzinfo=ZoneInfo(PARIS)),
            end=datetime(2026, 11, 27, 14, 30, tzinfo=ZoneInfo(PARIS)),
            all_day=False,
            timezone=PARIS,
            status="tentative",
            task_link="lnk-task-017",
        ),
        Event(
            title="Priya off",
            start=date(2026, 12, 2),
            end=date(2026, 12, 4),
            all_day=True,
            timezone=PARIS,
        ),
        Event(
            title="Server migration",
            start=datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo(PARIS)),
            end=datetime(2026, 10, 25, 4, 0, tzinfo=ZoneInfo(PARIS)),
            all_day=False,
            timezone=PARIS,
        ),
        Event(
            title="Discovery call — Tom Whitaker",
            start=datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("America/New_York")),
            end=datetime(2026, 11, 26, 9, 45, tzinfo=ZoneInfo("America/New_York")),
            all_day=False,
            timezone="America/New_York",
        ),
    ],
    ids=["timed-linked", "all-day", "dst", "new-york"],
)
def test_round_trip_canonical_body_event_canonical(event: Event) -> None:
    body = to_body(event, event_id=event_id_for_link("lnk-1"), link_id="lnk-1")
    raw = _served(body)
    back = to_event(raw, calendar_timezone=PARIS)
    assert back.model_copy(update={"url": None}) == event
    assert back.content_hash() == event.content_hash()
    assert link_of(raw) == "lnk-1"


def test_insert_body_is_what_the_api_takes() -> None:
    event = Event(
        title="Kickoff", start=date(2026, 12, 2), end=date(2026, 12, 3), all_day=True, timezone=PARIS
    )
    body = to_body(event, event_id="abcde12345", link_id="lnk-9")
    assert body == {
        "id": "abcde12345",
        "summary": "Kickoff",
        "description": "",
        "start": {"date": "2026-12-02"},
        "end": {"date": "2026-12-03"},
        "status": "confirmed",
        "extendedProperties": {"private": {LINK_PROPERTY: "lnk-9"}},
    }
    timed = to_body(
        event.model_copy(
            update={
                "start": datetime(2026, 12, 2, 9, tzinfo=ZoneInfo(PARIS)),
                "end": datetime(2026, 12, 2, 10, tzinfo=ZoneInfo(PARIS)),
                "all_day": False,
            }
        )
    )
    assert timed["start"] == {"dateTime": "2026-12-02T09:00:00+01:00", "timeZone": PARIS}
    assert "id" not in timed and "extendedProperties" not in timed  # a patch keeps the stored marks


def test_every_synced_field_has_its_wire_keys() -> None:
    synced = set(Event.model_fields) - Event.UNSYNCED
    assert set(WIRE_KEYS) == synced
    assert wire_keys(None) == {
        "summary", "description", "start", "end", "status", "extendedProperties", "attendees",
    }  # fmt: skip
    assert wire_keys({"url"}) == frozenset()


PEOPLE = frozenset({"camille@brightpath.coach", "lea@brightpath.coach"})


def test_attendees_are_the_workspaces_people_in_lower_case() -> None:
    raw = GoogleEvent.model_validate(
        {
            **fixture("linked"),
            "attendees": [
                {"email": "Camille@BrightPath.coach", "responseStatus": "accepted"},
                {"email": "nadia@client.example"},
                {"email": "room-1@resource.calendar.google.com", "resource": True},
                {"displayName": "no email"},
            ],
        }
    )
    assert to_event(raw, calendar_timezone=PARIS, people=PEOPLE).attendees == {"camille@brightpath.coach"}
    assert to_event(raw, calendar_timezone=PARIS).attendees == frozenset()  # no people configured


def test_the_guest_list_keeps_outsiders_and_answers() -> None:
    current = GoogleEvent.model_validate(
        {
            "id": "abcde12345",
            "attendees": [
                {"email": "nadia@client.example", "responseStatus": "accepted"},
                {"email": "camille@brightpath.coach", "responseStatus": "tentative", "optional": True},
                {"email": "lea@brightpath.coach", "responseStatus": "declined"},
            ],
        }
    ).attendees
    assert current is not None
    assert attendee_list({"Camille@brightpath.coach", "bob@elsewhere.example"}, PEOPLE, current) == [
        {"email": "nadia@client.example", "responseStatus": "accepted"},
        {"email": "camille@brightpath.coach", "responseStatus": "tentative", "optional": True},
    ]
    assert attendee_list({"lea@brightpath.coach"}, PEOPLE) == [{"email": "lea@brightpath.coach"}]


NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("event", "held"),
    [
        (  # a fraction of a second is dropped; the zone's fixed offset at that moment is used
            Event(
                title="t",
                start=datetime(2026, 11, 27, 13, 0, 5, 250000, tzinfo=ZoneInfo("UTC")),
                end=datetime(2026, 11, 27, 13, 30, tzinfo=ZoneInfo("UTC")),
                all_day=False,
                timezone=PARIS,
            ),
            (datetime(2026, 11, 27, 14, 0, 5), datetime(2026, 11, 27, 14, 30), PARIS, timedelta(hours=1)),
        ),
        (  # no zone named: the calendar's
            Event(
                title="t",
                start=datetime(2026, 7, 1, 9, tzinfo=NEW_YORK),
                end=datetime(2026, 7, 1, 10, tzinfo=NEW_YORK),
                all_day=False,
            ),
            (datetime(2026, 7, 1, 15, 0), datetime(2026, 7, 1, 16, 0), PARIS, timedelta(hours=2)),
        ),
        (  # a date carries no zone on the wire: an all-day event reads back in the calendar's
            Event(
                title="t", start=date(2026, 12, 2), end=date(2026, 12, 3), all_day=True, timezone="Asia/Tokyo"
            ),
            (date(2026, 12, 2), date(2026, 12, 3), PARIS, None),
        ),
    ],
    ids=["seconds", "no-zone", "all-day"],
)
def test_represent_is_what_a_write_then_a_read_gives(event: Event, held: tuple[Any, ...]) -> None:
    start, end, zone, offset = held
    shown = represent(event, calendar_timezone=PARIS, people=PEOPLE, invites=True)
    assert shown.timezone == zone
    if offset is None:
        assert (shown.start, shown.end) == (start, end)
    else:
        assert isinstance(shown.start, datetime) and isinstance(shown.end, datetime)
        assert (shown.start.replace(tzinfo=None), shown.end.replace(tzinfo=None)) == (start, end)
        assert shown.start.utcoffset() == offset


def test_represent_keeps_only_the_people_the_hub_may_invite() -> None:
    event = Event(
        title="t",
        start=date(2026, 12, 2),
        end=date(2026, 12, 3),
        all_day=True,
        attendees=frozenset({"Lea@brightpath.coach", "nadia@client.example"}),
    )
    assert represent(event, calendar_timezone=PARIS, people=PEOPLE, invites=True).attendees == {
        "lea@brightpath.coach"
    }
    assert represent(event, calendar_timezone=PARIS, people=PEOPLE, invites=False).attendees == frozenset()
