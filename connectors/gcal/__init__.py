"""Google Calendar v3: the events of one calendar as canonical `Event`s.

`GoogleCalendarConnector.from_settings(settings.google, workspace)` is the way in; the client, the
raw models and the pure mapping are public for tests and tools.
"""

from connectors.gcal.auth import SCOPES, GoogleAuth, HttpxRequest, build_credentials
from connectors.gcal.client import EventListing, GoogleCalendarClient
from connectors.gcal.connector import LOOKBACK, SINGLE_EVENTS, GoogleCalendarConnector
from connectors.gcal.mapping import LINK_PROPERTY, TASK_PROPERTY, event_id_for_link, to_body, to_event
from connectors.gcal.models import GoogleEvent, GoogleEventDateTime, GoogleEventList

__all__ = [
    "LINK_PROPERTY",
    "LOOKBACK",
    "SCOPES",
    "SINGLE_EVENTS",
    "TASK_PROPERTY",
    "EventListing",
    "GoogleAuth",
    "GoogleCalendarClient",
    "GoogleCalendarConnector",
    "GoogleEvent",
    "GoogleEventDateTime",
    "GoogleEventList",
    "HttpxRequest",
    "build_credentials",
    "event_id_for_link",
    "to_body",
    "to_event",
]
