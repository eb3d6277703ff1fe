"""One line per failed read: which service, what happened, and what to do, each said once.

Expected failures (a `ConnectorError`, a `ConfigError`, the store refusing a suspicious read) become
these lines, shown in the overview and the run's state, never a traceback. Their text is already safe
to show: connector errors carry no body and no secret (`connectors.errors`), configuration problems
never echo a value (`config.loader`), the store's refusal names counts only.
"""

from __future__ import annotations

from config import ConfigError, HubSettings, Service
from config.settings import ENV_PREFIX, NESTING
from connectors.errors import AuthError, ConnectorError, RateLimited
from sync.store import SuspiciousRead

EXPECTED = (ConnectorError, ConfigError, SuspiciousRead)


def failure_line(service: Service, error: Exception, settings: HubSettings) -> str:
    """`trello: trello GET /boards/{id}/cards returned 401: check the credentials ... (set: ...)`."""
    if isinstance(error, ConfigError):
        return f"{service}: " + "; ".join(str(problem) for problem in error.problems)
    text = str(error)
    if isinstance(error, ConnectorError) and error.action not in text:
        text = f"{text}: {error.action}"
    if isinstance(error, RateLimited) and error.retry_after is not None:
        text += f" (the service asked to wait {error.retry_after:.0f} s)"
    if isinstance(error, AuthError):
        variables = _credential_variables(service, settings)
        if variables:
            text += f" (set: {', '.join(variables)})"
    return text if text.startswith(f"{service} ") else f"{service}: {text}"


def _credential_variables(service: Service, settings: HubSettings) -> list[str]:
    """The variables holding the credentials this service was given: the ones it refused."""
    return [
        f"{ENV_PREFIX}{service.upper()}{NESTING}{field.upper()}"
        for field, value in settings.service(service).secret_fields().items()
        if value is not None
    ]
