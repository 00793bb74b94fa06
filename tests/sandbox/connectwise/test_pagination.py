"""Navigable (page + Link) and forward-only (pageId) paging over every list endpoint."""

from __future__ import annotations

import pytest

from tests.sandbox.connectwise.conftest import PREFIX, call, collect, links

FORWARD = {"pagination-type": "forward-only"}
# endpoint -> ids it must serve (deleted rows and rows of deleted parents excluded)
EXPECTED = {
    "/company/companies": [250, 251, 252],
    "/company/contacts": [1, 2, 3, 4, 5, 6],
    "/company/configurations": [101, 102, 103, 104, 105, 107, 108],
    "/service/tickets": [i for i in range(1, 31) if i != 13],
    "/service/tickets/1/notes": [10, 11, 1_500_000_001],
    "/service/tickets/1/configurations": [101, 102],
    "/time/entries": [500 + i for i in range(1, 31) if i not in (5, 13)],
    "/service/boards": [1, 2],
    "/service/boards/1/statuses": [1, 2, 3, 4, 5],
    "/service/priorities": [1, 2, 3, 4],
}
TABLES = {"/company/companies": "companies", "/service/tickets/1/notes": "notes",
          "/service/tickets/1/configurations": "ticket_configurations", "/time/entries": "time_entries",
          "/company/configurations": "cw_configurations", "/service/boards/1/statuses": "statuses"}


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
@pytest.mark.parametrize("page_size", [1, 2, 7, 1000])
def test_navigable_paging_collects_every_row_once(sim, faults, endpoint, page_size):
    records, pages = collect(sim, PREFIX + endpoint, {"pageSize": page_size})
    ids = [r["id"] for r in records]
    assert ids == EXPECTED[endpoint]
    assert pages == max(1, -(-len(ids) // page_size))
    # every page was reported to fault injection; only the last one as last
    assert [p[2] for p in faults.pages] == [False] * (pages - 1) + [True]
    count = call(sim, "GET", PREFIX + endpoint + "/count")
    assert count.body == {"count": len(ids)}


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
@pytest.mark.parametrize("page_size", [1, 3, 1000])
def test_forward_only_paging_collects_every_row_once(sim, faults, endpoint, page_size):
    records, _pages = collect(sim, PREFIX + endpoint, {"pageSize": page_size}, headers=FORWARD)
    assert [r["id"] for r in records] == EXPECTED[endpoint]
    assert faults.pages[-1][2] is True
    table = TABLES.get(endpoint)
    if table:
        assert {p[0] for p in faults.pages} == {table}


def test_link_header_format_on_a_middle_page(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets",
                    query={"pageSize": 10, "page": 2, "conditions": "id > 0"},
                    headers={"Host": "cw.example:8443"})
    header = response.headers["Link"]
    base = "http://cw.example:8443/v4_6_release/apis/3.0/service/tickets?conditions=id%20%3E%200&pageSize=10"
    assert header == (f'<{base}&page=1>; rel="first", <{base}&page=1>; rel="prev", '
                      f'<{base}&page=3>; rel="next", <{base}&page=3>; rel="last"')


def test_first_and_last_pages_links(sim):
    first = links(call(sim, "GET", f"{PREFIX}/service/tickets", query={"pageSize": 10}))
    assert set(first) == {"next", "last"}
    last = call(sim, "GET", f"{PREFIX}/service/tickets", query={"pageSize": 10, "page": 3})
    assert set(links(last)) == {"first", "prev"}
    assert len(last.body) == 9
    single = call(sim, "GET", f"{PREFIX}/service/tickets", query={"pageSize": 1000})
    assert "Link" not in single.headers


def test_page_past_the_end_is_empty(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets", query={"pageSize": 10, "page": 9})
    assert response.status == 200
    assert response.body == []
    assert "next" not in links(response)


def test_default_page_size_is_25(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets")
    assert len(response.body) == 25


@pytest.mark.parametrize(("size", "status"), [(1000, 200), (1001, 400), (0, 400), ("abc", 400)])
def test_page_size_bounds(sim, size, status):
    response = call(sim, "GET", f"{PREFIX}/service/tickets", query={"pageSize": size})
    assert response.status == status
    if size == 1001:
        assert response.body == {
            "code": "InvalidObject", "message": "pageSize object is invalid",
            "errors": [{"code": "OutOfRange", "message": "The field pageSize must be between 1 and 1000.",
                        "resource": "pageSize", "field": "pageSize"}]}


def test_forward_only_link_gives_next_page_id_and_ignores_page(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets", query={"pageSize": 5, "page": 4, "pageId": 10},
                    headers=FORWARD)
    assert [t["id"] for t in response.body] == [11, 12, 14, 15, 16]
    nxt = links(response)
    assert set(nxt) == {"next"}
    assert nxt["next"].endswith("pageSize=5&pageId=16")


def test_forward_only_rejects_order_by(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets", query={"orderBy": "id desc"}, headers=FORWARD)
    assert response.status == 400


def test_forward_only_with_python_filter(sim):
    records, _ = collect(sim, f"{PREFIX}/service/tickets",
                         {"pageSize": 2, "conditions": 'summary like "*printer*"'}, headers=FORWARD)
    assert [r["id"] for r in records] == [5, 10, 15, 20, 25, 30]


def test_navigable_paging_with_python_filter_and_order(sim):
    records, pages = collect(sim, f"{PREFIX}/service/tickets",
                             {"pageSize": 4, "conditions": 'summary contains "outlook"',
                              "orderBy": "summary desc"})
    ids = [r["id"] for r in records]
    assert len(ids) == 23
    assert pages == 6
    summaries = [r["summary"] for r in records]
    assert summaries == sorted(summaries, key=str.lower, reverse=True)


def test_order_by_sql_column_desc_and_nested_name(sim):
    records, _ = collect(sim, f"{PREFIX}/service/tickets", {"pageSize": 1000, "orderBy": "lastUpdated desc"})
    assert [r["id"] for r in records] == [i for i in range(30, 0, -1) if i != 13]
    by_company, _ = collect(sim, f"{PREFIX}/service/tickets",
                            {"pageSize": 1000, "orderBy": "company/name asc, id desc"})
    names = [r["company"]["name"] for r in by_company]
    assert names == sorted(names, key=str.lower)
    acme = [r["id"] for r in by_company if r["company"]["name"] == "Acme Corp"]
    assert acme == sorted(acme, reverse=True)


def test_page_served_reports_world_keys(sim, faults):
    call(sim, "GET", f"{PREFIX}/company/companies")
    assert faults.pages == [("companies", [1, 2, 3], True)]   # world_id, not the CW id
