"""What the engine does next when something fails, as exception types the connectors' errors extend.

    ItemError            one item's write failed; the run goes on with the others
    ├── ItemConflict     the copy moved since it was read: re-read and re-plan it next run
    ├── ItemGone         the copy is not there (a 404): re-checked by the next read before it counts
    └── ItemRejected     the service refused the content (bad data): reported, retried next run
    SyncSafetyError      the plan is refused (a mass archive, an empty side): nothing is written

Any other exception stops the run's writes (credentials, rate limits, an outage): what was written is
recorded, the rest waits for the next run.
"""

from __future__ import annotations


class ItemError(Exception):
    """A write failed for one item only."""


class ItemConflict(ItemError):
    """The item changed since it was read."""


class ItemGone(ItemError):
    """The item is not where the hub expected it."""


class ItemRejected(ItemError):
    """The service refused what the hub sent for this item."""


class SyncSafetyError(Exception):
    """The plan would do something the hub refuses to do without being told to (a mass archive)."""
