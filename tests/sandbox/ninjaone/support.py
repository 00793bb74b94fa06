"""Test support for the NinjaOne simulator: `call`, which drives it directly, and the token grant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from syncd.sandbox.framework import Request, Response
from syncd.sandbox.ninjaone import NinjaOneSimulator

# Every /v2 call made through `call` in a test, checked against the spec after the test.
CALLS: list[tuple[str, Request, Response]] = []


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
    found = sim.match(method, path)
    response = sim.respond(request, found)
    if found is not None and path.startswith("/v2/"):
        CALLS.append((found[0], request, response))
    return response


def get(sim: NinjaOneSimulator, token: str, path: str, **query: Any) -> Response:
    """GET a /v2 path with a bearer token."""
    return call(sim, "GET", path, query=query, headers={"Authorization": f"Bearer {token}"})
