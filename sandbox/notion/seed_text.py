"""The seeded descriptions as Notion holds them: rich text with the formatting people put there.

Tasks on both sides carry the business's description, whose Markdown (a link, a bold word) Notion
holds as a link and an annotation. Tasks only in Notion carry what only Notion can hold: user, page,
database and date mentions, a link preview, an inline equation, underline, strikethrough, code and
colours (https://developers.notion.com/reference/rich-text). Read shapes are built here directly:
the sandbox does not borrow the client's Markdown conversion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.business import SOP_FOLDER, BizTask, Business
from sandbox.notion.richtext import annotations, element, notion_url
from sandbox.notion.store import Json, NotionStore, text_segment

BRIEF_DOC = "https://docs.google.com/document/d/1brightpath-launch-brief"


def styled(content: str, **flags: object) -> Json:
    segment = text_segment(content)
    segment["annotations"] = annotations(**flags)
    return segment


def link(content: str, url: str, **flags: object) -> Json:
    segment = text_segment(content, url)
    segment["annotations"] = annotations(**flags)
    return segment


def _line(markdown: str) -> list[Json]:
    """The Markdown the business uses (plain text, one `[text](url)`, one `**bold**`) as rich text."""
    segments: list[Json] = []
    for part in re.split(r"(\[[^\]]+\]\([^)]+\)|\*\*[^*]+\*\*)", markdown):
        found = re.fullmatch(r"\[([^\]]+)\]\(([^)]+)\)", part)
        if found:
            segments.append(link(found.group(1), found.group(2)))
        elif part.startswith("**") and part.endswith("**") and len(part) > 4:
            segments.append(styled(part[2:-2], bold=True))
        elif part:
            segments.append(text_segment(part))
    return segments


@dataclass(frozen=True)
class Refs:
    """What the Notion-only descriptions mention."""

    store: NotionStore
    business: Business
    project_page: Callable[[str], str]  # project name -> page id
    tasks_database: str

    def user(self, email: str) -> Json:
        person = next(p for p in self.business.people if p.email == email)
        assert person.notion_user_id is not None
        user = {"object": "user", "id": person.notion_user_id}
        return element("mention", {"type": "user", "user": user}, f"@{person.name}", None)

    def page(self, name: str) -> Json:
        page_id = self.project_page(name)
        return element("mention", {"type": "page", "page": {"id": page_id}}, name, notion_url(page_id))

    def database(self) -> Json:
        body = {"type": "database", "database": {"id": self.tasks_database}}
        return element("mention", body, "Tasks", notion_url(self.tasks_database))

    def date(self, task: BizTask) -> Json:
        start = (task.due or self.business.now).date().isoformat()
        body = {"type": "date", "date": {"start": start, "end": None, "time_zone": None}}
        return element("mention", body, start, None)


def _preview(url: str) -> Json:
    return element("mention", {"type": "link_preview", "link_preview": {"url": url}}, url, url)


def _equation(expression: str) -> Json:
    return element("equation", {"expression": expression}, expression, None)


def _notion_only(refs: Refs, task: BizTask, index: int) -> list[Json]:
    obm = next(p.email for p in refs.business.people if p.role == "obm")
    variants: list[list[Json]] = [
        [text_segment("Shortlist venues with "), refs.user(obm), text_segment(" before "), refs.date(task),
         text_segment(". Budget: "), _equation(r"3 \times 450\,€"), text_segment(" per night.")],
        [text_segment("Build on "), refs.page(task.project), text_segment(": "),
         styled("six modules at most", underline=True), text_segment(".")],
        [text_segment("Offers so far: "), styled("Acme Mics", strikethrough=True), text_segment(", "),
         styled("Lumen Audio", bold=True, color="green"), text_segment(". Brief: "), _preview(BRIEF_DOC)],
        [text_segment("Pull quotes from "), refs.database(), text_segment(" tagged "),
         styled("#testimonial", code=True), text_segment(".")],
        [styled("Draft before the launch.", color="red_background"), text_segment(" Themes: "),
         styled("rest", italic=True), text_segment(", "), styled("focus", italic=True), text_segment(".")],
        [text_segment("Scorecard in the "), link("hiring doc", BRIEF_DOC + "#hiring", bold=True),
         text_segment("; ask "), refs.user(obm), text_segment(".")],
        [text_segment("VIP day at "), _equation(r"1\,200\,€"), text_segment(" vs "),
         styled("900 €", strikethrough=True), text_segment(" last year.")],
        [text_segment("Cover every program since 2024 ("), refs.page(task.project), text_segment("), see "),
         link("last year's review", SOP_FOLDER + "/review-2025"), text_segment(".")],
    ]  # fmt: skip
    return variants[index % len(variants)]


def description(refs: Refs, task: BizTask, index: int) -> list[Json]:
    """The rich text of a task's Notion description, in as few elements as its styles allow."""
    if not task.on_trello:
        return _merged(_notion_only(refs, task, index))
    title, _, line = task.description.partition("\n\n")
    return _merged([text_segment(title + "\n\n"), *_line(line)] if line else _line(title))


def _merged(segments: list[Json]) -> list[Json]:
    """Adjacent text elements of the same style and link joined, as Notion's editor stores them."""
    merged: list[Json] = []
    for segment in segments:
        last = merged[-1] if merged else None
        same = last is not None and last["type"] == segment["type"] == "text"
        if same and (last["annotations"], last["href"]) == (segment["annotations"], segment["href"]):
            content = last["text"]["content"] + segment["text"]["content"]
            merged[-1] = {**last, "text": {**last["text"], "content": content}, "plain_text": content}
        else:
            merged.append(segment)
    return merged
