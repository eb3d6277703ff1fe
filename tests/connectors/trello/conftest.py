"""Shared pieces of the Trello connector tests: the real-shaped fixtures, the demo board's mapping, a
connector on respx, and what Trello stores for a written payload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from config.settings import TrelloSettings
from connectors.http import CoreOptions, RetryPolicy
from connectors.ratelimit import RateLimit, SlidingWindowLimiter
from connectors.trello import TrelloConnector
from connectors.trello.mapping import BoardIndex, TrelloMapping
from connectors.trello.models import TrelloCard, TrelloCardWrite, TrelloLabel, TrelloList, TrelloMember
from sandbox.business import load_workspace

API = "https://api.trello.com/1"
BOARD = "6650a1f0c0ffee0000b0a4d1"
CARD_ID = "6712b0c4d2a1f3e4b5c6d704"
FIXTURES = Path(__file__).parent / "fixtures"
KEY, TOKEN = "a3f9c2e18b7d4c6f9e0a1b2c3d4e5f60", "ATTAa9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1"


def raw(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def card(name: str) -> TrelloCard:
    return TrelloCard.model_validate(raw(name))


def action(action_id: str, kind: str, card_id: str) -> dict[str, Any]:
    return {
        "id": action_id,
        "type": kind,
        "date": "2026-11-25T09:00:00.000Z",
        "data": {"card": {"id": card_id}},
    }


def apply(payload: TrelloCardWrite, board: BoardIndex, card_id: str) -> TrelloCard:
    """What Trello stores for a payload (ids expanded into label objects), as a card."""
    label_ids = [label for label in payload["idLabels"].split(",") if label]
    labels = [label for label in board.labels if label.id in label_ids]
    return TrelloCard(
        id=card_id,
        name=payload["name"],
        desc=payload["desc"],
        closed=payload["closed"],
        idList=payload["idList"],
        idLabels=label_ids,
        labels=labels,
        idMembers=[member for member in payload["idMembers"].split(",") if member],
        due=payload["due"],
        dueComplete=payload["dueComplete"],
        dateLastActivity="2026-11-25T09:30:00.000Z",
        shortUrl="https://trello.com/c/Rt1pAb2c",
    )


@pytest.fixture(scope="module")
def board() -> BoardIndex:
    data = raw("board")
    return BoardIndex(
        lists=tuple(TrelloList.model_validate(item) for item in data["lists"]),
        labels=tuple(TrelloLabel.model_validate(item) for item in data["labels"]),
        members=tuple(TrelloMember.model_validate(item) for item in data["members"]),
    )


@pytest.fixture(scope="module")
def mapping() -> TrelloMapping:
    return TrelloMapping.from_workspace(load_workspace())


@pytest.fixture
def connector(clock) -> TrelloConnector:
    """The demo workspace's connector against api.trello.com (mocked by respx), on a fake clock."""
    settings = TrelloSettings(base_url=API, api_key=SecretStr(KEY), token=SecretStr(TOKEN))
    options = CoreOptions(
        limiter=SlidingWindowLimiter(RateLimit(1000, 1.0, "test"), clock=clock, sleep=clock.sleep),
        sleep=clock.sleep,
        retry=RetryPolicy(random=lambda: 1.0),
    )
    return TrelloConnector.from_settings(settings, load_workspace(), options)
