"""Two write behaviours of the real Calendar API that a client must not assume away.

Undetected id collisions. `Event.id` (discovery, `schemas.Event`): the id "must be unique per
calendar. Due to the globally distributed nature of the system, we cannot guarantee that ID
collisions will be detected at event creation time." Ids stay unique, so an undetected collision
cannot leave two events under one id; what the insert can answer instead of 409 `duplicate` is our
reading of that sentence, one form per way a replicated store settles a write race:
- "existing": 200 with the event already under that id, unchanged (the first write wins; the client
  is handed an event it did not write, possibly a deleted one);
- "overwrite": 200, and the insert replaces that event (the last write wins);
- "backendError": 500, the collision found only after the write was accepted.
The `silent_duplicates` fault is the chance of one of these (`duplicate_forms` narrows the choice).

Service accounts as inviters. `Event.attendees` (discovery): "Service accounts need to use domain-wide
delegation of authority to populate the attendee list." Without it the API answers 403
`forbiddenForServiceAccounts` (body as reported in googleapis/google-api-ruby-client#14631 and
spatie/laravel-google-calendar#242).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.emulator import ApiError
from sandbox.gcal.oauth import SERVICE_ACCOUNT_DOMAIN
from sandbox.gcal.store import CalendarStore

DUPLICATE_FORMS = ("existing", "overwrite", "backendError")


def answer_collision(store: CalendarStore, body: dict[str, Any], now: datetime, form: str) -> dict[str, Any]:
    """The answer to an insert whose id is taken, when the collision goes undetected in `form`."""
    event_id = str(body["id"])
    if form == "existing":
        return store.get(event_id)
    if form == "overwrite":
        return store.update(event_id, body, None, now)
    raise ApiError(500, "Backend Error", "backendError", domain="global")


def check_inviter(writer: str, body: dict[str, Any]) -> None:
    """403 when a service account acting as itself (no delegation) writes attendees."""
    if body.get("attendees") and writer.endswith(SERVICE_ACCOUNT_DOMAIN):
        raise ApiError(
            403,
            "Service accounts cannot invite attendees without Domain-Wide Delegation of Authority.",
            "forbiddenForServiceAccounts",
            domain="calendar",
        )
