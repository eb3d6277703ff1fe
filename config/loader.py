"""Load the settings and the hub file together, or fail with every problem named.

Call `load_hub()` at the start of a run (inside the flow run, so that Prefect Secret blocks are read
there and never travel as parameters).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from config.errors import ConfigError, ConfigProblem
from config.hub_file import HubFile, Workspace, read_hub_file
from config.names import did_you_mean, unknown_variables
from config.redaction import register_secrets
from config.settings import ENV_PREFIX, NESTING, SERVICES, HubSettings, Service, ServiceSettings

DEFAULT_HUB_FILE = Path("config/hub.toml")
SANDBOX_HUB_FILE = Path(__file__).with_name("sandbox.toml")
ENV_FILE_VARIABLE = f"{ENV_PREFIX}ENV_FILE"
SECRETS_DIR_VARIABLE = f"{ENV_PREFIX}SECRETS_DIR"


@dataclass(frozen=True)
class ServiceStatus:
    service: Service
    used: bool
    credentials: bool
    mode: str
    base_url: str

    def __str__(self) -> str:
        if not self.used:
            return f"{self.service}: not used by any workspace"
        creds = "credentials set" if self.credentials else "no credentials"
        where = "the sandbox emulator" if self.mode == "sandbox" else self.base_url
        return f"{self.service}: {creds}; runs against {where}"


@dataclass(frozen=True)
class Hub:
    """Everything a run needs to know before it talks to any service."""

    settings: HubSettings
    file: HubFile
    file_path: Path
    sandbox: bool
    warnings: tuple[str, ...] = ()  # worth telling the user, not worth refusing to run (config.names)

    def workspace(self, key: str) -> Workspace:
        try:
            return self.file.workspaces[key]
        except KeyError:
            known = ", ".join(sorted(self.file.workspaces))
            raise ConfigError(
                [
                    ConfigProblem(
                        f"workspaces.{key}", str(self.file_path), f"no such workspace (known: {known})"
                    )
                ]
            ) from None

    def service_status(self) -> list[ServiceStatus]:
        """For each service: used by a workspace or not, credentials present or not, and the mode."""
        used = self.services_in_use()
        return [
            ServiceStatus(
                service=name,
                used=name in used,
                credentials=self.settings.service(name).has_credentials(),
                mode="sandbox" if self.sandbox else "live",
                base_url=self.settings.service(name).base_url,
            )
            for name in SERVICES
        ]

    def services_in_use(self) -> list[Service]:
        used = {name for workspace in self.file.workspaces.values() for name in workspace.services()}
        return [name for name in ("trello", "google", "toggl", "notion") if name in used]


def load_hub() -> Hub:
    """Settings from the environment, then the hub file they point at; raises ConfigError."""
    settings = load_settings()
    sandbox = settings.uses_sandbox()
    path = _hub_file_path(settings, sandbox)
    hub = Hub(
        settings=settings,
        file=_load_hub_file(path, settings),
        file_path=path,
        sandbox=sandbox,
        warnings=tuple(str(unknown) for unknown in unknown_variables(_variable_names(os.environ))),
    )
    if not sandbox:
        _check_credentials(hub)
    return hub


def load_settings() -> HubSettings:
    environ = os.environ
    env_file = environ.get(ENV_FILE_VARIABLE, ".env")
    try:
        settings = HubSettings(
            _env_file=env_file or None,
            _secrets_dir=environ.get(SECRETS_DIR_VARIABLE) or None,
        )
    except ValidationError as exc:
        raise ConfigError([_settings_problem(error, env_file, environ) for error in exc.errors()]) from None
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise ConfigError([ConfigProblem(ENV_FILE_VARIABLE, env_file, message)]) from None
    # From here on, every log line and error message the hub writes masks these values.
    register_secrets(settings.secret_values())
    return settings


def _hub_file_path(settings: HubSettings, sandbox: bool) -> Path:
    if settings.config is not None:
        return settings.config
    # The demo business is what the sandbox serves; a user's own hub file names real boards.
    return SANDBOX_HUB_FILE if sandbox else DEFAULT_HUB_FILE


def _load_hub_file(path: Path, settings: HubSettings) -> HubFile:
    source = str(path)
    try:
        raw = read_hub_file(path)
    except FileNotFoundError:
        hint = (
            "copy config/hub.example.toml to config/hub.toml" if settings.config is None else "check the path"
        )
        variable = f"{ENV_PREFIX}CONFIG"
        raise ConfigError([ConfigProblem(variable, source, f"hub file not found ({hint})")]) from None
    except IsADirectoryError:
        problem = ConfigProblem(f"{ENV_PREFIX}CONFIG", source, "is a directory, not a hub file")
        raise ConfigError([problem]) from None
    except UnicodeDecodeError as exc:
        # TOML is UTF-8 (https://toml.io/en/v1.0.0#spec); the position, never the bytes: they may be anything.
        message = f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise ConfigError([ConfigProblem("(file)", source, message)]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem("(file)", source, f"malformed TOML: {exc}")]) from None
    except OSError as exc:
        message = f"cannot be read ({exc.strerror or type(exc).__name__})"
        raise ConfigError([ConfigProblem(f"{ENV_PREFIX}CONFIG", source, message)]) from None
    try:
        return HubFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError([_file_problem(error, source) for error in exc.errors()]) from None


def _file_problem(error: ErrorDetails, source: str) -> ConfigProblem:
    field = ".".join(str(part) for part in error["loc"]) or "(file)"
    message = "unknown key" if error["type"] == "extra_forbidden" else _value_message(error)
    return ConfigProblem(field, source, message)


def _settings_problem(error: ErrorDetails, env_file: str, environ: Mapping[str, str]) -> ConfigProblem:
    loc = [str(part) for part in error["loc"]]
    variable = ENV_PREFIX + NESTING.join(part.upper() for part in loc)
    if variable in environ:
        source = f"environment variable {variable}"
    elif variable in _env_file_names(env_file):
        source = f"{env_file} ({variable})"
    else:
        source = f"{variable} (environment, .env or secrets directory)"
    if error["type"] == "extra_forbidden":
        return ConfigProblem(".".join(loc), source, "unknown setting" + did_you_mean(variable))
    return ConfigProblem(".".join(loc), source, _value_message(error))


def _variable_names(environ: Mapping[str, str]) -> dict[str, list[str]]:
    """The variable names of each place settings come from as variables: the environment, the .env file."""
    env_file = environ.get(ENV_FILE_VARIABLE, ".env")
    return {"environment": list(environ), env_file: _env_file_names(env_file)}


def _env_file_names(env_file: str) -> list[str]:
    if not env_file or not Path(env_file).is_file():
        return []
    return [name.upper() for name in dotenv_values(env_file, encoding="utf-8")]


def _value_message(error: ErrorDetails) -> str:
    # Never echo the rejected value: it may be a secret typed into the wrong variable.
    return str(error["msg"])


def _check_credentials(hub: Hub) -> None:
    problems = []
    for service in hub.services_in_use():
        reason = f"{service} is used by a workspace in {hub.file_path} and sandbox mode is off"
        problems += credential_problems(service, hub.settings.service(service), reason)
    if problems:
        raise ConfigError(problems)


def credential_problems(service: str, settings: ServiceSettings, reason: str) -> list[ConfigProblem]:
    """One problem per credential `service` still lacks, naming the variable (or block) to set."""
    problems = []
    for field in settings.missing_credentials():
        variable = f"{ENV_PREFIX}{service.upper()}{NESTING}{field.upper()}"
        source = f"{variable} or {variable}_BLOCK"
        problems.append(ConfigProblem(f"{service}.{field}", source, f"missing: {reason}"))
    return problems
