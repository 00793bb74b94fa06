"""Loopback receivers for channel tests: an HTTP server with scripted statuses, an SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class HttpReceiver:
    """What the loopback HTTP receiver got, and the statuses it will answer with (then 200)."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    hits: int = 0


@contextmanager
def http_receiver(statuses: list[int] | None = None) -> Iterator[HttpReceiver]:
    """Serve POST on 127.0.0.1:<free port>; record bodies of successful requests only."""
    box = HttpReceiver(statuses=list(statuses or []))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                box.hits += 1
                status = box.statuses.pop(0) if box.statuses else 200
                if status < 300:
                    box.bodies.append(json.loads(raw))
                    box.content_types.append(self.headers.get("Content-Type", ""))
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"error")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hook/secret-token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class SmtpBox:
    """Messages the loopback SMTP server accepted, and replies it gives first (then 250)."""

    port: int = 0
    refusals: list[str] = field(default_factory=list)
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    attempts: int = 0


class _Handler:
    def __init__(self, box: SmtpBox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.attempts += 1
        if self.box.refusals:
            return self.box.refusals.pop(0)
        self.box.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(refusals: list[str] | None = None) -> Iterator[SmtpBox]:
    """An aiosmtpd server on 127.0.0.1; `refusals` are DATA replies given before accepting."""
    box = SmtpBox(port=free_port(), refusals=list(refusals or []))
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
