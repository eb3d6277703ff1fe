"""The names of the hub's settings, and the closest one to a name that is not a setting.

pydantic-settings ignores an `OBM_HUB_` variable that matches no setting (`OBM_HUB_TRELO__TOKEN`), so a
typo would silently leave a credential unset. The hub warns about each one instead, naming the setting
it was probably meant to be. A misspelt key inside a known service (`OBM_HUB_NOTION__VERSON`) is already
an error (the service's settings forbid unknown keys); its message gets the same suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from config.settings import ENV_PREFIX, NESTING, HubSettings

# Read by the loader and the test suite, not settings themselves.
OTHER_VARIABLES = ("ENV_FILE", "SECRETS_DIR", "TEST_PG_URL")


def setting_names() -> list[str]:
    """Every variable the hub reads, e.g. `OBM_HUB_VAR_DIR`, `OBM_HUB_TRELLO__TOKEN`."""
    names = [ENV_PREFIX + name for name in OTHER_VARIABLES]
    for field, info in HubSettings.model_fields.items():
        annotation = info.annotation
        if _is_model(annotation):
            assert isinstance(annotation, type)
            prefix = f"{ENV_PREFIX}{field.upper()}{NESTING}"
            names += [prefix + nested.upper() for nested in annotation.model_fields]
        else:
            names.append(ENV_PREFIX + field.upper())
    return names


def closest_setting(name: str) -> str | None:
    """The setting `name` was most likely meant to be, if one is close enough."""
    found = difflib.get_close_matches(name.upper(), setting_names(), n=1, cutoff=0.75)
    return found[0] if found else None


def did_you_mean(name: str) -> str:
    """' (did you mean OBM_HUB_X?)', or nothing when no setting is close."""
    closest = closest_setting(name)
    return f" (did you mean {closest}?)" if closest else ""


@dataclass(frozen=True)
class UnknownVariable:
    name: str
    source: str

    def __str__(self) -> str:
        return f"{self.name} ({self.source}) is no setting of the hub and is ignored{did_you_mean(self.name)}"


def unknown_variables(sources: Mapping[str, Iterable[str]]) -> list[UnknownVariable]:
    """`OBM_HUB_` names, by source ("environment", ".env"), that the settings would silently ignore."""
    known = set(setting_names())
    services = {name.upper() for name, info in HubSettings.model_fields.items() if _is_model(info.annotation)}
    unknown = []
    for source, names in sources.items():
        for name in names:
            upper = name.upper()
            if not upper.startswith(ENV_PREFIX) or upper in known:
                continue
            # OBM_HUB_NOTION__VERSON reaches the notion settings, which refuse it: an error, not a warning.
            if upper.removeprefix(ENV_PREFIX).partition(NESTING)[0] in services and NESTING in upper:
                continue
            unknown.append(UnknownVariable(upper, source))
    return unknown


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
