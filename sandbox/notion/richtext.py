"""Rich text in requests, checked the way Notion checks it, and turned into the read shape.

An element is text (`text.content`, optional `text.link.url`), a mention or an equation, each with
optional annotations (https://developers.notion.com/reference/rich-text). Requests may mention a user,
a page, a database, a date or a template value; `link_preview` and `link_mention` mentions are only
ever returned (the request union of the reference lacks them) and are refused. The read shape adds
every annotation, `plain_text` (a user mention reads `@Name`, a page or database mention its title, a
date mention its start, `start → end` for a range) and `href` (the link, or the mentioned page's URL).

Limits (https://developers.notion.com/reference/request-limits): 100 elements per array; 2,000
characters (UTF-16 code units) per `text.content` and per `link.url`; 1,000 per equation expression.
"""

from __future__ import annotations

from typing import Any

from sandbox.notion.checks import ARRAY_LIMIT, TEXT_LIMIT, invalid, moment, too_long, utf16_length
from sandbox.notion.store import Json, NotionStore, canonical_id, plain

EQUATION_LIMIT = 1000
ANNOTATIONS = ("bold", "italic", "strikethrough", "underline", "code")
COLORS = frozenset(
    ["default"]
    + [
        f"{name}{suffix}"
        for name in ("gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red")
        for suffix in ("", "_background")
    ]
)
TEMPLATE_TEXT = {"today": "@Today", "now": "@Now", "me": "@Me"}


def annotations(**flags: Any) -> Json:
    found: Json = {name: bool(flags.get(name, False)) for name in ANNOTATIONS}
    found["color"] = flags.get("color", "default")
    return found


def element(kind: str, body: Json, plain_text: str, href: str | None, style: Json | None = None) -> Json:
    """One element in its read shape."""
    return {
        "type": kind,
        kind: body,
        "annotations": style or annotations(),
        "plain_text": plain_text,
        "href": href,
    }


def notion_url(object_id: str) -> str:
    return f"https://www.notion.so/{object_id.replace('-', '')}"


def rich_text(store: NotionStore, value: Any, path: str) -> list[Json]:
    """A rich-text request array as read elements; ApiError (400) for anything Notion refuses."""
    if not isinstance(value, list):
        raise invalid(path, "an array", value)
    if len(value) > ARRAY_LIMIT:
        raise too_long(path, ARRAY_LIMIT, len(value))
    return [_element(store, item, f"{path}[{index}]") for index, item in enumerate(value)]


def _element(store: NotionStore, item: Any, at: str) -> Json:
    if not isinstance(item, dict):
        raise invalid(at, "an object", item)
    kind = item.get("type") or next((k for k in ("text", "mention", "equation") if k in item), "text")
    style = _annotations(item.get("annotations"), f"{at}.annotations")
    if kind == "equation":
        return _equation(item.get("equation"), f"{at}.equation", style)
    if kind == "mention":
        return _mention(store, item.get("mention"), f"{at}.mention", style)
    if kind != "text":
        raise invalid(f"{at}.type", '"text", "mention" or "equation"', kind)
    return _text(item.get("text"), f"{at}.text", style)


def _annotations(value: Any, at: str) -> Json:
    if value is None:
        return annotations()
    if not isinstance(value, dict):
        raise invalid(at, "an object", value)
    for name in ANNOTATIONS:
        if name in value and not isinstance(value[name], bool):
            raise invalid(f"{at}.{name}", "a boolean", value[name])
    color = value.get("color", "default")
    if color not in COLORS:
        raise invalid(f"{at}.color", "a Notion colour", color)
    return annotations(**{name: value.get(name, False) for name in ANNOTATIONS}, color=color)


def _text(body: Any, at: str, style: Json) -> Json:
    if not isinstance(body, dict):
        raise invalid(at, "defined")
    content = body.get("content")
    if not isinstance(content, str):
        raise invalid(f"{at}.content", "a string", content)
    if utf16_length(content) > TEXT_LIMIT:
        raise too_long(f"{at}.content", TEXT_LIMIT, utf16_length(content))
    link = body.get("link")
    url = None
    if link is not None:
        url = link.get("url") if isinstance(link, dict) else None
        if not isinstance(url, str) or not url:
            raise invalid(f"{at}.link.url", "a string", url)
        if len(url) > TEXT_LIMIT:
            raise too_long(f"{at}.link.url", TEXT_LIMIT, len(url))
    return element("text", {"content": content, "link": {"url": url} if url else None}, content, url, style)


def _equation(body: Any, at: str, style: Json) -> Json:
    expression = body.get("expression") if isinstance(body, dict) else None
    if not isinstance(expression, str) or not expression:
        raise invalid(f"{at}.expression", "a non-empty string", expression)
    if utf16_length(expression) > EQUATION_LIMIT:
        raise too_long(f"{at}.expression", EQUATION_LIMIT, utf16_length(expression))
    return element("equation", {"expression": expression}, expression, None, style)


def _mention(store: NotionStore, body: Any, at: str, style: Json) -> Json:
    if not isinstance(body, dict):
        raise invalid(at, "defined")
    kind = body.get("type") or next((k for k in MENTIONS if k in body), None)
    reader = MENTIONS.get(str(kind))
    if reader is None:
        raise invalid(f"{at}.type", f"one of {sorted(MENTIONS)}", kind)
    payload, plain_text, href = reader(store, body.get(str(kind)), f"{at}.{kind}")
    return element("mention", {"type": kind, kind: payload}, plain_text, href, style)


def _id(value: Any, at: str) -> str:
    found = canonical_id(value.get("id", "")) if isinstance(value, dict) else None
    if found is None:
        raise invalid(f"{at}.id", "a valid uuid", value)
    return found


def _user(store: NotionStore, value: Any, at: str) -> tuple[Json, str, str | None]:
    user_id = _id(value, at)
    if user_id not in store.users:
        raise invalid(f"{at}.id", "the id of a user of this workspace", user_id)
    return {"object": "user", "id": user_id}, "@" + str(store.users[user_id].get("name") or ""), None


def _page(store: NotionStore, value: Any, at: str) -> tuple[Json, str, str | None]:
    page_id = _id(value, at)
    page = store.pages.get(page_id)
    if page is None:
        raise invalid(f"{at}.id", "the id of a page shared with the integration", page_id)
    title = next((plain(v["title"]) for v in page["properties"].values() if v["type"] == "title"), "")
    return {"id": page_id}, title or "Untitled", notion_url(page_id)


def _database(store: NotionStore, value: Any, at: str) -> tuple[Json, str, str | None]:
    database_id = _id(value, at)
    database = store.databases.get(database_id)
    if database is None:
        raise invalid(f"{at}.id", "the id of a database shared with the integration", database_id)
    return {"id": database_id}, plain(database["title"]) or "Untitled", notion_url(database_id)


def _date(store: NotionStore, value: Any, at: str) -> tuple[Json, str, str | None]:
    if not isinstance(value, dict):
        raise invalid(at, "an object", value)
    zone = value.get("time_zone")
    start = moment(value.get("start"), zone, f"{at}.start")
    end = moment(value["end"], zone, f"{at}.end") if value.get("end") is not None else None
    return {"start": start, "end": end, "time_zone": zone}, start + (f" → {end}" if end else ""), None


def _template(store: NotionStore, value: Any, at: str) -> tuple[Json, str, str | None]:
    kind = value.get("type") if isinstance(value, dict) else None
    choice = value.get(kind) if isinstance(value, dict) and isinstance(kind, str) else None
    allowed = {"template_mention_date": ("today", "now"), "template_mention_user": ("me",)}
    if kind not in allowed or choice not in allowed[str(kind)]:
        raise invalid(at, "a template_mention_date or template_mention_user", value)
    return {"type": kind, kind: choice}, TEMPLATE_TEXT[str(choice)], None


MENTIONS = {
    "user": _user,
    "page": _page,
    "database": _database,
    "date": _date,
    "template_mention": _template,
}
