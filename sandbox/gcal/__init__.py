"""The Google Calendar v3 emulator: one calendar's events, sync tokens, and an OAuth token endpoint."""

from sandbox.gcal.emulator import GoogleCalendarEmulator

__all__ = ["GoogleCalendarEmulator"]
