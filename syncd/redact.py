"""Keep secrets out of messages and logs.

Two tools: ``redact_url`` masks credentials by *position* (query parameters
with secret-looking names, userinfo), and ``REDACTOR`` masks credentials by
*value* (every secret registered by settings and auth hooks), for text whose
shape we do not control.
"""

from __future__ import annotations

import base64
import re
import threading
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit, urlunsplit

MASK = "***"

SECRET_PARAM_NAMES = frozenset(
    {
        "token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "key",
        "secret", "client_secret", "password", "pwd", "passwd", "signature", "sig", "auth", "code",
    }
)
# Vendors invent names like ``x_api_key`` or ``sessionToken``; a suffix match catches them.
_SECRET_SUFFIXES = ("token", "secret", "password", "_key", "apikey", "signature")

# Shorter strings would shred ordinary words in every log line; no real credential is this short.
MIN_SECRET_LEN = 4


def is_secret_name(name: str) -> bool:
    """Tell whether a query parameter name looks like it carries a credential."""
    norm = name.lower().replace("-", "_")
    return norm in SECRET_PARAM_NAMES or norm.endswith(_SECRET_SUFFIXES)


def _redact_query(query: str) -> str:
    """Mask secret-looking parameter values, leaving the rest byte-for-byte."""
    parts = []
    for part in query.split("&"):
        name, sep, _value = part.partition("=")
        secret = sep and is_secret_name(unquote_plus(name))
        parts.append(f"{name}={MASK}" if secret else part)
    return "&".join(parts)


def redact_url(url: str) -> str:
    """Return ``url`` with userinfo and secret-looking query values masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        # An unparsable URL could hide anything; say nothing about it.
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
    query = _redact_query(parts.query) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class Redactor:
    """Replace every registered secret value in a text with ``***``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def register(self, secret: str) -> None:
        """Remember a secret, plus the URL-encoded forms it takes in query strings."""
        if not secret or len(secret) < MIN_SECRET_LEN:
            return
        forms = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
        with self._lock:
            if forms <= self._secrets:
                return
            self._secrets |= forms
            # Longest first, so a secret containing another is masked whole.
            alternation = "|".join(re.escape(s) for s in sorted(self._secrets, key=len, reverse=True))
            self._pattern = re.compile(alternation)

    def register_basic(self, username: str, password: str) -> None:
        """Remember a Basic-auth password and the base64 ``user:pass`` token built from it."""
        self.register(password)
        self.register(base64.b64encode(f"{username}:{password}".encode()).decode("ascii"))

    def scrub(self, text: str) -> str:
        """Return ``text`` with every registered secret replaced by ``***``."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)


REDACTOR = Redactor()
