"""What the four connectors share beyond the engine's interface (`sync.connector`): the readiness
check that names what a workspace's connector still lacks, and the context-manager protocol.
"""

from __future__ import annotations

from typing import TypeVar

from config.errors import ConfigError, ConfigProblem
from config.hub_file import Workspace
from config.loader import credential_problems
from config.settings import ServiceSettings


def require_ready(service: str, settings: ServiceSettings, workspace: Workspace) -> None:
    """ConfigError naming everything a connector for `workspace` still lacks: its table, its credentials."""
    problems = credential_problems(service, settings, f"the {service} connector needs it")
    if getattr(workspace, service) is None:
        problems.insert(0, ConfigProblem(service, f"workspace {workspace.name!r}", f"no [{service}] table"))
    if problems:
        raise ConfigError(problems)


class Closing:
    """Connectors are context managers: `with TrelloConnector.from_settings(...) as trello:`."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


C = TypeVar("C", bound=Closing)
