"""The one door to vendor HTTP APIs: timeouts, auth, retries, rate limits, redaction, pagination.

Only this module imports ``requests``; connectors get ``HttpResponse`` objects
and exceptions from ``syncd.errors``.

Retry rules, in one place:

* Idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE) are retried on
  ``RetryableApiError``, ``TransportError``, ``ApiTimeoutError`` and
  ``MalformedResponseError`` (a truncated page is usually transient).
* Non-idempotent requests (POST and PATCH unless ``idempotent=True``) are
  retried ONLY when the server provably did not act: a ``TransportError`` with
  ``reached_server=False`` (refused, DNS, connect timeout) or a 429. A read
  timeout, a reset after sending or a 5xx raises at once, so the caller can
  check whether the note or task exists before creating it again.
* ``AuthError``, ``NotFoundError`` and ``BadRequestError`` are never retried. A
  401 lets the auth hook refresh its credentials and resend once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests
import structlog
from urllib3.exceptions import NewConnectionError, ReadTimeoutError

from syncd import __version__
from syncd.errors import (
    ApiError,
    ApiTimeoutError,
    AuthError,
    BadRequestError,
    MalformedResponseError,
    NotFoundError,
    PaginationError,
    RetryableApiError,
    TransportError,
)
from syncd.pagination import Page, PageRequest, Paginator, bare_list, envelope, row_identity
from syncd.ratelimit import TokenBucket
from syncd.redact import REDACTOR, redact_url
from syncd.retry import RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from syncd.auth import Auth

__all__ = [
    "STATUS_ERRORS", "ApiClient", "Headers", "HttpResponse", "RetryPolicy", "bare_list", "envelope",
    "error_class", "parse_retry_after", "raise_for_status",
]

log = structlog.get_logger(__name__)

Observer = Callable[[str, str, str, int | None, float], None]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Status -> exception class. Exact codes win over ranges; below 400 is success.
STATUS_ERRORS: dict[int | range, type[ApiError]] = {
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    408: RetryableApiError,
    425: RetryableApiError,
    429: RetryableApiError,
    500: RetryableApiError,
    502: RetryableApiError,
    503: RetryableApiError,
    504: RetryableApiError,
    range(400, 500): BadRequestError,
    range(500, 600): ApiError,  # 501, 505...: the server will not change its mind
}


class Headers(Mapping[str, str]):
    """Read-only, case-insensitive response headers."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = {k.lower(): (k, v) for k, v in (items or {}).items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class HttpResponse:
    """A finished response, detached from requests; ``url`` is redacted, ``links`` are not."""

    connector: str
    method: str
    status: int
    url: str
    headers: Headers
    text: str
    links: Mapping[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One line naming the call, e.g. ``hudu: GET https://h/api/v1/companies -> 200 OK``."""
        return f"{self.connector}: {self.method} {self.url} -> {self.status} {_phrase(self.status)}"

    def _where(self) -> dict[str, Any]:
        return {"connector": self.connector, "method": self.method, "url": self.url, "status": self.status}

    def json(self) -> Any:
        """Parse the body; raise MalformedResponseError for junk instead of returning None."""
        try:
            body = json.loads(self.text)
        except ValueError:
            raise MalformedResponseError(f"{self.summary}: body is not JSON", **self._where()) from None
        if body is None:
            raise MalformedResponseError(f"{self.summary}: body is JSON null", **self._where())
        return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown Status"


def error_class(status: int) -> type[ApiError] | None:
    """Look ``status`` up in STATUS_ERRORS; None means success."""
    if status < 400:
        return None
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    for key, cls in STATUS_ERRORS.items():
        if isinstance(key, range) and status in key:
            return cls
    return ApiError


def raise_for_status(resp: HttpResponse, expected_status: Collection[int] | None = None) -> None:
    """Raise the STATUS_ERRORS exception for ``resp``, unless its status is expected."""
    if expected_status is not None and resp.status in expected_status:
        return
    cls = error_class(resp.status)
    if cls is None:
        if expected_status is None:
            return
        cls = ApiError
    message = resp.summary
    if expected_status is not None and resp.status < 400:
        message += f" (expected {sorted(expected_status)})"
    if issubclass(cls, RetryableApiError):
        wait = parse_retry_after(resp.headers.get("Retry-After"), date=resp.headers.get("Date"))
        raise cls(message, retry_after=wait, **resp._where())
    raise cls(message, **resp._where())


# --- the client ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    """Everything needed to (re)send one request."""

    method: str
    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    expected_status: Collection[int] | None = None


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Tell whether requests wrapped a urllib3 error of ``kind`` (directly or as a retry reason)."""
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, kind) or isinstance(getattr(inner, "reason", None), kind)


def _full_url(url: str, params: Mapping[str, Any] | None) -> str:
    """The URL as it went on the wire, for error messages (redacted by the exception)."""
    try:
        return requests.Request("GET", url, params=params).prepare().url or url
    except requests.RequestException:
        return url


class ApiClient:
    """One vendor API: a Session with base URL, timeouts, auth, retries and a rate limit."""

    def __init__(
        self,
        connector: str,
        base_url: str,
        *,
        auth: Auth | None = None,
        limiter: TokenBucket | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | str = True,
        observer: Observer | None = None,
    ) -> None:
        self.connector = connector
        self.base_url = base_url.rstrip("/")
        self._origin = urlsplit(self.base_url)[:2]
        self._auth, self._limiter, self._observer = auth, limiter, observer
        self._timeout = (connect_timeout, read_timeout)
        self._policy = retry or RetryPolicy()
        self._session = requests.Session()
        self._session.verify = verify
        self._session.headers.update({"User-Agent": f"syncd/{__version__}", "Accept": "application/json"})
        self._session.headers.update(headers or {})

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def url(self, path_or_url: str) -> str:
        """Resolve a path against the base URL; absolute URLs must stay on the base URL's origin."""
        if not path_or_url.startswith(("http://", "https://")):
            return f"{self.base_url}/{path_or_url.lstrip('/')}"
        if urlsplit(path_or_url)[:2] != self._origin:
            # Never hand this tenant's credentials to a host a response body pointed us at.
            raise ApiError(
                f"{self.connector}: refusing to call {redact_url(path_or_url)}: not under {self.base_url}",
                connector=self.connector, url=path_or_url,
            )
        return path_or_url

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expected_status: Collection[int] | None = None,
    ) -> HttpResponse:
        """Send a request with retries (see the module docstring) and return the response."""
        call = _Call(method.upper(), self.url(path_or_url), params, json, data, dict(headers or {}),
                     expected_status)
        return self._call(call, idempotent, None)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, *,
                 headers: Mapping[str, str] | None = None) -> Any:
        """GET and parse JSON; a malformed body is retried like a transient error."""
        call = _Call("GET", self.url(path), params, headers=dict(headers or {}))
        return self._call(call, True, HttpResponse.json)

    def post_json(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        """POST a JSON body; returns the parsed answer, or None for an empty one (204)."""
        return self._write_json("POST", path, json, **kwargs)

    def put_json(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        """PUT a JSON body; returns the parsed answer, or None for an empty one (204)."""
        return self._write_json("PUT", path, json, **kwargs)

    def patch_json(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        """PATCH a JSON body (ConnectWise patch operations); returns the parsed answer or None."""
        return self._write_json("PATCH", path, json, **kwargs)

    def _write_json(self, method: str, path: str, body: Any, *, params: Mapping[str, Any] | None = None,
                    headers: Mapping[str, str] | None = None, idempotent: bool | None = None) -> Any:
        call = _Call(method, self.url(path), params, body, headers=dict(headers or {}))
        return self._call(call, idempotent, _json_or_none)

    def paginate(
        self,
        path: str,
        paginator: Paginator,
        *,
        extract: Callable[[Any], list[Any]],
        params: Mapping[str, Any] | None = None,
        max_pages: int = 10_000,
        headers: Mapping[str, str] | None = None,
        identity: Callable[[Any], Any] = row_identity,
    ) -> Iterator[Any]:
        """Yield rows page by page; raise PaginationError on a loop, a stuck server or too many pages."""
        request = paginator.first(dict(params or {}))
        seen: set[str] = set()
        previous: list[Any] = []
        while request is not None:
            if len(seen) >= max_pages:
                raise self._pagination_error(path, request, f"more than {max_pages} pages")
            if request.marker() in seen:
                raise self._pagination_error(path, request, f"page request repeated after {len(seen)} pages")
            seen.add(request.marker())
            page = self._fetch_page(path, request, extract, headers)
            ids = [identity(row) for row in page.rows]
            if ids and ids == previous:
                # Yielding it again would duplicate rows forever; the server ignores our page param.
                raise self._pagination_error(path, request, "page has the same rows as the previous one")
            previous = ids
            yield from page.rows
            request = paginator.next(page)

    def _pagination_error(self, path: str, request: PageRequest, problem: str) -> PaginationError:
        url = _full_url(self.url(request.url or path), None if request.url else request.params)
        return PaginationError(f"{self.connector}: GET {redact_url(url)}: {problem}",
                               connector=self.connector, method="GET", url=url)

    def _fetch_page(self, path: str, request: PageRequest, extract: Callable[[Any], list[Any]],
                    headers: Mapping[str, str] | None) -> Page:
        # A next-link URL is used as-is: its query already carries every param.
        params = None if request.url else request.params
        call = _Call("GET", self.url(request.url or path), params, headers=dict(headers or {}))

        def parse(resp: HttpResponse) -> Page:
            body = resp.json()
            try:
                rows = extract(body)
            except MalformedResponseError as exc:
                if exc.connector:
                    raise
                raise type(exc)(f"{resp.summary}: {exc}", **resp._where()) from None
            return Page(rows, body, resp.headers, resp.links, dict(params or {}))

        return self._call(call, True, parse)

    def _call(self, call: _Call, idempotent: bool | None, parse: Callable[[HttpResponse], Any] | None) -> Any:
        if idempotent is None:
            idempotent = call.method in IDEMPOTENT_METHODS

        def attempt() -> Any:
            resp = self._attempt(call)
            return parse(resp) if parse else resp

        return self._policy.retrying(idempotent)(attempt)

    def _attempt(self, call: _Call) -> HttpResponse:
        resp = self._send(call)
        refresh = getattr(self._auth, "on_unauthorized", None)
        # A 401 was refused before any work was done, so resending once is safe even for POST.
        if resp.status == 401 and refresh is not None and refresh():
            resp = self._send(call)
        if resp.status == 429 and self._limiter is not None:
            wait = parse_retry_after(resp.headers.get("Retry-After"), date=resp.headers.get("Date"))
            if wait is not None:
                # Every job sharing this tenant's bucket waits too, not just this request.
                self._limiter.pause(min(wait, self._policy.max_retry_after_s))
        raise_for_status(resp, call.expected_status)
        return resp

    def _send(self, call: _Call) -> HttpResponse:
        if self._limiter is not None:
            self._limiter.acquire()
        headers, params = dict(call.headers), dict(call.params or {})
        if self._auth is not None:
            self._auth.apply(headers, params)
        started, status = time.monotonic(), None
        try:
            raw = self._session.request(call.method, call.url, params=params or None, json=call.json,
                                        data=call.data, headers=headers, timeout=self._timeout)
            status = raw.status_code
            return self._wrap(call, raw)
        except requests.RequestException as exc:
            # requests' text can hold the full URL with secrets: translate, and drop the chain.
            raise self._translate(call, params, exc) from None
        finally:
            if self._observer is not None:
                self._observer(self.connector, call.method, urlsplit(call.url).path, status,
                               time.monotonic() - started)

    def _wrap(self, call: _Call, raw: requests.Response) -> HttpResponse:
        links = {rel: urljoin(raw.url, link["url"]) for rel, link in raw.links.items() if "url" in link}
        text = raw.content.decode(raw.encoding or "utf-8", errors="replace")
        url = REDACTOR.scrub(redact_url(raw.url))
        return HttpResponse(self.connector, call.method, raw.status_code, url,
                            Headers(raw.headers), text, links)

    def _translate(self, call: _Call, params: Mapping[str, Any], exc: requests.RequestException) -> ApiError:
        url = _full_url(call.url, params)
        where = f"{self.connector}: {call.method} {redact_url(url)}"
        kw: dict[str, Any] = {"connector": self.connector, "method": call.method, "url": url}
        connect_s, read_s = self._timeout
        if isinstance(exc, requests.ConnectTimeout):
            return TransportError(f"{where} -> no connection within {connect_s:g}s",
                                  reached_server=False, **kw)
        if isinstance(exc, requests.ReadTimeout) or _caused_by(exc, ReadTimeoutError):
            return ApiTimeoutError(f"{where} -> no answer within {read_s:g}s", **kw)
        if isinstance(exc, requests.exceptions.SSLError):
            return TransportError(f"{where} -> TLS failure", reached_server=True, **kw)
        if isinstance(exc, requests.ConnectionError):
            if _caused_by(exc, NewConnectionError):
                return TransportError(f"{where} -> connection refused or host not found",
                                      reached_server=False, **kw)
            return TransportError(f"{where} -> connection dropped", reached_server=True, **kw)
        return ApiError(f"{where} -> request failed ({type(exc).__name__})", **kw)


def _json_or_none(resp: HttpResponse) -> Any:
    """Parse a write's answer; an empty body (204) is None, junk still raises."""
    return None if resp.status == 204 or not resp.text.strip() else resp.json()

