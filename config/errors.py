"""Configuration problems, reported all at once, each naming its field and where it came from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    field: str
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.field} ({self.source}): {self.message}"


class ConfigError(Exception):
    """The hub cannot start with this configuration; `problems` lists every reason."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        if len(problems) == 1:  # one line, for a terminal and a scheduler's mail alike
            super().__init__(f"invalid configuration: {problems[0]}")
            return
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid configuration, {len(problems)} problems:\n{lines}")
