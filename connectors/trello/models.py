"""Raw Trello REST API shapes, as the client receives them.

Only the fields the hub reads are declared; everything else is kept (`extra="allow"`), since Trello
adds fields over time. Fields a `fields=` request may leave out have defaults; whether a card can be
synced at all (it names a list, it has a name) is the mapping's call, so that one odd card is skipped
and reported instead of failing the whole read.

Reference: https://developer.atlassian.com/cloud/trello/rest/ (schemas `Card`, `TrelloList`,
`Label`, `Member`, `Attachment`, `Action`, `Token` in the official OpenAPI document).
"""

from __future__ import annotations

from typing import Any, TypedDict

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SERVICE = "trello"


class TrelloModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class TrelloList(TrelloModel):
    id: str
    name: str = ""
    closed: bool = False
    pos: float | None = None


class TrelloLabel(TrelloModel):
    id: str
    name: str | None = None  # Trello allows unnamed (colour-only) labels
    color: str | None = None


class TrelloMember(TrelloModel):
    id: str
    username: str | None = None
    fullName: str | None = None


class TrelloAttachment(TrelloModel):
    """A card attachment; the hub's are links (`POST /cards/{id}/attachments` with `url` and `name`)."""

    id: str
    name: str | None = None
    url: str | None = None
    date: str | None = None


class TrelloCard(TrelloModel):
    """A card. Dates stay strings here: the mapping parses them and skips a card it cannot read."""

    id: str
    name: str | None = None
    desc: str = ""
    closed: bool = False
    idBoard: str | None = None
    idList: str | None = None
    idLabels: list[str] = Field(default_factory=list)
    labels: list[TrelloLabel] = Field(default_factory=list)
    idMembers: list[str] = Field(default_factory=list)
    due: str | None = None
    dueComplete: bool = False
    dateLastActivity: str | None = None
    idShort: int | None = None
    shortLink: str | None = None
    shortUrl: str | None = None
    # Present only when asked for (`list=true`, `members=true`, `attachments=true`).
    list_: TrelloList | None = Field(None, alias="list")
    members: list[TrelloMember] | None = None
    attachments: list[TrelloAttachment] | None = None


class TrelloActionRef(TrelloModel):
    """The card, list or board an action names (`data.card`, `data.list`, `data.boardTarget`)."""

    id: str


class TrelloActionData(TrelloModel):
    card: TrelloActionRef | None = None
    list_: TrelloActionRef | None = Field(None, alias="list")
    old: dict[str, Any] | None = None


class TrelloAction(TrelloModel):
    """One entry of a board's change log (`GET /boards/{boardId}/actions`)."""

    id: str
    type: str
    date: str | None = None
    data: TrelloActionData = Field(default_factory=TrelloActionData)

    @property
    def card_id(self) -> str | None:
        return self.data.card.id if self.data.card is not None else None

    @property
    def list_id(self) -> str | None:
        return self.data.list_.id if self.data.list_ is not None else None


class TrelloToken(TrelloModel):
    """A user token's record (`GET /tokens/{token}`): `dateExpires` is null for a token granted with
    `expiration=never`, else when it stops working (1 hour, 1 day or 30 days after the grant)."""

    id: str
    dateExpires: AwareDatetime | None = None


class TrelloCardWrite(TypedDict, total=False):
    """The JSON body of `POST /cards` and `PUT /cards/{id}` ("query parameters may also be replaced
    with a JSON request body"). Id lists are comma-separated, as the reference documents them."""

    name: str
    desc: str
    idList: str
    idLabels: str
    idMembers: str
    due: str | None
    dueComplete: bool
    closed: bool
    pos: str
