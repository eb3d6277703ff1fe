"""Known errors and gaps in the official specs, as data, each with the reason it is here.

Everything in this module is applied in memory by :mod:`tests.contract.spec`; the spec files on
disk stay byte-for-byte copies of the sources in ``specs/SOURCES.md``. Sources for the claims are
the research notes (``/work/shared/api-specs/NOTES.md``) and recorded real responses quoted there.
"""

from __future__ import annotations

from typing import Any, Literal

Service = Literal["trello", "gcal", "toggl", "toggl_reports", "notion"]

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
    # `GET /boards/{id}/cards/{filter}` declares only its path parameters but points at "Nested
    # Resources": it takes the card parameters of `GET /cards/{id}` (fields, attachments,
    # attachment_fields), as clients use it (`/boards/{id}/cards?attachments=true&attachment_fields=
    # id,name,url&fields=...` in public code; developer.atlassian.com/cloud/trello/guides/rest-api/
    # nested-resources/).
    (
        "trello",
        "/paths/~1boards~1{id}~1cards~1{filter}/get/parameters",
        [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": "filter",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "enum": ["all", "closed", "complete", "incomplete", "none", "open", "visible"],
                },
            },
            {"name": "fields", "in": "query", "schema": {"type": "string"}},
            {
                "name": "attachments",
                "in": "query",
                "schema": {"oneOf": [{"type": "string", "enum": ["cover"]}, {"type": "boolean"}]},
            },
            {"name": "attachment_fields", "in": "query", "schema": {"type": "string"}},
        ],
    ),
    # `POST /cards/{id}/attachments` answers the one attachment it made, not an array (ruby-trello's
    # cassette can_add_a_file_from_url_on_a_card.yml).
    (
        "trello",
        "/paths/~1cards~1{id}~1attachments/post/responses/200/content/application~1json/schema",
        {"$ref": "#/components/schemas/Attachment"},
    ),
    # Attachment.bytes is a number for an upload (92147 in that cassette) and null for a link; the
    # spec types it a string. edgeColor is null for a link ("example": null) but points at the Color enum.
    ("trello", "/components/schemas/Attachment/properties/bytes", {"type": "integer", "nullable": True}),
    ("trello", "/components/schemas/Attachment/properties/edgeColor", {"type": "string", "nullable": True}),
    ("trello", "/components/schemas/Attachment/properties/previews/items", {"type": "object"}),
    ("trello", "/components/schemas/Attachment/required", ["id"]),
    # CheckItem.pos is a number (16384 in checklist_can_update_the_item_state.yml), typed a string.
    ("trello", "/components/schemas/CheckItem/properties/pos", {"type": "number"}),
    # TrelloList.softLimit is null on a list without one (every list in the ruby-trello cassettes).
    ("trello", "/components/schemas/TrelloList/properties/softLimit", {"type": "string", "nullable": True}),
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
    # The spec names no schema for these; the shapes are the cassettes' (see SPEC_PATCHES above).
    ("trello", "GET", "/boards/{id}/lists"): {"type": "array", "items": {"$ref": _TRELLO + "TrelloList"}},
    ("trello", "POST", "/lists"): {"$ref": _TRELLO + "TrelloList"},
    ("trello", "GET", "/lists/{id}"): {"$ref": _TRELLO + "TrelloList"},
    ("trello", "PUT", "/lists/{id}"): {"$ref": _TRELLO + "TrelloList"},
    ("trello", "GET", "/cards/{id}/checklists"): {"type": "array", "items": {"$ref": _TRELLO + "Checklist"}},
    ("trello", "POST", "/cards/{id}/checklists"): {"$ref": _TRELLO + "Checklist"},
    ("trello", "POST", "/checklists/{id}/checkItems"): {"$ref": _TRELLO + "CheckItem"},
    ("trello", "PUT", "/cards/{id}/checkItem/{idCheckItem}"): {"$ref": _TRELLO + "CheckItem"},
    # Toggl Reports v3 declares `{"type": "string"}` for the detailed search's 200; the answer is the
    # array of rows its own `detailed.GroupedTimeEntry` describes (a row per entry, or per group with
    # `grouped`), as recorded in real answers (NOTES.md §3.3).
    ("toggl_reports", "POST", "/reports/api/v3/workspace/{workspace_id}/search/time_entries"): {
        "type": "array",
        "items": {"$ref": "#/definitions/detailed.GroupedTimeEntry"},
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
