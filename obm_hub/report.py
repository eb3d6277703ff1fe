"""`obm-hub summary`: the operations summary (or the client report) of a period, from what the store
holds: no service is read, nothing is published, Prefect is not started. Printed, or written to a file.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from config import ConfigError, ConfigProblem, Hub
from flows.context import runner_for
from flows.params import SummaryPeriod
from obm_hub import exit_codes
from obm_hub.workspaces import workspace_keys
from summary import client_report
from summary.files import CLIENT_RENDERERS, RENDERERS

Format = Literal["md", "html", "json"]
NamedPeriod = Literal["today", "yesterday", "this-week", "last-week"]


def period_of(period: NamedPeriod, first: date | None, last: date | None) -> SummaryPeriod:
    """The period asked for: named, or the dates `--first` to `--last`; ConfigError when they clash."""
    try:
        if first is None and last is None:
            return SummaryPeriod(period=period)
        return SummaryPeriod(period="dates", first=first, last=last)
    except ValidationError as exc:
        message = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        raise ConfigError([ConfigProblem("--first/--last", "the command line", message)]) from None


def summary_main(
    hub: Hub,
    workspace: str | None,
    period: SummaryPeriod,
    *,
    format: Format = "md",
    output: Path | None = None,
    client: bool = False,
) -> int:
    keys = workspace_keys(hub, workspace)
    if len(keys) > 1:
        raise ConfigError(
            [ConfigProblem("--workspace", "the command line", f"name one of {', '.join(keys)}")]
        )
    with runner_for(keys[0], label="obm-hub summary") as runner:
        resolved = period.resolve(runner.workspace.timezone, runner.store.now())
        summary = runner.summarize(resolved, publish=False).summary
    text = CLIENT_RENDERERS[format](client_report(summary)) if client else RENDERERS[format](summary)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        what = "client report" if client else "summary"
        print(f"{what} of {keys[0]} for {resolved.slug} written to {output}", file=sys.stderr)
    return exit_codes.OK
