"""Progress bars on the terminal (rich): the reads of `plan` and `links rebuild`, and the applies of a
long first sync in `run`. Shown only when the output is a terminal: a scheduler's log or a script
reading `--json` gets none of it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

# An apply shorter than this many steps gets no bar: a quiet sync's handful of writes would only flicker.
MINIMUM_STEPS = 20


def on_terminal() -> bool:
    """Both streams are a terminal (the bars go to stderr, so that stdout stays the command's answer)."""
    return sys.stdout.isatty() and sys.stderr.isatty()


class Bars:
    """A set of bars, drawn while the block runs: `with Bars() as bars: bars.reads(...)`."""

    def __init__(self, *, enabled: bool | None = None, minimum: int = MINIMUM_STEPS) -> None:
        self.enabled = on_terminal() if enabled is None else enabled
        self.minimum = minimum
        self._lock = threading.Lock()
        self._progress: Progress | None = None

    def __enter__(self) -> Bars:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def _task(self, description: str, total: int) -> TaskID | None:
        if not self.enabled:
            return None
        with self._lock:
            if self._progress is None:
                self._progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=Console(stderr=True),
                )
                self._progress.start()
            return self._progress.add_task(description, total=total)

    def _advance_to(self, task: TaskID | None, done: int) -> None:
        if task is not None and self._progress is not None:
            self._progress.update(task, completed=done)

    def reads(self, workspace: str, services: list[str]) -> Callable[[object], None]:
        """A bar for a workspace's reads; call the returned function as each read ends."""
        task = self._task(f"{workspace}: reading {', '.join(services)}", len(services))
        count = [0]

        def one_done(_: object) -> None:
            with self._lock:
                count[0] += 1
            self._advance_to(task, count[0])

        return one_done

    def apply(self, workspace: str, relation: str) -> Callable[[int, int], None]:
        """An `on_progress(done, total)` for one relation's apply: a bar once the plan is long enough."""
        state: dict[str, TaskID | None] = {}

        def report(done: int, total: int) -> None:
            if "task" not in state:
                state["task"] = (
                    self._task(f"{workspace}: applying {relation}", total) if total >= self.minimum else None
                )
            self._advance_to(state["task"], done)

        return report
