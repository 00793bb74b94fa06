"""The request pipeline over real loopback HTTP: routing, auth, limits, errors, admin, keep-alive."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import requests

from syncd.sandbox import Sandbox, SandboxClock
from syncd.sandbox.limits import RateLimiter


class FakeMonotonic:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---- routing and parsing ----

def test_route_with_path_params(sandbox: Sandbox, http: requests.Session) -> None:
    # Act
    resp = http.get(f"{sandbox.url('dummy')}/api/tickets/3")
    # Assert
    assert resp.status_code == 200
    assert resp.json() == {"id": 3, "summary": "Ticket number 3"}


def test_query_headers_body_and_decoded_path_reach_the_handler(sandbox: Sandbox,
                                                               http: requests.Session) -> None:
    # Act
    resp = http.post(f"{sandbox.url('dummy')}/api/echo/hi%20there?a=1&a=2&b=", json={"x": [1, 2]},
                     headers={"X-Thing": "t"})
    # Assert
    assert resp.status_code == 201
    assert resp.json() == {"word": "hi there", "query": {"a": ["1", "2"], "b": [""]},
                           "body": {"x": [1, 2]}, "thing": "t"}


def test_handler_http_error_is_the_vendor_error(sandbox: Sandbox, http: requests.Session) -> None:
    resp = http.get(f"{sandbox.url('dummy')}/api/tickets/999")
    assert (resp.status_code, resp.json()) == (404, {"error": "no such ticket"})


def test_unknown_path_gets_simulator_not_found(sandbox: Sandbox, http: requests.Session) -> None:
    # Act
    resp = http.get(f"{sandbox.url('dummy')}/api/nowhere")
    # Assert
    assert resp.status_code == 404
    assert resp.json() == {"message": "no route for GET /api/nowhere"}
    assert sandbox.counters("dummy")["requests"] == {"GET <unmatched>": 1}


def test_wrong_method_is_unmatched(sandbox: Sandbox, http: requests.Session) -> None:
    resp = http.delete(f"{sandbox.url('dummy')}/api/companies")
    assert resp.status_code == 404


def test_auth_failure_uses_simulator_answer(sandbox: Sandbox) -> None:
    # Act
    missing = requests.get(f"{sandbox.url('dummy')}/api/companies", timeout=5)
    wrong = requests.get(f"{sandbox.url('dummy')}/api/companies", headers={"X-Api-Key": "nope"}, timeout=5)
    # Assert
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json() == {"error": "invalid api key"}


def test_custom_credentials_replace_defaults(make_sandbox: Callable[..., Sandbox],
                                             http: requests.Session) -> None:
    box = make_sandbox(credentials={"dummy": {"api_key": "other"}})
    url = f"{box.url('dummy')}/api/companies"
    assert http.get(url).status_code == 401
    assert requests.get(url, headers={"X-Api-Key": "other"}, timeout=5).status_code == 200


def test_unexpected_exception_gives_500_and_server_keeps_serving(
        sandbox: Sandbox, http: requests.Session, caplog: pytest.LogCaptureFixture) -> None:
    # Act
    with caplog.at_level(logging.ERROR, logger="syncd.sandbox"):
        boom = http.get(f"{sandbox.url('dummy')}/api/boom")
    after = http.get(f"{sandbox.url('dummy')}/api/companies")
    # Assert
    assert boom.status_code == 500
    assert boom.json()["message"] == "sandbox simulator error: RuntimeError: simulator bug"
    assert any("sandbox_handler_failed" in r.getMessage() for r in caplog.records)
    assert after.status_code == 200


def test_keep_alive_reuses_one_connection(sandbox: Sandbox, http: requests.Session) -> None:
    # Act
    statuses = [http.get(f"{sandbox.url('dummy')}/api/companies").status_code for _ in range(4)]
    # Assert
    assert statuses == [200] * 4
    assert sandbox.server("dummy").connections_opened == 1


# ---- rate limits ----

def test_rate_limit_answers_429_with_retry_after(make_sandbox: Callable[..., Sandbox],
                                                  http: requests.Session) -> None:
    # Arrange
    box = make_sandbox(rate_limits={"dummy": (3, 60.0)})
    url = f"{box.url('dummy')}/api/companies"
    # Act
    statuses = [http.get(url).status_code for _ in range(3)]
    limited = http.get(url)
    # Assert
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json() == {"message": "Too Many Requests"}
    assert box.counters("dummy")["throttled"] == 1


def test_rate_limit_counts_per_credential(make_sandbox: Callable[..., Sandbox],
                                          http: requests.Session) -> None:
    # Arrange
    box = make_sandbox(rate_limits={"dummy": (1, 60.0)})
    url = f"{box.url('dummy')}/api/companies"
    # Act
    first, second = http.get(url), http.get(url)
    other = requests.get(url, headers={"X-Api-Key": "another-account"}, timeout=5)
    # Assert: another account has its own budget (and then fails auth, as it should)
    assert (first.status_code, second.status_code, other.status_code) == (200, 429, 401)


@pytest.fixture
def limited_dummy(dummy_simulator: type) -> type:
    """The dummy simulator with a published limit of 2 requests a minute."""
    return type("LimitedDummy", (dummy_simulator,), {"default_rate_limit": (2, 60.0)})


def test_simulator_default_rate_limit_applies(make_sandbox: Callable[..., Sandbox], limited_dummy: type,
                                              http: requests.Session) -> None:
    box = make_sandbox(simulators={"dummy": limited_dummy})
    url = f"{box.url('dummy')}/api/companies"
    assert [http.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_rate_limit_none_means_unlimited(make_sandbox: Callable[..., Sandbox], limited_dummy: type,
                                         http: requests.Session) -> None:
    box = make_sandbox(simulators={"dummy": limited_dummy}, rate_limits={"dummy": None})
    url = f"{box.url('dummy')}/api/companies"
    assert box.limiter("dummy") is None
    assert [http.get(url).status_code for _ in range(5)] == [200] * 5


def test_sliding_window_frees_slots_as_old_requests_age() -> None:
    # Arrange
    clock = FakeMonotonic()
    limiter = RateLimiter(2, 10.0, monotonic=clock)
    # Act / Assert
    assert limiter.check("k") is None
    clock.now += 4
    assert limiter.check("k") is None
    assert limiter.check("k") == pytest.approx(6.0)      # the first request ages out at t+10
    assert limiter.check("other") is None
    clock.now += 6
    assert limiter.check("k") is None
    assert limiter.check("k") == pytest.approx(4.0)


def test_fixed_window_resets_at_window_end() -> None:
    # Arrange
    clock = FakeMonotonic()
    limiter = RateLimiter(2, 10.0, mode="fixed", monotonic=clock)
    # Act / Assert
    assert limiter.check("k") is None
    clock.now += 9
    assert limiter.check("k") is None
    assert limiter.check("k") == pytest.approx(1.0)
    clock.now += 1
    assert limiter.check("k") is None


def test_rate_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimiter(0, 10.0)


# ---- counters ----

def test_counters_by_route_status_and_writes(sandbox: Sandbox, http: requests.Session) -> None:
    # Arrange
    url = sandbox.url("dummy")
    # Act
    http.get(f"{url}/api/tickets/1")
    http.get(f"{url}/api/tickets/2")
    http.get(f"{url}/api/tickets/404")
    http.post(f"{url}/api/echo/x", json={})
    http.get(f"{url}/_sandbox/health")                  # admin: not counted
    snap = http.get(f"{url}/_sandbox/counters").json()
    # Assert
    assert snap == {
        "total": 4,
        "requests": {"GET /api/tickets/{ticket_id}": 3, "POST /api/echo/{word}": 1},
        "statuses": {"200": 2, "201": 1, "404": 1},
        "throttled": 0, "faults": {}, "writes": 1,
    }
    assert sandbox.counters() == {"dummy": snap}


def test_counters_reset_over_admin(sandbox: Sandbox, http: requests.Session) -> None:
    url = sandbox.url("dummy")
    http.get(f"{url}/api/companies")
    reset = http.post(f"{url}/_sandbox/counters/reset")
    assert reset.status_code == 200
    assert sandbox.counters("dummy")["total"] == 0


# ---- admin ----

def test_admin_bypasses_auth_and_reports_health(sandbox: Sandbox) -> None:
    resp = requests.get(f"{sandbox.url('dummy')}/_sandbox/health", timeout=5)
    assert resp.json() == {"status": "ok", "vendor": "dummy", "now": "2026-11-17T15:00:00Z"}


def test_admin_unknown_endpoint_is_404(sandbox: Sandbox) -> None:
    resp = requests.get(f"{sandbox.url('dummy')}/_sandbox/nothing", timeout=5)
    assert resp.status_code == 404


def test_admin_clock_is_shared_by_all_vendors(make_sandbox: Callable[..., Sandbox],
                                             dummy_simulator: type) -> None:
    # Arrange
    box = make_sandbox(simulators={"dummy": dummy_simulator, "other": dummy_simulator})
    one, two = box.url("dummy"), box.url("other")
    # Act
    before = requests.get(f"{one}/_sandbox/clock", timeout=5).json()
    advanced = requests.post(f"{one}/_sandbox/clock", json={"advance_s": 3600}, timeout=5).json()
    seen_by_other = requests.get(f"{two}/_sandbox/clock", timeout=5).json()
    jumped = requests.post(f"{two}/_sandbox/clock", json={"set": "2027-01-01T00:00:00Z"}, timeout=5).json()
    # Assert
    assert before == {"now": "2026-11-17T15:00:00Z", "running": False}
    assert advanced["now"] == seen_by_other["now"] == "2026-11-17T16:00:00Z"
    assert jumped["now"] == box.clock.now_iso() == "2027-01-01T00:00:00Z"


@pytest.mark.parametrize("body", [{}, {"advance_s": "soon"}, {"set": "not a time"}, [1]])
def test_admin_clock_rejects_bad_bodies(sandbox: Sandbox, body: object) -> None:
    resp = requests.post(f"{sandbox.url('dummy')}/_sandbox/clock", json=body, timeout=5)
    assert resp.status_code == 400
    assert sandbox.clock.now_iso() == "2026-11-17T15:00:00Z"


# ---- clock ----

def test_frozen_clock_moves_only_when_told() -> None:
    # Arrange
    clock = SandboxClock("2026-11-17T15:00:00Z")
    # Act / Assert
    assert clock.now() == datetime(2026, 11, 17, 15, tzinfo=UTC)
    clock.advance(90)
    assert clock.now_iso() == "2026-11-17T15:01:30Z"
    clock.set(datetime(2026, 12, 1, 8, 30))                     # naive = UTC
    assert clock.now_iso() == "2026-12-01T08:30:00Z"


def test_running_clock_flows_from_start() -> None:
    # Arrange
    mono = FakeMonotonic()
    clock = SandboxClock(datetime(2026, 11, 17, 15, tzinfo=UTC), running=True, monotonic=mono)
    # Act / Assert
    mono.now += 42.5
    assert clock.now() == datetime(2026, 11, 17, 15, 0, 42, 500000, tzinfo=UTC)
    clock.advance(60)
    assert clock.now_iso() == "2026-11-17T15:01:42Z"
    clock.set("2026-11-18T00:00:00+00:00")
    mono.now += 5
    assert clock.now_iso() == "2026-11-18T00:00:05Z"
