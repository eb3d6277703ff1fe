"""What `obm-hub`'s exit code means: the one table the commands, `--help` and the README follow.

A scheduler (cron, systemd, a Prefect worker) acts on these: 1 is worth a look and the next run may
fix it, 2 needs a person to change a setting, 3 needs a person to look at the data, 4 means another
run was already doing the work.
"""

from __future__ import annotations

import signal

OK = 0
FAILED = 1  # the run ran, and at least one service could not be read or written
BAD_CONFIGURATION = 2  # a setting, the hub file, the store or the command line is wrong; nothing ran
REFUSED_FOR_SAFETY = 3  # the engine refused a change that looked like data loss (e.g. a side read empty)
LEASE_HELD = 4  # another run holds the workspace's lease; this one did nothing

MEANINGS: dict[int, str] = {
    OK: "ok",
    FAILED: "failed (the overview, if printed, is partial)",
    BAD_CONFIGURATION: "bad configuration or command line (nothing ran)",
    REFUSED_FOR_SAFETY: "refused for safety",
    LEASE_HELD: "another run holds the lease",
}


def stopped_by(signum: int) -> int:
    """A run stopped by a signal exits as a shell reports it: 128 + the signal's number (SIGINT 130)."""
    return 128 + signum


def help_text() -> str:
    """The exit codes as `--help` shows them (Markdown)."""
    lines = [f"- {code}: {meaning}" for code, meaning in MEANINGS.items()]
    lines.append(f"- {stopped_by(signal.SIGINT)}, {stopped_by(signal.SIGTERM)}: stopped by SIGINT, SIGTERM")
    return "\n".join(["Exit codes:", "", *lines])
