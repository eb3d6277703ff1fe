"""Known errors and gaps in the official specs, as data, each with the reason it is here.

Everything in this module is applied in memory by :mod:`tests.contract.spec`; the spec files on
disk stay byte-for-byte copies of the sources in ``specs/SOURCES.md``. Sources for the claims are
the research notes (``/work/shared/api-specs/NOTES.md``) and recorded real responses quoted there.
"""

from __future__ import annotations

from typing import Any, Literal

Service = Literal["trello", "gcal", "toggl", "notion"]

#: Raw-spec patches: (service, JSON pointer into the parsed spec, new value or None to delete).
SPEC_PATCHES: tuple[tuple[Service, str, Any], ...] = (
    # Trello errors are text/plain ("The requested resource was not found.") or, for 429,
    # {"error": ..., "message": ...}; the Error model's required "code" never appears.
    ("trello", "/components/schemas/Error/required", None),
    # Card.labels is declared as an array of ids; real cards carry full label objects
    # ({id, idBoard, name, color}); idLabels holds the ids.
    (
        "trello",
        "/components/schemas/Card/properties/labels/items",
        {
            "oneOf": [
                {"$ref": "#/components/schemas/Label"},
                {"$ref": "#/components/schemas/TrelloID"},
            ]
        },
    ),
    # cover.idUploadedBackground is typed boolean; real values are null or a background id.
    ("trello", "/components/schemas/Card/properties/cover/properties/idUploadedBackground", {}),
    # Reliable required fields (only these are asserted on responses): every object has its id.
    ("trello", "/components/schemas/Card/required", ["id"]),
    ("trello", "/components/schemas/TrelloList/required", ["id"]),
    ("trello", "/components/schemas/Label/required", ["id"]),
    ("trello", "/components/schemas/Action/required", ["id", "type", "date"]),
    # Google: "only the id field is guaranteed" even for cancelled events (Event.status doc);
    # list responses always carry `items`, possibly empty. Skipped when `fields=` is used.
    ("gcal", "/schemas/Event/required", ["id"]),
    ("gcal", "/schemas/Events/required", ["items"]),
    # Toggl serialises whole Go structs, so these are always present (NOTES.md §3.2).
    (
        "toggl",
        "/definitions/github_com_toggl_toggl_api_internal_models.TimeEntry/required",
        ["id", "workspace_id", "start", "duration"],
    ),
    ("toggl", "/definitions/models.Tag/required", ["id", "name", "workspace_id"]),
    (
        "toggl",
        "/definitions/github_com_toggl_toggl_api_internal_models.Project/required",
        ["id", "name"],
    ),
)

_TRELLO = "#/components/schemas/"

#: Notion's paginated list envelope (developers.notion.com/reference/pagination, NOTES.md §4.3).
NOTION_LIST: dict[str, Any] = {
    "type": "object",
    "required": ["object", "results", "has_more", "next_cursor"],
    "properties": {
        "object": {"type": "string"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["object", "id"],
                "properties": {"object": {"type": "string"}, "id": {"type": "string"}},
            },
        },
        "has_more": {"type": "boolean"},
        "next_cursor": {"type": ["string", "null"]},
    },
}

#: Notion page object, the fields the connectors rely on (developers.notion.com/reference/page).
NOTION_PAGE: dict[str, Any] = {
    "type": "object",
    "required": ["object", "id", "properties"],
    "properties": {
        "object": {"type": "string"},
        "id": {"type": "string"},
        "parent": {"type": "object"},
        "properties": {"type": "object"},
        "in_trash": {"type": "boolean"},
        "archived": {"type": "boolean"},
        "created_time": {"type": "string"},
        "last_edited_time": {"type": "string"},
        "url": {"type": "string"},
    },
}

#: Success-response schemas (in the spec's own dialect) for operations whose spec declares none
#: (Trello: only "Success") or only ``{"type": "object"}`` (Notion).
RESPONSE_SUPPLEMENTS: dict[tuple[Service, str, str], dict[str, Any]] = {
    ("trello", "GET", "/boards/{id}/cards"): {"type": "array", "items": {"$ref": _TRELLO + "Card"}},
    ("trello", "GET", "/boards/{id}/cards/{filter}"): {
        "type": "array",
        "items": {"$ref": _TRELLO + "Card"},
    },
    ("trello", "GET", "/boards/{boardId}/actions"): {
        "type": "array",
        "items": {"$ref": _TRELLO + "Action"},
    },
    ("trello", "GET", "/boards/{id}/labels"): {
        "type": "array",
        "items": {"$ref": _TRELLO + "Label"},
    },
    ("trello", "GET", "/boards/{id}/members"): {
        "type": "array",
        "items": {"$ref": _TRELLO + "Member"},
    },
    ("notion", "POST", "/v1/data_sources/{data_source_id}/query"): NOTION_LIST,
    ("notion", "POST", "/v1/search"): NOTION_LIST,
    ("notion", "GET", "/v1/users"): NOTION_LIST,
    ("notion", "GET", "/v1/blocks/{block_id}/children"): NOTION_LIST,
    ("notion", "PATCH", "/v1/blocks/{block_id}/children"): NOTION_LIST,
    ("notion", "POST", "/v1/pages"): NOTION_PAGE,
    ("notion", "GET", "/v1/pages/{page_id}"): NOTION_PAGE,
    ("notion", "PATCH", "/v1/pages/{page_id}"): NOTION_PAGE,
}

#: Body fields a description calls required although the schema has no ``required`` list.
#: Toggl timeentry.Payload: created_with "Must be provided when creating", start "required for
#: creation", workspace_id "Workspace ID, required".
EXTRA_BODY_REQUIRED: dict[tuple[Service, str, str], tuple[str, ...]] = {
    ("toggl", "POST", "/workspaces/{workspace_id}/time_entries"): (
        "created_with",
        "start",
        "workspace_id",
    ),
}

#: Query parameters the spec marks required although they are optional search, sort and paging
#: filters (Toggl GET /workspaces/{workspace_id}/projects: their descriptions are just their
#: names; NOTES.md §3.2 lists them with the optional list filters).
NOT_REQUIRED: dict[tuple[Service, str, str], frozenset[str]] = {
    ("toggl", "GET", "/workspaces/{workspace_id}/projects"): frozenset(
        {"name", "page", "sort_field", "sort_order", "only_templates", "sort_pinned", "search"}
    ),
}

#: Values a parameter accepts beyond its declared type. Toggl types `active` as boolean, but its
#: description says "You can pass 'both' to get both active and inactive projects" (and tasks).
EXTRA_PARAM_VALUES: dict[tuple[Service, str], frozenset[str]] = {
    ("toggl", "active"): frozenset({"both"}),
}
