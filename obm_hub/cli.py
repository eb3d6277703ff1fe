"""`obm-hub`: run the main job, check the configuration, or serve the sandbox."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from config import ConfigError, load_hub


def _check(_: argparse.Namespace) -> int:
    hub = load_hub()
    print(f"configuration ok: {hub.file_path} ({'sandbox' if hub.sandbox else 'live'} mode)")
    for status in hub.service_status():
        print(f"  {status}")
    return 0


def _run(_: argparse.Namespace) -> int:
    load_hub()  # fail fast, before Prefect starts, when the configuration is wrong
    from flows.main import hub_main  # Prefect is imported only when a flow runs

    for line in hub_main():
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="obm-hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the main job once").set_defaults(handler=_run)
    commands.add_parser("check", help="validate the configuration and exit").set_defaults(handler=_check)
    return parser


def app(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"obm-hub: {exc}", file=sys.stderr)
        return 2
