"""NinjaOneClient quirks against recorded-style answers: tokens, three paging styles, envelopes."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
import responses
from responses import matchers

from syncd.connectors.ninjaone.client import NinjaOneClient
from syncd.errors import AuthError, EnvelopeError, MalformedResponseError
from syncd.settings import HttpSettings

from .conftest import BASE, TOKEN_URL, no_sleep, settings, token_reply

ORGS = f"{BASE}/v2/organizations"
DEVICES = f"{BASE}/v2/devices-detailed"
OS_Q = f"{BASE}/v2/queries/os-patch-installs"


def params(**values: object) -> list[object]:
    """An exact query-string matcher."""
    return [matchers.query_param_matcher({k: str(v) for k, v in values.items()})]


def page(name: str, offset: int, rows: list[dict[str, object]]) -> dict[str, object]:
    """A `/v2/queries/*` body."""
    return {"cursor": {"name": name, "offset": offset, "count": len(rows), "expires": 1.0}, "results": rows}


# --- tokens ---------------------------------------------------------------------------------


def test_token_grant_form_and_bearer_header(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange
    token_reply(http, "tok-1")
    http.get(ORGS, json=[{"id": 1, "name": "A"}], match=params(pageSize=1))
    # Act
    client.check()
    # Assert
    form = parse_qs(http.calls[0].request.body)
    assert form == {"grant_type": ["client_credentials"], "client_id": ["cid"],
                    "client_secret": ["s3cret-value"], "scope": ["monitoring"]}
    assert http.calls[1].request.headers["Authorization"] == "Bearer tok-1"


def test_token_reused_then_refreshed_after_401(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange: a 401 (token revoked early) is answered by one refresh and one resend
    token_reply(http, "tok-1")
    http.get(ORGS, json=[], match=params(pageSize=1))
    http.get(ORGS, status=401, json={"error": "not_authenticated", "error_code": 10})
    token_reply(http, "tok-2")
    http.get(ORGS, json=[], match=params(pageSize=1))
    # Act
    client.check()
    client.check()
    # Assert
    auth = [c.request.headers.get("Authorization") for c in http.calls if c.request.method == "GET"]
    assert auth == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_token_refreshed_before_expiry(http: responses.RequestsMock) -> None:
    # Arrange: a one-hour token, then the monotonic clock moves past its refresh point
    token_reply(http, "tok-1", expires_in=3600)
    http.get(ORGS, json=[])
    http.get(ORGS, json=[])
    token_reply(http, "tok-2", expires_in=3600)
    http.get(ORGS, json=[])
    now = [1000.0]
    made = NinjaOneClient(settings(), HttpSettings(), sleep=no_sleep, token_clock=lambda: now[0])
    # Act
    made.check()
    now[0] += 3500      # still more than the 60 s margin before expiry: reused
    made.check()
    now[0] += 50        # inside the margin: refreshed before the request
    made.check()
    # Assert
    auth = [c.request.headers.get("Authorization") for c in http.calls if c.request.method == "GET"]
    assert auth == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_wrong_client_is_auth_error_naming_ninjaone(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange
    http.post(TOKEN_URL, status=400, json={"error": "invalid_client", "error_description": "bad"})
    # Act
    with pytest.raises(AuthError) as caught:
        client.check()
    # Assert
    message = str(caught.value)
    assert message.startswith("ninjaone:")
    assert "invalid_client" in message
    assert "\n" not in message
    assert "s3cret-value" not in message


def test_persistent_401_is_auth_error(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange
    token_reply(http)
    http.get(ORGS, status=401, json={"error": "not_authenticated"})
    token_reply(http, "tok-2")
    http.get(ORGS, status=401, json={"error": "not_authenticated"})
    # Act / Assert
    with pytest.raises(AuthError, match=r"^ninjaone: GET"):
        client.check()


# --- keyset paging --------------------------------------------------------------------------


def test_keyset_reads_to_the_short_last_page(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange: page size 2; a full first page is NOT the end (the classic truncation bug)
    token_reply(http)
    http.get(DEVICES, json=[{"id": 3}, {"id": 7}], match=params(pageSize=2))
    http.get(DEVICES, json=[{"id": 8}, {"id": 9}], match=params(pageSize=2, after=7))
    http.get(DEVICES, json=[{"id": 12}], match=params(pageSize=2, after=9))
    # Act
    ids = [row["id"] for row in client.devices()]
    # Assert
    assert ids == [3, 7, 8, 9, 12]


def test_keyset_stops_on_empty_page(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange
    token_reply(http)
    http.get(f"{BASE}/v2/devices", json=[{"id": 1}, {"id": 2}], match=params(pageSize=2))
    http.get(f"{BASE}/v2/devices", json=[], match=params(pageSize=2, after=2))
    # Act / Assert
    assert list(client.device_ids()) == [1, 2]


def test_keyset_page_that_is_not_an_array_is_refused(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange: an object instead of the bare array must never read as "no devices"
    # (retried like any malformed page, 5 attempts, then raised)
    token_reply(http)
    for _ in range(5):
        http.get(DEVICES, json={"resultCode": "FAILURE"})
    # Act / Assert
    with pytest.raises(MalformedResponseError):
        list(client.devices())


# --- cursor paging --------------------------------------------------------------------------


def test_cursor_query_follows_the_cursor_to_a_short_page(http: responses.RequestsMock,
                                                         client: NinjaOneClient) -> None:
    # Arrange: the name stays the same for the whole scan; filters go on the first request only
    token_reply(http)
    http.get(OS_Q, json=page("c1", 0, [{"id": "a"}, {"id": "b"}]),
             match=params(installedAfter=1_763_000_000, pageSize=2))
    http.get(OS_Q, json=page("c1", 2, [{"id": "c"}, {"id": "d"}]), match=params(cursor="c1", pageSize=2))
    http.get(OS_Q, json=page("c1", 4, [{"id": "e"}]), match=params(cursor="c1", pageSize=2))
    # Act
    rows = list(client.os_patch_installs(datetime.fromtimestamp(1_763_000_000.7, UTC)))
    # Assert
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]


def test_cursor_query_stops_on_empty_results(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange
    token_reply(http)
    http.get(OS_Q, json=page("c1", 0, [{"id": "a"}, {"id": "b"}]))
    http.get(OS_Q, json=page("c1", 2, []))
    # Act / Assert
    assert len(list(client.os_patch_installs(None))) == 2


def test_expired_cursor_restarts_the_query_without_repeating_rows(http: responses.RequestsMock,
                                                                  client: NinjaOneClient) -> None:
    # Arrange: the cursor expires mid-scan; the query starts again with its original filters
    token_reply(http)
    first = params(installedAfter=100, pageSize=2)
    http.get(OS_Q, json=page("c1", 0, [{"id": "a"}, {"id": "b"}]), match=first)
    http.get(OS_Q, status=400, json={"resultCode": "FAILURE", "errorMessage": "Cursor c1 is expired"})
    http.get(OS_Q, json=page("c2", 0, [{"id": "a"}, {"id": "b"}]), match=first)
    http.get(OS_Q, json=page("c2", 2, [{"id": "c"}]), match=params(cursor="c2", pageSize=2))
    # Act
    rows = list(client.os_patch_installs(datetime.fromtimestamp(100, UTC)))
    # Assert
    assert [r["id"] for r in rows] == ["a", "b", "c"]


def test_page_that_skips_rows_restarts_the_query(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange: the server had served rows 2-3 (our read timed out), so the retry got rows 4-5
    token_reply(http)
    http.get(OS_Q, json=page("c1", 0, [{"id": "a"}, {"id": "b"}]))
    http.get(OS_Q, json=page("c1", 4, [{"id": "e"}, {"id": "f"}]))
    http.get(OS_Q, json=page("c2", 0, [{"id": "a"}, {"id": "b"}]))
    http.get(OS_Q, json=page("c2", 2, [{"id": "c"}]))
    # Act
    rows = list(client.os_patch_installs(None))
    # Assert
    assert [r["id"] for r in rows] == ["a", "b", "c"]


def test_query_body_without_results_is_envelope_error(http: responses.RequestsMock,
                                                      client: NinjaOneClient) -> None:
    # Arrange
    token_reply(http)
    http.get(OS_Q, json={"cursor": {"name": "c1", "offset": 0, "count": 0}})
    # Act / Assert
    with pytest.raises(EnvelopeError):
        list(client.os_patch_installs(None))


def test_full_query_page_without_cursor_is_refused(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange: a full page and nothing to continue with: refusing beats silently truncating
    token_reply(http)
    http.get(OS_Q, json={"results": [{"id": "a"}, {"id": "b"}]})
    # Act / Assert
    with pytest.raises(Exception, match="no cursor name"):
        list(client.os_patch_installs(None))


# --- bare arrays ----------------------------------------------------------------------------


def test_per_device_patch_installs_are_bare_arrays(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange
    token_reply(http)
    http.get(f"{BASE}/v2/device/7/os-patch-installs", json=[{"id": "a", "status": "FAILED"}],
             match=params(installedAfter=100))
    http.get(f"{BASE}/v2/device/7/software-patch-installs", json=[])
    # Act
    os_rows = client.device_os_patch_installs(7, datetime.fromtimestamp(100, UTC))
    sw_rows = client.device_software_patch_installs(7)
    # Assert
    assert os_rows == [{"id": "a", "status": "FAILED"}]
    assert sw_rows == []


def test_alerts_wrapped_in_an_object_are_refused(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange
    token_reply(http)
    http.get(f"{BASE}/v2/alerts", json={"results": []})
    # Act / Assert
    with pytest.raises(MalformedResponseError):
        client.alerts()


def test_offset_counting_page_ends_is_understood_too(http: responses.RequestsMock, client: NinjaOneClient) -> None:
    # Arrange: the spec does not say what cursor.offset counts; an end-of-page offset is no loss
    token_reply(http)
    http.get(OS_Q, json=page("c1", 2, [{"id": "a"}, {"id": "b"}]))
    http.get(OS_Q, json=page("c1", 4, [{"id": "c"}, {"id": "d"}]))
    http.get(OS_Q, json=page("c1", 5, [{"id": "e"}]))
    # Act / Assert
    assert [r["id"] for r in client.os_patch_installs(None)] == ["a", "b", "c", "d", "e"]
