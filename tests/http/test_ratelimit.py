"""Token bucket with a fake clock, thread safety, and the shared per-tenant registry."""

from __future__ import annotations

import threading

import pytest

from syncd.ratelimit import LIMITERS, LimiterRegistry, TokenBucket


class FakeClock:
    """A clock that only moves when someone sleeps on it; safe to share between threads."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def test_n_plus_one_acquires_sleep_for_one_token():
    # Arrange: 5 requests per 10 s -> one token every 2 s
    clock = FakeClock()
    bucket = TokenBucket(5, 10.0, clock=clock, sleep=clock.sleep)
    # Act
    for _ in range(6):
        bucket.acquire()
    # Assert
    assert clock.sleeps == [pytest.approx(2.0)]


def test_bucket_refills_over_time_but_not_beyond_capacity():
    # Arrange
    clock = FakeClock()
    bucket = TokenBucket(3, 3.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        bucket.acquire()
    # Act
    clock.now += 1.0
    one_back = bucket.available
    clock.now += 100.0
    # Assert
    assert one_back == pytest.approx(1.0)
    assert bucket.available == pytest.approx(3.0)


def test_try_acquire_never_blocks():
    # Arrange
    clock = FakeClock()
    bucket = TokenBucket(2, 1.0, clock=clock, sleep=clock.sleep)
    # Act
    results = [bucket.try_acquire() for _ in range(3)]
    # Assert
    assert results == [True, True, False]
    assert clock.sleeps == []


def test_pause_holds_tokens_back_until_it_ends():
    # Arrange
    clock = FakeClock()
    bucket = TokenBucket(10, 1.0, clock=clock, sleep=clock.sleep)
    # Act
    bucket.pause(30.0)
    paused_available = bucket.available
    refused = bucket.try_acquire()
    bucket.acquire()
    # Assert
    assert paused_available == 0.0
    assert refused is False
    assert sum(clock.sleeps) == pytest.approx(30.0)


def test_concurrent_acquires_never_exceed_budget():
    # Arrange: 10 requests per second, 8 threads asking for 40 in total
    clock = FakeClock()
    bucket = TokenBucket(10, 1.0, clock=clock, sleep=clock.sleep)
    start = clock()
    grants: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            bucket.acquire()
            with lock:
                grants.append(clock())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    # Act
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    # Assert: by time t, at most capacity + rate * elapsed tokens were handed out
    assert len(grants) == 40
    for count, at in enumerate(sorted(grants), start=1):
        assert count <= 10 + 10 * (at - start) + 1e-6


def test_concurrent_try_acquire_hands_out_exactly_the_budget():
    # Arrange
    clock = FakeClock()
    bucket = TokenBucket(10, 60.0, clock=clock, sleep=clock.sleep)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        got = [bucket.try_acquire() for _ in range(5)]
        wins.extend(g for g in got if g)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    # Act
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    # Assert
    assert len(wins) == 10


def test_registry_shares_one_bucket_per_tenant():
    # Arrange
    registry = LimiterRegistry()
    # Act
    a = registry.get("connectwise", "acme", 40, 1.0)
    b = registry.get("connectwise", "acme", 99, 5.0)
    other = registry.get("connectwise", "globex", 40, 1.0)
    # Assert
    assert a is b
    assert other is not a
    assert a.capacity == 40


def test_module_registry_exists():
    assert isinstance(LIMITERS, LimiterRegistry)


def test_invalid_limits_are_rejected():
    with pytest.raises(ValueError, match="must be positive"):
        TokenBucket(0, 1.0)
    with pytest.raises(ValueError, match="cannot take 5 tokens"):
        TokenBucket(2, 1.0).acquire(5)
