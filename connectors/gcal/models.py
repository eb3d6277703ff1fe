"""Raw Google Calendar v3 shapes, as the API sends them (discovery `schemas.Event`, `schemas.Events`).

Only the fields the hub reads are declared; everything else is kept (`extra="allow"`) because the
API adds fields over time. Attribute names are snake_case, the wire names camelCase (aliases).
Reference: https://developers.google.com/calendar/api/v3/reference/events
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Raw(BaseModel):
    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True, frozen=True)

    def to_api(self) -> dict[str, Any]:
        """The wire form: camelCase names, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True)


class GoogleEventDateTime(_Raw):
    """`date` (all-day, yyyy-mm-dd) or `dateTime` (RFC 3339), plus an optional IANA `timeZone`."""

    date: str | None = None
    date_time: str | None = None
    time_zone: str | None = None


class GoogleAttendee(_Raw):
    """One guest (discovery `schemas.EventAttendee`); the fields not declared here are kept as sent."""

    email: str | None = None
    response_status: str | None = None  # needsAction | declined | tentative | accepted


class GoogleExtendedProperties(_Raw):
    private: dict[str, str] = Field(default_factory=dict)
    shared: dict[str, str] = Field(default_factory=dict)


class GoogleEvent(_Raw):
    """One event (or one instance of a recurring event, or a cancelled stub carrying only its id)."""

    id: str
    kind: str | None = None
    etag: str | None = None
    status: str | None = None  # confirmed | tentative | cancelled
    summary: str | None = None
    description: str | None = None
    location: str | None = None
    start: GoogleEventDateTime | None = None
    end: GoogleEventDateTime | None = None
    recurrence: list[str] | None = None
    recurring_event_id: str | None = None
    original_start_time: GoogleEventDateTime | None = None
    extended_properties: GoogleExtendedProperties | None = None
    attendees: list[GoogleAttendee] | None = None
    html_link: str | None = None
    ical_uid: str | None = Field(None, alias="iCalUID")
    created: str | None = None
    updated: str | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def private_property(self, name: str) -> str | None:
        return self.extended_properties.private.get(name) if self.extended_properties else None


class GoogleEventList(_Raw):
    """One page of `events.list`: `nextPageToken` on every page but the last, which has `nextSyncToken`."""

    kind: str | None = None
    etag: str | None = None
    summary: str | None = None
    time_zone: str | None = None
    updated: str | None = None
    items: list[GoogleEvent] = Field(default_factory=list)
    next_page_token: str | None = None
    next_sync_token: str | None = None
