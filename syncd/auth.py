"""Credential hooks for ApiClient: Basic, a fixed header, and refreshed bearer tokens (OAuth2)."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from syncd.errors import AuthError, EnvelopeError, MalformedResponseError
from syncd.http import ApiClient, HttpResponse, Observer
from syncd.redact import REDACTOR
from syncd.retry import RetryPolicy


class Auth(Protocol):
    """Adds credentials to a request; may also offer ``on_unauthorized() -> bool``."""

    def apply(self, headers: dict[str, str], params: dict[str, Any]) -> None:
        """Add credentials to the outgoing headers or params."""
        ...


def _reveal(value: Any) -> str:
    """Accept a pydantic SecretStr or a plain str without importing pydantic."""
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


class BasicAuth:
    """HTTP Basic (ConnectWise: username ``company+publickey``, password the private key)."""

    def __init__(self, username: Any, password: Any) -> None:
        user, secret = _reveal(username), _reveal(password)
        REDACTOR.register_basic(user, secret)
        self._header = "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
        self.username = user

    def apply(self, headers: dict[str, str], params: dict[str, Any]) -> None:
        """Set the Authorization header."""
        headers["Authorization"] = self._header

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password='***')"


class HeaderAuth:
    """A fixed credential header (Hudu ``x-api-key``, ConnectWise ``clientId``)."""

    def __init__(self, name: str, value: Any) -> None:
        self.name, self._value = name, _reveal(value)
        REDACTOR.register(self._value)

    def apply(self, headers: dict[str, str], params: dict[str, Any]) -> None:
        """Set the header."""
        headers[self.name] = self._value

    def __repr__(self) -> str:
        return f"HeaderAuth(name={self.name!r}, value='***')"


class BearerTokenAuth:
    """A bearer token from ``fetch() -> (token, expires_in_s)``, refreshed before expiry and on 401."""

    def __init__(
        self,
        fetch: Callable[[], tuple[Any, float]],
        *,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin_s: float = 60.0,
    ) -> None:
        self._fetch, self._clock, self._margin = fetch, clock, refresh_margin_s
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = float("-inf")

    def _refresh(self) -> None:
        token, expires_in = self._fetch()
        self._token = _reveal(token)
        REDACTOR.register(self._token)
        # A token shorter-lived than twice the margin would otherwise be refreshed on every call.
        margin = min(self._margin, expires_in / 2)
        self._refresh_at = self._clock() + expires_in - margin

    def apply(self, headers: dict[str, str], params: dict[str, Any]) -> None:
        """Set ``Authorization: Bearer``, fetching a token first if none is fresh."""
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                self._refresh()
            headers["Authorization"] = f"Bearer {self._token}"

    def on_unauthorized(self) -> bool:
        """Fetch a new token after a 401; True means the request may be resent once."""
        with self._lock:
            self._refresh()
        return True

    def __repr__(self) -> str:
        return "BearerTokenAuth(token='***')"


def _oauth_error(resp: HttpResponse) -> str:
    """The vendor's short ``error`` code from a token response, sanitised to one safe word."""
    try:
        code = resp.json().get("error")
    except (MalformedResponseError, AttributeError):
        return "no error code"
    if not isinstance(code, str):
        return "no error code"
    return "".join(c for c in code[:80] if c.isalnum() or c in "_.-") or "no error code"


class OAuth2ClientCredentials:
    """A ``fetch`` for BearerTokenAuth using the OAuth2 client-credentials grant (NinjaOne)."""

    def __init__(
        self,
        token_url: str,
        client_id: Any,
        client_secret: Any,
        scope: str | None = None,
        *,
        connector: str = "oauth2",
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        verify: bool | str = True,
        retry: RetryPolicy | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.token_url, self.scope = token_url, scope
        self._client_id, self._secret = _reveal(client_id), _reveal(client_secret)
        REDACTOR.register(self._secret)
        self._client = ApiClient(
            connector, token_url, connect_timeout=connect_timeout, read_timeout=read_timeout,
            verify=verify, retry=retry or RetryPolicy(max_attempts=3), observer=observer,
        )

    def __call__(self) -> tuple[str, float]:
        """POST the grant and return (access_token, expires_in_s); AuthError if rejected."""
        form = {
            "grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._secret,
        }
        if self.scope:
            form["scope"] = self.scope
        # Asking for a token twice only mints a spare token, so this POST is safe to retry.
        resp = self._client.request(
            "POST", self.token_url, data=form, idempotent=True, expected_status={200, 400, 401}
        )
        if resp.status != 200:
            raise AuthError(f"{resp.summary}: token request rejected: {_oauth_error(resp)}", **resp._where())
        body = resp.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise EnvelopeError(f"{resp.summary}: no access_token in token response", **resp._where())
        return token, float(body.get("expires_in") or 3600)
