"""Retry behaviour against a real loopback server: what is retried, how long we wait, when we stop."""

from __future__ import annotations

from unittest.mock import Mock

import pytest
from structlog.testing import capture_logs

from syncd.auth import BearerTokenAuth
from syncd.errors import (
    ApiTimeoutError,
    AuthError,
    RetryableApiError,
    TransportError,
)
from syncd.http import ApiClient, RetryPolicy


def client_for(base_url: str, policy: RetryPolicy, **kwargs: object) -> ApiClient:
    return ApiClient("acme", base_url, retry=policy, **kwargs)  # type: ignore[arg-type]


def test_429_with_retry_after_seconds_waits_that_long(server, policy, slept):
    # Arrange
    server.add(429, headers={"Retry-After": "2"})
    server.add(json_body={"ok": True})
    # Act
    body = client_for(server.base_url, policy).get_json("/tickets")
    # Assert
    assert body == {"ok": True}
    assert slept == [2.0]
    assert len(server.received) == 2


def test_429_with_http_date_retry_after_is_measured_against_server_date(server, policy, slept):
    # Arrange: the server's clock says 07:28:00 and asks us back at 07:28:07
    server.add(429, headers={"Date": "Wed, 21 Oct 2015 07:28:00 GMT",
                             "Retry-After": "Wed, 21 Oct 2015 07:28:07 GMT"})
    server.add(json_body=[])
    # Act
    client_for(server.base_url, policy).get_json("/tickets")
    # Assert
    assert slept == [7.0]


def test_retry_after_is_capped(server, slept):
    # Arrange
    server.add(503, headers={"Retry-After": "86400"})
    server.add(json_body=[])
    policy = RetryPolicy(max_retry_after_s=600, sleep=slept.append)
    # Act
    client_for(server.base_url, policy).get_json("/tickets")
    # Assert
    assert slept == [600.0]


def test_500_twice_then_200_backs_off_exponentially_with_jitter(server, slept):
    # Arrange
    server.add(500)
    server.add(502)
    server.add(json_body={"id": 1})
    policy = RetryPolicy(backoff_initial_s=1, backoff_max_s=60, sleep=slept.append)
    # Act
    body = client_for(server.base_url, policy).get_json("/tickets/1")
    # Assert: 1s then 2s, each plus up to 1s of jitter
    assert body == {"id": 1}
    assert len(slept) == 2
    assert 1.0 <= slept[0] <= 2.0
    assert 2.0 <= slept[1] <= 3.0


def test_500_forever_gives_up_after_max_attempts_with_one_line_error(server, slept):
    # Arrange
    for _ in range(3):
        server.add(500)
    policy = RetryPolicy(max_attempts=3, sleep=slept.append)
    # Act
    with capture_logs() as logs, pytest.raises(RetryableApiError) as info:
        client_for(server.base_url, policy).get_json("/tickets", {"conditions": "id>1"})
    # Assert
    message = str(info.value)
    assert message.startswith("acme: GET http://127.0.0.1:")
    assert "/tickets?conditions=id%3E1 -> 500 Internal Server Error" in message
    assert message.endswith("(gave up after 3 attempts)")
    assert "\n" not in message
    assert info.value.status == 500
    assert len(server.received) == 3
    assert len(slept) == 2
    events = [e["event"] for e in logs]
    assert events == ["http_retry", "http_retry", "http_gave_up"]
    assert logs[0]["status"] == 500
    assert logs[0]["attempt"] == 1
    assert logs[0]["connector"] == "acme"


def test_backoff_stops_when_total_delay_budget_is_spent(server, slept):
    # Arrange: the budget allows the first wait (1-2 s) but not the second (2-3 s more)
    server.add(500)
    server.add(500)
    policy = RetryPolicy(max_attempts=10, max_delay_s=3.0, sleep=slept.append)
    # Act
    with pytest.raises(RetryableApiError, match="gave up after 2 attempts"):
        client_for(server.base_url, policy).get_json("/tickets")
    # Assert
    assert len(slept) == 1


def test_slow_get_times_out_and_is_retried(server, slept):
    # Arrange
    server.add(json_body=[], delay_s=1.0)
    server.add(json_body=[], delay_s=1.0)
    policy = RetryPolicy(max_attempts=2, sleep=slept.append)
    client = client_for(server.base_url, policy, read_timeout=0.2)
    # Act
    with pytest.raises(ApiTimeoutError, match=r"no answer within 0\.2s.*gave up after 2 attempts"):
        client.get_json("/tickets")
    # Assert
    assert len(server.received) == 2


def test_slow_post_times_out_without_retry(server, policy, slept):
    # Arrange: the server got the note and may have saved it; resending could duplicate it
    server.add(201, json_body={"id": 9}, delay_s=1.0)
    client = client_for(server.base_url, policy, read_timeout=0.2)
    # Act
    with pytest.raises(ApiTimeoutError) as info:
        client.post_json("/tickets/1/notes", {"text": "hello"})
    # Assert
    assert len(server.received) == 1
    assert slept == []
    assert "gave up" not in str(info.value)


def test_post_5xx_is_not_retried(server, policy):
    # Arrange
    server.add(502)
    # Act
    with pytest.raises(RetryableApiError):
        client_for(server.base_url, policy).post_json("/tickets/1/notes", {"text": "hello"})
    # Assert
    assert len(server.received) == 1


def test_post_429_is_retried(server, policy, slept):
    # Arrange: a 429 means the server refused the work, so resending is safe
    server.add(429, headers={"Retry-After": "1"})
    server.add(201, json_body={"id": 9})
    # Act
    body = client_for(server.base_url, policy).post_json("/tickets/1/notes", {"text": "hello"})
    # Assert
    assert body == {"id": 9}
    assert slept == [1.0]
    assert len(server.received) == 2


def test_post_to_closed_port_is_retried(closed_port_url, slept):
    # Arrange
    policy = RetryPolicy(max_attempts=3, sleep=slept.append)
    # Act
    with pytest.raises(TransportError) as info:
        client_for(closed_port_url, policy).post_json("/tickets/1/notes", {"text": "hello"})
    # Assert
    assert info.value.reached_server is False
    assert "connection refused" in str(info.value)
    assert str(info.value).endswith("(gave up after 3 attempts)")
    assert len(slept) == 2


def test_401_is_never_retried(server, policy, slept):
    # Arrange
    server.add(401)
    # Act
    with pytest.raises(AuthError) as info:
        client_for(server.base_url, policy).get_json("/tickets")
    # Assert
    assert len(server.received) == 1
    assert slept == []
    assert str(info.value).endswith("/tickets -> 401 Unauthorized")


def test_bearer_token_is_refreshed_once_on_401(server, policy):
    # Arrange
    tokens = iter([("tok-first", 3600.0), ("tok-second", 3600.0)])
    auth = BearerTokenAuth(lambda: next(tokens))
    server.add(401)
    server.add(json_body={"ok": True})
    # Act
    body = client_for(server.base_url, policy, auth=auth).get_json("/devices")
    # Assert
    assert body == {"ok": True}
    assert [r.headers["Authorization"] for r in server.received] == ["Bearer tok-first", "Bearer tok-second"]


def test_bearer_token_refresh_does_not_loop_on_repeated_401(server, policy):
    # Arrange
    tokens = iter([("tok-a", 3600.0), ("tok-b", 3600.0)])
    server.add(401)
    server.add(401)
    # Act
    with pytest.raises(AuthError):
        client_for(server.base_url, policy, auth=BearerTokenAuth(lambda: next(tokens))).get_json("/devices")
    # Assert
    assert len(server.received) == 2


def test_limiter_is_paused_on_429_and_acquired_every_attempt(server, policy):
    # Arrange
    limiter = Mock()
    server.add(429, headers={"Retry-After": "3"})
    server.add(json_body=[])
    # Act
    client_for(server.base_url, policy, limiter=limiter).get_json("/tickets")
    # Assert
    limiter.pause.assert_called_once_with(3.0)
    assert limiter.acquire.call_count == 2


def test_observer_sees_every_attempt(server, policy):
    # Arrange
    seen: list[tuple] = []
    server.add(500)
    server.add(json_body=[])
    client = client_for(server.base_url, policy, observer=lambda *a: seen.append(a))
    # Act
    client.get_json("/tickets", {"page": 1})
    # Assert
    assert [(c, m, p, s) for c, m, p, s, _ in seen] == [
        ("acme", "GET", "/tickets", 500),
        ("acme", "GET", "/tickets", 200),
    ]
    assert all(elapsed >= 0 for *_, elapsed in seen)


def test_malformed_body_is_retried_for_get(server, policy, slept):
    # Arrange: a truncated page is usually a transient proxy hiccup
    server.add(text='{"rows": [1, 2')
    server.add(json_body={"rows": [1, 2]})
    # Act
    body = client_for(server.base_url, policy).get_json("/tickets")
    # Assert
    assert body == {"rows": [1, 2]}
    assert len(slept) == 1
