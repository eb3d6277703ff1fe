"""The Calendar emulator's state: one calendar's events and the change counter behind sync tokens.

Every write stores the whole event (a deleted one too: `events.get` "always returns" cancelled events)
and stamps it with the next change number; sync tokens carry a change number, so an incremental list
returns exactly what was written after it. Recurring series are stored as masters (with `recurrence`)
plus exceptions (`{masterId}_{stamp}`, `recurringEventId`, `originalStartTime`); writing to an
instance that has no exception yet creates one, as the real API does.

Patch semantics (https://developers.google.com/calendar/api/guides/performance#patch): given fields
replace the stored ones and arrays are replaced whole; `extendedProperties.private`/`.shared` are
merged key by key (so a client can set one mark without erasing another). That merge is our reading of
"patch" for nested objects; NOTES.md records no example of it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.emulator import ApiError
from sandbox.gcal.recurrence import Occurrence, occurrences, parse_bound, wire

ID_ALPHABET = frozenset("abcdefghijklmnopqrstuv0123456789")  # base32hex, lower case
STATUSES = ("confirmed", "tentative", "cancelled")
# Fields the server owns: ignored in a request body, kept across writes.
READ_ONLY = frozenset(
    {
        "kind", "etag", "id", "htmlLink", "created", "updated", "creator", "organizer", "iCalUID",
        "recurringEventId", "originalStartTime", "hangoutLink", "privateCopy", "locked", "sequence",
    }
)  # fmt: skip
MERGED = ("extendedProperties",)
_SUBSECOND = re.compile(r"(T\d{2}:\d{2}:\d{2})\.\d+")


def base32hex_id(text: str, length: int = 26) -> str:
    """A deterministic event id in the API's alphabet (a-v, 0-9)."""
    digest = hashlib.sha256(text.encode()).digest()
    return base64.b32hexencode(digest).decode().lower().rstrip("=")[:length]


def rfc3339(moment: datetime) -> str:
    """`updated`/`created` as the API writes them: UTC with milliseconds and `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bad_request(message: str, reason: str = "invalid", **where: str) -> ApiError:
    """A 400 in Google's shape; `where` adds `domain` (default "global"), `location`, `locationType`."""
    return ApiError(400, message, reason, **{"domain": "global", **where})


@dataclass
class CalendarStore:
    calendar_id: str
    summary: str
    time_zone: str
    horizon: datetime  # endless series are expanded up to here
    owner: str  # the calendar's owner: organizer and creator of what the sandbox user writes
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)  # event id -> change number of its last write
    seq: int = 0
    sync_epoch: int = 0  # bumped by `expire_sync_tokens()`: every older token is refused
    ids_issued: int = 0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    # -- reads ---------------------------------------------------------------------------------

    def get(self, event_id: str) -> dict[str, Any]:
        """The stored event, or the instance a series generates under this id; 404 otherwise."""
        if event_id in self.events:
            return self.events[event_id]
        found = self.generated_instance(event_id)
        if found is None:
            raise ApiError(404, "Not Found", "notFound", domain="global")
        return found

    def generated_instance(self, event_id: str) -> dict[str, Any] | None:
        master_id, _, stamp = event_id.rpartition("_")
        master = self.events.get(master_id)
        if not stamp or master is None or not master.get("recurrence"):
            return None
        for occurrence in self.occurrences(master):
            if occurrence.instance_id(master_id) == event_id:
                return self.instance_view(master, occurrence)
        return None

    def occurrences(self, master: dict[str, Any]) -> list[Occurrence]:
        return list(occurrences(master, self.time_zone, self.horizon))

    def instance_view(self, master: dict[str, Any], occurrence: Occurrence) -> dict[str, Any]:
        """An instance of `master` as `singleEvents=true` shows it."""
        zone = master["start"].get("timeZone") or self.time_zone
        view = {key: value for key, value in master.items() if key != "recurrence"}
        view["id"] = occurrence.instance_id(master["id"])
        view["recurringEventId"] = master["id"]
        view["originalStartTime"] = wire(occurrence.original, zone)
        view["start"], view["end"] = wire(occurrence.start, zone), wire(occurrence.end, zone)
        view["htmlLink"] = self.html_link(view["id"])
        return view

    def exceptions_of(self, master_id: str) -> dict[str, dict[str, Any]]:
        return {i: e for i, e in self.events.items() if e.get("recurringEventId") == master_id}

    def html_link(self, event_id: str) -> str:
        eid = base64.urlsafe_b64encode(f"{event_id} {self.calendar_id}".encode()).decode().rstrip("=")
        return f"https://www.google.com/calendar/event?eid={eid}"

    # -- writes --------------------------------------------------------------------------------

    def record(self, resource: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Store a write: next change number, new `updated` and etag."""
        self.seq += 1
        resource["updated"] = rfc3339(now)
        # Real etags are quoted digit strings ("\"3485816051818142\""); ours change with every write.
        resource["etag"] = f'"{int(now.timestamp() * 1000)}{self.seq % 1000:03d}"'
        self.events[resource["id"]] = resource
        self.changed[resource["id"]] = self.seq
        return resource

    def insert(self, body: dict[str, Any], now: datetime, creator: str) -> dict[str, Any]:
        event_id = body.get("id") or self._new_id()
        _check_id(event_id)
        if event_id in self.events:
            raise ApiError(409, "The requested identifier already exists.", "duplicate", domain="global")
        resource = {
            "kind": "calendar#event",
            "id": event_id,
            "status": "confirmed",
            "htmlLink": self.html_link(event_id),
            "created": rfc3339(now),
            "creator": {"email": creator},
            "organizer": {"email": self.calendar_id, "displayName": self.summary, "self": True},
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
            **_writable(body),
        }
        self._validate(resource)
        return self.record(resource, now)

    def patch(
        self, event_id: str, body: dict[str, Any], if_match: str | None, now: datetime
    ) -> dict[str, Any]:
        current = self._current(event_id, if_match)
        changes = _writable(body)
        merged = {**current, **changes}
        for name in MERGED:
            if isinstance(changes.get(name), dict) and isinstance(current.get(name), dict):
                merged[name] = _merge_properties(current[name], changes[name])
        return self._replace(current, merged, now)

    def update(
        self, event_id: str, body: dict[str, Any], if_match: str | None, now: datetime
    ) -> dict[str, Any]:
        current = self._current(event_id, if_match)
        kept = {key: value for key, value in current.items() if key in READ_ONLY}
        return self._replace(current, {"status": "confirmed", **kept, **_writable(body)}, now)

    def delete(self, event_id: str, if_match: str | None, now: datetime) -> None:
        current = self._current(event_id, if_match)
        if current.get("status") == "cancelled":
            raise ApiError(410, "Resource has been deleted", "deleted", domain="global")
        self.record({**current, "status": "cancelled"}, now)
        if current.get("recurrence"):  # the series' exceptions go with it
            for exception in self.exceptions_of(event_id).values():
                if exception.get("status") != "cancelled":
                    self.record({**exception, "status": "cancelled"}, now)

    def purge_cancelled(self) -> list[str]:
        """Forget deleted events ("Such cancelled events will eventually disappear", discovery
        `Event.status`); cancelled exceptions of a live series stay, as clients keep them "for the
        lifetime of the parent recurring event". The ids purged, in order."""
        gone = sorted(event_id for event_id, event in self.events.items() if self._purgeable(event))
        for event_id in gone:
            del self.events[event_id]
            del self.changed[event_id]
        return gone

    def _purgeable(self, event: dict[str, Any]) -> bool:
        if event.get("status") != "cancelled":
            return False
        master = self.events.get(event.get("recurringEventId", ""))
        return master is None or master.get("status") == "cancelled"

    def _current(self, event_id: str, if_match: str | None) -> dict[str, Any]:
        current = dict(self.get(event_id))
        if if_match is not None and if_match not in ("*", current.get("etag")):
            raise ApiError(
                412, "Precondition Failed", "conditionNotMet", domain="global",
                locationType="header", location="If-Match",
            )  # fmt: skip
        return current

    def _replace(self, current: dict[str, Any], new: dict[str, Any], now: datetime) -> dict[str, Any]:
        self._validate(new)
        if (new.get("start"), new.get("end")) != (current.get("start"), current.get("end")):
            new["sequence"] = int(current.get("sequence", 0)) + 1
        return self.record(new, now)

    def _new_id(self) -> str:
        self.ids_issued += 1
        return base32hex_id(f"{self.calendar_id}:server:{self.ids_issued}")

    def _validate(self, resource: dict[str, Any]) -> None:
        for name in ("start", "end"):
            if not isinstance(resource.get(name), dict):
                raise bad_request(f"Missing {name} time.", "required")
        if resource.get("status", "confirmed") not in STATUSES:
            raise bad_request("Invalid value for: status")
        start, end = self._bound(resource, "start"), self._bound(resource, "end")
        if type(start) is not type(end):
            raise bad_request("The start and end times must both be dates or both be date-times.")
        if end < start:  # type: ignore[operator]
            raise bad_request("The specified time range is empty.", "timeRangeEmpty", domain="calendar")
        if resource.get("recurrence"):
            if "dateTime" in resource["start"] and not resource["start"].get("timeZone"):
                raise bad_request("Missing time zone definition for start time.", "required")
            try:
                self.occurrences(resource)
            except (ValueError, KeyError):  # a malformed line, or an unknown TZID (ZoneInfoNotFoundError)
                raise bad_request("Invalid recurrence rule.") from None

    def _bound(self, resource: dict[str, Any], name: str) -> Any:
        bound = resource[name]
        if ("date" in bound) == ("dateTime" in bound):
            raise bad_request(f"Invalid {name} time.")
        try:
            zone = ZoneInfo(bound["timeZone"]) if bound.get("timeZone") else None
            naive = "dateTime" in bound and datetime.fromisoformat(bound["dateTime"]).tzinfo is None
            value = parse_bound(bound, self.zone)
        except (ValueError, TypeError, ZoneInfoNotFoundError):
            raise bad_request(f"Invalid {name} time.") from None
        if naive and zone is None:
            # "A time zone offset is required unless a time zone is explicitly specified in timeZone."
            raise bad_request(f"Missing time zone definition for {name} time.", "required")
        return value

    # -- persistence ---------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        return {
            "calendar_id": self.calendar_id,
            "summary": self.summary,
            "time_zone": self.time_zone,
            "horizon": self.horizon.isoformat(),
            "owner": self.owner,
            "events": self.events,
            "changed": self.changed,
            "seq": self.seq,
            "sync_epoch": self.sync_epoch,
            "ids_issued": self.ids_issued,
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> CalendarStore:
        return cls(**{**data, "horizon": datetime.fromisoformat(data["horizon"])})


def _writable(body: dict[str, Any]) -> dict[str, Any]:
    """The body's writable fields, as the service stores them (see `_stored_bound`, `_attendee`)."""
    writable = {key: value for key, value in body.items() if key not in READ_ONLY}
    for name in ("start", "end"):
        if isinstance(writable.get(name), dict):
            writable[name] = _stored_bound(writable[name])
    if isinstance(writable.get("attendees"), list):
        writable["attendees"] = [_attendee(entry) for entry in writable["attendees"]]
    return writable


def _stored_bound(bound: dict[str, Any]) -> dict[str, Any]:
    # Event times are kept to the second: the API's RFC 3339 times never show a fraction, and for
    # time bounds "Milliseconds may be provided but are ignored" (discovery, `timeMin`). A sandbox
    # reading, applied to `start`/`end` as well.
    value = bound.get("dateTime")
    if not isinstance(value, str):
        return bound
    return {**bound, "dateTime": _SUBSECOND.sub(r"\1", value)}


def _attendee(entry: object) -> dict[str, Any]:
    # "email ... must be present when adding an attendee"; a new attendee's response is
    # "needsAction" (`EventAttendee.responseStatus`, recommended for new events).
    if not isinstance(entry, dict) or not isinstance(entry.get("email"), str) or "@" not in entry["email"]:
        raise bad_request("Invalid attendee email.", "invalid")
    return {"responseStatus": "needsAction", **entry}


def _merge_properties(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for scope, values in changes.items():
        if isinstance(values, dict) and isinstance(current.get(scope), dict):
            merged[scope] = {**current[scope], **values}
        else:
            merged[scope] = values
    return merged


def _check_id(event_id: object) -> None:
    text = str(event_id)
    if not isinstance(event_id, str) or not 5 <= len(text) <= 1024 or not set(text) <= ID_ALPHABET:
        raise bad_request("Invalid resource id value.")
