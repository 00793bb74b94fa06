"""Test support for the NinjaOne simulator: clock/fault stand-ins and `call`, which drives it directly."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from syncd.sandbox.framework import HttpError, Request, Response
from syncd.sandbox.ninjaone import NinjaOneSimulator

# Every /v2 call made through `call` in a test, checked against the spec after the test.
CALLS: list[tuple[str, Request, Response]] = []


class FakeClock:
    """Stand-in for the sandbox clock: starts at the world's now, moves only when told."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """Current sandbox instant."""
        return self._now

    def now_iso(self) -> str:
        """Current sandbox instant in world format."""
        return self._now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self._now += timedelta(seconds=seconds)


class FakeFaults:
    """Stand-in for the fault injector: records what each list handler reported."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, list[Any], bool]] = []

    def on_page_served(self, table: str, served_ids: list[Any], *, last_page: bool,
                       first_page: bool | None = None, id_column: str | None = None) -> None:
        """Record one served page (same signature as the real FaultInjector)."""
        self.pages.append((table, list(served_ids), last_page))


def get_token(sim: NinjaOneSimulator, scope: str | None = "monitoring") -> str:
    """Run the client-credentials grant and return the access token."""
    form = {"grant_type": "client_credentials", **sim.credentials}
    form.pop("scopes", None)
    if scope is not None:
        form["scope"] = scope
    resp = call(sim, "POST", "/ws/oauth/token", form=form)
    assert resp.status == 200, resp.body
    return resp.body["access_token"]


def call(sim: NinjaOneSimulator, method: str, path: str, query: Mapping[str, Any] | None = None,
         headers: Mapping[str, str] | None = None, *, body: bytes | None = None,
         form: Mapping[str, str] | None = None) -> Response:
    """Drive the simulator as the server would: authenticate → match → handler (HttpError → response)."""
    all_headers = dict(headers or {})
    if form is not None:
        body = urlencode(form).encode()
        all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    parsed = {k: [str(v)] for k, v in (query or {}).items() if v is not None}
    request = Request(method, path, parsed, all_headers, body or b"")
    response = _dispatch(sim, request)
    found = sim.match(method, path)
    if found is not None and path.startswith("/v2/"):
        CALLS.append((found[0], request, response))
    return response


def get(sim: NinjaOneSimulator, token: str, path: str, **query: Any) -> Response:
    """GET a /v2 path with a bearer token."""
    return call(sim, "GET", path, query=query, headers={"Authorization": f"Bearer {token}"})


def _dispatch(sim: NinjaOneSimulator, request: Request) -> Response:
    denied = sim.authenticate(request)
    if denied is not None:
        return denied
    found = sim.match(request.method, request.path)
    if found is None:
        return sim.not_found(request)
    _pattern, handler, params = found
    routed = Request(request.method, request.path, request.query, request.headers, request.body, params)
    try:
        return handler(sim, routed)
    except HttpError as exc:
        return exc.response
