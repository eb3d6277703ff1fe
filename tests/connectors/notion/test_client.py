"""The Notion client over respx: headers, pagination, retries, chunked appends, errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from connectors.errors import BadData, NotFound, Unavailable
from tests.connectors.notion.conftest import BASE, DS, TOKEN, load

QUERY = f"{BASE}/data_sources/{DS}/query"
PAGE = "206ffaa2-7774-4a99-baf5-93e28730240c"


def listing(ids: list[str], cursor: str | None) -> dict[str, Any]:
    template = load("query_tasks.json")["results"][0]
    return {
        "object": "list",
        "results": [{**template, "id": page_id} for page_id in ids],
        "next_cursor": cursor,
        "has_more": cursor is not None,
        "type": "page_or_data_source",
        "page_or_data_source": {},
        "request_id": "27aa973f-e5f3-4541-9321-a3417fd80eab",
    }


def sent(call: Any) -> dict[str, Any]:
    return json.loads(call.request.content)


@respx.mock
def test_pagination_walks_every_page_including_an_empty_one_with_has_more(client):
    pages = {
        None: listing(["a1", "a2"], "c-1"),
        "c-1": listing([], "c-2"),  # Notion may return an empty page that still has more
        "c-2": listing(["a3"], None),
    }
    route = respx.post(QUERY).mock(
        side_effect=lambda request: httpx.Response(
            200, json=pages[json.loads(request.content).get("start_cursor")]
        )
    )
    found = [page.id for page in client.query_data_source_all(DS, page_size=2)]
    assert found == ["a1", "a2", "a3"]
    assert [sent(call).get("start_cursor") for call in route.calls] == [None, "c-1", "c-2"]
    assert all(sent(call)["page_size"] == 2 for call in route.calls)


@respx.mock
def test_a_repeated_cursor_fails_loudly(client):
    respx.post(QUERY).mock(
        side_effect=[
            httpx.Response(200, json=listing(["a1"], "c-1")),
            httpx.Response(200, json=listing(["a2"], "c-1")),
        ]
    )
    with pytest.raises(BadData, match="same page cursor twice"):
        list(client.query_data_source_all(DS))


@respx.mock
def test_has_more_without_a_cursor_fails_loudly(client):
    broken = {**listing(["a1"], None), "has_more": True}
    respx.post(QUERY).mock(return_value=httpx.Response(200, json=broken))
    with pytest.raises(BadData, match="has_more without a next_cursor"):
        list(client.query_data_source_all(DS))


@respx.mock
def test_429_is_retried_after_retry_after_seconds(client, clock):
    limited = {
        "object": "error",
        "status": 429,
        "code": "rate_limited",
        "message": "You have been rate limited.",
    }
    route = respx.post(QUERY).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}, json=limited),
            httpx.Response(200, json=listing(["a1"], None)),
        ]
    )
    assert [p.id for p in client.query_data_source(DS).results] == ["a1"]
    assert route.call_count == 2 and clock.sleeps == [2.0]


@respx.mock
def test_every_request_carries_the_token_and_the_notion_version(client):
    respx.get(f"{BASE}/databases/db1").mock(
        return_value=httpx.Response(200, json=load("retrieve_database.json"))
    )
    respx.get(f"{BASE}/data_sources/{DS}").mock(
        return_value=httpx.Response(200, json=load("retrieve_data_source.json"))
    )
    respx.post(QUERY).mock(return_value=httpx.Response(200, json=listing(["a1"], None)))
    respx.patch(f"{BASE}/pages/{PAGE}").mock(
        return_value=httpx.Response(200, json=listing(["x"], None)["results"][0])
    )
    respx.get(f"{BASE}/users").mock(
        return_value=httpx.Response(200, json={**listing([], None), "type": "user"})
    )
    client.retrieve_database("db1")
    client.retrieve_data_source(DS)
    client.query_data_source(DS)
    client.update_page(PAGE, in_trash=True)
    list(client.list_users_all())
    assert len(respx.calls) == 5
    for call in respx.calls:
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert call.request.headers["Notion-Version"] == "2025-09-03"


@respx.mock
def test_the_query_is_a_read_and_is_retried_on_503(client, clock):
    unavailable = {
        "object": "error",
        "status": 503,
        "code": "service_unavailable",
        "message": "Notion is unavailable",
    }
    route = respx.post(QUERY).mock(
        side_effect=[httpx.Response(503, json=unavailable), httpx.Response(200, json=listing(["a1"], None))]
    )
    assert len(client.query_data_source(DS).results) == 1
    assert route.call_count == 2 and clock.sleeps == [0.5]


@respx.mock
def test_creating_a_page_is_not_retried_on_503(client, clock):
    route = respx.post(f"{BASE}/pages").mock(
        return_value=httpx.Response(503, json={"code": "service_unavailable"})
    )
    with pytest.raises(Unavailable):
        client.create_page(parent={"data_source_id": DS}, properties={"Name": {"title": []}})
    assert route.call_count == 1 and clock.sleeps == []


@respx.mock
def test_appending_250_blocks_takes_three_requests_of_at_most_100(client):
    def echo(request: httpx.Request) -> httpx.Response:
        children = json.loads(request.content)["children"]
        blocks = [
            {"object": "block", "id": f"b{i}", "type": "divider", "divider": {}} for i in range(len(children))
        ]
        return httpx.Response(200, json={**listing([], None), "results": blocks, "type": "block"})

    route = respx.patch(f"{BASE}/blocks/{PAGE}/children").mock(side_effect=echo)
    created = client.append_block_children(PAGE, [{"type": "divider", "divider": {}}] * 250)
    assert len(created) == 250
    assert [len(sent(call)["children"]) for call in route.calls] == [100, 100, 50]


@respx.mock
def test_filter_properties_travel_as_repeated_query_parameters(client):
    route = respx.post(QUERY).mock(return_value=httpx.Response(200, json=listing([], None)))
    client.query_data_source(DS, filter_properties=["title", "MNV~"], in_trash=True)
    request = route.calls.last.request
    assert request.url.params.get_list("filter_properties") == ["title", "MNV~"]
    assert json.loads(request.content) == {"page_size": 100, "in_trash": True}


@respx.mock
def test_a_404_is_not_found_with_notions_code_and_request_id_and_no_secret(client):
    body = {
        "object": "error",
        "status": 404,
        "code": "object_not_found",
        "message": f"Could not find page with ID: {PAGE}. Make sure the relevant pages are shared.",
        "request_id": "81f09534-baf4-4ada-a350-2c1216f340cd",
    }
    respx.get(f"{BASE}/pages/{PAGE}").mock(return_value=httpx.Response(404, json=body))
    with pytest.raises(NotFound) as caught:
        client.retrieve_page(PAGE)
    error = caught.value
    assert (error.code, error.request_id, error.status) == ("object_not_found", body["request_id"], 404)
    assert error.path == "/pages/{page_id}" and TOKEN not in str(error)


def test_page_size_is_at_most_100(client):
    with pytest.raises(ValueError, match="between 1 and 100"):
        client.query_data_source(DS, page_size=101)
