"""The Toggl Track API v9 emulator (see `emulator.py`)."""

from sandbox.toggl.emulator import TogglEmulator

__all__ = ["TogglEmulator"]
