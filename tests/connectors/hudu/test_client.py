"""Hudu read quirks against recorded-style answers: auth, paging without metadata, envelopes,
`updated_at` ranges, throttling, and the mapping into the normalized vocabulary."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import responses
from responses import matchers
from responses.registries import OrderedRegistry
from structlog.testing import capture_logs

from syncd.connectors.hudu.models import HuduTask
from syncd.errors import AuthError, EnvelopeError, MalformedResponseError

from .conftest import API, BASE, KEY, make_connector, make_settings


def params(**values: object) -> list[object]:
    """An exact query-string matcher (every parameter, nothing more)."""
    return [matchers.query_param_matcher({k: str(v) for k, v in values.items()})]


def company(cid: int, **extra: object) -> dict[str, object]:
    """A Company row as Hudu serves it."""
    row: dict[str, object] = {"id": cid, "name": f"Co {cid}", "id_number": "", "archived": False,
                              "updated_at": "2026-11-17T10:00:00.000Z", "integrations": []}
    row.update(extra)
    return row


def stream(connector: object, name: str) -> object:
    """The stream called hudu.<name>."""
    return next(s for s in connector.streams() if s.source == f"hudu.{name}")


# --- auth and check -------------------------------------------------------------------------


def test_check_sends_the_api_key_header_to_api_info(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/api_info", json={"version": "2.44.0", "date": "2026-07-24"},
             match=[matchers.header_matcher({"x-api-key": KEY})])
    # Act / Assert: no exception means one authenticated request answered
    make_connector().check()


def test_base_url_may_already_end_in_api_v1(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/api_info", json={"version": "2.44.0", "date": "2026-07-24"})
    # Act / Assert
    make_connector(make_settings(base_url=f"{BASE}/api/v1/")).check()


def test_wrong_key_is_a_one_line_auth_error_naming_hudu(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/api_info", status=401, json={"error": "Invalid API key"})
    slept: list[float] = []
    # Act
    with pytest.raises(AuthError) as caught:
        make_connector(slept=slept).check()
    # Assert: never retried, one line, names the connector, no key in it
    message = str(caught.value)
    assert message.startswith("hudu:")
    assert "\n" not in message
    assert KEY not in message
    assert len(http.calls) == 1
    assert slept == []


# --- pagination and envelopes ---------------------------------------------------------------


def test_pages_until_a_short_page(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/companies", json={"companies": [company(1), company(2)]}, match=params(page=1, page_size=2))
    http.get(f"{API}/companies", json={"companies": [company(3)]}, match=params(page=2, page_size=2))
    # Act
    records = list(stream(make_connector(make_settings(page_size=2)), "companies").fetch(None))
    # Assert
    assert [r.key for r in records] == ["1", "2", "3"]


def test_an_empty_page_ends_the_read(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/articles", json={"articles": [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}]},
             match=params(page=1, page_size=2))
    http.get(f"{API}/articles", json={"articles": []}, match=params(page=2, page_size=2))
    # Act
    records = list(stream(make_connector(make_settings(page_size=2)), "articles").fetch(None))
    # Assert
    assert [r.key for r in records] == ["1", "2"]


@pytest.mark.parametrize("body", [{"error": "oops"}, [], {"assets": None}])
def test_a_missing_envelope_is_an_error_not_no_records(http: responses.RequestsMock, body: object) -> None:
    # Arrange
    http.get(f"{API}/assets", json=body)
    # Act / Assert: retried like any unreadable page, then raised
    with pytest.raises(EnvelopeError):
        list(stream(make_connector(), "assets").fetch(None))


# --- incremental ----------------------------------------------------------------------------


def test_companies_and_articles_send_a_half_open_range(http: responses.RequestsMock) -> None:
    # Arrange
    since = datetime(2026, 11, 17, 14, 58, 30, 123456, tzinfo=UTC)
    for resource in ("companies", "articles"):
        http.get(f"{API}/{resource}", json={resource: []},
                 match=params(page=1, page_size=1000, updated_at="2026-11-17T14:58:30Z,"))
    connector = make_connector()
    # Act
    found = [list(stream(connector, name).fetch(since)) for name in ("companies", "articles")]
    # Assert: one request each when nothing changed
    assert found == [[], []]
    assert len(http.calls) == 2


def test_assets_send_a_closed_range_ending_a_margin_after_now(http: responses.RequestsMock) -> None:
    # Arrange: the assets endpoint ignores a single bound (HuduAPI PR #86)
    since = datetime(2026, 11, 17, 14, 58, tzinfo=UTC)
    http.get(f"{API}/assets", json={"assets": []},
             match=params(page=1, page_size=1000, updated_at="2026-11-17T14:58:00Z,2026-11-17T15:10:00Z"))
    # Act
    records = list(stream(make_connector(), "assets").fetch(since))
    # Assert
    assert records == []


def test_archived_assets_are_a_second_listing_when_asked(http: responses.RequestsMock) -> None:
    # Arrange
    asset = {"id": 5, "name": "WS-5", "company_id": 1, "archived": True}
    http.get(f"{API}/assets", json={"assets": []}, match=params(page=1, page_size=1000))
    http.get(f"{API}/assets", json={"assets": [asset]}, match=params(page=1, page_size=1000, archived="true"))
    connector = make_connector(make_settings(include_archived_assets=True))
    # Act
    records = list(stream(connector, "assets").fetch(None))
    # Assert
    assert [(r.key, r.fields["archived"]) for r in records] == [("5", True)]


# --- throttling -----------------------------------------------------------------------------


# Hudu's 429 is the plain text "Retry later" with no Retry-After header; HuduAPI also treats the
# bare text as throttling whatever the status, so a 200 with it must not be read as "no rows".
@pytest.mark.parametrize("status", [429, 200], ids=["429-without-retry-after", "200-not-read-as-empty"])
def test_retry_later_text_is_retried(status: int) -> None:
    # Arrange
    slept: list[float] = []
    with responses.RequestsMock(assert_all_requests_are_fired=True, registry=OrderedRegistry) as http:
        http.get(f"{API}/companies", status=status, body="Retry later", content_type="text/plain")
        http.get(f"{API}/companies", json={"companies": [company(1)]})
        # Act
        records = list(stream(make_connector(slept=slept), "companies").fetch(None))
    # Assert: our own backoff was used once
    assert [r.key for r in records] == ["1"]
    assert len(slept) == 1


# --- normalization --------------------------------------------------------------------------


def test_company_mapping(http: responses.RequestsMock) -> None:
    # Arrange
    row = company(101, id_number="C-7", archived=True, updated_at="2026-11-17T10:00:00-05:00", integrations=[
        {"integrator_name": "cw_manage", "sync_id": 2501, "identifier": "AcmeCorp"},
        {"integrator_name": "syncro", "sync_id": "77", "identifier": None},
        {"integrator_name": "cw_manage", "sync_id": None, "identifier": None},
    ])
    http.get(f"{API}/companies", json={"companies": [row]})
    # Act
    (record,) = stream(make_connector(), "companies").fetch(None)
    # Assert
    assert record.updated_at == datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
    assert record.fields == {"name": "Co 101", "identifier": "C-7", "deleted": True, "tier": None,
                             "external_ids": {"connectwise": "2501", "syncro": "77"},
                             "updated": "2026-11-17T15:00:00Z"}


def test_asset_mapping(http: responses.RequestsMock) -> None:
    # Arrange
    row = {"id": 7, "company_id": 101, "name": "WS-007", "primary_serial": "", "asset_type": "Computer",
           "archived": False, "updated_at": "2026-11-02T08:00:00Z", "fields": [{"label": "x", "value": True}],
           "cards": [{"integrator_name": "cw_manage", "sync_id": 311, "sync_type": "configuration"},
                     {"integrator_name": "ninja", "sync_id": 9007, "sync_type": "device"}]}
    http.get(f"{API}/assets", json={"assets": [row]})
    # Act
    (record,) = stream(make_connector(), "assets").fetch(None)
    # Assert
    assert (record.source, record.key) == ("hudu.assets", "7")
    assert record.fields == {"company_id": "101", "name": "WS-007", "serial": None, "type": "Computer",
                             "external_ids": {"connectwise": "311", "ninjaone": "9007"}, "archived": False,
                             "updated": "2026-11-02T08:00:00Z"}


def test_article_mapping_makes_the_url_absolute(http: responses.RequestsMock) -> None:
    # Arrange
    row = {"id": 3, "name": "Fix Outlook", "content": "<p>Steps</p>", "company_id": None,
           "url": "/kb/fix-outlook-3", "draft": False, "updated_at": "2026-11-03T09:30:00Z"}
    http.get(f"{API}/articles", json={"articles": [row]})
    # Act
    (record,) = stream(make_connector(), "articles").fetch(None)
    # Assert
    assert record.fields == {"company_id": None, "title": "Fix Outlook", "body": "<p>Steps</p>",
                             "url": f"{BASE}/kb/fix-outlook-3", "updated": "2026-11-03T09:30:00Z"}


def test_a_malformed_row_is_reported_and_skipped(http: responses.RequestsMock) -> None:
    # Arrange: row 2 has no name
    http.get(f"{API}/companies", json={"companies": [company(1), {"id": 2}, company(3)]})
    # Act
    with capture_logs() as logs:
        records = list(stream(make_connector(), "companies").fetch(None))
    # Assert
    assert [r.key for r in records] == ["1", "3"]
    assert [(e["event"], e["id"]) for e in logs if e["log_level"] == "error"] == [("record_malformed", 2)]


# --- reconciliation -------------------------------------------------------------------------


def test_list_keys_pages_through_every_id(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/companies", json={"companies": [company(1), company(2)]}, match=params(page=1, page_size=2))
    http.get(f"{API}/companies", json={"companies": []}, match=params(page=2, page_size=2))
    # Act
    keys = list(stream(make_connector(make_settings(page_size=2)), "companies").list_keys())
    # Assert
    assert keys == ["1", "2"]


def test_list_keys_refuses_a_row_without_id(http: responses.RequestsMock) -> None:
    # Arrange: a gap would read as a deletion, so it must stop the reconciliation
    http.get(f"{API}/articles", json={"articles": [{"id": 1, "name": "A"}, {"name": "no id"}]})
    # Act / Assert
    with pytest.raises(MalformedResponseError):
        list(stream(make_connector(), "articles").list_keys())


# --- tasks ----------------------------------------------------------------------------------


def test_task_descriptions_are_decoded_from_base64() -> None:
    encoded = base64.b64encode(b"Update the KB\n\nsyncd-ref: k1").decode()
    assert HuduTask(id=1, description=encoded).decoded_description().endswith("syncd-ref: k1")
    assert HuduTask(id=2, description="plain: text").decoded_description() == "plain: text"
    assert HuduTask(id=3, description=None).decoded_description() == ""

