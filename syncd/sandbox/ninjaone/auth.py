"""OAuth2 client-credentials tokens for the NinjaOne simulator.

`POST /ws/oauth/token` is form-encoded (NinjaOne's authorization spec): `grant_type`,
`client_id`, `client_secret` (HTTP Basic is accepted too, as RFC 6749 allows), optional `scope`.
Omitting `scope` grants every scope configured for the app; naming a scope the app was never
granted is refused with `400 invalid_scope` rather than narrowed (WYRE-AI/ninjaone-mcp#87).
Tokens live one hour on the sandbox clock and are kept only in memory.
"""

from __future__ import annotations

import base64
import hmac
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from syncd.sandbox.framework import Request, Response
from syncd.sandbox.ninjaone.errors import oauth_error

TOKEN_LIFETIME_S = 3600
SUPPORTED_GRANTS = {"client_credentials"}
KNOWN_GRANTS = {"authorization_code", "client_credentials", "refresh_token"}
MAX_TOKENS = 10_000


@dataclass(frozen=True)
class Token:
    """An issued access token."""

    value: str
    scopes: frozenset[str]
    expires_at: float


class TokenStore:
    """Issues and checks bearer tokens; thread-safe, bounded, expired tokens dropped."""

    def __init__(self, seed: str) -> None:
        self._rng = random.Random(f"ninjaone-tokens:{seed}")
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def issue(self, scopes: frozenset[str], now: float) -> Token:
        """Create a token valid for TOKEN_LIFETIME_S from `now`."""
        with self._lock:
            self._prune(now)
            # Same shape as the spec's example token: two base64url halves joined by a dot.
            left = base64.urlsafe_b64encode(self._rng.randbytes(32)).rstrip(b"=").decode()
            right = base64.urlsafe_b64encode(self._rng.randbytes(32)).rstrip(b"=").decode()
            token = Token(f"{left}.{right}", scopes, now + TOKEN_LIFETIME_S)
            self._tokens[token.value] = token
            return token

    def lookup(self, value: str, now: float) -> Token | None:
        """Return the live token for `value`, or None when unknown or expired."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None:
                return None
            if now >= token.expires_at:
                del self._tokens[value]
                return None
            return token

    def _prune(self, now: float) -> None:
        expired = [v for v, t in self._tokens.items() if now >= t.expires_at]
        for value in expired:
            del self._tokens[value]
        # A client that re-authenticates on every request must not grow memory without end.
        while len(self._tokens) >= MAX_TOKENS:
            del self._tokens[next(iter(self._tokens))]


def parse_form(request: Request) -> dict[str, str]:
    """Decode an application/x-www-form-urlencoded body (first value of each field)."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """Return (client_id, client_secret) from an HTTP Basic header, if any."""
    header = request.header("Authorization") or ""
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def grant_token(request: Request, store: TokenStore, credentials: Mapping[str, str],
                granted: frozenset[str], now: float) -> Response:
    """Answer a token request: the access token, or NinjaOne's OAuth error."""
    form = parse_form(request)
    grant = form.get("grant_type", "")
    if not grant:
        return oauth_error("invalid_request", "Missing grant_type parameter")
    if grant not in KNOWN_GRANTS:
        return oauth_error("unsupported_grant_type", f"Unsupported grant type: {grant}")
    posted = (form.get("client_id", ""), form.get("client_secret", ""))
    client_id, secret = basic_credentials(request) or posted
    if not _client_ok(client_id, secret, credentials):
        return oauth_error("invalid_client", "The client credentials are not valid")
    if grant not in SUPPORTED_GRANTS:
        # The sandbox app is a machine-to-machine app: only client_credentials is enabled.
        return oauth_error("unauthorized_client", f"Grant type {grant} is not allowed for this client")
    requested = frozenset(form.get("scope", "").split()) or granted
    if not requested <= granted:
        extra = " ".join(sorted(requested - granted))
        return oauth_error("invalid_scope", f"Requested scope is not granted to this client: {extra}")
    token = store.issue(requested, now)
    body = {
        "access_token": token.value,
        "token_type": "bearer",
        "expires_in": TOKEN_LIFETIME_S,
        "scope": " ".join(sorted(requested)),
    }
    return Response(200, body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _client_ok(client_id: str, secret: str, credentials: Mapping[str, str]) -> bool:
    expected_id = credentials.get("client_id", "")
    expected_secret = credentials.get("client_secret", "")
    return bool(expected_id) and hmac.compare_digest(client_id, expected_id) and \
        hmac.compare_digest(secret, expected_secret)


def bearer(request: Request) -> str | None:
    """Return the bearer token of a request, or None."""
    header = request.header("Authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
