"""The contract between the sandbox server and the vendor simulators.

A vendor simulator is a folder `syncd/sandbox/<vendor>/` whose `__init__.py` exposes one
`Simulator` subclass. The server (`syncd/sandbox/server.py`) owns the socket, the clock, the
rate limiter, fault injection and the request counters; a simulator only maps requests to
world rows and back to its vendor's JSON.

    class ConnectWiseSimulator(Simulator):
        vendor = "connectwise"

        def authenticate(self, request: Request) -> Response | None:
            ...  # None = allowed; a Response = the vendor's own auth error

        @route("GET", "/v4_6_release/apis/3.0/service/tickets")
        def list_tickets(self, request: Request) -> Response:
            ...

Routes are matched in declaration order; `{name}` path segments are captured into
`request.path_params` as strings. A handler returns a `Response`; raising `HttpError` is a
shortcut for the vendor's error body. `self.world` is the `World` (SQLite access), `self.clock`
the controllable clock, `self.faults` lets a list handler tell fault injection which page of
which table it just served (for "record changes between two pages" and "deleted between polls").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from syncd.sandbox.clock import SandboxClock
    from syncd.sandbox.faults import FaultInjector
    from syncd.sandbox.world.store import World


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request as a simulator sees it."""

    method: str
    path: str                                   # without the query string
    query: Mapping[str, list[str]]              # parse_qs(keep_blank_values=True)
    headers: Mapping[str, str]                  # case-insensitive lookup via header()
    body: bytes = b""
    path_params: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        """Return a header value by case-insensitive name."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return default

    def arg(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """Decode the body as JSON; raises HttpError(400) when it is not."""
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise HttpError(400, {"message": f"malformed JSON body: {exc}"}) from None


@dataclass
class Response:
    """What a handler returns; the server serialises `body` as JSON unless `raw` is set."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None                    # exact bytes (text errors, HTML); wins over body
    content_type: str = "application/json; charset=utf-8"

    def encode(self) -> bytes:
        """Return the bytes to send."""
        if self.raw is not None:
            return self.raw
        if self.body is None and self.status == 204:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode()


class HttpError(Exception):
    """Raised by a handler to answer with an error status and body."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
                 raw: bytes | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.response = Response(status=status, body=body, headers=headers or {}, raw=raw)


Handler = Callable[["Simulator", Request], Response]
Match = tuple[str, Handler, dict[str, str]]      # (route pattern, handler, path params)


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Mark a simulator method as the handler of METHOD PATTERN (`{name}` captures a segment)."""

    def mark(fn: Handler) -> Handler:
        fn.__sandbox_route__ = (method.upper(), pattern)  # type: ignore[attr-defined]
        return fn

    return mark


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Turn '/a/{id}/b' into a regex with named groups."""
    parts = re.split(r"(\{[a-zA-Z_][a-zA-Z0-9_]*\})", pattern)
    regex = "".join(
        f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(f"^{regex}$")


class Simulator:
    """Base class of a vendor simulator; subclasses declare routes with @route."""

    vendor: ClassVar[str]
    # Documented limits become the server's default rate limit for this vendor:
    # (requests, window seconds). None = no published limit (a configurable one still applies).
    default_rate_limit: ClassVar[tuple[int, float] | None] = None
    # The credentials the sandbox accepts unless told otherwise (fake values, never real ones).
    default_credentials: ClassVar[dict[str, str]] = {}

    def __init__(self, world: World, clock: SandboxClock, faults: FaultInjector,
                 credentials: Mapping[str, str]) -> None:
        self.world = world
        self.clock = clock
        self.faults = faults
        self.credentials = credentials          # the sandbox's valid credentials for this vendor
        self._routes = self._collect_routes()

    def _collect_routes(self) -> list[tuple[str, re.Pattern[str], str, Handler]]:
        found = []
        for klass in reversed(type(self).__mro__):
            for fn in vars(klass).values():
                spec = getattr(fn, "__sandbox_route__", None)
                if spec:
                    found.append((spec[0], compile_pattern(spec[1]), spec[1], fn))
        return found

    def match(self, method: str, path: str) -> Match | None:
        """Return (route pattern, handler, path params) for a request, or None."""
        for verb, regex, pattern, fn in self._routes:
            m = regex.match(path)
            if m and verb == method:
                return pattern, fn, m.groupdict()
        return None

    def respond(self, request: Request, matched: Match | None) -> Response:
        """Authenticate, then run the matched handler (else not_found); an HttpError becomes its response."""
        try:
            denied = self.authenticate(request)
            if denied is not None:
                return denied
            if matched is None:
                return self.not_found(request)
            _pattern, handler, params = matched
            return handler(self, replace(request, path_params=params))
        except HttpError as exc:
            return exc.response

    def authenticate(self, request: Request) -> Response | None:
        """Return None when the request is allowed, else the vendor's own auth error."""
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        """The vendor's answer to an unknown path."""
        return Response(404, {"message": f"no route for {request.method} {request.path}"})

    def rate_limited(self, retry_after_s: float) -> Response:
        """The vendor's own 429 (body and headers); override per vendor."""
        return Response(429, {"message": "Too Many Requests"},
                        headers={"Retry-After": str(max(1, round(retry_after_s)))})

    def config_section(self, base_url: str) -> dict[str, Any]:
        """Non-secret syncd settings for this vendor's connector pointing at `base_url`."""
        raise NotImplementedError

    def secret_env(self) -> dict[str, str]:
        """SYNCD_<VENDOR>__<KEY> environment variables carrying this vendor's sandbox secrets."""
        raise NotImplementedError
