"""Pieces every connector shares: building its ApiClient from settings, write markers, UTC times."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator

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


def http_options(http: HttpSettings, sleep: Callable[[float], None]) -> dict[str, Any]:
    """The keyword arguments `[http]` gives an ApiClient or OAuth2ClientCredentials: timeouts, TLS, retries."""
    policy = RetryPolicy(http.max_attempts, max_retry_after_s=http.max_retry_after.total_seconds(),
                         backoff_max_s=http.backoff_max.total_seconds(), sleep=sleep)
    return {
        "connect_timeout": http.connect_timeout.total_seconds(), "read_timeout": http.read_timeout.total_seconds(),
        "verify": str(http.ca_bundle) if http.ca_bundle else True, "retry": policy, "observer": observe,
    }


def build_client(kind: str, section: Any, http: HttpSettings, *, base_url: str, tenant: str,
                 auth: Any = None, headers: dict[str, str] | None = None,
                 sleep: Callable[[float], None] | None = None) -> ApiClient:
    """An ApiClient with the shared retry policy, timeouts and the tenant's shared rate limiter.

    `tenant` identifies the vendor account (host + company/client id): every job and every
    client of that account draws from one token bucket, as the vendor counts them together.
    """
    limit = section.rate_limit
    limiter = LIMITERS.get(kind, tenant, limit.requests, limit.per.total_seconds())
    return ApiClient(kind, base_url, auth=auth, limiter=limiter, headers=headers,
                     **http_options(http, _observed_sleep(kind, sleep or time.sleep)))


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


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; a naive vendor time is taken as UTC (the vendors document UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A vendor timestamp field: whatever zone the vendor sent, the model holds aware UTC.
UtcTime = Annotated[datetime, AfterValidator(as_utc)]
