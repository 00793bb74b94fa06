"""The retry policy every vendor request goes through (tenacity), and Retry-After parsing.

Idempotent requests retry on RetryableApiError, TransportError, ApiTimeoutError and
MalformedResponseError; non-idempotent ones only when the server provably did not act (never
reached, or 429). A server's Retry-After (seconds or HTTP date) wins over our own backoff.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

from syncd.errors import ApiError, ApiTimeoutError, MalformedResponseError, RetryableApiError, TransportError

log = structlog.get_logger("syncd.http")


def _http_date(value: str) -> float:
    """Epoch seconds of an HTTP-date; dates without a zone are GMT by definition (RFC 7231)."""
    when = email.utils.parsedate_to_datetime(value)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def parse_retry_after(
    value: str | None, *, date: str | None = None, now: float | None = None
) -> float | None:
    """Seconds to wait per a Retry-After of delta-seconds or HTTP-date (RFC 7231 7.1.3), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        target = _http_date(value)
        # Measure against the server's own clock when it sent one: our clock may be skewed.
        reference = _http_date(date) if date else None
    except (TypeError, ValueError, IndexError):
        return None
    base = reference if reference is not None else (time.time() if now is None else now)
    return max(0.0, target - base)



def _retry_safe(exc: BaseException) -> bool:
    return isinstance(exc, RetryableApiError | TransportError | ApiTimeoutError | MalformedResponseError)


def _retry_unsafe(exc: BaseException) -> bool:
    # Only when the server provably did nothing: it was never reached, or it said 429.
    if isinstance(exc, TransportError):
        return not exc.reached_server
    return isinstance(exc, RetryableApiError) and exc.status == 429


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning(
        "http_retry",
        connector=getattr(exc, "connector", ""),
        method=getattr(exc, "method", ""),
        url=getattr(exc, "url", ""),
        status=getattr(exc, "status", None),
        error=type(exc).__name__,
        attempt=state.attempt_number,
        wait_s=round(state.upcoming_sleep, 3),
    )


def _give_up(state: RetryCallState) -> Any:
    exc = state.outcome.exception() if state.outcome else None
    if not isinstance(exc, ApiError):  # pragma: no cover - only ApiErrors are retried
        raise RuntimeError("retry gave up without an ApiError")
    log.error(
        "http_gave_up",
        connector=exc.connector, method=exc.method, url=exc.url, status=exc.status,
        error=type(exc).__name__, attempts=state.attempt_number,
    )
    exc.mark_gave_up(state.attempt_number)
    raise exc


class RetryPolicy:
    """How often and how long to retry; built once, shared by every request of a client.

    A server-directed wait (Retry-After) is honoured up to ``max_retry_after_s``. Our own
    backoff (exponential with jitter) stops once total sleep would pass ``max_delay_s``.
    """

    def __init__(
        self,
        max_attempts: int = 5,
        *,
        max_delay_s: float = 300.0,
        max_retry_after_s: float = 600.0,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_attempts = max_attempts
        self.max_delay_s = max_delay_s
        self.max_retry_after_s = max_retry_after_s
        self._backoff = wait_exponential_jitter(multiplier=backoff_initial_s, max=backoff_max_s)
        common: dict[str, Any] = {
            "wait": self._wait, "stop": self._stop, "sleep": lambda s: sleep(float(s)),
            "before_sleep": _log_retry, "retry_error_callback": _give_up, "reraise": True,
        }
        # Tenacity keeps per-call state thread-locally, so one Retrying serves every thread.
        self._safe = Retrying(retry=retry_if_exception(_retry_safe), **common)
        self._unsafe = Retrying(retry=retry_if_exception(_retry_unsafe), **common)

    def retrying(self, idempotent: bool) -> Retrying:
        """The controller for idempotent or for non-idempotent requests."""
        return self._safe if idempotent else self._unsafe

    def server_wait(self, exc: BaseException | None) -> float | None:
        """The server's Retry-After for ``exc``, capped, or None."""
        if isinstance(exc, RetryableApiError) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_retry_after_s)
        return None

    def _wait(self, state: RetryCallState) -> float:
        wait = self.server_wait(state.outcome.exception() if state.outcome else None)
        return wait if wait is not None else self._backoff(state)

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.max_attempts:
            return True
        if self.server_wait(state.outcome.exception() if state.outcome else None) is not None:
            return False
        return state.idle_for + state.upcoming_sleep > self.max_delay_s
