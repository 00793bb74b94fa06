"""Values read at scrape time: stream lag, open findings, locked-out connectors, rate-limit budget.

Read from the state store and the job context when Prometheus asks, so they are right even for
runs this process did not make (a `syncd once` from cron beside the daemon) and after a restart.
"""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from syncd.jobs.context import JobContext
from syncd.jobs.synchealth import source_health
from syncd.ratelimit import LIMITERS, LimiterRegistry

log = structlog.get_logger(__name__)

_STREAM = ["connector", "source"]


class LiveCollector(Collector):
    """A prometheus_client collector over one job context."""

    def __init__(self, ctx: JobContext, *, intervals: int, limiters: LimiterRegistry = LIMITERS) -> None:
        self._ctx, self._intervals, self._limiters = ctx, intervals, limiters

    def describe(self) -> list[GaugeMetricFamily]:
        """Nothing up front: registering must not read the state store."""
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Every scrape-time family; a state store that cannot be read gives syncd_state_readable 0."""
        readable = GaugeMetricFamily("syncd_state_readable", "1 when the state store answered this scrape")
        try:
            families = [*self._streams(), self._findings()]
        except Exception as exc:  # a locked or broken state file must not break the scrape
            log.warning("metrics_state_unreadable", error=str(exc))
            families = []
        readable.add_metric([], 1.0 if families else 0.0)
        yield readable
        yield from families
        yield self._locked_out()
        yield from self._budget()

    def _streams(self) -> list[GaugeMetricFamily]:
        last = GaugeMetricFamily("syncd_stream_last_success_timestamp_seconds",
                                 "When the source last polled successfully (Unix time)", labels=_STREAM)
        lag = GaugeMetricFamily("syncd_stream_lag_seconds", "Now minus the last successful poll", labels=_STREAM)
        allowed = GaugeMetricFamily("syncd_stream_allowed_lag_seconds",
                                    "Lag after which the source is late (late_after_intervals x poll interval)",
                                    labels=_STREAM)
        ready = GaugeMetricFamily("syncd_stream_ready",
                                 "1 when the source polled successfully within its allowed lag", labels=_STREAM)
        for s in source_health(self._ctx, intervals=self._intervals):
            labels = [s.connector, s.source]
            allowed.add_metric(labels, s.allowed_lag.total_seconds())
            ready.add_metric(labels, 1.0 if s.ready else 0.0)
            if s.last_success is not None and s.lag is not None:
                last.add_metric(labels, s.last_success.timestamp())
                lag.add_metric(labels, max(0.0, s.lag.total_seconds()))
        return [last, lag, allowed, ready]

    def _findings(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily("syncd_findings_open", "Open findings by rule and severity",
                                   labels=["rule", "severity"])
        # Counted in SQL: a scrape every few seconds must not read 20,000 open findings each time.
        for (rule, severity), n in sorted(self._ctx.state.open_finding_counts().items()):
            family.add_metric([rule, severity], n)
        return family

    def _locked_out(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily("syncd_connector_auth_rejected",
                                   "1 when the vendor rejected the connector's credentials (stopped until restart)",
                                   labels=["connector"])
        for kind in self._ctx.connectors:
            family.add_metric([kind], 1.0 if self._ctx.is_disabled(kind) else 0.0)
        return family

    def _budget(self) -> Iterator[GaugeMetricFamily]:
        available = GaugeMetricFamily("syncd_ratelimit_available_tokens",
                                      "Requests the vendor's shared token bucket allows right now (0 while paused)",
                                      labels=["vendor"])
        capacity = GaugeMetricFamily("syncd_ratelimit_capacity_tokens", "Size of the vendor's token bucket",
                                     labels=["vendor"])
        totals: dict[str, list[float]] = {}
        for (vendor, _tenant), bucket in self._limiters.snapshot().items():
            if vendor in self._ctx.connectors:  # the registry is process-wide; report our connectors only
                pair = totals.setdefault(vendor, [0.0, 0.0])
                pair[0] += bucket.available
                pair[1] += bucket.capacity
        for vendor, (now_free, size) in sorted(totals.items()):
            available.add_metric([vendor], now_free)
            capacity.add_metric([vendor], size)
        yield available
        yield capacity
