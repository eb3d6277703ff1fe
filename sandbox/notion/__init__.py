"""The Notion API emulator: see `sandbox.notion.emulator`."""

from sandbox.notion.emulator import NotionEmulator

__all__ = ["NotionEmulator"]
