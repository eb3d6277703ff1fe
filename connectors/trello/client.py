"""A small typed client for the Trello REST API v1: each method builds one call and returns raw models.

Authentication sends the API key and the user token in the `Authorization` header
(`OAuth oauth_consumer_key="…", oauth_token="…"`), never in the query string, so that no proxy log,
error message or recorded request can leak them. One call names the token in its path, because Trello
offers no other way to read a token's record (`GET /tokens/{token}`); what the hub logs and counts of
it is the template, and the token is a registered secret that redaction masks in any error text.
Reference: https://developer.atlassian.com/cloud/trello/rest/
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import Any

import httpx

from config.redaction import register_secrets
from connectors.http import HttpCore
from connectors.pagination import Page, iterate_items
from connectors.parsing import parse
from connectors.trello.models import (
    SERVICE,
    TrelloAction,
    TrelloAttachment,
    TrelloCard,
    TrelloCardWrite,
    TrelloLabel,
    TrelloList,
    TrelloMember,
    TrelloToken,
)

# The card fields the mapping reads; Trello's default set is three times larger.
CARD_FIELDS = (
    "name,desc,closed,idBoard,idList,idLabels,labels,idMembers,due,dueComplete,dateLastActivity,"
    "idShort,shortLink,shortUrl"
)
# Cards come with their attachments (a nested resource), which hold the link to the peer copy.
CARD_ATTACHMENTS = {"attachments": "true", "attachment_fields": "name,url,date"}
LIST_FIELDS = "name,closed,pos"
LABEL_FIELDS = "name,color"
ACTION_FIELDS = "type,date,data"
ACTIONS_MAX_LIMIT = 1000  # "the API can retrieve 1000 results in a single call"
LABELS_MAX_LIMIT = 1000  # the default of 50 would hide labels on a busy board


class TrelloAuth(httpx.Auth):
    """Key and token in the OAuth-style header Trello accepts in place of `?key=&token=`."""

    def __init__(self, api_key: str, token: str) -> None:
        register_secrets([api_key, token])
        self._header = f'OAuth oauth_consumer_key="{api_key}", oauth_token="{token}"'

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class TrelloClient:
    """The Trello calls the hub makes, over the shared HTTP core."""

    def __init__(self, core: HttpCore) -> None:
        self.core = core

    # -- boards ------------------------------------------------------------------------------

    def get_board_lists(self, board_id: str) -> list[TrelloList]:
        """The board's lists, archived ones too: cards in an archived list are still on the board.

        https://developer.atlassian.com/cloud/trello/rest/api-group-boards/#api-boards-id-lists-get
        """
        template = "/boards/{id}/lists"
        params = {"filter": "all", "fields": LIST_FIELDS}
        raw = self.core.request_json("GET", template, path={"id": board_id}, params=params)
        return parse(list[TrelloList], raw, service=SERVICE, method="GET", path=template)

    def get_board_labels(self, board_id: str) -> list[TrelloLabel]:
        """The board's labels.

        https://developer.atlassian.com/cloud/trello/rest/api-group-boards/#api-boards-id-labels-get
        """
        template = "/boards/{id}/labels"
        params = {"fields": LABEL_FIELDS, "limit": LABELS_MAX_LIMIT}
        raw = self.core.request_json("GET", template, path={"id": board_id}, params=params)
        return parse(list[TrelloLabel], raw, service=SERVICE, method="GET", path=template)

    def create_board_label(self, board_id: str, name: str, color: str | None) -> TrelloLabel:
        """Create a label on the board.

        https://developer.atlassian.com/cloud/trello/rest/api-group-boards/#api-boards-id-labels-post
        """
        template = "/boards/{id}/labels"
        body = {"name": name, "color": color}
        raw = self.core.request_json("POST", template, path={"id": board_id}, json=body)
        return parse(TrelloLabel, raw, service=SERVICE, method="POST", path=template)

    def get_board_members(self, board_id: str) -> list[TrelloMember]:
        """The board's members (id, fullName, username).

        https://developer.atlassian.com/cloud/trello/rest/api-group-boards/#api-boards-id-members-get
        """
        template = "/boards/{id}/members"
        raw = self.core.request_json("GET", template, path={"id": board_id})
        return parse(list[TrelloMember], raw, service=SERVICE, method="GET", path=template)

    def get_board_cards(self, board_id: str, filter: str = "all") -> list[TrelloCard]:
        """The board's cards with their attachments; `all` includes archived ones. The endpoint takes
        the card parameters of `GET /cards/{id}` as nested-resource parameters (the spec lists none:
        see tests/contract/quirks.py).

        https://developer.atlassian.com/cloud/trello/rest/api-group-boards/#api-boards-id-cards-filter-get
        https://developer.atlassian.com/cloud/trello/guides/rest-api/nested-resources/
        """
        template = "/boards/{id}/cards/{filter}"
        params = {"fields": CARD_FIELDS, **CARD_ATTACHMENTS}
        path = {"id": board_id, "filter": filter}
        raw = self.core.request_json("GET", template, path=path, params=params)
        return parse(list[TrelloCard], raw, service=SERVICE, method="GET", path=template)

    # -- actions -----------------------------------------------------------------------------

    def get_board_actions(
        self,
        board_id: str,
        *,
        since: str | None = None,
        before: str | None = None,
        limit: int = ACTIONS_MAX_LIMIT,
        filter: Sequence[str] = (),
    ) -> list[TrelloAction]:
        """One page of the board's actions, newest first. `since` and `before` take a date or an
        action id.

        https://developer.atlassian.com/cloud/trello/rest/api-group-boards/#api-boards-boardid-actions-get
        """
        template = "/boards/{boardId}/actions"
        params: dict[str, Any] = {"fields": ACTION_FIELDS, "limit": limit, "memberCreator": "false"}
        if filter:
            params["filter"] = ",".join(filter)
        if since is not None:
            params["since"] = since
        if before is not None:
            params["before"] = before
        raw = self.core.request_json("GET", template, path={"boardId": board_id}, params=params)
        return parse(list[TrelloAction], raw, service=SERVICE, method="GET", path=template)

    def walk_board_actions(
        self, board_id: str, *, since: str, filter: Sequence[str] = (), page_size: int = ACTIONS_MAX_LIMIT
    ) -> Iterator[TrelloAction]:
        """Every action since `since`, newest first: a full page means there may be older ones, so
        the next page asks for those `before` the oldest action seen."""

        def fetch(before: str | None) -> Page[TrelloAction]:
            page = self.get_board_actions(
                board_id, since=since, before=before, limit=page_size, filter=filter
            )
            full = len(page) >= page_size
            return Page(page, min(action.id for action in page) if full and page else None)

        return iterate_items(fetch, service=SERVICE)

    # -- tokens ------------------------------------------------------------------------------

    def get_token(self, token: str) -> TrelloToken:
        """The token's record, only the field the hub reads (`dateExpires`; `id` always comes).

        https://developer.atlassian.com/cloud/trello/rest/api-group-tokens/#api-tokens-token-get
        """
        template = "/tokens/{token}"
        params = {"fields": "dateExpires"}
        raw = self.core.request_json("GET", template, path={"token": token}, params=params)
        return parse(TrelloToken, raw, service=SERVICE, method="GET", path=template)

    # -- cards -------------------------------------------------------------------------------

    def get_card(self, card_id: str) -> TrelloCard:
        """One card with its list, members and attachments embedded, so it maps without reading the
        board.

        https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-get
        """
        template = "/cards/{id}"
        params = {
            "fields": CARD_FIELDS,
            "list": "true",
            "members": "true",
            "member_fields": "username",
            **CARD_ATTACHMENTS,
        }
        raw = self.core.request_json("GET", template, path={"id": card_id}, params=params)
        return parse(TrelloCard, raw, service=SERVICE, method="GET", path=template)

    def create_card(self, card: TrelloCardWrite) -> TrelloCard:
        """Create a card (`idList` required).

        https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-post
        """
        raw = self.core.request_json("POST", "/cards", json=dict(card))
        return parse(TrelloCard, raw, service=SERVICE, method="POST", path="/cards")

    def update_card(self, card_id: str, changes: TrelloCardWrite) -> TrelloCard:
        """Update, move or archive (`closed: true`) a card.

        https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-put
        """
        template = "/cards/{id}"
        raw = self.core.request_json("PUT", template, path={"id": card_id}, json=dict(changes))
        return parse(TrelloCard, raw, service=SERVICE, method="PUT", path=template)

    def add_attachment(self, card_id: str, url: str, name: str) -> TrelloAttachment:
        """Attach a link to a card; Trello answers the one attachment (not the array the spec says).

        https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-attachments-post
        """
        template = "/cards/{id}/attachments"
        body = {"url": url, "name": name}
        raw = self.core.request_json("POST", template, path={"id": card_id}, json=body)
        return parse(TrelloAttachment, raw, service=SERVICE, method="POST", path=template)

    def delete_attachment(self, card_id: str, attachment_id: str) -> None:
        """https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-attachments-idattachment-delete"""
        template = "/cards/{id}/attachments/{idAttachment}"
        self.core.request_json("DELETE", template, path={"id": card_id, "idAttachment": attachment_id})
