"""The client report: the period's hours by project and the work done, fit to forward.

Drawn from a `Summary`, keeping nothing internal: no people, no utilisation, no overdue or blocked
work, no sync health. Hours with no project are shown as other work.
"""

from __future__ import annotations

from summary.result import ClientProject, ClientReport, ClientWork, Summary


def client_report(summary: Summary) -> ClientReport:
    hours = {row.project: row for row in summary.hours.projects} if summary.hours else {}
    done = {group.project: group.tasks for group in summary.done}
    keys = {key for key, row in hours.items() if row.seconds} | set(done)
    projects = [
        ClientProject(
            project=key,
            name=summary.project_name(key),
            seconds=hours[key].seconds if key in hours else 0,
            billable_seconds=hours[key].billable_seconds if key in hours else 0,
            done=tuple(ClientWork(item.task.title, item.done_at) for item in done.get(key, ())),
        )
        for key in keys
    ]
    projects.sort(key=lambda row: (row.project is None, -row.seconds, (row.name or "").casefold()))
    return ClientReport(
        workspace_name=summary.workspace_name,
        client=summary.settings.client_name,
        timezone=summary.timezone,
        language=summary.language,
        period=summary.period,
        now=summary.now,
        projects=tuple(projects),
        seconds=sum(row.seconds for row in projects),
        billable_seconds=sum(row.billable_seconds for row in projects),
    )
