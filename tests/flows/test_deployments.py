"""The deployments of a hub file, the committed prefect.yaml, and the automation file: all parsed by
Prefect's own models, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from config.hub_file import HubFile, read_hub_file
from config.loader import SANDBOX_HUB_FILE
from flows.deployments import deployment_specs, prefect_yaml

ROOT = Path(__file__).resolve().parents[2]


def _sandbox_specs():
    return deployment_specs(HubFile.model_validate(read_hub_file(SANDBOX_HUB_FILE)))


def test_the_committed_prefect_yaml_is_what_the_generator_writes_for_the_sandbox_hub_file():
    committed = (ROOT / "prefect.yaml").read_text(encoding="utf-8")
    assert committed == prefect_yaml(_sandbox_specs(), source="config/sandbox.toml"), (
        "prefect.yaml drifted from flows/deployments.py: run `obm-hub deployments --write prefect.yaml`"
    )


def test_obm_hub_deployments_prints_the_same_file(capsys, monkeypatch):
    from obm_hub.cli import main

    monkeypatch.chdir(ROOT)
    assert main(["deployments"]) == 0
    assert capsys.readouterr().out == (ROOT / "prefect.yaml").read_text(encoding="utf-8")


def test_each_workspace_gets_three_deployments_scheduled_in_its_own_zone():
    from prefect.cli.deploy._models import PrefectYamlModel
    from prefect.server.schemas.schedules import CronSchedule

    from sandbox.portfolio import generate_portfolio, hub_file_text

    businesses = generate_portfolio(4, now=datetime(2026, 11, 25, tzinfo=UTC))
    hub_file = HubFile.model_validate(_toml(hub_file_text(businesses)))
    zones = {key: workspace.timezone for key, workspace in hub_file.workspaces.items()}
    assert len(set(zones.values())) > 1  # the portfolio spans zones: each must keep its own

    document = PrefectYamlModel.model_validate(
        yaml.safe_load(prefect_yaml(deployment_specs(hub_file), source="hub.toml"))
    )
    assert len(document.deployments) == 3 * len(zones)
    by_name = {deployment.name: deployment for deployment in document.deployments}
    for key, zone in zones.items():
        hub, daily, weekly = by_name[key], by_name[f"{key}-daily"], by_name[f"{key}-weekly"]
        assert hub.entrypoint == "flows/hub.py:hub" and hub.parameters == {"workspace": key}
        assert daily.parameters == {"workspace": key, "period": "yesterday"}
        assert weekly.parameters == {"workspace": key, "period": "last-week"}
        for deployment in (hub, daily, weekly):
            [schedule] = deployment.schedules or []
            assert schedule.timezone == zone  # a cron without one runs in UTC
            assert deployment.concurrency_limit.limit == 1  # type: ignore[union-attr]
        # The daily summary's next run is 08:00 on the workspace's clock.
        cron = CronSchedule(cron=daily.schedules[0].cron, timezone=zone)  # type: ignore[index]
        [upcoming] = _next(cron, 1)
        assert (upcoming.hour, upcoming.minute, str(upcoming.tzinfo)) == (8, 0, zone)
        weekly_cron = CronSchedule(cron=weekly.schedules[0].cron, timezone=zone)  # type: ignore[index]
        assert {day.weekday() for day in _next(weekly_cron, 3)} == {0}  # Mondays only


def test_the_automation_file_is_prefects_and_covers_the_hubs_events():
    from prefect.events.schemas.automations import AutomationCore

    data = yaml.safe_load((ROOT / "deploy" / "automation.yaml").read_text(encoding="utf-8"))
    automations = [AutomationCore.model_validate(item) for item in data["automations"]]
    expected = {event for automation in automations for event in automation.trigger.expect}  # type: ignore[union-attr]
    assert expected == {"obm-hub.auth.failed", "obm-hub.sync.refused", "obm-hub.sync.conflict"}
    for automation in automations:
        assert automation.trigger.match.model_dump()["prefect.resource.id"] == "obm-hub.workspace.*"  # type: ignore[union-attr]
        assert [action.type for action in automation.actions] == ["send-notification"]


def _toml(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)


def _next(schedule, count: int) -> list[datetime]:
    import asyncio

    return asyncio.run(schedule.get_dates(count, start=datetime(2026, 11, 25, tzinfo=UTC)))
