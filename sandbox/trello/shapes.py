"""The Trello emulator's response shapes: cards, actions, attachments, checklists, as the API returns them.

Sources: the `Card`, `Action`, `Attachment` and `Checklist` schemas of the official OpenAPI document,
and the responses recorded in ruby-trello's cassettes (NOTES.md §1): `card_find_with_id_and_get_all_fields`,
`can_add_a_file_from_url_on_a_card` (one attachment object, not the array the spec declares),
`checklist_can_update_the_item_state`.
"""

from __future__ import annotations

import re

from sandbox.trello.store import Json, TrelloStore


def card(store: TrelloStore, item: Json) -> Json:
    """The card as `GET /cards/{id}` returns it (every default field)."""
    labels = [store.labels[label_id] for label_id in item["idLabels"]]
    slug = re.sub(r"[^a-z0-9]+", "-", item["name"].lower()).strip("-")
    return {
        "id": item["id"],
        "badges": _badges(store, item),
        "checkItemStates": [],
        "closed": item["closed"],
        "dueComplete": item["dueComplete"],
        "dateLastActivity": item["dateLastActivity"],
        "desc": item["desc"],
        "descData": {"emoji": {}},
        "due": item["due"],
        "dueReminder": None,
        "email": None,
        "idBoard": item["idBoard"],
        "idChecklists": list(item.get("idChecklists", [])),
        "idList": item["idList"],
        "idMembers": list(item["idMembers"]),
        "idMembersVoted": [],
        "idShort": item["idShort"],
        "idAttachmentCover": None,
        "labels": [dict(label) for label in labels],
        "idLabels": list(item["idLabels"]),
        "manualCoverAttachment": False,
        "name": item["name"],
        "pos": item["pos"],
        "shortLink": item["shortLink"],
        "shortUrl": f"https://trello.com/c/{item['shortLink']}",
        "start": item.get("start"),
        "subscribed": False,
        "url": f"https://trello.com/c/{item['shortLink']}/{item['idShort']}-{slug}",
        "cover": {"idAttachment": None, "color": None, "idUploadedBackground": None, "size": "normal"},
        "isTemplate": False,
        "cardRole": None,
    }


def _badges(store: TrelloStore, item: Json) -> Json:
    items = [i for c in item.get("idChecklists", []) for i in store.checklists[c]["checkItems"]]
    return {
        "attachmentsByType": {"trello": {"board": 0, "card": 0}},
        "location": False,
        "votes": 0,
        "viewingMemberVoted": False,
        "subscribed": False,
        "fogbugz": "",
        "checkItems": len(items),
        "checkItemsChecked": sum(1 for i in items if i["state"] == "complete"),
        "checkItemsEarliestDue": None,
        "comments": item.get("comments", 0),
        "attachments": len(item.get("attachments", [])),
        "description": bool(item["desc"]),
        "due": item["due"],
        "dueComplete": item["dueComplete"],
        "start": item.get("start"),
    }


def action(store: TrelloStore, item: Json, *, with_creator: bool) -> Json:
    if not with_creator:
        return dict(item)
    member = store.members.get(item["idMemberCreator"], {})
    creator = {
        "id": item["idMemberCreator"],
        "activityBlocked": False,
        "avatarHash": None,
        "avatarUrl": None,
        "fullName": member.get("fullName"),
        "idMemberReferrer": None,
        "initials": member.get("initials"),
        "nonPublic": {},
        "nonPublicAvailable": True,
        "username": member.get("username"),
    }
    return {**item, "memberCreator": creator}


def checklist(item: Json) -> Json:
    return {**item, "checkItems": [dict(check) for check in item["checkItems"]]}
