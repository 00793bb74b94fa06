"""Fixtures for the HTTP layer: a scripted loopback server, a strict `responses` mock, fake sleep."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import responses
from responses.registries import OrderedRegistry

from syncd.http import RetryPolicy


@dataclass
class Scripted:
    """One canned answer: status, headers, body, and how long to stall before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay_s: float = 0.0


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 answering from a queue; an empty queue answers 599."""

    def __init__(self) -> None:
        self.script: deque[Scripted] = deque()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # stalled handlers must not hold up teardown
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        """Root URL of the server."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(self, status: int = 200, *, json_body: Any = None, text: str = "",
            headers: dict[str, str] | None = None, delay_s: float = 0.0) -> None:
        """Queue the next answer."""
        body = json.dumps(json_body).encode() if json_body is not None else text.encode()
        hdrs = {"Content-Type": "application/json"} if json_body is not None else {}
        hdrs.update(headers or {})
        self.script.append(Scripted(status, hdrs, body, delay_s))

    def next_answer(self, received: Received) -> Scripted:
        """Record a request and pop its answer."""
        with self.lock:
            self.received.append(received)
            return self.script.popleft() if self.script else Scripted(599, {}, b"unscripted")


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            answer = server.next_answer(Received(self.command, self.path, dict(self.headers), body))
            time.sleep(answer.delay_s)
            try:
                self.send_response_only(answer.status)
                if "Date" not in answer.headers:
                    self.send_header("Date", self.date_time_string())
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up waiting (read-timeout tests)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A scripted loopback HTTP server, shut down after the test."""
    srv = LoopbackServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def slept() -> list[float]:
    """Collects the waits the retry policy asked for, instead of sleeping."""
    return []


@pytest.fixture
def policy(slept: list[float]) -> RetryPolicy:
    """A retry policy that records its sleeps and never really waits."""
    return RetryPolicy(max_attempts=5, sleep=slept.append)


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """A strict, ordered `responses` mock: every registered response must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True, registry=OrderedRegistry) as rsps:
        yield rsps
