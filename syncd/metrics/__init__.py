"""Prometheus metrics, /healthz and /readyz for the daemon (`[metrics]`, off by default).

    with serve_metrics(runtime, settings.metrics):   # no-op unless [metrics] enabled = true
        run_forever(runtime.ctx, runtime.jobs)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from syncd.metrics.settings import MetricsSettings

if TYPE_CHECKING:  # keep `syncd --version` from importing prometheus_client and the job modules
    from syncd.metrics.server import MetricsServer
    from syncd.runtime import Runtime

__all__ = ["MetricsSettings", "serve_metrics"]


@contextmanager
def serve_metrics(runtime: Runtime, settings: MetricsSettings) -> Iterator[MetricsServer | None]:
    """Instrument the runtime's jobs and serve the metrics port while the block runs (when enabled)."""
    if not settings.enabled:
        yield None
        return
    from syncd.metrics.collect import SyncdMetrics
    from syncd.metrics.server import MetricsServer

    metrics = SyncdMetrics()
    runtime.jobs[:] = metrics.instrument(runtime.jobs)
    server = MetricsServer(runtime.ctx, metrics, settings)  # binds now: a taken port fails before any job runs
    metrics.install()
    try:
        with server:
            yield server
    finally:
        metrics.uninstall()
