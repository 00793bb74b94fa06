"""The vendor-side rate limiter: N requests per W seconds per account, like the real APIs."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from syncd.sandbox.framework import Request

WindowMode = Literal["sliding", "fixed"]

# Headers that identify the calling account. Vendors count per account, so two syncd replicas
# sharing one API key share one budget, while different keys get their own.
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key", "clientid")


def credential_key(request: Request) -> str:
    """Return the account a request is counted against (its credential headers, else 'anonymous')."""
    parts = [f"{name}={value}" for name in _CREDENTIAL_HEADERS
             if (value := request.header(name)) is not None]
    return "|".join(parts) or "anonymous"


class RateLimiter:
    """Allow `limit` requests per `window_s` seconds per key; say how long to wait otherwise."""

    def __init__(self, limit: int, window_s: float, *, mode: WindowMode = "sliding",
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError(f"rate limit must be >= 1 request per > 0 s, got {limit}/{window_s}")
        if mode not in ("sliding", "fixed"):
            raise ValueError(f"rate limit mode must be 'sliding' or 'fixed', got {mode!r}")
        self.limit = limit
        self.window_s = window_s
        self.mode = mode
        # Window time is monotonic, never the world clock: advancing the world by a day in a test
        # must not refill a vendor's budget, and a running world must not drain it.
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._fixed: dict[str, tuple[float, int]] = {}

    def check(self, key: str) -> float | None:
        """Count one request for `key`: None when allowed, else the seconds until one would be."""
        with self._lock:
            now = self._monotonic()
            if self.mode == "fixed":
                return self._check_fixed(key, now)
            return self._check_sliding(key, now)

    def _check_sliding(self, key: str, now: float) -> float | None:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window_s - now
        hits.append(now)
        return None

    def _check_fixed(self, key: str, now: float) -> float | None:
        # Windows start at the first request of a key, as most vendors' "per minute" buckets do.
        started, count = self._fixed.get(key, (now, 0))
        if now >= started + self.window_s:
            started, count = now, 0
        if count >= self.limit:
            self._fixed[key] = (started, count)
            return started + self.window_s - now
        self._fixed[key] = (started, count + 1)
        return None

    def reset(self) -> None:
        """Forget every key's history (a fresh budget for everyone)."""
        with self._lock:
            self._hits.clear()
            self._fixed.clear()

    def describe(self) -> dict[str, object]:
        """Return the limit as JSON-ready data."""
        return {"limit": self.limit, "window_s": self.window_s, "mode": self.mode}
