"""The NinjaOne Public API v2 simulator: OAuth2 client credentials, devices, patches, alerts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from syncd.sandbox.framework import Request, Response, Simulator, route
from syncd.sandbox.ninjaone import errors
from syncd.sandbox.ninjaone.auth import TokenStore, bearer, grant_token
from syncd.sandbox.ninjaone.cursors import CursorStore
from syncd.sandbox.ninjaone.params import now_epoch
from syncd.sandbox.ninjaone.routes_activities import ActivityRoutes
from syncd.sandbox.ninjaone.routes_alerts import AlertRoutes
from syncd.sandbox.ninjaone.routes_devices import DeviceRoutes
from syncd.sandbox.ninjaone.routes_queries import QueryRoutes

if TYPE_CHECKING:
    from syncd.sandbox.clock import SandboxClock
    from syncd.sandbox.faults import FaultInjector
    from syncd.sandbox.world.store import World

TOKEN_PATH = "/ws/oauth/token"
# The scopes of the sandbox's API client app unless credentials["scopes"] says otherwise:
# a monitoring-only app, which is all syncd's reads need.
DEFAULT_APP_SCOPES = "monitoring"


class NinjaOneSimulator(DeviceRoutes, QueryRoutes, AlertRoutes, ActivityRoutes, Simulator):
    """NinjaOne Public API v2 over the sandbox world (read-only: syncd never writes to NinjaOne)."""

    vendor = "ninjaone"
    default_rate_limit = None                   # NinjaOne publishes no v2 limits
    default_credentials: ClassVar[dict[str, str]] = {
        "client_id": "sandbox-ninjaone-client-id",
        "client_secret": "sandbox-ninjaone-client-secret-not-real",
    }

    def __init__(self, world: World, clock: SandboxClock, faults: FaultInjector,
                 credentials: Mapping[str, str]) -> None:
        super().__init__(world, clock, faults, credentials)
        seed = world.meta("seed") or "0"
        self.tokens = TokenStore(seed)
        self.cursors = CursorStore(seed)
        self.app_scopes = frozenset(credentials.get("scopes", DEFAULT_APP_SCOPES).split())

    @route("POST", TOKEN_PATH)
    def token(self, request: Request) -> Response:
        """OAuth2 token endpoint (client_credentials grant)."""
        return grant_token(request, self.tokens, self.credentials, self.app_scopes, now_epoch(self.clock))

    def authenticate(self, request: Request) -> Response | None:
        """Check the bearer token and its scope on /v2/*; the token endpoint is open."""
        if not request.path.startswith("/v2/"):
            return None
        value = bearer(request)
        token = self.tokens.lookup(value, now_epoch(self.clock)) if value else None
        if token is None:
            return Response(401, dict(errors.NOT_AUTHENTICATED),
                            headers={"WWW-Authenticate": 'Bearer realm="ninjarmm"'})
        # Reads need `monitoring`; anything that changes state needs `management`.
        needed = "monitoring" if request.method in ("GET", "HEAD") else "management"
        if needed not in token.scopes:
            return Response(403, errors.envelope(f"Insufficient scope: '{needed}' is required"))
        return None

    def not_found(self, request: Request) -> Response:
        """NinjaOne's generic answer to an unknown route."""
        return Response(404, errors.envelope("HTTP 404 Not Found"))

    def rate_limited(self, retry_after_s: float) -> Response:
        """429 with Retry-After seconds and the `/v2` error envelope (no public figures exist)."""
        seconds = max(1, round(retry_after_s))
        return Response(429, errors.envelope("Too Many Requests"), headers={"Retry-After": str(seconds)})

    def config_section(self, base_url: str) -> dict[str, Any]:
        """The `[ninjaone]` settings for syncd pointing at this simulator."""
        return {"base_url": base_url, "client_id": self.credentials["client_id"], "scope": "monitoring"}

    def secret_env(self) -> dict[str, str]:
        """The client secret as syncd reads it from the environment."""
        return {"SYNCD_NINJAONE__CLIENT_SECRET": self.credentials["client_secret"]}
