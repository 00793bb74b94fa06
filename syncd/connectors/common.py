"""Pieces every connector shares: building its ApiClient from settings, and write markers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from syncd.http import ApiClient, Observer
from syncd.ratelimit import LIMITERS
from syncd.retry import RetryPolicy

if TYPE_CHECKING:  # settings imports the connector settings packages; avoid the cycle at runtime
    from syncd.sections import HttpSettings

# Process-wide hook for request metrics (set by the metrics server when it starts).
OBSERVERS: list[Observer] = []
# Process-wide hook for retry waits: (connector kind, seconds about to be slept before a retry).
RETRY_OBSERVERS: list[Callable[[str, float], None]] = []


def observe(*args: Any) -> None:
    """Report one HTTP attempt to every registered observer (metrics)."""
    for observer in OBSERVERS:
        observer(*args)


def build_client(kind: str, section: Any, http: HttpSettings, *, base_url: str, tenant: str,
                 auth: Any = None, headers: dict[str, str] | None = None,
                 sleep: Callable[[float], None] | None = None) -> ApiClient:
    """An ApiClient with the shared retry policy, timeouts and the tenant's shared rate limiter.

    `tenant` identifies the vendor account (host + company/client id): every job and every
    client of that account draws from one token bucket, as the vendor counts them together.
    """
    limit = section.rate_limit
    limiter = LIMITERS.get(kind, tenant, limit.requests, limit.per.total_seconds())
    policy_args: dict[str, Any] = {
        "max_retry_after_s": http.max_retry_after.total_seconds(),
        "backoff_max_s": http.backoff_max.total_seconds(),
    }
    policy_args["sleep"] = _observed_sleep(kind, sleep or time.sleep)
    return ApiClient(
        kind, base_url, auth=auth, limiter=limiter,
        connect_timeout=http.connect_timeout.total_seconds(), read_timeout=http.read_timeout.total_seconds(),
        retry=RetryPolicy(http.max_attempts, **policy_args), headers=headers,
        verify=str(http.ca_bundle) if http.ca_bundle else True, observer=observe,
    )


def _observed_sleep(kind: str, sleep: Callable[[float], None]) -> Callable[[float], None]:
    """The retry policy's sleep, telling RETRY_OBSERVERS first (tenacity sleeps only between retries)."""
    def pause(seconds: float) -> None:
        for observer in RETRY_OBSERVERS:
            observer(kind, seconds)
        sleep(seconds)

    return pause


# A marker syncd puts in everything it writes, so a retry after a timeout or a restart can
# find its own earlier write in the vendor and not repeat it. The key is the ledger's
# idempotency key; it contains no secret and no customer data.
MARKER_PREFIX = "syncd-ref:"
_MARKER = re.compile(re.escape(MARKER_PREFIX) + r"\s*([A-Za-z0-9:._/-]+)")


def marker(key: str) -> str:
    """The marker text for an idempotency key."""
    return f"{MARKER_PREFIX} {key}"


def find_marker(text: str | None) -> str | None:
    """The idempotency key of a marker in `text`, if any."""
    match = _MARKER.search(text or "")
    return match.group(1) if match else None
