"""The metrics port: /metrics (Prometheus text format), /healthz (alive) and /readyz (syncing).

One WSGI app on the standard library's server, in one background thread. The server is
deliberately single-threaded: every scrape reads the state store, which opens one SQLite
connection per calling thread and keeps it until the store closes, so a thread per request would
leak a connection per scrape over months. Answers are small and fast; a client that stalls is cut
off after `REQUEST_TIMEOUT_S`.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import structlog
from prometheus_client import make_wsgi_app

from syncd.clock import to_iso
from syncd.errors import ConfigError
from syncd.jobs.context import JobContext
from syncd.jobs.synchealth import late_sources, source_health
from syncd.metrics.collect import SyncdMetrics
from syncd.metrics.live import LiveCollector
from syncd.metrics.settings import MetricsSettings

log = structlog.get_logger(__name__)

REQUEST_TIMEOUT_S = 10.0
StartResponse = Callable[..., Any]


def readiness(ctx: JobContext, *, intervals: int) -> tuple[bool, dict[str, Any]]:
    """Ready when every enabled connector's sources polled successfully within their allowed lag."""
    health = source_health(ctx, intervals=intervals)
    late = [{
        "connector": s.connector, "source": s.source,
        "last_success": to_iso(s.last_success) if s.last_success else None,
        "lag_s": round(s.lag.total_seconds()) if s.lag is not None else None,
        "allowed_lag_s": round(s.allowed_lag.total_seconds()),
        "last_error": s.last_error,
    } for s in late_sources(health) if s.connector not in ctx.disabled]
    rejected = [{"connector": kind, "reason": reason} for kind, reason in sorted(ctx.disabled.items())]
    ready = not late and not rejected
    body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checked_at": to_iso(ctx.clock.now()),
                            "sources": len(health), "late": late, "auth_rejected": rejected}
    return ready, body


class _App:
    """Routes the three paths; everything else is 404."""

    def __init__(self, ctx: JobContext, metrics: SyncdMetrics, intervals: int) -> None:
        self._ctx, self._intervals = ctx, intervals
        self._metrics_app = make_wsgi_app(metrics.registry)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return self._metrics_app(environ, start_response)
        if path == "/healthz":
            return _json(start_response, 200, {"status": "alive"})
        if path == "/readyz":
            try:
                ready, body = readiness(self._ctx, intervals=self._intervals)
            except Exception as exc:  # an unreadable state store means not ready, said plainly
                log.warning("readyz_failed", error=str(exc))
                return _json(start_response, 503, {"status": "not ready", "error": str(exc)})
            return _json(start_response, 200 if ready else 503, body)
        return _json(start_response, 404, {"error": f"no such path {path!r}; try /metrics, /healthz, /readyz"})


def _json(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, indent=1).encode()
    phrase = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    start_response(f"{status} {phrase}", [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                                          ("Cache-Control", "no-store")])
    return [data]


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr (a scrape every 15 s would drown the real log); a read timeout."""

    timeout = REQUEST_TIMEOUT_S

    def log_message(self, format: str, *args: Any) -> None:
        """Drop the per-request line."""


class _Server(WSGIServer):
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class MetricsServer:
    """The running metrics port of one job context."""

    def __init__(self, ctx: JobContext, metrics: SyncdMetrics, settings: MetricsSettings) -> None:
        self._intervals = settings.late_after_intervals
        metrics.registry.register(LiveCollector(ctx, intervals=self._intervals))
        server_class = _Server6 if ":" in settings.host else _Server
        try:
            self._httpd = make_server(settings.host, settings.port, _App(ctx, metrics, self._intervals),
                                      server_class=server_class, handler_class=_QuietHandler)
        except OSError as exc:
            raise ConfigError(f"metrics: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}",
                              problems=["set [metrics] host/port (SYNCD_METRICS__PORT) to a free address"]) from None
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="syncd-metrics", daemon=True)

    @property
    def port(self) -> int:
        """The bound port (the chosen one when the setting was 0)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:9464."""
        host = self._httpd.server_address[0]
        return f"http://[{host}]:{self.port}" if ":" in str(host) else f"http://{host}:{self.port}"

    def start(self) -> MetricsServer:
        """Serve in a daemon thread."""
        self._thread.start()
        log.info("metrics_serving", url=self.url, paths=["/metrics", "/healthz", "/readyz"])
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (safe to call twice)."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=REQUEST_TIMEOUT_S)
        self._httpd.server_close()

    def __enter__(self) -> MetricsServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
