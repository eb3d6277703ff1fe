"""The Trello emulator: REST API v1 under `/1`, one board seeded from the demo business."""

from sandbox.trello.emulator import TrelloEmulator

__all__ = ["TrelloEmulator"]
