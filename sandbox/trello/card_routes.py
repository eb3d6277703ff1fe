"""The Trello card endpoints: cards, their comments, checklists and link attachments.

A card read may embed its list, members and attachments as nested resources (`list=true`,
`members=true`, `attachments=true|false|cover` with `attachment_fields`); `GET /boards/{id}/cards/...`
takes the same card parameters ("See Nested Resources"):
https://developer.atlassian.com/cloud/trello/guides/rest-api/nested-resources/ and
https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-get
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.trello import activity, params, shapes
from sandbox.trello.store import Json, TrelloStore
from sandbox.trello.writes import create_card, delete_card, update_card

if TYPE_CHECKING:
    from sandbox.trello.emulator import TrelloEmulator

MEMBER_FIELDS = ("id", "fullName", "username")
ATTACHMENT_CHOICES = ("true", "false", "cover")


def register(router: APIRouter, emulator: TrelloEmulator) -> None:
    _card_routes(router, emulator)
    _attachment_routes(router, emulator)
    _activity_routes(router, emulator)


def _card_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.get("/cards/{id}")
    async def card_get(request: Request) -> Any:
        store = emulator.store
        card = params.card(store, request.path_params["id"])
        query = request.query_params
        body = card_body(store, card, query)
        if query.get("list") == "true":
            body["list"] = dict(store.lists[card["idList"]])
        if query.get("members") == "true":
            fields = query.get("member_fields", ",".join(MEMBER_FIELDS))
            members = (store.members[member_id] for member_id in card["idMembers"])
            body["members"] = [params.select(member, fields) for member in members]
        return body

    @router.post("/cards")
    async def card_create(request: Request) -> Any:
        card = create_card(emulator.store, await params.write_params(request), emulator.now())
        return shapes.card(emulator.store, card)

    @router.put("/cards/{id}")
    async def card_update(request: Request) -> Any:
        card = params.card(emulator.store, request.path_params["id"])
        update_card(emulator.store, card, await params.write_params(request), emulator.now())
        return shapes.card(emulator.store, card)

    @router.delete("/cards/{id}")
    async def card_delete(request: Request) -> Any:
        card = params.card(emulator.store, request.path_params["id"])
        delete_card(emulator.store, card, emulator.now())
        return JSONResponse({"limits": {}})


def _attachment_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.get("/cards/{id}/attachments")
    async def attachments_list(request: Request) -> Any:
        card = params.card(emulator.store, request.path_params["id"])
        fields = request.query_params.get("fields", "all")
        return [params.select(attachment, fields) for attachment in card.get("attachments", [])]

    @router.post("/cards/{id}/attachments")
    async def attachment_create(request: Request) -> Any:
        card = params.card(emulator.store, request.path_params["id"])
        values = await params.write_params(request)
        attachment = activity.add_attachment(emulator.store, card, values, emulator.now())
        return {**attachment, "limits": {}}

    @router.delete("/cards/{id}/attachments/{idAttachment}")
    async def attachment_delete(request: Request) -> Any:
        card = params.card(emulator.store, request.path_params["id"])
        attachment_id = request.path_params["idAttachment"]
        activity.delete_attachment(emulator.store, card, attachment_id, emulator.now())
        return {"limits": {}}


def _activity_routes(router: APIRouter, emulator: TrelloEmulator) -> None:
    @router.post("/cards/{id}/actions/comments")
    async def comment_create(request: Request) -> Any:
        store = emulator.store
        card = params.card(store, request.path_params["id"])
        action = activity.add_comment(store, card, await params.write_params(request), emulator.now())
        return shapes.action(store, action, with_creator=True)

    @router.get("/cards/{id}/checklists")
    async def checklists_list(request: Request) -> Any:
        store = emulator.store
        card = params.card(store, request.path_params["id"])
        return [shapes.checklist(store.checklists[c]) for c in card.get("idChecklists", [])]

    @router.post("/cards/{id}/checklists")
    async def checklist_create(request: Request) -> Any:
        store = emulator.store
        card = params.card(store, request.path_params["id"])
        checklist = activity.add_checklist(store, card, await params.write_params(request), emulator.now())
        return shapes.checklist(checklist)

    @router.post("/checklists/{id}/checkItems")
    async def check_item_create(request: Request) -> Any:
        store = emulator.store
        checklist = params.one(store.checklists, request.path_params["id"])
        values = await params.write_params(request)
        return activity.add_check_item(store, checklist, values, emulator.now())

    @router.put("/cards/{id}/checkItem/{idCheckItem}")
    async def check_item_update(request: Request) -> Any:
        store = emulator.store
        card = params.card(store, request.path_params["id"])
        values = await params.write_params(request)
        item_id = request.path_params["idCheckItem"]
        return activity.set_check_item_state(store, card, item_id, values, emulator.now())


def card_body(store: TrelloStore, card: Json, query: Mapping[str, str]) -> Json:
    """The card with the query's `fields`, and its attachments when `attachments` asks for them."""
    body = params.select(shapes.card(store, card), query.get("fields"))
    wanted = params.choice(query.get("attachments", "false"), ATTACHMENT_CHOICES, "attachments")
    if wanted == "true":
        fields = query.get("attachment_fields", "all")
        body["attachments"] = [params.select(a, fields) for a in card.get("attachments", [])]
    elif wanted == "cover":
        body["attachments"] = []  # link attachments are never a cover here
    return body
