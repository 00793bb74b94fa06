"""Counters fed by events: every HTTP attempt, every retry wait, every job's result.

Everything lives in one private `CollectorRegistry` per `SyncdMetrics`, never the global
registry, so two instances (two tests) never see each other's counts. Values read from the
state at scrape time (stream lag, open findings, rate-limit budget) are in `syncd.metrics.live`.

Names follow Prometheus conventions: `syncd_` prefix, `_total` counters, base units (seconds).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import unquote, urlsplit

from prometheus_client import CollectorRegistry, Counter, Histogram, Summary

from syncd.digests.pipeline import PassReport
from syncd.errors import AuthError, TransportError
from syncd.jobs import JobSpec
from syncd.jobs.context import JobContext
from syncd.jobs.evaluate import EvaluateResult
from syncd.jobs.poll import PollResult, PollStopped

# A path segment that is an id: digits, a UUID, or a long hex token with a digit in it.
_ID_SEGMENT = re.compile(
    r"^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=[0-9a-f]*\d)[0-9a-f]{16,})$",
    re.IGNORECASE,
)
# Beyond this many endpoints per vendor, new ones count as "{other}": a vendor path syncd does
# not template well must not grow the series count for months.
MAX_ENDPOINTS = 100
OTHER_ENDPOINT = "{other}"
# Rule outcomes (EvaluateResult.by_rule) that mean "written now" and "not written, on purpose".
PERFORMED = ("done", "recovered")
SKIPPED = ("already_done", "would_do", "repeat_suppressed", "capped")


def endpoint_template(path: str) -> str:
    """'/service/tickets/{id}/notes' for '/service/tickets/4711/notes?page=2': no ids, no query."""
    if "://" in path:
        path = urlsplit(path).path
    path = path.split("?", 1)[0].split("#", 1)[0]
    return "/".join("{id}" if _ID_SEGMENT.match(unquote(seg)) else seg for seg in path.split("/")) or "/"


def status_class(status: int | None) -> str | None:
    """'4xx' / '5xx' for an error status, 'transport' when no response came back, None for success."""
    if status is None:
        return "transport"
    if status >= 500:
        return "5xx"
    return "4xx" if status >= 400 else None


class SyncdMetrics:
    """The event-fed metrics of one syncd process, in a private registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._endpoints: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        reg = self.registry
        self.requests = Counter("syncd_http_requests", "HTTP attempts sent to a vendor (each retry counts)",
                                ["vendor", "method", "endpoint"], registry=reg)
        self.errors = Counter("syncd_http_errors", "HTTP attempts that failed, by status class or 'transport'",
                              ["vendor", "endpoint", "kind"], registry=reg)
        self.throttled = Counter("syncd_http_throttled", "429 answers (also counted as 4xx errors)",
                                 ["vendor", "endpoint"], registry=reg)
        self.latency = Histogram("syncd_http_request_duration_seconds", "Time per HTTP attempt",
                                 ["vendor"], registry=reg)
        self.retry_waits = Counter("syncd_http_retry_wait_seconds", "Seconds slept before retrying requests",
                                   ["vendor"], registry=reg)
        self.retries = Counter("syncd_http_retries", "Retries scheduled after a failed attempt",
                               ["vendor"], registry=reg)
        self.job_runs = Counter("syncd_job_runs", "Job runs by how they ended", ["job", "status"], registry=reg)
        self.job_seconds = Summary("syncd_job_duration_seconds", "Time per job run", ["job"], registry=reg)
        self.records = Counter("syncd_poll_records", "Records read by polls", ["source"], registry=reg)
        self.performed = Counter("syncd_rule_actions_performed", "Writes a rule performed (done or recovered)",
                                 ["rule"], registry=reg)
        self.skipped = Counter("syncd_rule_actions_skipped", "Writes a rule wanted but did not perform, by reason",
                               ["rule", "reason"], registry=reg)
        self.failed = Counter("syncd_rule_actions_failed", "Writes a rule attempted that failed",
                              ["rule"], registry=reg)
        self.deliveries = Counter("syncd_digest_deliveries", "Digests delivered (per group and channel)",
                                  registry=reg)
        self.delivery_failures = Counter("syncd_digest_delivery_failures", "Digest deliveries that failed",
                                         registry=reg)

    # --- hooks: syncd.connectors.common.OBSERVERS and the retry sleep ---------------------------

    def install(self) -> None:
        """Start receiving every HTTP attempt and retry wait of this process."""
        from syncd.connectors import common

        common.OBSERVERS.append(self.observe_request)
        common.RETRY_OBSERVERS.append(self.observe_retry_wait)

    def uninstall(self) -> None:
        """Stop receiving (tests, shutdown)."""
        from syncd.connectors import common

        for hooks, hook in ((common.OBSERVERS, self.observe_request),
                            (common.RETRY_OBSERVERS, self.observe_retry_wait)):
            while hook in hooks:
                hooks.remove(hook)

    def observe_request(self, vendor: str, method: str, path: str, status: int | None, elapsed_s: float) -> None:
        """One HTTP attempt (the `OBSERVERS` signature); `path` may be raw, it is templated here."""
        endpoint = self._endpoint(vendor, path)
        self.requests.labels(vendor, method, endpoint).inc()
        self.latency.labels(vendor).observe(max(0.0, elapsed_s))
        kind = status_class(status)
        if kind is not None:
            self.errors.labels(vendor, endpoint, kind).inc()
        if status == 429:
            self.throttled.labels(vendor, endpoint).inc()

    def observe_retry_wait(self, vendor: str, seconds: float) -> None:
        """A retry about to sleep `seconds` (the `RETRY_OBSERVERS` signature)."""
        self.retries.labels(vendor).inc()
        self.retry_waits.labels(vendor).inc(max(0.0, float(seconds)))

    def _endpoint(self, vendor: str, path: str) -> str:
        endpoint = endpoint_template(path)
        with self._lock:
            seen = self._endpoints.setdefault(vendor, set())
            if endpoint not in seen:
                if len(seen) >= MAX_ENDPOINTS:
                    return OTHER_ENDPOINT
                seen.add(endpoint)
        return endpoint

    # --- job results ------------------------------------------------------------------------------

    def instrument(self, specs: Sequence[JobSpec]) -> list[JobSpec]:
        """The same jobs, each reporting its result or failure here; `run_job` is unchanged."""
        return [replace(spec, run=self._wrap(spec)) for spec in specs]

    def _wrap(self, spec: JobSpec) -> Callable[[JobContext], Any]:
        run = spec.run

        def observed(ctx: JobContext) -> Any:
            started = time.monotonic()
            try:
                result = run(ctx)
            except BaseException as exc:
                self.job_runs.labels(spec.id, failure_status(exc)).inc()
                raise
            finally:
                self.job_seconds.labels(spec.id).observe(time.monotonic() - started)
            self.job_runs.labels(spec.id, "ok").inc()
            self.observe_result(result)
            return result

        return observed

    def observe_result(self, result: Any) -> None:
        """Count what a job returned: records polled, rule writes by outcome, digest deliveries."""
        if isinstance(result, PollResult):
            self.records.labels(result.source).inc(result.records)
            return
        if isinstance(result, EvaluateResult):
            self._observe_rules(result.by_rule)
            return
        if isinstance(result, PassReport):
            self.deliveries.inc(result.sent)
            self.delivery_failures.inc(result.failed)

    def _observe_rules(self, by_rule: Mapping[str, Mapping[str, int]]) -> None:
        for rule, outcomes in by_rule.items():
            for outcome, n in outcomes.items():
                if outcome in PERFORMED:
                    self.performed.labels(rule).inc(n)
                elif outcome == "failed":
                    self.failed.labels(rule).inc(n)
                elif outcome in SKIPPED:
                    self.skipped.labels(rule, outcome).inc(n)


def failure_status(exc: BaseException) -> str:
    """The job_runs status of a failed run, as `run_job` classifies it."""
    if isinstance(exc, PollStopped):
        return "interrupted"
    if isinstance(exc, AuthError):
        return "auth_rejected"
    if isinstance(exc, TransportError):
        return "unreachable"
    return "failed"
