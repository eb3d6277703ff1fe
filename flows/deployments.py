"""The deployments of a hub file: per workspace, `hub/<key>` every 15 minutes, the daily summary
(`operations-summary/<key>-daily`, yesterday's, at 08:00) and the weekly one
(`operations-summary/<key>-weekly`, last week's, Monday 08:00).

Every schedule is a cron **with the workspace's time zone**: Prefect evaluates a cron without one in
UTC (https://docs.prefect.io/v3/concepts/schedules), and 08:00 means the workspace's morning. Each
deployment runs one flow run at a time (a deployment concurrency limit of 1, on top of the engine's
lease): a `hub` run due while the last one still runs is cancelled (the next is 15 minutes away), a
summary waits its turn.

One function, `deployment_specs()`, says what they are; `runner_deployments()` turns them into what
`obm-hub serve` serves, `prefect_yaml()` into the `prefect.yaml` a work pool's workers run
(`obm-hub deployments --write prefect.yaml`). Parameters are the flows' own (never a secret: Prefect
stores them in plain text); the settings and credentials come from the environment where the run runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config.hub_file import HubFile

HUB_CRON = "*/15 * * * *"
DAILY_CRON = "0 8 * * *"
WEEKLY_CRON = "0 8 * * 1"
WORK_POOL = "obm-hub"
TAGS = ("obm-hub",)

ENTRYPOINTS = {
    "hub": "flows/hub.py:hub",
    "operations-summary": "flows/hub.py:operations_summary",
}


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment: a flow, a name, a cron in a time zone, its parameters, one run at a time."""

    flow: str  # the flow's name: hub, operations-summary
    name: str
    cron: str
    timezone: str
    parameters: dict[str, Any]
    description: str
    collision: str = "ENQUEUE"  # what a run due while another runs does: ENQUEUE or CANCEL_NEW
    tags: tuple[str, ...] = field(default=TAGS)

    @property
    def full_name(self) -> str:
        return f"{self.flow}/{self.name}"

    @property
    def entrypoint(self) -> str:
        return ENTRYPOINTS[self.flow]


def deployment_specs(hub_file: HubFile) -> list[DeploymentSpec]:
    """The deployments of every workspace, in the hub file's order."""
    specs = []
    for key, workspace in hub_file.workspaces.items():
        zone = workspace.timezone
        specs += [
            DeploymentSpec(
                "hub",
                key,
                HUB_CRON,
                zone,
                {"workspace": key},
                f"{workspace.name}: the syncs, then the summary, every 15 minutes",
                collision="CANCEL_NEW",
            ),
            DeploymentSpec(
                "operations-summary",
                f"{key}-daily",
                DAILY_CRON,
                zone,
                {"workspace": key, "period": "yesterday"},
                f"{workspace.name}: yesterday's operations summary, 08:00 {zone}",
            ),
            DeploymentSpec(
                "operations-summary",
                f"{key}-weekly",
                WEEKLY_CRON,
                zone,
                {"workspace": key, "period": "last-week"},
                f"{workspace.name}: last week's operations summary, Monday 08:00 {zone}",
            ),
        ]
    return specs


def runner_deployments(specs: list[DeploymentSpec], *, paused: bool = False) -> list[Any]:
    """Prefect's `RunnerDeployment`s of the specs, for `serve()`; `paused`: schedules registered
    paused (runs start only when triggered, until resumed in the UI)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.hub import hub, operations_summary

    flows: dict[str, Any] = {"hub": hub, "operations-summary": operations_summary}
    return [
        flows[spec.flow].to_deployment(
            name=spec.name,
            schedules=[Cron(spec.cron, timezone=spec.timezone)],
            parameters=spec.parameters,
            description=spec.description,
            tags=list(spec.tags),
            paused=paused,
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy(spec.collision)
            ),
        )
        for spec in specs
    ]


def prefect_yaml(
    specs: list[DeploymentSpec], *, source: str, work_pool: str = WORK_POOL, paused: bool = False
) -> str:
    """`prefect.yaml` for `prefect deploy --all` (run from the project's folder, which workers load
    the flows from: Prefect adds that `set_working_directory` pull step itself); `paused`: the
    schedules start paused (runs only when triggered)."""
    import yaml

    document = {
        "name": "obm-hub",
        "deployments": [
            {
                "name": spec.name,
                "entrypoint": spec.entrypoint,
                "description": spec.description,
                "tags": list(spec.tags),
                "parameters": spec.parameters,
                "schedules": [{"cron": spec.cron, "timezone": spec.timezone}],
                "concurrency_limit": {"limit": 1, "collision_strategy": spec.collision},
                "work_pool": {"name": work_pool},
                **({"paused": True} if paused else {}),
            }
            for spec in specs
        ],
    }
    header = (
        f"# Generated by `obm-hub deployments --write prefect.yaml` from {source}: regenerate, do not edit.\n"
        "# Per workspace: hub every 15 minutes, the daily summary at 08:00 and the weekly one Monday 08:00,\n"
        "# in the workspace's time zone; one run at a time per deployment. Deploy with\n"
        "# `prefect deploy --all` from this folder; run with `prefect worker start --pool "
        f"{work_pool}`.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
