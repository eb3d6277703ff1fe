"""`obm-hub doctor`: for each workspace and each service it uses, whether the hub can work with it:
reachable, credentials accepted, and what the hub needs there (`connectors/diagnose.py`: the board and
its lists, a writable calendar, an admin's Toggl token and the quota left, the Notion properties and
their types). One line per finding; a problem says how to fix it.

Exit code: 0 when nothing is wrong (warnings included), 2 when a setting must change (credentials
refused, something missing or of the wrong kind), 1 when only a service that may be back later failed
(unreachable, rate limited, quota spent).
"""

from __future__ import annotations

from rich.console import Console

from config import ConfigError, Hub, HubSettings, Service
from connectors.diagnose import Finding, diagnose
from connectors.errors import AuthError, ConnectorError
from flows.context import runner_for
from flows.failures import failure_line
from flows.runner import WorkspaceRunner
from obm_hub import exit_codes
from obm_hub.workspaces import services, workspace_keys

SHOWN = {
    "ok": "[green]ok[/green]     ",
    "warning": "[yellow]warning[/yellow]",
    "failed": "[red]failed[/red] ",
    "problem": "[red]PROBLEM[/red]",
}
CODES = {
    "ok": exit_codes.OK,
    "warning": exit_codes.OK,
    "failed": exit_codes.FAILED,
    "problem": exit_codes.BAD_CONFIGURATION,
}


def doctor_main(hub: Hub, workspace: str | None) -> int:
    console = Console(highlight=False)
    findings: list[Finding] = []
    with services(hub) as settings:
        for key in workspace_keys(hub, workspace):
            console.print(f"[bold]{key}[/bold] ({'sandbox' if hub.sandbox else 'live'} mode)")
            with runner_for(key, label="obm-hub doctor") as runner:
                for service in runner.services:
                    found = _check(runner, service, settings)
                    for finding in found:
                        console.print(f"  {SHOWN[finding.level]} ", end="")
                        console.print(str(finding), markup=False)
                    findings += found
    counts = {
        level: sum(1 for f in findings if f.level == level) for level in ("problem", "failed", "warning")
    }
    said = ", ".join(f"{n} {level}{'s' if n > 1 else ''}" for level, n in counts.items() if n)
    console.print(f"doctor: {said or 'all good'}", markup=False)
    return max((CODES[f.level] for f in findings), default=exit_codes.OK, key=_SEVERITY.index)


def _check(runner: WorkspaceRunner, service: Service, settings: HubSettings) -> list[Finding]:
    """The service's findings; a refused or failed call is one finding with the error's advice."""
    try:
        return diagnose(service, runner.connector(service), runner.workspace)
    except ConfigError as exc:
        return [Finding(service, "problem", "; ".join(str(p) for p in exc.problems))]
    except AuthError as exc:
        return [Finding(service, "problem", _line(service, exc, settings))]
    except ConnectorError as exc:
        return [Finding(service, "failed", _line(service, exc, settings))]


def _line(service: Service, error: ConnectorError, settings: HubSettings) -> str:
    line = failure_line(service, error, settings)
    return line.removeprefix(f"{service}: ").removeprefix(f"{service} ")


_SEVERITY = (exit_codes.OK, exit_codes.FAILED, exit_codes.BAD_CONFIGURATION)
