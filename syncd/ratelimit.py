"""Client-side rate limits shared by every job that talks to one vendor tenant.

Vendors rate-limit per tenant (per API key), not per syncd job, so the bucket
is looked up in ``LIMITERS`` by (vendor, tenant): two poll jobs for the same
ConnectWise company draw from one budget, and a 429 seen by one pauses both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_EPSILON = 1e-9


class TokenBucket:
    """Allow ``requests`` calls per ``per_s`` seconds, refilled continuously; thread-safe.

    Example: ``TokenBucket(40, 1.0)`` allows bursts of 40 and 40 calls a second on average.
    """

    def __init__(
        self,
        requests: int,
        per_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests < 1 or per_s <= 0:
            raise ValueError(f"rate limit must be positive, got {requests} per {per_s}s")
        self.capacity = float(requests)
        self.rate = requests / per_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(requests)
        self._stamp = clock()
        self._paused_until = float("-inf")

    def _refill(self, now: float) -> None:
        """Add the tokens earned since the last look; caller holds the lock."""
        if now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def _take_or_wait(self, tokens: float) -> float:
        """Take ``tokens`` and return 0, or return how long to wait before trying again."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            if now < self._paused_until:
                return self._paused_until - now
            # The epsilon absorbs float drift: after sleeping exactly the computed wait the refill
            # can land at 0.9999999 tokens, and a 1e-17 s sleep would then never move the clock.
            if self._tokens + _EPSILON >= tokens:
                self._tokens = max(0.0, self._tokens - tokens)
                return 0.0
            return (tokens - self._tokens) / self.rate

    def acquire(self, tokens: int = 1) -> None:
        """Block until ``tokens`` are available, then take them."""
        if tokens > self.capacity:
            raise ValueError(f"cannot take {tokens} tokens from a bucket of {self.capacity:g}")
        # Sleep outside the lock so other threads can keep refilling and taking.
        while (wait := self._take_or_wait(tokens)) > 0:
            self._sleep(wait)

    def try_acquire(self, tokens: int = 1) -> bool:
        """Take ``tokens`` if available right now; never blocks."""
        return self._take_or_wait(tokens) == 0.0

    def pause(self, seconds: float) -> None:
        """Hand out no token before now + ``seconds`` (a server said Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))

    @property
    def available(self) -> float:
        """Tokens that could be taken now (0 while paused)."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            return 0.0 if now < self._paused_until else self._tokens


class LimiterRegistry:
    """Hand out one shared TokenBucket per (vendor, tenant)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def get(self, vendor: str, tenant: str, requests: int, per_s: float) -> TokenBucket:
        """Return the bucket for (vendor, tenant), creating it on first use (first limits win)."""
        key = (vendor, tenant)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(requests, per_s)
            return bucket

    def snapshot(self) -> dict[tuple[str, str], TokenBucket]:
        """Every bucket by (vendor, tenant), for metrics."""
        with self._lock:
            return dict(self._buckets)

    def clear(self) -> None:
        """Forget every bucket (tests, config reload)."""
        with self._lock:
            self._buckets.clear()


LIMITERS = LimiterRegistry()
