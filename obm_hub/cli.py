"""`obm-hub`: run the main job, check the configuration, or serve the sandbox."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from config import ConfigError, load_hub
from config.dirs import prepare_dirs


def _check(_: argparse.Namespace) -> int:
    hub = load_hub()
    print(f"configuration ok: {hub.file_path} ({'sandbox' if hub.sandbox else 'live'} mode)")
    for status in hub.service_status():
        print(f"  {status}")
    return 0


def _run(args: argparse.Namespace) -> int:
    hub = load_hub()  # fail fast, before Prefect starts, when the configuration is wrong
    if args.workspace:
        hub.workspace(args.workspace)
    prepare_dirs(hub.settings)  # before Prefect is imported: it cannot create its home's parents
    from rich.console import Console
    from rich.markdown import Markdown

    from flows.main import hub_main  # Prefect is imported only when a flow runs

    summary = hub_main(workspace=args.workspace)
    Console().print(Markdown(summary))
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    import signal
    import threading

    from sandbox import Sandbox

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    state_dir = None if args.memory else Path(args.state_dir)
    with Sandbox(
        seed=args.seed,
        state_dir=state_dir,
        rate_limits=not args.no_rate_limits,
        port_base=args.port_base,
        workspaces=args.workspaces,
    ) as sandbox:
        print("obm-hub sandbox: four emulators on 127.0.0.1 (Ctrl-C to stop)")
        for service in sandbox.emulators:
            log = f"{sandbox.root_url(service)}/_sandbox/requests"
            print(f"  {service:<7} {sandbox.base_url(service)}   (request log: {log})")
        if args.workspaces > 1:
            print(f"hub file: {sandbox.write_hub_file()} ({args.workspaces} workspaces)")
        print(f"state: {state_dir or 'in memory'}; point the hub at it with:")
        for name, value in sandbox.environment().items():
            print(f"  export {name}={value}")
        sys.stdout.flush()
        stop.wait()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="obm-hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the main job once")
    run.add_argument("--workspace", help="only this workspace (a key of the hub file)")
    run.set_defaults(handler=_run)
    commands.add_parser("check", help="validate the configuration and exit").set_defaults(handler=_check)
    sandbox = commands.add_parser("sandbox", help="serve the four API emulators until interrupted")
    sandbox.add_argument("--state-dir", default="var/sandbox", help="where the emulators keep their state")
    sandbox.add_argument("--memory", action="store_true", help="keep state in memory only")
    sandbox.add_argument("--port-base", type=int, default=0, help="first of four ports (0: any free)")
    sandbox.add_argument("--seed", type=int, default=2026, help="seed of the demo business")
    sandbox.add_argument(
        "--workspaces", type=_positive, default=1, help="client businesses to serve (the hub file is printed)"
    )
    sandbox.add_argument("--no-rate-limits", action="store_true", help="do not enforce the documented limits")
    sandbox.set_defaults(handler=_sandbox)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def app(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"obm-hub: {exc}", file=sys.stderr)
        return 2
