"""What people add to a card besides its fields, and the board's lists: comments, checklists, check
items, link attachments, list creation and updates, each with the action Trello records.

Shapes and action data, with their sources:
- `commentCard`: `data.text`, `data.textData`, `data.list` (ruby-trello cassette
  `can_success_add_comment_to_a_card.yml`; the Action schema's example); the endpoint answers the action.
- `addChecklistToCard` (`data.checklist`) and `updateCheckItemStateOnCard` (`data.checklist`,
  `data.checkItem` with its `state`), as recorded by webhook payloads quoted in NOTES.md §1's sources;
  `PUT /cards/{id}/checkItem/{idCheckItem}` answers the check item (cassette
  `checklist_can_update_the_item_state.yml`). Adding a check item records no board action.
- Attachments: `POST /cards/{id}/attachments` with `url` and `name` answers one attachment object
  (cassette `can_add_a_file_from_url_on_a_card.yml`, although the spec declares an array); a link
  attachment has `isUpload: false`, `bytes: null`, `previews: []` (the spec's Attachment example);
  `DELETE` answers `{"limits": {}}` (cassette `can_remove_an_attachment_on_a_card.yml`). Actions
  `addAttachmentToCard` and `deleteAttachmentFromCard` carry `data.attachment`. File uploads
  (`file`, multipart) are not emulated: the hub attaches links only.
- `createList` and `updateList` (`data.list`, and `data.old` with the changed field), as the action
  types guide lists them: https://developer.atlassian.com/cloud/trello/guides/rest-api/action-types/
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sandbox.emulator import ApiError
from sandbox.trello.store import Json, TrelloStore, trello_time
from sandbox.trello.writes import flag, position, text

NAME_MAX = 256  # attachment names: "Max length 256"
CHECK_STATES = ("complete", "incomplete")
POS_STEP = 16384.0


def add_comment(store: TrelloStore, card: Json, params: Mapping[str, Any], now: datetime) -> Json:
    comment = params.get("text")
    if not isinstance(comment, str) or not comment.strip():
        raise ApiError(400, "invalid value for text")
    card["comments"] = card.get("comments", 0) + 1
    data = {"text": comment, "textData": {"emoji": {}}, "list": store.list_ref(card["idList"])}
    return store.record("commentCard", now, data, card=card)


def add_checklist(store: TrelloStore, card: Json, params: Mapping[str, Any], now: datetime) -> Json:
    name = text(params.get("name", "Checklist"), "name")
    existing = [store.checklists[c]["pos"] for c in card.get("idChecklists", [])]
    checklist = {
        "id": store.new_id(now),
        "name": name,
        "idBoard": card["idBoard"],
        "idCard": card["id"],
        "pos": max(existing, default=0.0) + POS_STEP,
        "checkItems": [],
    }
    store.checklists[checklist["id"]] = checklist
    card.setdefault("idChecklists", []).append(checklist["id"])
    store.record("addChecklistToCard", now, {"checklist": _ref(checklist)}, card=card)
    return checklist


def add_check_item(store: TrelloStore, checklist: Json, params: Mapping[str, Any], now: datetime) -> Json:
    name = params.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "invalid value for name")
    checked = flag(params.get("checked", False), "checked")
    item = {
        "idChecklist": checklist["id"],
        "state": "complete" if checked else "incomplete",
        "id": store.new_id(now),
        "name": name,
        "nameData": None,
        "pos": max((i["pos"] for i in checklist["checkItems"]), default=0.0) + POS_STEP,
        "due": None,
        "idMember": None,
    }
    checklist["checkItems"].append(item)
    return item


def set_check_item_state(
    store: TrelloStore, card: Json, item_id: str, params: Mapping[str, Any], now: datetime
) -> Json:
    found = [(c, i) for c in card.get("idChecklists", []) for i in store.checklists[c]["checkItems"]]
    checklist_id, item = next(((c, i) for c, i in found if i["id"] == item_id), (None, None))
    if item is None or checklist_id is None:
        raise ApiError(404)
    state = params.get("state", item["state"])
    if state not in CHECK_STATES:
        raise ApiError(400, "invalid value for state")
    if state != item["state"]:
        item["state"] = state
        check = {"id": item["id"], "name": item["name"], "state": state}
        data = {"checklist": _ref(store.checklists[checklist_id]), "checkItem": check}
        store.record("updateCheckItemStateOnCard", now, data, card=card)
    return {**item, "type": None, "creationMethod": None}


def add_attachment(store: TrelloStore, card: Json, params: Mapping[str, Any], now: datetime) -> Json:
    if "file" in params:
        raise ApiError(400, "invalid value for file")
    url = params.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ApiError(400, "invalid value for url")  # "Must start with http:// or https://"
    name = params.get("name", url)
    if not isinstance(name, str) or len(name) > NAME_MAX:
        raise ApiError(400, "invalid value for name")
    attachments = card.setdefault("attachments", [])
    attachment = {
        "id": store.new_id(now),
        "bytes": None,
        "date": trello_time(now),
        "edgeColor": None,
        "idMember": store.operator,
        "isUpload": False,
        "mimeType": params.get("mimeType", ""),
        "name": name,
        "previews": [],
        "url": url,
        "pos": max((a["pos"] for a in attachments), default=0.0) + POS_STEP,
    }
    attachments.append(attachment)
    data = {"attachment": {"id": attachment["id"], "name": name, "url": url}}
    store.record("addAttachmentToCard", now, data, card=card)
    return attachment


def delete_attachment(store: TrelloStore, card: Json, attachment_id: str, now: datetime) -> None:
    attachments = card.get("attachments", [])
    attachment = next((a for a in attachments if a["id"] == attachment_id), None)
    if attachment is None:
        raise ApiError(404)
    attachments.remove(attachment)
    data = {"attachment": {"id": attachment_id, "name": attachment["name"]}}
    store.record("deleteAttachmentFromCard", now, data, card=card)


def create_list(store: TrelloStore, board_id: str, params: Mapping[str, Any], now: datetime) -> Json:
    name = params.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "invalid value for name")
    positions = [item["pos"] for item in store.on_board(store.lists, board_id)]
    item = {
        "id": store.new_id(now),
        "name": name,
        "closed": False,
        "color": None,
        "idBoard": board_id,
        "pos": _list_pos(positions, params.get("pos", "bottom")),
        "subscribed": False,
        "softLimit": None,
    }
    store.lists[item["id"]] = item
    store.record("createList", now, {"list": {"id": item["id"], "name": name}}, board_id=board_id)
    return item


def update_list(store: TrelloStore, item: Json, params: Mapping[str, Any], now: datetime) -> Json:
    """`PUT /lists/{id}`: one updateList action per changed field, with `data.old`."""
    coercers = {"name": text, "closed": flag, "pos": position}
    values = {name: coerce(params[name], name) for name, coerce in coercers.items() if name in params}
    for name, value in values.items():
        if name == "pos" and isinstance(value, str):
            raise ApiError(400, "invalid value for pos")  # a list moves to a number, not top/bottom
        if value != item[name]:
            old, item[name] = item[name], value
            data = {"list": {"id": item["id"], "name": item["name"], name: value}, "old": {name: old}}
            store.record("updateList", now, data, board_id=item["idBoard"])
    return item


def _list_pos(positions: list[float], where: object) -> float:
    if where == "top":
        return min(positions, default=POS_STEP * 2) / 2
    if where == "bottom":
        return max(positions, default=0.0) + POS_STEP
    return float(position(where, "pos"))  # type: ignore[arg-type]


def _ref(checklist: Json) -> Json:
    return {"id": checklist["id"], "name": checklist["name"]}
