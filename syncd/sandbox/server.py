"""One loopback HTTP server per simulated vendor, and the request pipeline around a simulator.

Pipeline, in order: parse → admin (`/_sandbox/...`: no faults, limits, auth or counting) →
count → faults (latency, reset, timeout, 5xx, 429 burst) → rate limit → authenticate → route
(else not_found) → handler → malformed-body fault → write.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from syncd.sandbox.clock import SandboxClock
from syncd.sandbox.counters import RequestCounters
from syncd.sandbox.faults import FaultConfig, FaultInjector, garble
from syncd.sandbox.framework import HttpError, Match, Request, Response, Simulator
from syncd.sandbox.limits import RateLimiter, credential_key

log = logging.getLogger("syncd.sandbox")

ADMIN_PREFIX = "/_sandbox/"
_JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """An encoded answer, ready for the socket."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering, after `after_s` seconds (reset / timeout)."""

    after_s: float = 0.0


def encode(response: Response) -> Reply:
    """Turn a simulator Response into a Reply."""
    headers = {"Content-Type": response.content_type, **response.headers}
    return Reply(response.status, headers, response.encode())


def json_reply(status: int, body: Any) -> Reply:
    """Return a plain JSON Reply (admin answers and sandbox errors)."""
    return encode(Response(status, body))


class VendorApp:
    """The pipeline of one vendor: everything between a parsed request and a Reply."""

    def __init__(self, vendor: str, simulator: Simulator, *, injector: FaultInjector,
                 counters: RequestCounters, clock: SandboxClock,
                 limiter: RateLimiter | None = None) -> None:
        self.vendor = vendor
        self.simulator = simulator
        self.injector = injector
        self.counters = counters
        self.clock = clock
        self.limiter = limiter
        self.stopping = threading.Event()       # wakes hanging requests when the server stops
        # Optional simulator hook: how the vendor groups requests into one rate-limit account.
        self._limit_key: Callable[[Request], str] = getattr(simulator, "rate_limit_key", credential_key)
        self._admin = AdminApi(self)

    def handle(self, request: Request) -> Reply | Drop:
        """Run one request through the pipeline."""
        if request.path.startswith(ADMIN_PREFIX):
            return self._admin.handle(request)
        matched = self.simulator.match(request.method, request.path)
        self.counters.request(self.vendor, request.method, matched[0] if matched else None)
        fault = self._decide_fault(request)
        if isinstance(fault, Reply | Drop):
            return self._counted(fault)
        reply = self._encoded(self._limit(request) or self._dispatch(request, matched))
        if fault == "malformed":
            # The vendor "answered": a 200 whose body breaks mid-way, like a cut-off proxy.
            reply = Reply(200, {**reply.headers, "Content-Type": _JSON}, garble(reply.body))
        return self._counted(reply)

    def _decide_fault(self, request: Request) -> Reply | Drop | str | None:
        config = self.injector.config
        if config.latency_s > 0:
            self.counters.fault(self.vendor, "latency")
            self.stopping.wait(config.latency_s)
        fault = self.injector.decide(request.path)
        if fault is None:
            return None
        self.counters.fault(self.vendor, fault)
        if fault == "malformed":
            return fault
        if fault == "reset":
            return Drop()
        if fault == "timeout":
            return Drop(after_s=config.timeout_hang_s)
        if fault == "429":
            return self._encoded(self.simulator.rate_limited(1.0))
        return json_reply(int(fault), {"message": f"sandbox injected fault: HTTP {fault}"})

    def _limit(self, request: Request) -> Response | None:
        if self.limiter is None:
            return None
        wait_s = self.limiter.check(self._limit_key(request))
        if wait_s is None:
            return None
        self.counters.throttled(self.vendor)
        return self.simulator.rate_limited(wait_s)

    def _dispatch(self, request: Request, matched: Match | None) -> Response:
        try:
            return self.simulator.respond(request, matched)
        except Exception as exc:
            # A simulator bug must show up as a 500 the test can see, never as a dead server.
            log.exception("sandbox_handler_failed vendor=%s method=%s path=%s",
                          self.vendor, request.method, request.path)
            return Response(500, {"message": f"sandbox simulator error: {type(exc).__name__}: {exc}"})

    def _encoded(self, response: Response) -> Reply:
        try:
            return encode(response)
        except (TypeError, ValueError) as exc:
            log.exception("sandbox_response_unencodable vendor=%s", self.vendor)
            return json_reply(500, {"message": f"sandbox simulator error: unencodable body: {exc}"})

    def _counted(self, outcome: Reply | Drop) -> Reply | Drop:
        if isinstance(outcome, Reply):
            self.counters.status(self.vendor, outcome.status)
        return outcome


class AdminApi:
    """`/_sandbox/...`: health, counters, clock and faults of one vendor's server."""

    def __init__(self, app: VendorApp) -> None:
        self._app = app
        self._routes: dict[tuple[str, str], Callable[[Request], Any]] = {
            ("GET", "health"): self.health,
            ("GET", "counters"): lambda _req: app.counters.snapshot(app.vendor),
            ("POST", "counters/reset"): self.reset_counters,
            ("GET", "clock"): self.clock,
            ("POST", "clock"): self.move_clock,
            ("GET", "faults"): self.faults,
            ("POST", "faults"): self.set_faults,
        }

    def handle(self, request: Request) -> Reply:
        """Answer one admin request."""
        name = request.path.removeprefix(ADMIN_PREFIX).rstrip("/")
        action = self._routes.get((request.method, name))
        if action is None:
            return json_reply(404, {"message": f"no sandbox admin endpoint {request.method} {request.path}"})
        try:
            return json_reply(200, action(request))
        except HttpError as exc:
            return encode(exc.response)
        except (ValueError, TypeError, KeyError) as exc:
            return json_reply(400, {"message": str(exc)})

    def health(self, _request: Request) -> dict[str, Any]:
        """Say the server is up, for whom, and what time it is in the world."""
        return {"status": "ok", "vendor": self._app.vendor, "now": self._app.clock.now_iso()}

    def reset_counters(self, _request: Request) -> dict[str, Any]:
        """Zero this vendor's counters."""
        self._app.counters.reset(self._app.vendor)
        return self._app.counters.snapshot(self._app.vendor)

    def clock(self, _request: Request) -> dict[str, Any]:
        """Return the world time."""
        clock = self._app.clock
        return {"now": clock.now_iso(), "running": clock.running}

    def move_clock(self, request: Request) -> dict[str, Any]:
        """Advance (`advance_s`) or set (`set`) the world time shared by every vendor."""
        body = _object(request)
        if "advance_s" in body:
            self._app.clock.advance(float(body["advance_s"]))
        elif "set" in body:
            self._app.clock.set(str(body["set"]))
        else:
            raise ValueError('expected {"advance_s": seconds} or {"set": "ISO-8601"}')
        return self.clock(request)

    def faults(self, _request: Request) -> dict[str, Any]:
        """Return this vendor's fault configuration and what remains of its script."""
        injector = self._app.injector
        return {"config": injector.config.model_dump(), "script": injector.script_remaining()}

    def set_faults(self, request: Request) -> dict[str, Any]:
        """Replace the fault configuration, or (with `script`) queue scripted faults."""
        body = _object(request)
        if "script" in body:
            extra = set(body) - {"script", "path_prefix"}
            if extra or not isinstance(body["script"], list):
                raise ValueError('expected {"script": [...], "path_prefix": optional}')
            self._app.injector.script(body["script"], path_prefix=body.get("path_prefix"))
        else:
            self._app.injector.configure(FaultConfig.model_validate(body))
        return self.faults(request)


def _object(request: Request) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


class _Handler(BaseHTTPRequestHandler):
    """Socket side: parse, hand to the VendorApp, write (or drop) the answer."""

    protocol_version = "HTTP/1.1"               # keep-alive for requests.Session
    # Buffer the answer so status, headers and body leave in one segment (flushed by the base
    # class after each request); with NODELAY, keep-alive avoids Nagle/delayed-ACK 40 ms stalls.
    wbufsize = -1
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def _serve(self) -> None:
        request = self._parse()
        if request is None:
            return
        outcome = self.server.app.handle(request)
        if isinstance(outcome, Drop):
            self._drop(outcome)
        else:
            self._write(outcome, head=request.method == "HEAD")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _parse(self) -> Request | None:
        parts = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "bad Content-Length")
            return None
        return Request(
            method=self.command.upper(),
            path=unquote(parts.path),
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=self.rfile.read(length) if length > 0 else b"",
        )

    def _write(self, reply: Reply, *, head: bool) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not head:
            self.wfile.write(reply.body)

    def _drop(self, drop: Drop) -> None:
        if drop.after_s:
            self.server.app.stopping.wait(drop.after_s)
        # Linger 0: closing sends a TCP RST, the way a crashed proxy or load balancer would.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        # The stdlib logs every request to stderr; the sandbox keeps quiet unless asked.
        log.debug("sandbox_http %s " + format, self.server.app.vendor, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: VendorApp) -> None:
        self.app = app
        self.connections_opened = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.add(conn)
            self.connections_opened += 1

    def untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.discard(conn)

    def close_connections(self) -> None:
        # Idle keep-alive connections would otherwise pin their threads until the client leaves.
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):     # already closed by its client
                conn.shutdown(socket.SHUT_RDWR)


class VendorServer:
    """One VendorApp listening on host:port (0 = any free port) in a daemon thread."""

    def __init__(self, app: VendorApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._address = (host, port)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind and start serving."""
        self.app.stopping.clear()
        self._httpd = _Server(self._address, self.app)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"sandbox-{self.app.vendor}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, wake hanging requests, close connections and the socket."""
        if self._httpd is None:
            return
        self.app.stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    @property
    def port(self) -> int:
        """The bound port."""
        if self._httpd is None:
            raise RuntimeError(f"sandbox server for {self.app.vendor} is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321."""
        return f"http://{self._address[0]}:{self.port}"

    @property
    def connections_opened(self) -> int:
        """How many TCP connections clients opened (keep-alive reuses one)."""
        return self._httpd.connections_opened if self._httpd else 0
