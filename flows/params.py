"""The flows' parameters, validated by pydantic: the same schema checks a Python call, the UI's run
form, `prefect deployment run --param` and `run_deployment`. Never a secret among them: Prefect stores
parameters in plain text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from summary import Period

Relation = Literal["tasks", "agenda", "time"]
RELATIONS: tuple[Relation, ...] = ("tasks", "agenda", "time")
PeriodName = Literal["today", "yesterday", "this-week", "last-week", "dates"]


class SummaryPeriod(BaseModel):
    """Which period a summary covers: named, or given dates (`dates`, with `first` and `last`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: PeriodName = "this-week"
    first: date | None = None
    last: date | None = None

    @model_validator(mode="after")
    def _dates_go_with_dates(self) -> SummaryPeriod:
        if (self.period == "dates") != (self.first is not None and self.last is not None):
            raise ValueError("period 'dates' takes first and last; the named periods take neither")
        if self.first and self.last and self.last < self.first:
            raise ValueError("last is before first")
        return self

    def resolve(self, timezone: str, now: datetime) -> Period:
        today = now.astimezone(ZoneInfo(timezone)).date()
        if self.period == "today":
            return Period.day(today)
        if self.period == "yesterday":
            return Period.day(date.fromordinal(today.toordinal() - 1))
        if self.period == "this-week":
            return Period.week(today)
        if self.period == "last-week":
            return Period.week(date.fromordinal(today.toordinal() - 7))
        assert self.first is not None and self.last is not None
        return Period.between(self.first, self.last)


class SyncParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    workspace: str = Field(min_length=1, description="A workspace key of the hub file.")
    dry_run: bool = Field(default=False, description="Plan and show; write nothing.")
    full_resync: bool = Field(default=False, description="Read every service in full, not from its cursor.")
    allow_mass_archive: bool = Field(default=False, description="Run a plan the mass-archive guard refuses.")


class HubParams(SyncParams):
    relations: list[Relation] = Field(default_factory=lambda: list(RELATIONS))
    summary: SummaryPeriod = Field(default_factory=SummaryPeriod)


class SummaryParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    workspace: str = Field(min_length=1)
    summary: SummaryPeriod = Field(default_factory=lambda: SummaryPeriod(period="yesterday"))
    publish: bool = Field(default=True, description="Write the files and the Notion page.")
