"""The engine against the sandbox over real HTTP, the demo business as seeded: the first sync links what
Trello and Notion both hold and creates the rest; the second writes nothing and reads the minimum
(the hub's own writes, seen again in Trello's board actions and in Notion's look-back, are not read
again), and so does the third. Every request is counted in the sandbox's own log."""

from __future__ import annotations

from collections import Counter

import pytest

from config import load_settings
from config.policies import agenda_policy, tasks_policy
from connectors.registry import RECORDS, connect
from sandbox.business import load_workspace
from sync.engine import (
    apply_and_record,
    plan_deadlines,
    plan_tasks,
    plan_tracked_hours,
    read_into_store,
)
from sync.model import Event, Task
from sync.policy import TASKS
from sync.store import Store
from tests.conftest import fast_options

WORKSPACE = "brightpath"
# A sync that finds nothing new anywhere reads this much, and nothing more.
MINIMUM_READS = {
    ("trello", "/boards/{boardId}/actions"): 1,  # the actions since the cursor
    ("google", "/calendars/{calendarId}/events"): 1,  # the sync token
    ("google", "/token"): 1,  # each run's connector gets an access token
    ("notion", "/data_sources/{data_source_id}/query"): 2,  # live and trashed, from its memo
    # No admin check (`/me/workspaces`, `/me`): the first run's answer stands for a day (the memo).
    ("toggl", "/reports/api/v3/workspace/{workspace_id}/search/time_entries"): 2,  # the team's window
    ("toggl", "/me/time_entries/current"): 1,  # the owner's timer (reports leave it out): the
    # dashboard shows it running (the seed leaves it so); none when it does not
    ("toggl", "/workspaces/{workspace_id}/dashboard/all_activity"): 1,  # teammates' running timers
}


class Hub:
    def __init__(self, sandbox, tmp_path) -> None:
        self.sandbox = sandbox
        self.workspace = load_workspace()
        self.settings = sandbox.settings(load_settings())
        self.store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}")

    def connectors(self):
        return {
            service: connect(
                service,
                self.settings,
                self.workspace,
                fast_options(),
                memo=self.store.memo(WORKSPACE, service),
            )
            for service in ("trello", "notion", "google", "toggl")
        }

    def run(self):
        """One hub run: reads, the tasks relation, the agenda, tracked hours."""
        connectors = self.connectors()
        try:
            for service, connector in connectors.items():
                read_into_store(self.store, WORKSPACE, connector, model=RECORDS[service])
            sides = (connectors["trello"], connectors["notion"])
            tasks = plan_tasks(self.store, WORKSPACE, sides, tasks_policy(self.workspace))
            tasks_run = apply_and_record(self.store, WORKSPACE, tasks, connectors, Task)
            agenda, _ = plan_deadlines(
                self.store,
                WORKSPACE,
                ("trello", "notion"),
                connectors["google"],
                agenda_policy(self.workspace),
            )
            agenda_run = apply_and_record(self.store, WORKSPACE, agenda.plan, connectors, Event)
            hours = plan_tracked_hours(self.store, WORKSPACE, ("trello", "notion"), "notion")
            hours_run = apply_and_record(self.store, WORKSPACE, hours, connectors, Task)
            return tasks_run, agenda_run, hours_run
        finally:
            for connector in connectors.values():
                connector.close()

    def requests(self) -> list:
        return list(self.sandbox.log.entries())


def _writes(entries) -> Counter:
    return Counter((entry.service, entry.method) for entry in entries if entry.is_write)


@pytest.fixture
def hub(sandbox_factory, tmp_path):
    hub = Hub(sandbox_factory(rate_limits=False), tmp_path)
    yield hub
    hub.store.close()


def test_the_first_sync_links_the_overlap_and_creates_the_rest_then_a_second_writes_nothing(hub):
    business = hub.sandbox.business
    tasks_run, agenda_run, hours_run = hub.run()
    assert (tasks_run.outcome, agenda_run.outcome, hours_run.outcome) == ("ok", "ok", "ok")
    both = [t for t in business.tasks if t.on_trello and t.on_notion]
    trello_only = [t for t in business.tasks if t.on_trello and not t.on_notion and not t.archived]
    notion_only = [t for t in business.tasks if t.on_notion and not t.on_trello and not t.archived]
    report = tasks_run.report
    assert report.created == len(trello_only) + len(notion_only)
    links = hub.store.links(WORKSPACE, TASKS, Task)
    assert len(links) == len(both) + len(trello_only) + len(notion_only)
    # The seeded differences were settled at first contact, each recorded with what won.
    differing = {t.key: set(t.notion_differences) for t in both if t.notion_differences}
    settled = sorted((c.field, c.policy) for c in report.conflicts)
    assert settled == sorted(
        (field, "first-contact:latest") for fields in differing.values() for field in fields
    )
    # Every open task with a due date has its deadline event.
    assert agenda_run.report.created > 0

    before = len(hub.requests())
    again = hub.run()
    second = hub.requests()[before:]
    assert _writes(second) == Counter(), [(e.service, e.method, e.path) for e in second if e.method != "GET"]
    assert [(s.link_id, s.kind, s.reason) for run in again for s in run.plan.steps] == []
    # The second run sees the hub's own writes again (Trello's board actions, Notion's look-back over
    # the last minutes) and reads none of them back: the store holds them as the services answered.
    # Not even the page relating to 27 projects, whose relation the page object truncates at 25.
    reads = Counter((entry.service, entry.path) for entry in second)
    assert reads == MINIMUM_READS, reads
    # The third, with nothing new anywhere, reads the minimum too.
    before = len(hub.requests())
    hub.run()
    third = hub.requests()[before:]
    assert _writes(third) == Counter()
    reads = Counter((entry.service, entry.path) for entry in third)
    assert reads == MINIMUM_READS, reads
