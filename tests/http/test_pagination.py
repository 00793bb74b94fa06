"""Pagination strategies driven through ApiClient.paginate, plus the loop guards."""

from __future__ import annotations

import pytest
from responses import matchers

from syncd.errors import ApiError, EnvelopeError, MalformedResponseError, PaginationError
from syncd.http import ApiClient, RetryPolicy
from syncd.pagination import (
    Cursor,
    NextLink,
    Offset,
    Page,
    PageNumber,
    PageRequest,
    WalkById,
    bare_list,
    envelope,
)

BASE = "https://psa.example/api"
URL = f"{BASE}/tickets"


def q(**params: object) -> list:
    """Match exactly these query params (as the strings that go on the wire)."""
    return [matchers.query_param_matcher({k: str(v) for k, v in params.items()})]


@pytest.fixture
def client(slept) -> ApiClient:
    return ApiClient("acme", BASE, retry=RetryPolicy(max_attempts=2, sleep=slept.append))


def test_page_number_reads_until_short_page(http, client):
    # Arrange
    http.get(URL, json=[{"id": 1}, {"id": 2}], match=q(status="open", page=1, pageSize=2))
    http.get(URL, json=[{"id": 3}], match=q(status="open", page=2, pageSize=2))
    # Act
    rows = list(client.paginate("/tickets", PageNumber(page_size=2), params={"status": "open"},
                                extract=bare_list))
    # Assert
    assert [r["id"] for r in rows] == [1, 2, 3]


def test_page_number_stops_on_empty_page(http, client):
    # Arrange
    http.get(URL, json=[{"id": 1}, {"id": 2}], match=q(page=1, pageSize=2))
    http.get(URL, json=[], match=q(page=2, pageSize=2))
    # Act
    rows = list(client.paginate("/tickets", PageNumber(page_size=2), extract=bare_list))
    # Assert
    assert len(rows) == 2


def test_offset_reads_until_short_page(http, client):
    # Arrange
    http.get(URL, json={"items": [{"id": 1}, {"id": 2}]}, match=q(offset=0, limit=2))
    http.get(URL, json={"items": [{"id": 3}]}, match=q(offset=2, limit=2))
    # Act
    rows = list(client.paginate("/tickets", Offset("offset", "limit", 2), extract=envelope("items")))
    # Assert
    assert [r["id"] for r in rows] == [1, 2, 3]


def test_cursor_follows_token_until_missing(http, client):
    # Arrange
    pager = Cursor("cursor", lambda body: body.get("next"), "page_size", 2)
    http.get(URL, json={"data": [{"id": 1}, {"id": 2}], "next": "abc"}, match=q(page_size=2))
    http.get(URL, json={"data": [{"id": 3}], "next": ""}, match=q(page_size=2, cursor="abc"))
    # Act
    rows = list(client.paginate("/tickets", pager, extract=envelope("data")))
    # Assert
    assert [r["id"] for r in rows] == [1, 2, 3]


def test_walk_by_id_sends_last_id(http, client):
    # Arrange
    pager = WalkById("after", "pageSize", 2, id_of=lambda row: row["id"])
    http.get(URL, json=[{"id": 10}, {"id": 11}], match=q(pageSize=2))
    http.get(URL, json=[{"id": 12}, {"id": 13}], match=q(pageSize=2, after=11))
    http.get(URL, json=[], match=q(pageSize=2, after=13))
    # Act
    rows = list(client.paginate("/tickets", pager, extract=bare_list))
    # Assert
    assert [r["id"] for r in rows] == [10, 11, 12, 13]


def test_next_link_header_is_followed_as_is_without_resending_params(http, client):
    # Arrange
    next_url = f"{URL}?cursor=xyz&status=open"
    http.get(URL, json=[{"id": 1}], match=q(status="open"),
             headers={"Link": f'<{next_url}>; rel="next", <{URL}?page=9>; rel="last"'})
    http.get(next_url, json=[{"id": 2}], match=q(cursor="xyz", status="open"))
    # Act
    rows = list(client.paginate("/tickets", NextLink(), params={"status": "open"}, extract=bare_list))
    # Assert
    assert [r["id"] for r in rows] == [1, 2]
    assert http.calls[1].request.url == next_url


def test_next_link_from_body_relative_url(http, client):
    # Arrange
    pager = NextLink(lambda body: body["links"].get("next"))
    http.get(URL, json={"rows": [{"id": 1}], "links": {"next": "/tickets?after=1"}})
    http.get(URL, json={"rows": [{"id": 2}], "links": {}}, match=q(after=1))
    # Act
    rows = list(client.paginate("/tickets", pager, extract=envelope("rows")))
    # Assert
    assert [r["id"] for r in rows] == [1, 2]


def test_next_link_to_another_host_is_refused(http, client):
    # Arrange: credentials must never follow a link off the tenant's host
    http.get(URL, json=[{"id": 1}], headers={"Link": '<https://evil.example/steal>; rel="next"'})
    # Act / Assert
    with pytest.raises(ApiError, match=r"refusing to call https://evil\.example/steal"):
        list(client.paginate("/tickets", NextLink(), extract=bare_list))


def test_repeated_page_request_is_refused(http, client):
    # Arrange: the server keeps handing back the same cursor
    pager = Cursor("cursor", lambda body: body["next"])
    http.get(URL, json={"data": [{"id": 1}], "next": "same"}, match=q())
    http.get(URL, json={"data": [{"id": 2}], "next": "same"}, match=q(cursor="same"))
    # Act
    rows = []
    with pytest.raises(PaginationError, match="page request repeated after 2 pages"):
        rows.extend(client.paginate("/tickets", pager, extract=envelope("data")))
    # Assert
    assert [r["id"] for r in rows] == [1, 2]


def test_identical_page_is_refused(http, client):
    # Arrange: the server ignores ?page= and returns page 1 again
    http.get(URL, json=[{"id": 1}, {"id": 2}], match=q(page=1, pageSize=2))
    http.get(URL, json=[{"id": 1}, {"id": 2}], match=q(page=2, pageSize=2))
    # Act / Assert
    with pytest.raises(PaginationError, match="same rows as the previous one"):
        list(client.paginate("/tickets", PageNumber(page_size=2), extract=bare_list))


def test_page_limit_is_enforced(http, client):
    # Arrange
    http.get(URL, json=[{"id": 1}], match=q(page=1, pageSize=1))
    http.get(URL, json=[{"id": 2}], match=q(page=2, pageSize=1))
    # Act / Assert
    with pytest.raises(PaginationError, match="more than 2 pages"):
        list(client.paginate("/tickets", PageNumber(page_size=1), extract=bare_list, max_pages=2))


def test_missing_envelope_raises_envelope_error(http, client):
    # Arrange: retried once (it may be transient), then refused; never read as "no rows"
    http.get(URL, json={"error": "maintenance"})
    http.get(URL, json={"error": "maintenance"})
    # Act
    with pytest.raises(EnvelopeError) as info:
        list(client.paginate("/tickets", PageNumber(), extract=envelope("data")))
    # Assert
    assert str(info.value).startswith(f"acme: GET {URL}?page=1&pageSize=1000 -> 200 OK: ")
    assert "'data'" in str(info.value)
    assert info.value.connector == "acme"


def test_bare_list_refuses_an_object(http, client):
    # Arrange
    http.get(URL, json={"data": []})
    http.get(URL, json={"data": []})
    # Act / Assert
    with pytest.raises(MalformedResponseError, match="expected a JSON array, got dict"):
        list(client.paginate("/tickets", PageNumber(), extract=bare_list))


def test_strategies_are_pure():
    # Arrange
    def page(rows, params, body=None, links=None):
        return Page(rows, body, {}, links or {}, params)

    # Act / Assert
    assert PageNumber(page_size=2).next(page([1], {"page": 3, "pageSize": 2})) is None
    offset_next = Offset(limit=2).next(page([1, 2], {"offset": 4, "limit": 2}))
    assert offset_next == PageRequest({"offset": 6, "limit": 2})
    assert Cursor("c", lambda b: b["n"]).next(page([], {}, {"n": "x"})) is None
    link_next = NextLink().next(page([1], {}, links={"next": "https://h/x?p=2"}))
    assert link_next == PageRequest(url="https://h/x?p=2")
    assert NextLink().next(page([1], {})) is None
    assert PageRequest({"a": 1}).marker() != PageRequest(url="a=1").marker()
