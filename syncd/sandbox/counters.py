"""Request counters of a Sandbox: what each simulated vendor was asked and what it answered."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

UNMATCHED = "<unmatched>"


@dataclass
class _VendorCounts:
    requests: Counter[str] = field(default_factory=Counter)   # "GET /pattern" -> n
    statuses: Counter[str] = field(default_factory=Counter)   # "200" -> n
    faults: Counter[str] = field(default_factory=Counter)     # fault kind -> n
    throttled: int = 0                                         # 429s from the rate limiter
    writes: int = 0                                            # non-GET vendor requests

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": sum(self.requests.values()),
            "requests": dict(sorted(self.requests.items())),
            "statuses": dict(sorted(self.statuses.items())),
            "throttled": self.throttled,
            "faults": dict(sorted(self.faults.items())),
            "writes": self.writes,
        }


class RequestCounters:
    """Thread-safe counts per vendor; admin requests are never counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vendors: dict[str, _VendorCounts] = {}

    def _of(self, vendor: str) -> _VendorCounts:
        return self._vendors.setdefault(vendor, _VendorCounts())

    def request(self, vendor: str, method: str, route: str | None) -> None:
        """Count one vendor request by method and route pattern (None = no route matched)."""
        with self._lock:
            counts = self._of(vendor)
            counts.requests[f"{method} {route or UNMATCHED}"] += 1
            if method not in ("GET", "HEAD", "OPTIONS"):
                counts.writes += 1

    def status(self, vendor: str, status: int) -> None:
        """Count one response status."""
        with self._lock:
            self._of(vendor).statuses[str(status)] += 1

    def throttled(self, vendor: str) -> None:
        """Count one 429 served by the rate limiter."""
        with self._lock:
            self._of(vendor).throttled += 1

    def fault(self, vendor: str, kind: str) -> None:
        """Count one injected fault of `kind`."""
        with self._lock:
            self._of(vendor).faults[kind] += 1

    def snapshot(self, vendor: str | None = None) -> dict[str, Any]:
        """Return one vendor's counts, or {vendor: counts} for all, as JSON-ready data."""
        with self._lock:
            if vendor is not None:
                return self._of(vendor).snapshot()
            return {name: counts.snapshot() for name, counts in sorted(self._vendors.items())}

    def reset(self, vendor: str | None = None) -> None:
        """Zero one vendor's counts, or everyone's."""
        with self._lock:
            if vendor is None:
                self._vendors.clear()
            else:
                self._vendors[vendor] = _VendorCounts()
