"""Pure conversions between Google Calendar events and the canonical `Event`. No I/O.

Where the hub keeps its marks (private to this calendar's copy, filterable with
`privateExtendedProperty=name=value`, NOTES.md §2.2):
- `extendedProperties.private["obmHubLink"]`: the hub's link id of the event itself;
- `extendedProperties.private["obmHubTask"]`: the link id of the task the event stands for.

Times: `start`/`end` hold `dateTime` (RFC 3339; the offset may be left out when `timeZone` is given)
or `date` (an all-day event; `end.date` is exclusive). Timed bounds become the local time of the
event's zone (`start.timeZone`, else the calendar's) with that moment's FIXED offset, so `end - start`
is the real duration: two datetimes sharing one ZoneInfo subtract in wall-clock time, and 01:30 CEST
to 04:00 CET would come out as 2h30 instead of 3h30. The zone's name is kept in `Event.timezone`.
All-day bounds stay dates.

Attendees: `Event.attendees` holds the lower-case emails of the guests who are the workspace's people;
other guests (clients, rooms) are the calendar's business. A write sets the workspace's people on the
list and leaves every other guest, and every kept guest's answer, as it was (`attendee_list`): the
API replaces arrays whole on a patch, so the list is always sent complete. Service accounts acting as
themselves may not write attendees at all ("Service accounts need to use domain-wide delegation of
authority to populate the attendee list", discovery `Event.attendees`).

`represent` is the event as Google holds it after a write and a read: times to the second (the API's
RFC 3339 times carry no fraction), in the event's zone, or the calendar's when the event names none;
an all-day event in the calendar's zone (a date carries no zone on the wire); only the workspace's
people as attendees, none when the hub may not invite.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from connectors.errors import BadData
from connectors.gcal.models import GoogleAttendee, GoogleEvent, GoogleEventDateTime
from sync.connector import Remote
from sync.model import Event

SERVICE = "google"
LINK_PROPERTY = "obmHubLink"
TASK_PROPERTY = "obmHubTask"
STATUSES = ("confirmed", "tentative", "cancelled")
# The body keys that carry each synced field. The bounds go together: both dates, or both dateTimes
# in one zone, so a change to either (or to the zone, or to all-day) sends both.
BOUNDS = ("start", "end")
WIRE_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("summary",),
    "description": ("description",),
    "start": BOUNDS,
    "end": BOUNDS,
    "all_day": BOUNDS,
    "timezone": BOUNDS,
    "status": ("status",),
    "task_link": ("extendedProperties",),
    "attendees": ("attendees",),
}


def event_id_for_link(link_id: str) -> str:
    """The event id the hub uses for `link_id`: 32 base32hex characters (a-v, 0-9), as the API requires.

    Deterministic, so a retried insert carries the same id and the API answers 409 instead of
    creating a duplicate.
    """
    digest = hashlib.sha256(f"obm-hub:{link_id}".encode()).digest()[:20]
    return base64.b32hexencode(digest).decode().lower()


def link_of(raw: GoogleEvent) -> str | None:
    return raw.private_property(LINK_PROPERTY)


def to_event(raw: GoogleEvent, *, calendar_timezone: str, people: frozenset[str] = frozenset()) -> Event:
    """The canonical event; `BadData` when the raw event cannot be one (no bounds, unknown zone...)."""
    if raw.start is None or raw.end is None:
        raise _bad(raw, "has no start or end")
    zone_name = raw.start.time_zone or calendar_timezone
    zone = _zone(raw, zone_name)
    status = raw.status or "confirmed"
    if status not in STATUSES:
        raise _bad(raw, f"has an unknown status {status!r}")
    try:
        return Event(
            title=raw.summary or "",
            description=raw.description or "",
            start=_bound(raw, raw.start, zone),
            end=_bound(raw, raw.end, zone),
            all_day=raw.start.date is not None,
            timezone=zone_name,
            status=status,  # type: ignore[arg-type]  # checked against STATUSES above
            task_link=raw.private_property(TASK_PROPERTY),
            attendees=frozenset(_email(guest) for guest in raw.attendees or ()) & people,
            url=raw.html_link,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"] if exc.errors() else "is invalid"
        raise _bad(raw, f"is not a valid event ({problem})") from None


def to_remote(
    raw: GoogleEvent, *, calendar_timezone: str, people: frozenset[str] = frozenset()
) -> Remote[Event]:
    """The service's copy: id, etag as the version, the hub's link and the canonical content."""
    return Remote(
        remote_id=raw.id,
        version=raw.etag,
        item=to_event(raw, calendar_timezone=calendar_timezone, people=people),
        link_id=link_of(raw),
        url=raw.html_link,
    )


def to_body(
    event: Event,
    *,
    event_id: str | None = None,
    link_id: str | None = None,
    attendees: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An insert (with `event_id` and `link_id`) or patch body for `event`; `attendees` (from
    `attendee_list`) is sent when given.

    A patch merges `extendedProperties.private` key by key, so leaving `obmHubLink` out keeps it.
    A `task_link` of None is left out too: the patch then keeps whatever task the event named.
    """
    private = {LINK_PROPERTY: link_id, TASK_PROPERTY: event.task_link}
    body: dict[str, Any] = {
        "id": event_id,
        "summary": event.title,
        "description": event.description,
        "start": _wire_bound(event.start, event.timezone),
        "end": _wire_bound(event.end, event.timezone),
        "status": event.status,
        "extendedProperties": {"private": {k: v for k, v in private.items() if v is not None}},
        "attendees": attendees,
    }
    if not body["extendedProperties"]["private"]:
        del body["extendedProperties"]
    return {key: value for key, value in body.items() if value is not None}


def wire_keys(fields: Iterable[str] | None) -> frozenset[str]:
    """The body keys that carry these canonical fields (all synced fields when None)."""
    if fields is None:
        return frozenset(key for keys in WIRE_KEYS.values() for key in keys)
    unknown = set(fields) - set(Event.model_fields)
    if unknown:
        raise ValueError(f"not fields of an event: {sorted(unknown)}")
    return frozenset(key for name in fields for key in WIRE_KEYS.get(name, ()))  # unsynced: nothing


def attendee_list(
    wanted: Iterable[str], people: frozenset[str], current: Sequence[GoogleAttendee] = ()
) -> list[dict[str, Any]]:
    """The guest list to write: `current` with the workspace's people set to `wanted`.

    Guests who are not the workspace's people stay, and so does every kept guest's entry (her answer,
    her comment); wanted people not yet invited are added by email.
    """
    chosen = {email.lower() for email in wanted} & people
    kept = [guest for guest in current if _email(guest) not in people or _email(guest) in chosen]
    present = {_email(guest) for guest in kept}
    return [guest.to_api() for guest in kept] + [{"email": email} for email in sorted(chosen - present)]


def represent(event: Event, *, calendar_timezone: str, people: frozenset[str], invites: bool) -> Event:
    """`event` as Google holds it after a write and a read (see the module docstring)."""
    if event.all_day:
        zone_name, start, end = calendar_timezone, event.start, event.end
    else:
        zone_name = event.timezone or calendar_timezone
        zone = ZoneInfo(zone_name)
        start, end = (_held(bound, zone) for bound in (event.start, event.end))
    attendees = frozenset(email.lower() for email in event.attendees) & people if invites else frozenset()
    held = {"timezone": zone_name, "start": start, "end": end, "attendees": attendees}
    return event.model_copy(update=held)


def _held(bound: date | datetime, zone: ZoneInfo) -> date | datetime:
    assert isinstance(bound, datetime)  # a timed event's bounds (the model checks it)
    local = bound.replace(microsecond=0).astimezone(zone)
    return local.replace(tzinfo=timezone(local.utcoffset() or timedelta(0)))


def _email(guest: GoogleAttendee) -> str:
    return (guest.email or "").lower()


def _wire_bound(bound: date | datetime, timezone: str | None) -> dict[str, str]:
    if not isinstance(bound, datetime):
        return {"date": bound.isoformat()}
    wire = {"dateTime": bound.isoformat()}
    if timezone:
        wire["timeZone"] = timezone
    return wire


def _bound(raw: GoogleEvent, value: GoogleEventDateTime, zone: ZoneInfo) -> date | datetime:
    try:
        if value.date is not None:
            return date.fromisoformat(value.date)
        if value.date_time is not None:
            parsed = datetime.fromisoformat(value.date_time)
            if parsed.tzinfo is None:
                # "A time zone offset is required unless a time zone is explicitly specified in timeZone."
                parsed = parsed.replace(tzinfo=_zone(raw, value.time_zone) if value.time_zone else zone)
            # One zone per event (the start's): an end given in another zone is the same instant.
            local = parsed.astimezone(zone)
            return local.replace(tzinfo=timezone(local.utcoffset() or timedelta(0)))
    except ValueError:
        raise _bad(raw, "has a malformed date or dateTime") from None
    raise _bad(raw, "has a bound with neither date nor dateTime")


def _zone(raw: GoogleEvent, name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _bad(raw, f"names an unknown time zone {name!r}") from None


def _bad(raw: GoogleEvent, problem: str) -> BadData:
    return BadData(f"google event {raw.id} {problem}", service=SERVICE)
