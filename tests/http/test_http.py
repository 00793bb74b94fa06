"""ApiClient basics: responses, status table, JSON parsing, auth hooks, OAuth2 token fetch."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr
from responses import matchers

from syncd.auth import BasicAuth, BearerTokenAuth, HeaderAuth, OAuth2ClientCredentials
from syncd.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    MalformedResponseError,
    NotFoundError,
    RetryableApiError,
)
from syncd.http import (
    STATUS_ERRORS,
    ApiClient,
    RetryPolicy,
    error_class,
    parse_retry_after,
)

BASE = "https://psa.example/v4_6_release/apis/3.0"


@pytest.fixture
def client(slept) -> ApiClient:
    return ApiClient("connectwise", BASE, retry=RetryPolicy(max_attempts=1, sleep=slept.append))


def test_request_returns_detached_response(http, client):
    # Arrange
    http.get(f"{BASE}/service/tickets", json=[{"id": 1}],
             headers={"X-Total": "1", "Link": '</v4_6_release/apis/3.0/service/tickets?page=2>; rel="next"'})
    # Act
    resp = client.request("GET", "/service/tickets")
    # Assert
    assert resp.status == 200
    assert resp.headers["x-total"] == "1"
    assert resp.json() == [{"id": 1}]
    assert resp.links == {"next": f"{BASE}/service/tickets?page=2"}
    assert resp.url == f"{BASE}/service/tickets"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequestError), (401, AuthError), (403, AuthError), (404, NotFoundError), (409, BadRequestError),
     (418, BadRequestError), (422, BadRequestError), (408, RetryableApiError), (425, RetryableApiError),
     (429, RetryableApiError), (500, RetryableApiError), (503, RetryableApiError), (501, ApiError)],
)
def test_status_table(status, cls):
    assert error_class(status) is cls
    assert error_class(204) is None
    assert 429 in STATUS_ERRORS


def test_error_carries_where_and_reads_as_one_line(http, client):
    # Arrange
    http.get(f"{BASE}/service/tickets", status=404)
    # Act
    with pytest.raises(NotFoundError) as info:
        client.get_json("service/tickets", {"conditions": "id = 5"})
    # Assert
    exc = info.value
    assert (exc.connector, exc.method, exc.status) == ("connectwise", "GET", 404)
    assert exc.url == f"{BASE}/service/tickets?conditions=id+%3D+5"
    assert str(exc) == f"connectwise: GET {exc.url} -> 404 Not Found"


@pytest.mark.parametrize("body", ["<html>oops</html>", "", "null"])
def test_junk_body_is_malformed_never_none(http, client, body):
    # Arrange
    http.get(f"{BASE}/system/info", body=body)
    # Act / Assert
    with pytest.raises(MalformedResponseError, match="200 OK: body is"):
        client.get_json("/system/info")


def test_expected_status_accepts_listed_and_rejects_others(http, client):
    # Arrange
    http.post(f"{BASE}/things", status=400, json={"error": "x"})
    http.post(f"{BASE}/things", status=200, json={})
    # Act
    accepted = client.request("POST", "/things", expected_status={201, 400})
    # Assert
    assert accepted.status == 400
    with pytest.raises(ApiError, match=r"expected \[201\]"):
        client.request("POST", "/things", expected_status={201})


def test_post_json_returns_none_for_204(http, client):
    # Arrange
    http.post(f"{BASE}/service/tickets/1/notes", status=204,
              match=[matchers.json_params_matcher({"text": "hi", "internalAnalysisFlag": True})])
    # Act / Assert
    assert client.post_json("/service/tickets/1/notes", {"text": "hi", "internalAnalysisFlag": True}) is None


def test_put_and_patch_send_json(http, client):
    # Arrange
    http.put(f"{BASE}/a/1", json={"id": 1}, match=[matchers.json_params_matcher({"x": 1})])
    http.patch(f"{BASE}/a/1", json={"id": 1},
               match=[matchers.json_params_matcher([{"op": "replace", "path": "x", "value": 2}])])
    # Act / Assert
    assert client.put_json("/a/1", {"x": 1}) == {"id": 1}
    assert client.patch_json("/a/1", [{"op": "replace", "path": "x", "value": 2}]) == {"id": 1}


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [("2", None, 2.0), ("1.5", None, 1.5), ("-3", None, 0.0), ("soon", None, None), (None, None, None),
     ("Wed, 21 Oct 2015 07:28:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
     ("Wed, 21 Oct 2015 07:27:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(value, date, expected):
    assert parse_retry_after(value, date=date) == expected


def test_parse_retry_after_http_date_without_server_date_uses_now():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0


def test_basic_and_header_auth_are_sent(http, slept):
    # Arrange
    auth_value = base64.b64encode(b"acme+pubkey:privkey-123").decode()
    http.get(f"{BASE}/x", json={}, match=[matchers.header_matcher({"Authorization": f"Basic {auth_value}"})])
    http.get(f"{BASE}/x", json={}, match=[matchers.header_matcher({"clientId": "cid-4567"})])
    basic = ApiClient("connectwise", BASE, auth=BasicAuth("acme+pubkey", "privkey-123"))
    header = ApiClient("connectwise", BASE, auth=HeaderAuth("clientId", "cid-4567"))
    # Act / Assert
    assert basic.get_json("/x") == {}
    assert header.get_json("/x") == {}
    assert "privkey" not in repr(basic._auth)


def test_auth_accepts_secret_str_and_registers_it(http):
    # Arrange
    http.get(f"{BASE}/x", status=500, json={})
    client = ApiClient("hudu", BASE, auth=HeaderAuth("x-api-key", SecretStr("hudu-secretstr-5555")),
                       retry=RetryPolicy(max_attempts=1))
    # Act
    with pytest.raises(RetryableApiError) as info:
        client.get_json("/x", {"echo": "hudu-secretstr-5555"})
    # Assert
    assert "hudu-secretstr-5555" not in str(info.value)
    assert "echo=***" in str(info.value)


def test_bearer_token_refreshes_before_expiry():
    # Arrange
    now = [0.0]
    fetched = iter([("t1", 600.0), ("t2", 600.0)])
    auth = BearerTokenAuth(lambda: next(fetched), clock=lambda: now[0], refresh_margin_s=60)
    headers: dict[str, str] = {}
    # Act
    auth.apply(headers, {})
    first = headers["Authorization"]
    now[0] = 539.0
    auth.apply(headers, {})
    still_first = headers["Authorization"]
    now[0] = 540.0
    auth.apply(headers, {})
    # Assert
    assert (first, still_first, headers["Authorization"]) == ("Bearer t1", "Bearer t1", "Bearer t2")


def test_oauth2_client_credentials_fetches_token(http):
    # Arrange
    token_url = "https://eu.ninjarmm.com/ws/oauth/token"
    http.post(token_url, json={"access_token": "at-1", "expires_in": 3600, "token_type": "bearer"},
              match=[matchers.urlencoded_params_matcher({
                  "grant_type": "client_credentials", "client_id": "cid", "client_secret": "cs-secret-9",
                  "scope": "monitoring"})])
    fetch = OAuth2ClientCredentials(token_url, "cid", "cs-secret-9", "monitoring", connector="ninjaone")
    # Act / Assert
    assert fetch() == ("at-1", 3600.0)


def test_oauth2_rejection_names_vendor_error_without_secret(http):
    # Arrange
    token_url = "https://eu.ninjarmm.com/ws/oauth/token"
    http.post(token_url, status=401, json={"error": "invalid_client", "error_description": "bad cs-secret-9"})
    fetch = OAuth2ClientCredentials(token_url, "cid", "cs-secret-9", connector="ninjaone")
    # Act
    with pytest.raises(AuthError) as info:
        fetch()
    # Assert
    expected = f"ninjaone: POST {token_url} -> 401 Unauthorized: token request rejected: invalid_client"
    assert str(info.value) == expected
    assert "cs-secret-9" not in repr(info.value)


def test_absolute_url_on_same_origin_is_used(client):
    assert client.url(f"{BASE}/a?b=1") == f"{BASE}/a?b=1"
    assert client.url("a") == f"{BASE}/a"
    assert client.url("search?next=http://x/") == f"{BASE}/search?next=http://x/"
    with pytest.raises(ApiError, match="refusing"):
        client.url("http://psa.example/v4_6_release/apis/3.0/a")


def test_tls_verification_is_on_by_default():
    assert ApiClient("x", BASE)._session.verify is True
