"""obm-hub: keeps Trello, Notion, Google Calendar and Toggl Track consistent and writes the morning
operations summary. Run the main job, plan a dry run, print a summary, rebuild links, diagnose the
services, check the configuration, or serve the sandbox emulators.

This module only registers the commands; each lives in its own module of `obm_hub`. Commands that need
no orchestration (`plan`, `summary`, `links rebuild`, `doctor`, `check`, `sandbox`) never import
Prefect: it costs seconds, and they must answer at once. The command line is cyclopts
(https://cyclopts.readthedocs.io), which Prefect itself depends on.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from cyclopts import App, Parameter, validators

from config import ConfigError, Hub, load_hub
from config.dirs import prepare_dirs
from config.store_url import check_store, store_url
from obm_hub import exit_codes

app = App(
    name="obm-hub",
    help=__doc__.split("\n\n")[0] if __doc__ else None,
    help_epilogue=exit_codes.help_text(),
    default_parameter=Parameter(negative=()),  # flags as written: --memory, --no-rate-limits
    version_flags=(),
)
links_app = App(
    name="links",
    help="The links between the copies of an item across services.",
    help_epilogue=exit_codes.help_text(),
)
app.command(links_app)

Relation = Literal["tasks", "agenda", "time"]


@app.command
def run(*, workspace: str | None = None, dry_run: bool = False, allow_mass_archive: bool = False) -> int:
    """Run the main job once: read every service, sync tasks, agenda and time, print the summary.

    With no credentials set, the hub runs against the sandbox emulators (the demo business).

    Parameters
    ----------
    workspace
        Only this workspace (a key of the hub file); default: every workspace.
    dry_run
        Read and plan, write nothing to the services (the plan is in the run's artifacts).
    allow_mass_archive
        Carry out a plan the mass-archive guard refused (exit code 3) after you have checked it.
    """
    from obm_hub.run import run_main, stop_on_signals

    with stop_on_signals():  # from the first instant: a stop during start-up is a stop too
        hub = _ready()
        if workspace:
            hub.workspace(workspace)
        return run_main(hub, workspace, dry_run=dry_run, allow_mass_archive=allow_mass_archive)


@app.command
def plan(
    *,
    workspace: str | None = None,
    relations: Annotated[list[Relation] | None, Parameter(consume_multiple=True)] = None,
    as_json: Annotated[bool, Parameter(name="--json")] = False,
    full_resync: bool = False,
) -> int:
    """A dry run: read the services, plan each relation, print what a run would write; write nothing.

    Each read is stored with its cursor, as in any run (the plan is made from the store).

    Parameters
    ----------
    workspace
        Only this workspace (a key of the hub file); default: every workspace.
    relations
        Only these relations (tasks, agenda, time); default: all the workspace has.
    as_json
        Print the plan as a JSON list of actions, one per write (an empty list: nothing would change).
    full_resync
        Read every service in full, not from its cursor.
    """
    from obm_hub.plan import plan_main

    hub = _ready()
    return plan_main(
        hub, workspace, relations or ["tasks", "agenda", "time"], as_json=as_json, full_resync=full_resync
    )


@app.command
def summary(
    *,
    workspace: str | None = None,
    period: Literal["today", "yesterday", "this-week", "last-week"] = "this-week",
    first: date | None = None,
    last: date | None = None,
    format: Literal["md", "html", "json"] = "md",
    output: Path | None = None,
    client: bool = False,
) -> int:
    """The operations summary of a period, from what the store holds (no service is read).

    Parameters
    ----------
    workspace
        The workspace (a key of the hub file); needed when the hub file has several.
    period
        A named period, in the workspace's time zone.
    first
        With --last: the period's first day (YYYY-MM-DD), instead of a named period.
    last
        With --first: the period's last day, included.
    format
        Markdown, HTML or JSON (its schema: summary/summary.schema.json).
    output
        Write it to this file instead of printing it.
    client
        The client report instead: hours by project and the work done, nothing internal.
    """
    from obm_hub.report import period_of, summary_main

    wanted = period_of(period, first, last)
    hub = _ready()
    return summary_main(hub, workspace, wanted, format=format, output=output, client=client)


@links_app.command
def rebuild(*, workspace: str | None = None) -> int:
    """Rebuild the links from the link ids the copies carry (after the store was lost); no service write.

    Reads every service in full, forgets the stored links, and records the pairs whose copies carry
    the same link id. The next sync finds them linked and creates nothing for them.

    Parameters
    ----------
    workspace
        Only this workspace (a key of the hub file); default: every workspace.
    """
    from obm_hub.links import rebuild_main

    return rebuild_main(_ready(), workspace)


@app.command
def doctor(*, workspace: str | None = None) -> int:
    """Diagnose each service: reachable, credentials, Toggl admin and quota, calendar, Notion properties.

    One line per finding; each problem says how to fix it.

    Parameters
    ----------
    workspace
        Only this workspace (a key of the hub file); default: every workspace.
    """
    from obm_hub.doctor import doctor_main

    return doctor_main(_ready(), workspace)


@app.command
def check() -> int:
    """Validate the configuration, the var dir and the store, and say which services run where."""
    hub = _ready()
    print(f"configuration ok: {hub.file_path} ({'sandbox' if hub.sandbox else 'live'} mode)")
    for status in hub.service_status():
        print(f"  {status}")
    print(f"  store: {_shown(store_url(hub.settings))}; var dir: {hub.settings.var_dir}")
    return exit_codes.OK


@app.command
def sandbox(
    *,
    state_dir: Path = Path("var/sandbox"),
    memory: bool = False,
    port_base: int = 0,
    seed: int = 2026,
    workspaces: Annotated[int, Parameter(validator=validators.Number(gte=1))] = 1,
    no_rate_limits: bool = False,
) -> int:
    """Serve the four API emulators on 127.0.0.1 until interrupted, and print how to point a hub at them.

    Parameters
    ----------
    state_dir
        Where the emulators keep their state.
    memory
        Keep the state in memory only.
    port_base
        First of four consecutive ports; 0 picks free ones.
    seed
        Seed of the demo business.
    workspaces
        Client businesses to serve; with more than one, the hub file that names them is written and printed.
    no_rate_limits
        Do not enforce the services' documented rate limits.
    """
    from obm_hub.serve import serve_sandbox

    state = None if memory else state_dir
    return serve_sandbox(
        state_dir=state, port_base=port_base, seed=seed, workspaces=workspaces, rate_limits=not no_rate_limits
    )


@app.command
def serve(*, port: int = 4200, limit: int = 4, paused: bool = False) -> int:
    """Serve every deployment (per workspace: the hub every 15 minutes, the daily and weekly summaries)
    until interrupted; with no PREFECT_API_URL, start a Prefect server for it and print its address.

    Parameters
    ----------
    port
        The port of the Prefect server started here (0 picks a free one); unused with PREFECT_API_URL.
    limit
        Flow runs at most at once.
    paused
        Register the schedules paused: runs start only when triggered, until resumed in the UI.
    """
    from flows.serving import ServerFailed, serve_hub

    try:
        return serve_hub(_ready(), port=port, limit=limit, paused=paused)
    except ServerFailed as exc:
        print(f"obm-hub: {exc}", file=sys.stderr)
        return exit_codes.FAILED


@app.command
def deployments(*, write: Path | None = None, work_pool: str = "obm-hub") -> int:
    """Print the deployments of the hub file as a prefect.yaml (for `prefect deploy --all` and workers).

    Parameters
    ----------
    write
        Write it to this file instead (e.g. prefect.yaml).
    work_pool
        The work pool the deployments run in.
    """
    from flows.deployments import deployment_specs, prefect_yaml

    hub = load_hub()
    source = hub.file_path.resolve()
    shown = source.relative_to(Path.cwd()) if source.is_relative_to(Path.cwd()) else source
    text = prefect_yaml(deployment_specs(hub.file), source=str(shown), work_pool=work_pool)
    if write is None:
        print(text, end="")
    else:
        write.write_text(text, encoding="utf-8")
        print(f"wrote {write} ({len(hub.file.workspaces)} workspaces, from {shown})")
    return exit_codes.OK


def _ready() -> Hub:
    """The configuration loaded, the var dir prepared and the store reachable; ConfigError otherwise."""
    hub = load_hub()
    for warning in hub.warnings:
        print(f"obm-hub: warning: {warning}", file=sys.stderr)
    prepare_dirs(hub.settings)  # before Prefect is imported: it cannot create its home's parents
    check_store(hub.settings)
    return hub


def _shown(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    """The `obm-hub` command: its exit code is one of `obm_hub.exit_codes`."""
    try:
        code = app(argv, result_action="return_value")
    except ConfigError as exc:
        print(f"obm-hub: {exc}", file=sys.stderr)
        return exit_codes.BAD_CONFIGURATION
    return int(code or exit_codes.OK)
