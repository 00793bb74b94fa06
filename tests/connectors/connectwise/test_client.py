"""ConnectWise HTTP quirks, against recorded-style answers (`responses`)."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError
from responses import matchers

from syncd.connectors.connectwise.client import ACCEPT, CodebaseError
from syncd.errors import AuthError, BadRequestError
from tests.connectors.connectwise.conftest import BASE, SECTION, cw_settings, make_connector

INFO = {"version": "v2025.8.100001", "isCloud": True}


def test_check_sends_basic_with_literal_plus_client_id_and_pinned_version(http):
    # Arrange
    token = base64.b64encode(b"acme+pubKEY:privKEY").decode()
    http.get(f"{BASE}/system/info", json=INFO, match=[matchers.header_matcher({
        "Authorization": f"Basic {token}", "clientId": SECTION["client_id"], "Accept": ACCEPT})])
    connector = make_connector()
    # Act
    connector.check()
    # Assert
    assert ACCEPT == "application/vnd.connectwise.com+json; version=2025.8"
    assert len(http.calls) == 1


def test_base_url_joins_codebase_without_double_slashes(http):
    http.get("https://cw.example.com/v2025_1/apis/3.0/system/info", json=INFO)
    make_connector(base_url="https://cw.example.com/", codebase="v2025_1").check()


def test_401_is_one_line_auth_error_naming_connectwise(http):
    # Arrange: the failed call, then the one re-send that reads CW's message
    http.get(f"{BASE}/system/info", status=401, json={"code": "Unauthorized", "message": "Incorrect key\nx"})
    # Act
    with pytest.raises(AuthError) as caught:
        make_connector().check()
    # Assert
    text = str(caught.value)
    assert text.startswith("connectwise: ")
    assert "\n" not in text
    assert "Incorrect key" in text
    assert "privKEY" not in text


def test_cannot_route_404_is_a_codebase_configuration_error(http):
    http.get(f"{BASE}/system/info", status=404, body="Cannot route. Codebase/company is invalid",
             content_type="text/plain")
    with pytest.raises(CodebaseError) as caught:
        make_connector().check()
    assert isinstance(caught.value, AuthError)          # stops the connector instead of retrying
    assert "codebase ('v4_6_release/')" in str(caught.value)
    assert "company_id ('acme')" in str(caught.value)


def test_cannot_route_on_a_list_read_is_explained_too(http):
    # Arrange: paginate raises NotFoundError; the client re-sends once to read the body
    http.get(f"{BASE}/company/companies", status=404, body="Cannot route. Codebase/company is invalid")
    stream = {s.source: s for s in make_connector().streams()}["connectwise.companies"]
    # Act / Assert
    with pytest.raises(CodebaseError):
        list(stream.fetch(None))
    assert len(http.calls) == 2


def test_400_error_response_message_becomes_bad_request_with_cw_text(http):
    body = {"code": "InvalidObject", "message": "conditions object is invalid",
            "errors": [{"code": "ApiFindCondition", "message": "Unknown field 'lastUpdatd' on Ticket",
                        "resource": "conditions", "field": "conditions"}]}
    http.get(f"{BASE}/company/companies", status=400, json=body)
    stream = {s.source: s for s in make_connector().streams()}["connectwise.companies"]
    with pytest.raises(BadRequestError) as caught:
        list(stream.fetch(None))
    assert "InvalidObject: conditions object is invalid" in str(caught.value)
    assert "conditions: Unknown field 'lastUpdatd' on Ticket" in str(caught.value)


def _company(i: int) -> dict:
    return {"id": i, "name": f"Co {i}", "identifier": f"co{i}", "_info": {"lastUpdated": "2026-11-01T10:00:00Z"}}


def test_link_header_pagination_forward_only_to_the_last_page(http):
    # Arrange: page size 2; CW's next links carry pageId; the third page has no next link
    first = [matchers.query_param_matcher({"pageSize": "2"}),
             matchers.header_matcher({"pagination-type": "forward-only"})]
    http.get(f"{BASE}/company/companies", json=[_company(1), _company(2)], match=first,
             headers={"Link": f'<{BASE}/company/companies?pageSize=2&pageId=2>; rel="next"'})
    http.get(f"{BASE}/company/companies", json=[_company(3), _company(4)],
             match=[matchers.query_param_matcher({"pageSize": "2", "pageId": "2"})],
             headers={"Link": f'<{BASE}/company/companies?pageSize=2&pageId=4>; rel="next"'})
    http.get(f"{BASE}/company/companies", json=[_company(5)],
             match=[matchers.query_param_matcher({"pageSize": "2", "pageId": "4"})])
    stream = {s.source: s for s in make_connector().streams()}["connectwise.companies"]
    # Act
    records = list(stream.fetch(None))
    # Assert
    assert [r.key for r in records] == ["1", "2", "3", "4", "5"]


def test_full_page_without_link_asks_for_page_id_after_last_id(http):
    http.get(f"{BASE}/company/companies", json=[_company(7), _company(9)],
             match=[matchers.query_param_matcher({"pageSize": "2"})])
    http.get(f"{BASE}/company/companies", json=[],
             match=[matchers.query_param_matcher({"pageSize": "2", "pageId": "9"})])
    stream = {s.source: s for s in make_connector().streams()}["connectwise.companies"]
    assert [r.key for r in stream.fetch(None)] == ["7", "9"]


def test_incremental_condition_uses_lastupdated_with_z(http):
    from datetime import UTC, datetime

    since = datetime(2026, 11, 1, 9, 30, 15, 999_000, tzinfo=UTC)
    http.get(f"{BASE}/company/companies", json=[], match=[matchers.query_param_matcher(
        {"pageSize": "2", "conditions": "lastUpdated > [2026-11-01T09:30:15Z]"})])
    stream = {s.source: s for s in make_connector().streams()}["connectwise.companies"]
    assert list(stream.fetch(since)) == []


def test_malformed_page_is_retried_not_taken_as_empty(http):
    http.get(f"{BASE}/company/companies", body="[{\"id\": 1, <!-- truncated")
    http.get(f"{BASE}/company/companies", json=[_company(1)])
    stream = {s.source: s for s in make_connector().streams()}["connectwise.companies"]
    assert [r.key for r in stream.fetch(None)] == ["1"]


def test_page_size_above_1000_is_refused_by_settings():
    with pytest.raises(ValidationError) as caught:
        cw_settings(page_size=1001)
    assert "page_size" in str(caught.value)
    assert cw_settings(page_size=1000).page_size == 1000
