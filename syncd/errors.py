"""The syncd exception tree.

Retryability is part of the class name, so callers decide with ``except``
clauses instead of inspecting status codes::

    SyncdError
    ├── ConfigError                  user config or rules are wrong (CLI exit 2)
    └── ApiError                     a vendor call failed (.connector .status .method .url)
        ├── RetryableApiError        429 408 425 500 502 503 504 (.retry_after)
        ├── AuthError                401 403: credentials rejected, never retried
        ├── NotFoundError            404
        ├── BadRequestError          400 409 422 and every other 4xx
        ├── TransportError           refused, reset, DNS (.reached_server)
        ├── ApiTimeoutError          read timeout: the request may have reached the server
        ├── MalformedResponseError   body is not JSON, or JSON of the wrong type
        │   └── EnvelopeError        the expected envelope key is missing
        └── PaginationError          a page repeated, or too many pages

Every message is one line, starts with the connector and is scrubbed of
registered secrets when the exception is built, so ``str``, ``repr`` and
tracebacks are all safe to log.
"""

from __future__ import annotations

from syncd.redact import REDACTOR, redact_url


def _one_line(text: str) -> str:
    """Collapse whitespace so a message never spans log lines."""
    return " ".join(text.split())


class SyncdError(Exception):
    """Root of every error syncd raises on purpose."""


class ConfigError(SyncdError):
    """The user's config or rules are wrong; the CLI exits with code 2.

    `problems` lists every problem found, each prefixed with its location (key path, or
    file:line:key for rules), so one run shows them all.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])


class ApiError(SyncdError):
    """A call to a vendor API failed."""

    def __init__(
        self,
        message: str,
        *,
        connector: str = "",
        method: str = "",
        url: str = "",
        status: int | None = None,
    ) -> None:
        # Scrub here, once, so no code path can raise an unscrubbed message.
        super().__init__(REDACTOR.scrub(_one_line(message)))
        self.connector = connector
        self.method = method
        self.url = REDACTOR.scrub(redact_url(url)) if url else ""
        self.status = status
        self.attempts = 1

    def mark_gave_up(self, attempts: int) -> None:
        """Record that retrying stopped after ``attempts`` tries, in the message too."""
        if self.attempts > 1:
            return  # already marked by an inner retry loop (e.g. a token fetch inside a request)
        self.attempts = attempts
        noun = "attempt" if attempts == 1 else "attempts"
        self.args = (f"{self.args[0]} (gave up after {attempts} {noun})",)


class RetryableApiError(ApiError):
    """A transient server answer (429, 408, 425, 500, 502, 503, 504)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        connector: str = "",
        method: str = "",
        url: str = "",
        status: int | None = None,
    ) -> None:
        super().__init__(message, connector=connector, method=method, url=url, status=status)
        self.retry_after = retry_after


class AuthError(ApiError):
    """Credentials were rejected (401/403); retrying cannot help."""


class NotFoundError(ApiError):
    """The resource does not exist (404)."""


class BadRequestError(ApiError):
    """The server refused the request as invalid (400, 409, 422, other 4xx)."""


class TransportError(ApiError):
    """No HTTP answer: refused, reset, DNS failure, TLS failure."""

    def __init__(
        self,
        message: str,
        *,
        reached_server: bool = False,
        connector: str = "",
        method: str = "",
        url: str = "",
    ) -> None:
        super().__init__(message, connector=connector, method=method, url=url)
        # False only when the request provably never left us (safe to resend a POST).
        self.reached_server = reached_server


class ApiTimeoutError(ApiError):
    """The server did not answer in time; the request may have been processed."""

    reached_server = True


class MalformedResponseError(ApiError):
    """The body is not JSON, or not the JSON type the caller expects."""


class EnvelopeError(MalformedResponseError):
    """The JSON body lacks the envelope key that holds the rows."""


class PaginationError(ApiError):
    """Pagination went wrong: a page request repeated or the page limit was hit."""
