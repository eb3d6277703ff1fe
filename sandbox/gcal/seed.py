"""The demo business's calendar as Google stores it: Business.events -> CalendarStore.

Deterministic: ids are base32hex digests of the business keys, timestamps derive from the business's
reference time. Timed events carry `dateTime` (with the Paris offset) and `timeZone`; all-day ones a
`date` with an exclusive end. The weekly "Team sync" is a master with its RRULE; its moved instance is
an exception named after the slot it left (`{masterId}_{YYYYMMDDTHHMMSSZ}`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.business import BizEvent, Business
from sandbox.gcal.recurrence import instance_id, wire
from sandbox.gcal.store import CalendarStore, base32hex_id, rfc3339

# An endless series is expanded this far past the business's reference time (see recurrence.py).
HORIZON = timedelta(days=365)


def seed_store(business: Business) -> CalendarStore:
    workspace = business.workspace
    calendar_id = workspace.google.calendar_id if workspace.google else "primary"
    owner = next(p for p in business.people if p.role == "owner")
    store = CalendarStore(
        calendar_id=calendar_id,
        summary=f"{workspace.name} — Team",
        time_zone=workspace.timezone,
        horizon=business.now + HORIZON,
        owner=owner.email,
    )
    for index, event in enumerate(business.events):
        # Written a few weeks before "now", one minute apart, in the business's order.
        written = business.now - timedelta(days=21) + timedelta(minutes=index)
        master = _resource(store, business, event, event_id(event.key), written)
        store.record(master, written)
        for original, start, end in event.moved_instances:
            exception = _moved(store, master, original, start, end)
            store.record(exception, written + timedelta(seconds=30))
    return store


def event_id(key: str) -> str:
    """The seeded id of a business event ("event-team-sync" -> 26 base32hex characters)."""
    return base32hex_id(f"gcal:{key}")


def _resource(
    store: CalendarStore, business: Business, event: BizEvent, event_id: str, written: datetime
) -> dict[str, Any]:
    owner = business.person(store.owner)
    resource: dict[str, Any] = {
        "kind": "calendar#event",
        "id": event_id,
        "status": "confirmed",
        "htmlLink": store.html_link(event_id),
        "created": rfc3339(written),
        "summary": event.title,
        "creator": {"email": owner.email, "displayName": owner.name},
        "organizer": {"email": store.calendar_id, "displayName": store.summary, "self": True},
        "start": wire(event.start, store.time_zone),
        "end": wire(event.end, store.time_zone),
        "iCalUID": f"{event_id}@google.com",
        "sequence": 0,
        "reminders": {"useDefault": True},
        "eventType": "default",
    }
    optional = {"description": event.description, "location": event.location}
    resource.update({key: value for key, value in optional.items() if value})
    if event.recurrence:
        resource["recurrence"] = list(event.recurrence)
    if event.attendees:
        resource["attendees"] = [_attendee(business, email, store.owner) for email in event.attendees]
    if event.all_day:
        resource["transparency"] = "transparent"  # all-day markers do not block the day
    return resource


def _attendee(business: Business, email: str, organizer: str) -> dict[str, Any]:
    person = business.person(email)
    attendee: dict[str, Any] = {"email": email, "displayName": person.name, "responseStatus": "accepted"}
    if email == organizer:
        attendee["organizer"] = True
    return attendee


def _moved(
    store: CalendarStore, master: dict[str, Any], original: datetime, start: datetime, end: datetime
) -> dict[str, Any]:
    moved_id = instance_id(master["id"], original)
    exception = {key: value for key, value in master.items() if key != "recurrence"}
    exception.update(
        id=moved_id,
        htmlLink=store.html_link(moved_id),
        recurringEventId=master["id"],
        originalStartTime=wire(original, store.time_zone),
        start=wire(start, store.time_zone),
        end=wire(end, store.time_zone),
        sequence=1,
    )
    return exception
