"""The summary as blocks for a Notion page, in the hub's simple block vocabulary.

Plain dicts, turned into Notion API blocks (and split to Notion's limits) by the Notion connector's
`publish_page`: `{"type": "heading_2", "text": ...}`, `paragraph`, `bulleted_list_item`,
`numbered_list_item`, `to_do` (with `checked`), `divider`, `callout` (with `emoji`), and `table`
(with `rows: list[list[str]]` and `header: bool`). `text` may carry simple Markdown: bold, italic,
code and links. Table cells are plain text.
"""

from __future__ import annotations

from typing import Any

from summary.format import Formatter
from summary.render import rows
from summary.render.environment import md
from summary.render.view import LEVEL_MARKS, View
from summary.result import Summary, TaskRef

Block = dict[str, Any]


def _text(kind: str, text: str) -> Block:
    return {"type": kind, "text": text}


def _table(table: rows.Table) -> Block:
    return {
        "type": "table",
        "header": True,
        "rows": [list(table.header), *([rows.text(cell) for cell in row] for row in table.rows)],
    }


def _task(ref: TaskRef) -> str:
    return f"[{md(ref.title)}]({ref.url})" if ref.url else md(ref.title)


def notion_blocks(summary: Summary) -> list[Block]:
    f = Formatter(summary.language, summary.timezone)
    v = View(summary, f)
    tables = {table.key: table for table in rows.all_tables(summary, f)}
    blocks: list[Block] = [
        _text(
            "paragraph",
            f"{f.period(summary.period)} · {f.t('as_of', when=f.moment(summary.now), zone=summary.timezone)}",
        ),
        *_headline(summary, f),
        *_done(summary, f, v),
        *_section(f.t("overdue"), tables["overdue"], f.t("nothing_overdue")),
        *_section(f.t("at_risk"), tables["at-risk"], f.t("nothing_at_risk")),
        *_deadlines(summary, f, v),
        *_hours(summary, f, tables),
        *_blockers(summary, f, v),
        _text("heading_2", f.t("changes")),
        _table(tables["changes"]),
        *_health(summary, f, v, tables),
    ]
    return blocks


def _headline(summary: Summary, f: Formatter) -> list[Block]:
    level = summary.headline.level
    lines = [f.t("reason_" + reason.code, count=reason.count) for reason in summary.headline.reasons]
    text = f"**{f.t('level_' + level)}**{f.colon}" + (
        f.list_separator.join(lines) if lines else f.t("all_clear")
    )
    return [{"type": "callout", "emoji": LEVEL_MARKS[level], "text": text}]


def _done(summary: Summary, f: Formatter, v: View) -> list[Block]:
    blocks = [_text("heading_2", f"{f.t('done')} ({f.number(summary.done_count)})")]
    for group in summary.done:
        blocks.append(_text("heading_3", md(v.project(group.project))))
        for item in group.tasks:
            who = f.t("done_by", who=v.names(item.people), when=f.date_short(f.local(item.done_at).date()))
            blocks.append({"type": "to_do", "checked": True, "text": f"{_task(item.task)}{f.colon}{md(who)}"})
    if not summary.done:
        blocks.append(_text("paragraph", f.t("nothing_done")))
    return blocks


def _section(title: str, table: rows.Table, empty: str) -> list[Block]:
    heading = _text("heading_2", f"{title} ({len(table.rows)})")
    return [heading, _table(table) if table.rows else _text("paragraph", empty)]


def _deadlines(summary: Summary, f: Formatter, v: View) -> list[Block]:
    blocks = [_text("heading_2", f.t("deadlines"))]
    for key, items in (("within_7", summary.deadlines.within_7), ("within_14", summary.deadlines.within_14)):
        if items:
            blocks.append(_text("heading_3", f.t(key)))
        for item in items:
            what = (
                f"{_task(item.task)}, {md(v.names(item.task.assignees))}"
                if item.task
                else f"{md(item.title)} ({f.t('calendar_only')})"
            )
            blocks.append(
                _text(
                    "bulleted_list_item",
                    f"**{f.due(item.due)}** ({v.days_left(item.days_left)}){f.colon}{what}",
                )
            )
    if len(blocks) == 1:
        blocks.append(_text("paragraph", f.t("no_deadlines")))
    return blocks


def _hours(summary: Summary, f: Formatter, tables: dict[str, rows.Table]) -> list[Block]:
    blocks = [_text("heading_2", f.t("hours"))]
    hours = summary.hours
    if hours is None:
        return [*blocks, _text("paragraph", f.t("no_hours"))]
    total = f.t("hours_total", hours=f.hours(hours.seconds), billable=f.hours(hours.billable_seconds))
    blocks += [
        _text("paragraph", total),
        _text("heading_3", f.t("by_person")),
        _table(tables["hours-by-person"]),
    ]
    blocks += [_text("heading_3", f.t("by_project")), _table(tables["hours-by-project"])]
    blocks.append(_text("heading_3", f.t("needs_a_look")))
    for key, items in (("without_task", hours.without_task), ("without_project", hours.without_project)):
        if items:
            count = f.t(key, count=len(items), hours=f.hours(sum(item.seconds for item in items)))
            blocks.append(_text("bulleted_list_item", count))
    for timer in hours.long_timers:
        name = summary.person_name(timer.person) or f.t("unknown_person")
        line = (
            f"{md(name)}{f.colon}{md(timer.description or f.t('no_description'))} ({f.hours(timer.seconds)})"
        )
        blocks.append(
            _text(
                "bulleted_list_item",
                f"{f.t('long_timers', hours=f.hours_of(summary.settings.long_timer_hours))}{f.colon}{line}",
            )
        )
    for meeting in hours.untracked_meetings or ():
        names = ", ".join(summary.person_name(key) or key for key in meeting.people)
        line = f"{f.moment(meeting.start)}{f.colon}{md(meeting.title)} ({md(names)})"
        blocks.append(_text("bulleted_list_item", f"{f.t('untracked_meetings')}{f.colon}{line}"))
    return blocks


def _blockers(summary: Summary, f: Formatter, v: View) -> list[Block]:
    blocks = [_text("heading_2", f.t("blockers"))]
    review = f.t("in_review", days=f.t("review_days", count=summary.settings.review_days))
    for label, items in ((f.t("blocked"), summary.blockers.blocked), (review, summary.blockers.in_review)):
        for item in items:
            since = f", {f.t('since', when=f.date_short(f.local(item.since).date()))}" if item.since else ""
            who = md(v.names(item.task.assignees))
            blocks.append(
                _text("bulleted_list_item", f"**{label}**{f.colon}{_task(item.task)}, {who}{since}")
            )
    if len(blocks) == 1:
        blocks.append(_text("paragraph", f.t("no_blockers")))
    return blocks


def _health(summary: Summary, f: Formatter, v: View, tables: dict[str, rows.Table]) -> list[Block]:
    health = summary.health
    blocks: list[Block] = [{"type": "divider"}, _text("heading_2", f.t("health"))]
    blocks.append(_table(tables["sync-health"]) if health.relations else _text("paragraph", f.t("no_runs")))
    for c in health.conflicts:
        line = f.conflict(c)
        blocks.append(_text("bulleted_list_item", f"{f.t('conflicts')}{f.colon}{md(line)}"))
    for r in health.refused_archives:
        line = f.t("refused_line", service=r.service, count=r.count, reason=r.reason)
        blocks.append(_text("bulleted_list_item", f"{f.t('refused_archives')}{f.colon}{md(line)}"))
    blocks += [_text("bulleted_list_item", f"{f.t('errors')}{f.colon}{md(line)}") for line in v.errors]
    if health.services:
        blocks.append(_table(tables["services"]))
    return blocks
