"""Start the four emulators together, from Python or from `obm-hub sandbox`.

with Sandbox(now=...) as sandbox:
    settings = sandbox.settings(load_settings())   # base URLs and credentials swapped in
    sandbox.log.count("trello")                    # requests the Trello emulator received

`Sandbox(workspaces=N)` serves N client businesses at once (see portfolio.py), one server per service
as for one; `write_hub_file(path)` writes the hub file that names them all.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import SecretStr

from config.loader import SANDBOX_HUB_FILE
from config.settings import SERVICES, HubSettings, Service
from sandbox.business import DEFAULT_SEED, Business
from sandbox.emulator import Emulator
from sandbox.faults import Faults
from sandbox.portfolio import generate_portfolio, hub_file_text
from sandbox.requestlog import RequestLog
from sandbox.server import ServerThread

EMULATORS: dict[Service, str] = {
    "trello": "sandbox.trello.emulator:TrelloEmulator",
    "google": "sandbox.gcal.emulator:GoogleCalendarEmulator",
    "toggl": "sandbox.toggl.emulator:TogglEmulator",
    "notion": "sandbox.notion.emulator:NotionEmulator",
}


def emulator_class(service: Service) -> type[Emulator]:
    module, _, name = EMULATORS[service].partition(":")
    emulator: type[Emulator] = getattr(importlib.import_module(module), name)
    return emulator


class Sandbox:
    """The four emulators on 127.0.0.1, one port each, sharing one request log."""

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        now: datetime | None = None,
        state_dir: Path | None = None,
        rate_limits: bool = True,
        services: Iterable[Service] = SERVICES,
        port_base: int = 0,
        workspaces: int = 1,
    ) -> None:
        self.businesses: tuple[Business, ...] = generate_portfolio(workspaces, seed, now)
        self.business: Business = self.businesses[0]
        self.hub_file: Path | None = None  # written by `write_hub_file`
        self.log = RequestLog()
        self.emulators: dict[Service, Emulator] = {}
        self._servers: dict[Service, ServerThread] = {}
        self._state_dir = state_dir
        self._rate_limits = rate_limits
        self._services = tuple(services)
        self._port_base = port_base

    def start(self) -> Sandbox:
        try:
            for index, service in enumerate(self._services):
                state = self._state_dir / f"{service}.json" if self._state_dir else None
                emulator = emulator_class(service)(
                    self.businesses, log=self.log, state_path=state, rate_limits=self._rate_limits
                )
                port = self._port_base + index if self._port_base else 0
                self._servers[service] = ServerThread(emulator.app, port=port, name=service).start()
                self.emulators[service] = emulator
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for emulator in self.emulators.values():
            emulator.faults.release()  # a held request must not keep its server from stopping
        for server in self._servers.values():
            server.stop()
        self._servers.clear()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
    ) -> None:
        self.stop()

    def root_url(self, service: Service) -> str:
        return self._servers[service].url

    def base_url(self, service: Service) -> str:
        return self.root_url(service) + self.emulators[service].prefix

    def faults(self, service: Service) -> Faults:
        return self.emulators[service].faults

    def set_faults(self, service: Service, **settings: object) -> Faults:
        """Replace the service's faults, as `POST /_sandbox/faults` does."""
        return self.emulators[service].set_faults(settings)

    def settings(self, base: HubSettings) -> HubSettings:
        """`base` with every running service pointed at its emulator, with the sandbox credentials."""
        updates: dict[str, Any] = {}
        for service, emulator in self.emulators.items():
            values = emulator.settings_update(self.root_url(service))
            values = {k: SecretStr(v) if _is_secret(base, service, k) else v for k, v in values.items()}
            updates[service] = base.service(service).model_copy(update=values)
        return base.model_copy(update=updates)

    def write_hub_file(self, path: Path | None = None) -> Path:
        """Write the hub file naming every business this sandbox serves (default: `hub.toml` in the
        state directory, or in a new temporary directory); `environment()` points at it."""
        if path is None:
            folder = self._state_dir or Path(tempfile.mkdtemp(prefix="obm-hub-sandbox-"))
            path = folder / "hub.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(hub_file_text(self.businesses), encoding="utf-8")
        self.hub_file = path
        return path

    def environment(self) -> dict[str, str]:
        """The same as environment variables, for a hub (or a script) pointed at a running sandbox:
        live mode, the hub file (the demo business's, or the one `write_hub_file` wrote), each
        service's base URL and sandbox credentials."""
        variables = {"OBM_HUB_SANDBOX": "off", "OBM_HUB_CONFIG": str(self.hub_file or SANDBOX_HUB_FILE)}
        for service, emulator in self.emulators.items():
            for key, value in emulator.settings_update(self.root_url(service)).items():
                variables[f"OBM_HUB_{service.upper()}__{key.upper()}"] = str(value)
        return variables


def _is_secret(base: HubSettings, service: Service, field: str) -> bool:
    return field in base.service(service).secret_fields()
