"""The sandbox: local emulators of Trello, Google Calendar, Toggl Track and Notion, seeded with a demo
business, so the hub runs with no accounts and tests exercise real HTTP."""

from sandbox.runner import Sandbox

__all__ = ["Sandbox"]
