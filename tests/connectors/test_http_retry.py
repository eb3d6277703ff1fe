"""Retry sequences of the HTTP core, driven through respx with an injected sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from connectors.errors import AuthError, BadData, RateLimited, Unavailable
from connectors.http import RetryPolicy
from tests.connectors.helpers import make_core

CARDS = "https://api.trello.com/1/boards/b1/cards"


@respx.mock
def test_429_with_retry_after_seconds_is_retried_after_that_wait(clock):
    route = respx.get(CARDS).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "API_TOKEN_LIMIT_EXCEEDED"}),
            httpx.Response(200, json=[{"id": "c1"}]),
        ]
    )
    core = make_core(clock)
    assert core.request_json("GET", "/boards/{board}/cards", path={"board": "b1"}) == [{"id": "c1"}]
    assert route.call_count == 2
    assert clock.sleeps == [7.0]


@respx.mock
def test_retry_after_as_http_date_is_honoured(clock):
    when = datetime.now(UTC) + timedelta(seconds=30)
    respx.post("https://api.notion.com/v1/pages").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": format_datetime(when, usegmt=True)}),
            httpx.Response(200, json={"object": "page"}),
        ]
    )
    core = make_core(clock, service="notion", base_url="https://api.notion.com/v1")
    core.request("POST", "/pages", json={"parent": {"data_source_id": "d1"}, "properties": {}})
    assert len(clock.sleeps) == 1 and 25 <= clock.sleeps[0] <= 31


@respx.mock
def test_429_on_post_is_retried_because_nothing_was_applied(clock):
    route = respx.post("https://api.trello.com/1/cards").mock(
        side_effect=[httpx.Response(429), httpx.Response(200, json={"id": "new"})]
    )
    make_core(clock).request("POST", "/cards", json={"idList": "l1"})
    assert route.call_count == 2
    assert clock.sleeps == [0.5]  # first backoff step: no Retry-After given


@respx.mock
def test_503_on_get_is_retried_with_growing_backoff(clock):
    route = respx.get(CARDS).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(502),
            httpx.Response(503),
            httpx.Response(200, json=[]),
        ]
    )
    make_core(clock).request("GET", "/boards/b1/cards")
    assert route.call_count == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


@respx.mock
def test_503_on_post_is_not_retried(clock):
    route = respx.post("https://api.trello.com/1/cards").mock(return_value=httpx.Response(503))
    with pytest.raises(Unavailable) as caught:
        make_core(clock).request("POST", "/cards", json={"idList": "l1"})
    assert route.call_count == 1
    assert clock.sleeps == []
    assert caught.value.status == 503


@respx.mock
def test_post_marked_idempotent_is_retried_on_503(clock):
    route = respx.post("https://api.notion.com/v1/data_sources/d1/query").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"results": []})]
    )
    core = make_core(clock, service="notion", base_url="https://api.notion.com/v1")
    core.request("POST", "/data_sources/{id}/query", path={"id": "d1"}, json={}, idempotent=True)
    assert route.call_count == 2


@respx.mock
def test_timeouts_on_get_are_retried_then_reported(clock):
    route = respx.get(CARDS).mock(side_effect=httpx.ReadTimeout("slow"))
    core = make_core(clock, retry=RetryPolicy(attempts=3, random=lambda: 1.0))
    with pytest.raises(Unavailable, match="timed out"):
        core.request("GET", "/boards/b1/cards")
    assert route.call_count == 3


@respx.mock
def test_read_timeout_on_post_is_not_retried(clock):
    route = respx.post("https://api.trello.com/1/cards").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Unavailable):
        make_core(clock).request("POST", "/cards", json={"idList": "l1"})
    assert route.call_count == 1


@respx.mock
def test_connection_refused_is_retried_even_for_post(clock):
    # The connection never opened, so the POST never reached the server.
    route = respx.post("https://api.trello.com/1/cards").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"id": "c"})]
    )
    make_core(clock).request("POST", "/cards", json={"idList": "l1"})
    assert route.call_count == 2


@respx.mock
def test_429_storm_gives_up_after_the_attempt_budget(clock):
    route = respx.get(CARDS).mock(return_value=httpx.Response(429, headers={"Retry-After": "1"}))
    core = make_core(clock, retry=RetryPolicy(attempts=4))
    with pytest.raises(RateLimited) as caught:
        core.request("GET", "/boards/b1/cards")
    assert route.call_count == 4
    assert caught.value.retry_after == 1.0


@respx.mock
def test_retry_after_beyond_the_cap_is_not_slept_through(clock):
    route = respx.get(CARDS).mock(return_value=httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as caught:
        make_core(clock).request("GET", "/boards/b1/cards")
    assert route.call_count == 1
    assert clock.sleeps == []
    assert caught.value.retry_after == 3600


@respx.mock
def test_auth_errors_are_not_retried(clock):
    route = respx.get(CARDS).mock(return_value=httpx.Response(401, text="invalid token"))
    with pytest.raises(AuthError):
        make_core(clock).request("GET", "/boards/b1/cards")
    assert route.call_count == 1


@respx.mock
def test_malformed_json_on_a_read_is_retried(clock):
    route = respx.get(CARDS).mock(
        side_effect=[httpx.Response(200, text='[{"id": "c1"'), httpx.Response(200, json=[{"id": "c1"}])]
    )
    assert make_core(clock).request_json("GET", "/boards/b1/cards") == [{"id": "c1"}]
    assert route.call_count == 2


@respx.mock
def test_malformed_json_after_a_write_is_bad_data_not_retried(clock):
    route = respx.post("https://api.trello.com/1/cards").mock(
        return_value=httpx.Response(200, text="<html>oops")
    )
    with pytest.raises(BadData, match="malformed JSON"):
        make_core(clock).request_json("POST", "/cards", json={"idList": "l1"})
    assert route.call_count == 1


@respx.mock
def test_every_attempt_is_counted_under_its_templated_path(clock):
    respx.get("https://api.trello.com/1/cards/abc").mock(
        side_effect=[httpx.Response(500), httpx.Response(200, json={})]
    )
    respx.get("https://api.trello.com/1/cards/def").mock(return_value=httpx.Response(200, json={}))
    core = make_core(clock)
    core.request("GET", "/cards/{card_id}", path={"card_id": "abc"})
    core.request("GET", "/cards/{card_id}", path={"card_id": "def"})
    assert [(str(key), n) for key, n in core.stats.requests.items()] == [("trello GET /cards/{card_id}", 3)]
    assert core.stats.statuses[("trello", "500")] == 1
    assert core.stats.statuses[("trello", "200")] == 2


@respx.mock
def test_path_values_are_url_quoted(clock):
    route = respx.get(
        "https://www.googleapis.com/calendar/v3/calendars/team%40group.calendar.google.com/events"
    )
    route.mock(return_value=httpx.Response(200, json={"items": []}))
    core = make_core(clock, service="google", base_url="https://www.googleapis.com/calendar/v3")
    core.request(
        "GET", "/calendars/{calendar_id}/events", path={"calendar_id": "team@group.calendar.google.com"}
    )
    assert route.called


@respx.mock
def test_one_info_line_per_request_with_template_status_and_ms(clock, caplog):
    respx.get(CARDS).mock(return_value=httpx.Response(200, json=[]))
    with caplog.at_level("INFO", logger="connectors.http"):
        make_core(clock).request("GET", "/boards/{board}/cards", path={"board": "b1"})
    lines = [r.getMessage() for r in caplog.records if r.name == "connectors.http"]
    assert len(lines) == 1
    assert lines[0].startswith("service=trello method=GET path=/boards/{board}/cards status=200 ms=")
