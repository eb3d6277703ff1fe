"""A response that does not match its model is BadData naming the call, the model and the field, in all
four clients (issue 7, defect 4): never pydantic's text, which quotes the values."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import BadData
from connectors.gcal.client import GoogleCalendarClient
from connectors.http import CoreOptions, RetryPolicy, build_core
from connectors.notion.client import NotionClient
from connectors.parsing import parse
from connectors.ratelimit import RateLimit, SlidingWindowLimiter
from connectors.toggl.client import TogglClient
from connectors.trello.client import TrelloClient
from connectors.trello.models import TrelloCard

CANARY = "customer-data-canary-7f3a"  # what a wrong-shaped body holds; never shown


def _options(clock) -> CoreOptions:
    limiter = SlidingWindowLimiter(RateLimit(1000, 1.0, "test"), clock=clock, sleep=clock.sleep)
    return CoreOptions(limiter=limiter, sleep=clock.sleep, retry=RetryPolicy(random=lambda: 1.0))


def _trello(clock) -> Callable[[], Any]:
    respx.get("https://api.trello.com/1/boards/b1/cards/all").mock(
        return_value=httpx.Response(200, json=[{"id": "c1", "name": "Call", "closed": CANARY}])
    )
    client = TrelloClient(
        build_core("trello", "https://api.trello.com/1", credential="t", options=_options(clock))
    )
    return lambda: client.get_board_cards("b1")


def _google(clock) -> Callable[[], Any]:
    api = "https://www.googleapis.com/calendar/v3"
    respx.get(f"{api}/calendars/primary/events/e1").mock(
        return_value=httpx.Response(200, json={"id": "e1", "start": {"dateTime": ["x"]}, "summary": [CANARY]})
    )
    client = GoogleCalendarClient(build_core("google", api, credential="g", options=_options(clock)))
    return lambda: client.get_event("primary", "e1")


def _toggl(clock) -> Callable[[], Any]:
    base = "https://api.track.toggl.com/api/v9"
    respx.get(f"{base}/me/time_entries").mock(return_value=httpx.Response(200, json=[{"id": CANARY}]))
    client = TogglClient.build(base, "toggl-fake-token", options=_options(clock))
    return lambda: client.list_time_entries()


def _notion(clock) -> Callable[[], Any]:
    base = "https://api.notion.com/v1"
    page = {"object": "page", "id": "p1", "last_edited_time": CANARY, "properties": {}}
    respx.get(f"{base}/pages/p1").mock(return_value=httpx.Response(200, json=page))
    client = NotionClient.connect(base, "ntn_FAKE_token", options=_options(clock))
    return lambda: client.retrieve_page("p1")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            _trello,
            "trello GET /boards/{id}/cards/{filter} returned a body that does not match list[TrelloCard]: "
            "[0].closed: bool_parsing",
        ),
        (
            _google,
            "google GET /calendars/{calendarId}/events/{eventId} returned a body that does not match "
            "GoogleEvent: ",
        ),
        (
            _toggl,
            "toggl GET /me/time_entries returned a body that does not match list[TogglTimeEntry]: [0].id: ",
        ),
        (_notion, "notion GET /pages/{page_id} returned a body that does not match NotionPage: "),
    ],
)
@respx.mock
def test_a_wrong_shape_names_the_model_and_the_field_and_never_a_value(make, expected, clock, caplog):
    call = make(clock)
    with caplog.at_level(logging.DEBUG), pytest.raises(BadData) as caught:
        call()
    error = caught.value
    logging.getLogger("tests").exception("as a run log would show it", exc_info=error)
    assert str(error).startswith(expected)
    shown = [
        str(error),
        repr(error.args),
        error.body or "",
        caplog.text,
        "".join(traceback.format_exception(error)),
    ]
    assert all(CANARY not in text for text in shown)
    assert "pydantic" not in "".join(shown)  # no ValidationError chained into the traceback


def test_the_first_problems_and_the_count_of_the_others():
    bad = [{"id": n} for n in range(5)]
    with pytest.raises(BadData) as caught:
        parse(list[TrelloCard], bad, service="trello", method="GET", path="/x")
    assert str(caught.value) == (
        "trello GET /x returned a body that does not match list[TrelloCard]: "
        "[0].id: string_type; [1].id: string_type; [2].id: string_type (and 2 more)"
    )


def test_a_body_that_is_not_even_the_right_kind():
    with pytest.raises(BadData, match=r"does not match TrelloCard: \(the body\): model_type$"):
        parse(TrelloCard, [CANARY], service="trello", method="GET", path="/cards/{id}")
