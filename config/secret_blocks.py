"""A settings source that reads secrets from Prefect Secret blocks.

A deployment whose workers hold no `.env` file names a block instead of a value:
`OBM_HUB_NOTION__TOKEN_BLOCK=notion-token`. The block is read when the settings are loaded, which
happens inside the flow run, so the value never travels as a flow parameter (Prefect stores
parameters in plain text).
"""

from __future__ import annotations

from typing import Any, cast

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from config.errors import ConfigError, ConfigProblem

BLOCK_SUFFIX = "_block"


class PrefectSecretBlockSource(PydanticBaseSettingsSource):
    """Fills `<service>.<secret>` from the Secret block named by `<service>.<secret>_block`."""

    def __init__(
        self, settings_cls: type[BaseSettings], name_sources: tuple[PydanticBaseSettingsSource, ...]
    ) -> None:
        super().__init__(settings_cls)
        self._name_sources = name_sources

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ builds the whole mapping at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for service, block_names in self._block_names().items():
            for secret_field, block_name in block_names.items():
                found.setdefault(service, {})[secret_field] = _read_secret_block(
                    block_name, field=f"{service}.{secret_field}{BLOCK_SUFFIX}"
                )
        return found

    def _block_names(self) -> dict[str, dict[str, str]]:
        """`{service: {secret_field: block_name}}` from the sources that can name blocks."""
        names: dict[str, dict[str, str]] = {}
        for source in reversed(self._name_sources):  # later sources win, as in pydantic-settings
            for service, values in source().items():
                if not isinstance(values, dict):
                    continue
                for key, value in values.items():
                    if key.endswith(BLOCK_SUFFIX) and value:
                        names.setdefault(service, {})[key.removesuffix(BLOCK_SUFFIX)] = str(value)
        return names


def _read_secret_block(name: str, *, field: str) -> str:
    from prefect.blocks.system import Secret  # imported lazily: only deployments that name blocks pay for it

    try:
        block = cast(Secret, Secret.load(name, _sync=True))  # type: ignore[call-arg]
        value = block.get()
    except ValueError as exc:
        raise ConfigError(
            [ConfigProblem(field, "Prefect Secret block", f"no Secret block named {name!r} could be loaded")]
        ) from exc
    if not isinstance(value, str) or not value:
        raise ConfigError(
            [ConfigProblem(field, "Prefect Secret block", f"block {name!r} holds no text value")]
        )
    return value
