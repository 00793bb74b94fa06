"""Writer idempotency against `responses`: look first, POST once, look again after an ambiguous failure."""

from __future__ import annotations

import json

import pytest
import requests
from responses import matchers

from syncd.connectors.common import marker
from syncd.errors import ApiTimeoutError, BadRequestError, RetryableApiError
from tests.connectors.connectwise.conftest import BASE, make_connector

KEY = "patch-history/connectwise.tickets/4711/post_note"
NOTES = f"{BASE}/service/tickets/4711/notes"
CONTAINS = matchers.query_param_matcher({"conditions": f'text contains "{marker(KEY)}"', "pageSize": "2"})


def _note(ident: int, text: str) -> dict:
    return {"id": ident, "ticketId": 4711, "text": text, "internalAnalysisFlag": True}


def test_post_note_returns_the_earlier_note_without_posting(http):
    http.get(NOTES, json=[_note(77, f"Patches...\n\n{marker(KEY)}")], match=[CONTAINS])
    result = make_connector().writer().post_note("4711", "Patches...", key=KEY)
    assert (result.external_id, result.created) == ("77", False)


def test_post_note_posts_an_internal_note_with_the_marker_footer(http):
    # Arrange
    http.get(NOTES, json=[], match=[CONTAINS])
    expected = {"text": f"Patches...\n\n{marker(KEY)}", "internalAnalysisFlag": True,
                "detailDescriptionFlag": False, "resolutionFlag": False, "processNotifications": False}
    http.post(NOTES, status=201, json=_note(78, expected["text"]), match=[matchers.json_params_matcher(expected)])
    # Act
    result = make_connector().writer().post_note("4711", "Patches...", key=KEY)
    # Assert
    assert (result.external_id, result.created) == ("78", True)


def test_post_note_ignores_a_longer_key_that_merely_contains_ours(http):
    http.get(NOTES, json=[_note(5, f"x\n\n{marker(KEY)}-2")], match=[CONTAINS])
    http.post(NOTES, status=201, json=_note(6, "y"))
    assert make_connector().writer().post_note("4711", "y", key=KEY).created is True


def test_post_note_falls_back_to_scanning_when_contains_is_refused(http):
    http.get(NOTES, status=400, json={"code": "InvalidObject", "message": "conditions object is invalid"},
             match=[CONTAINS])
    http.get(NOTES, json=[_note(1, "hello"), _note(2, f"a\n\n{marker(KEY)}")],
             match=[matchers.query_param_matcher({"pageSize": "2"})])
    http.get(NOTES, json=[], match=[matchers.query_param_matcher({"pageSize": "2", "pageId": "2"})])
    assert make_connector().writer().post_note("4711", "a", key=KEY).external_id == "2"


def test_post_note_timeout_then_marker_found_does_not_post_again(http):
    # Arrange: the POST times out after CW stored the note; the second look finds it
    http.get(NOTES, json=[], match=[CONTAINS])
    http.post(NOTES, body=requests.exceptions.ReadTimeout("read timed out"))
    http.get(NOTES, json=[_note(79, f"p\n\n{marker(KEY)}")], match=[CONTAINS])
    # Act
    result = make_connector().writer().post_note("4711", "p", key=KEY)
    # Assert
    assert (result.external_id, result.created) == ("79", True)
    assert [c.request.method for c in http.calls] == ["GET", "POST", "GET"]


def test_post_note_5xx_and_no_marker_reraises_without_a_second_post(http):
    http.get(NOTES, json=[], match=[CONTAINS])
    http.post(NOTES, status=503, json={"code": "Unavailable"})
    with pytest.raises(RetryableApiError):
        make_connector().writer().post_note("4711", "p", key=KEY)
    assert [c.request.method for c in http.calls] == ["GET", "POST", "GET"]


def test_post_note_400_is_not_ambiguous_and_names_the_field(http):
    http.get(NOTES, json=[], match=[CONTAINS])
    http.post(NOTES, status=400, json={"code": "InvalidObject", "message": "serviceNote object is invalid",
                                       "errors": [{"field": "text", "message": "The text field is required."}]})
    with pytest.raises(BadRequestError, match="text: The text field is required"):
        make_connector().writer().post_note("4711", "p", key=KEY)


def test_link_configuration_existing_link_counts_as_done(http):
    http.get(f"{BASE}/service/tickets/4711/configurations", json=[{"id": 101}])
    result = make_connector().writer().link_configuration("4711", "101", key="k")
    assert (result.external_id, result.created) == ("101", False)


def test_link_configuration_posts_the_id(http):
    url = f"{BASE}/service/tickets/4711/configurations"
    http.get(url, json=[{"id": 100}])
    http.post(url, status=201, json={"id": 101, "deviceIdentifier": "9001"},
              match=[matchers.json_params_matcher({"id": 101})])
    assert make_connector().writer().link_configuration("4711", "101", key="k").created is True


def test_link_configuration_timeout_then_link_present(http):
    url = f"{BASE}/service/tickets/4711/configurations"
    http.get(url, json=[])
    http.post(url, body=requests.exceptions.ReadTimeout("read timed out"))
    http.get(url, json=[{"id": 101}])
    assert make_connector().writer().link_configuration("4711", "101", key="k").external_id == "101"


def test_create_ticket_searches_summary_company_board_and_confirms_the_marker(http):
    # Arrange: a same-summary ticket opened by a person (no marker), then none of ours -> POST
    key = "kb-update/connectwise.tickets/9/create_ticket"
    search = 'summary="KB: \\"VPN\\" drops" and company/id=250 and board/name="KB Updates"'
    http.get(f"{BASE}/service/tickets", json=[{"id": 900}],
             match=[matchers.query_param_matcher({"conditions": search, "fields": "id", "pageSize": "2"})])
    http.get(f"{BASE}/service/tickets/900/notes", json=[])
    body = {"summary": 'KB: "VPN" drops', "company": {"id": 250}, "board": {"name": "KB Updates"},
            "initialInternalAnalysis": f"Write it up.\n\n{marker(key)}", "processNotifications": False}
    http.post(f"{BASE}/service/tickets", status=201, json={"id": 901, "summary": body["summary"]},
              match=[matchers.json_params_matcher(body)])
    # Act
    result = make_connector().writer().create_ticket(company_id="250", summary='KB: "VPN" drops',
                                                     description="Write it up.", key=key)
    # Assert
    assert (result.external_id, result.created) == ("901", True)


def test_create_ticket_finds_its_own_earlier_ticket(http):
    key = "kb/1"
    http.get(f"{BASE}/service/tickets", json=[{"id": 901}])
    http.get(f"{BASE}/service/tickets/901/notes", json=[{"id": 3, "text": f"d\n\n{marker(key)}"}])
    result = make_connector().writer().create_ticket(company_id="250", summary="s", description="d", key=key,
                                                     board="Ops")
    assert (result.external_id, result.created) == ("901", False)


def test_create_ticket_timeout_and_nothing_found_reraises(http):
    http.get(f"{BASE}/service/tickets", json=[])
    http.post(f"{BASE}/service/tickets", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ApiTimeoutError):
        make_connector().writer().create_ticket(company_id="250", summary="s" * 150, description="d", key="k")
    posted = json.loads(http.calls[1].request.body)
    assert len(posted["summary"]) == 100
