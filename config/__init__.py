"""Configuration: settings from the environment and the hub file of workspaces and mappings."""

from config.errors import ConfigError, ConfigProblem
from config.hub_file import HubFile, Person, Workspace
from config.loader import Hub, load_hub, load_settings
from config.settings import SERVICES, HubSettings, Service

__all__ = [
    "SERVICES",
    "ConfigError",
    "ConfigProblem",
    "Hub",
    "HubFile",
    "HubSettings",
    "Person",
    "Service",
    "Workspace",
    "load_hub",
    "load_settings",
]
