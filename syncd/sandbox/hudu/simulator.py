"""The Hudu API v1 simulator (instance version 2.44.0) over the sandbox world."""

from __future__ import annotations

import hmac
from typing import Any

from syncd.sandbox.framework import Request, Response, route
from syncd.sandbox.hudu.reads import ReadRoutes
from syncd.sandbox.hudu.writes import WriteRoutes

API_VERSION = "2.44.0"
API_DATE = "2026-07-24"     # date of the published v2.44.0 Swagger file the simulator follows


class HuduSimulator(ReadRoutes, WriteRoutes):
    """Hudu: `x-api-key` auth, 25-per-page lists without metadata, 300 requests/minute."""

    vendor = "hudu"
    default_rate_limit = (300, 60.0)      # "up to 300 requests per minute" (spec info text)
    default_credentials = {"api_key": "sandbox-hudu-api-key-0000000000000000"}

    def authenticate(self, request: Request) -> Response | None:
        """Accept only the sandbox key in `x-api-key`."""
        given = request.header("x-api-key") or ""
        expected = self.credentials.get("api_key", "")
        if expected and hmac.compare_digest(given.encode(), expected.encode()):
            return None
        # Hudu answers JSON `{"error": ...}` on API failures; the exact 401 wording is unconfirmed.
        return Response(401, {"error": "Invalid API key"})

    def not_found(self, request: Request) -> Response:
        """Unknown API path."""
        return Response(404, {"error": "Not found"})

    def rate_limited(self, retry_after_s: float) -> Response:
        """Plain-text "Retry later", no Retry-After (none is documented; HuduAPI keys on the text)."""
        return Response(429, raw=b"Retry later", content_type="text/plain; charset=utf-8")

    def config_section(self, base_url: str) -> dict[str, Any]:
        """syncd's non-secret Hudu settings."""
        return {"base_url": base_url}

    def secret_env(self) -> dict[str, str]:
        """The API key as syncd reads it from the environment."""
        return {"SYNCD_HUDU__API_KEY": self.credentials.get("api_key", "")}

    @route("GET", "/api/v1/api_info")
    def api_info(self, request: Request) -> Response:
        """GET /api/v1/api_info."""
        return Response(200, {"version": API_VERSION, "date": API_DATE})
