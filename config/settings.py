"""Process settings: credentials and base URLs, from the environment, `.env`, a secrets directory or
Prefect Secret blocks.

Precedence, highest first: keyword arguments, environment variables (`OBM_HUB_` prefix, `__` for
nesting: `OBM_HUB_TRELLO__TOKEN`), the `.env` file, the secrets directory (one file per secret, named
like the variable without prefix: `trello__token`), Prefect Secret blocks named by `*_block` fields
(`OBM_HUB_TRELLO__TOKEN_BLOCK=trello-token`), then defaults.

The non-secret shape of the hub (workspaces, mappings) lives in a TOML file: see `config.hub_file`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    NestedSecretsSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from config.secret_blocks import PrefectSecretBlockSource

ENV_PREFIX = "OBM_HUB_"
NESTING = "__"

Service = Literal["trello", "google", "toggl", "notion"]
SERVICES: tuple[Service, ...] = ("trello", "google", "toggl", "notion")
SandboxMode = Literal["auto", "on", "off"]


class ServiceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str

    def secret_fields(self) -> dict[str, SecretStr | None]:
        """The credential fields of this service, by name."""
        return {
            name: getattr(self, name)
            for name, info in type(self).model_fields.items()
            if info.annotation in (SecretStr, SecretStr | None)
        }

    def has_credentials(self) -> bool:
        return not self.missing_credentials()

    def any_credentials_set(self) -> bool:
        return any(value is not None for value in self.secret_fields().values())

    def missing_credentials(self) -> list[str]:
        """Names of the credential fields still needed; empty when the service can authenticate."""
        return [name for name, value in self.secret_fields().items() if value is None]


class TrelloSettings(ServiceSettings):
    """Trello: an API key (from the Power-Up admin page) and a user token."""

    base_url: str = "https://api.trello.com/1"
    api_key: SecretStr | None = None
    token: SecretStr | None = None
    api_key_block: str | None = None
    token_block: str | None = None


class GoogleSettings(ServiceSettings):
    """Google Calendar: a service account (JSON key) or an OAuth user refresh token."""

    base_url: str = "https://www.googleapis.com/calendar/v3"
    token_uri: str = "https://oauth2.googleapis.com/token"
    service_account_json: SecretStr | None = None
    service_account_file: Path | None = None
    subject: str | None = Field(default=None, description="User to impersonate with domain-wide delegation.")
    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    service_account_json_block: str | None = None
    client_secret_block: str | None = None
    refresh_token_block: str | None = None

    def missing_credentials(self) -> list[str]:
        # Either kind of credential is enough: name what the user-token route lacks only when
        # no service account is configured either.
        if self.service_account_json is not None or self.service_account_file is not None:
            return []
        user_fields = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
        }
        missing = [name for name, value in user_fields.items() if value is None]
        if len(missing) == len(user_fields):
            return ["service_account_json"]
        return missing

    def any_credentials_set(self) -> bool:
        return super().any_credentials_set() or self.service_account_file is not None


class TogglSettings(ServiceSettings):
    """Toggl Track: the API token from the profile page."""

    base_url: str = "https://api.track.toggl.com/api/v9"
    reports_base_url: str | None = Field(
        default=None, description="The Reports API v3; default: beside base_url (.../reports/api/v3)."
    )
    api_token: SecretStr | None = None
    api_token_block: str | None = None


class NotionSettings(ServiceSettings):
    """Notion: an internal integration secret (or an OAuth access token)."""

    base_url: str = "https://api.notion.com/v1"
    version: str = "2025-09-03"
    token: SecretStr | None = None
    token_block: str | None = None


class SettingsOnly(PydanticBaseSettingsSource):
    """A source without the names that are no setting at all.

    A `.env` file may hold other tools' variables, and pydantic-settings (with `extra="forbid"`) refuses
    every one of them; the environment's are ignored. Both now behave alike: what is not a setting is
    dropped here, and an `OBM_HUB_` name among them is warned about by `config.names`.
    """

    def __init__(self, source: PydanticBaseSettingsSource) -> None:
        super().__init__(source.settings_cls)
        self._source = source

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ builds the whole mapping at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return {key: value for key, value in self._source().items() if key in self.settings_cls.model_fields}


class HubSettings(BaseSettings):
    """Everything the hub reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTING,
        env_file=".env",
        env_file_encoding="utf-8",
        secrets_nested_delimiter=NESTING,
        secrets_prefix="",
        secrets_dir_missing="ok",
        extra="forbid",
        frozen=True,
    )

    config: Path | None = Field(
        None,
        description="The hub file (TOML). Default: config/hub.toml, or the demo business in sandbox mode.",
    )
    sandbox: SandboxMode = Field(
        default="auto", description="'auto' runs against the sandbox when no credentials at all are set."
    )
    var_dir: Path = Field(default=Path("var"), description="Local state: sandbox state, the SQLite store.")
    database_url: str | None = Field(
        default=None,
        description="The hub's store; default SQLite at <var_dir>/hub.db; or postgresql+psycopg://...",
    )
    trello: TrelloSettings = TrelloSettings()
    google: GoogleSettings = GoogleSettings()
    toggl: TogglSettings = TogglSettings()
    notion: NotionSettings = NotionSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        blocks = PrefectSecretBlockSource(
            settings_cls, name_sources=(init_settings, env_settings, dotenv_settings)
        )
        secrets = NestedSecretsSettingsSource(file_secret_settings)
        dotenv = SettingsOnly(dotenv_settings)
        return init_settings, env_settings, dotenv, secrets, blocks

    def service(self, name: Service) -> ServiceSettings:
        return getattr(self, name)

    def secret_values(self) -> list[str]:
        """Every secret value set, for the redactor: these must never be shown."""
        values = []
        for name in SERVICES:
            for secret in self.service(name).secret_fields().values():
                if secret is not None and secret.get_secret_value():
                    values.append(secret.get_secret_value())
        return values

    def uses_sandbox(self) -> bool:
        if self.sandbox == "auto":
            return not any(self.service(name).any_credentials_set() for name in SERVICES)
        return self.sandbox == "on"
