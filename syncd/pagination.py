"""Pagination strategies: pure functions of the last page, no I/O.

``ApiClient.paginate`` asks a strategy for the first request, fetches it,
wraps the result in a ``Page`` and asks for the next request until the
strategy returns None. Guards against loops live in ``paginate``; a strategy
only says what to ask for next. Query strings are never concatenated: a
``PageRequest`` is either a params dict sent with the base path or an
absolute URL used as-is. The extractors ``envelope(key)`` and ``bare_list``
turn a body into rows and refuse junk rather than return [].
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from syncd.errors import EnvelopeError, MalformedResponseError

Params = Mapping[str, Any]


@dataclass(frozen=True)
class PageRequest:
    """What to fetch next: query params for the base path, or an absolute URL sent without params."""

    params: Params = field(default_factory=dict)
    url: str | None = None

    def marker(self) -> str:
        """Return a stable text identity, used to detect a repeated request."""
        if self.url is not None:
            return f"url:{self.url}"
        return "params:" + json.dumps(dict(self.params), sort_keys=True, default=str)


@dataclass(frozen=True)
class Page:
    """One fetched page as a strategy sees it."""

    rows: list[Any]
    body: Any
    headers: Mapping[str, str]
    links: Mapping[str, str]
    request_params: Params


class Paginator(Protocol):
    """A pagination strategy."""

    def first(self, params: Params) -> PageRequest:
        """Return the request for the first page."""
        ...

    def next(self, page: Page) -> PageRequest | None:
        """Return the request for the page after ``page``, or None when done."""
        ...


@dataclass(frozen=True)
class PageNumber:
    """Numbered pages; a short or empty page is the last.

    Example (ConnectWise): ``PageNumber(page_param="page", size_param="pageSize", page_size=1000)``
    sends ``?page=1&pageSize=1000``, then ``page=2`` ... until a page has fewer than 1000 rows.
    """

    page_param: str = "page"
    size_param: str = "pageSize"
    page_size: int = 1000
    start: int = 1

    def first(self, params: Params) -> PageRequest:
        """Ask for page ``start``."""
        return PageRequest({**params, self.page_param: self.start, self.size_param: self.page_size})

    def next(self, page: Page) -> PageRequest | None:
        """Ask for the following page number unless this one was short."""
        if len(page.rows) < self.page_size:
            return None
        current = int(page.request_params[self.page_param])
        return PageRequest({**page.request_params, self.page_param: current + 1})


@dataclass(frozen=True)
class Offset:
    """Offset and limit; a short or empty page is the last.

    Example: ``Offset("offset", "limit", 100)`` sends ``offset=0&limit=100``, then ``offset=100``.
    """

    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = 100

    def first(self, params: Params) -> PageRequest:
        """Ask for the rows from offset 0."""
        return PageRequest({**params, self.offset_param: 0, self.limit_param: self.limit})

    def next(self, page: Page) -> PageRequest | None:
        """Skip past the rows just read unless this page was short."""
        if len(page.rows) < self.limit:
            return None
        offset = int(page.request_params[self.offset_param]) + len(page.rows)
        return PageRequest({**page.request_params, self.offset_param: offset})


@dataclass(frozen=True)
class Cursor:
    """An opaque cursor read from the body; stops on a missing/empty token or an empty page.

    Example (Hudu-style): ``Cursor("cursor", lambda body: body.get("next_cursor"), "page_size", 100)``.
    """

    param: str
    token_from_body: Callable[[Any], Any]
    size_param: str | None = None
    page_size: int | None = None

    def first(self, params: Params) -> PageRequest:
        """Ask for the first page, without a cursor."""
        size = {self.size_param: self.page_size} if self.size_param and self.page_size else {}
        return PageRequest({**params, **size})

    def next(self, page: Page) -> PageRequest | None:
        """Send the body's cursor back, unless it is missing or the page was empty."""
        if not page.rows:
            return None
        token = self.token_from_body(page.body)
        if token is None or token == "":
            return None
        return PageRequest({**page.request_params, self.param: token})


@dataclass(frozen=True)
class NextLink:
    """Follow the next URL as-is: the ``Link: rel="next"`` header, or a body field.

    Example: ``NextLink()`` for Link headers; ``NextLink(lambda body: body["links"].get("next"))``
    for a body field. Params go out on the first request only; the next URL already carries them.
    """

    from_body: Callable[[Any], str | None] | None = None

    def first(self, params: Params) -> PageRequest:
        """Ask for the first page with the caller's params."""
        return PageRequest(dict(params))

    def next(self, page: Page) -> PageRequest | None:
        """Return the next URL, or None when there is none."""
        url = self.from_body(page.body) if self.from_body else page.links.get("next")
        return PageRequest(url=url) if url else None


@dataclass(frozen=True)
class WalkById:
    """Keyset pagination: ask for rows after the last id seen; a short page is the last.

    Example (NinjaOne devices): ``WalkById("after", "pageSize", 200, id_of=lambda row: row["id"])``.
    """

    after_param: str
    size_param: str
    page_size: int
    id_of: Callable[[Any], Any]

    def first(self, params: Params) -> PageRequest:
        """Ask for the first page, without ``after``."""
        return PageRequest({**params, self.size_param: self.page_size})

    def next(self, page: Page) -> PageRequest | None:
        """Ask for rows after this page's last id unless the page was short."""
        if len(page.rows) < self.page_size:
            return None
        return PageRequest({**page.request_params, self.after_param: self.id_of(page.rows[-1])})


def row_identity(row: Any) -> str:
    """Default row identity for the identical-page guard: the row's canonical JSON."""
    return json.dumps(row, sort_keys=True, default=str)


# --- row extractors: body -> rows, refusing junk ---------------------------------------------


def envelope(key: str) -> Callable[[Any], list[Any]]:
    """An extractor for bodies like ``{key: [rows]}``; raises EnvelopeError otherwise."""

    def extract(body: Any) -> list[Any]:
        if not isinstance(body, dict) or key not in body:
            raise EnvelopeError(f"expected a JSON object with key {key!r}, got {type(body).__name__}")
        rows = body[key]
        if not isinstance(rows, list):
            raise EnvelopeError(f"envelope key {key!r} holds {type(rows).__name__}, not a list")
        return rows

    return extract


def bare_list(body: Any) -> list[Any]:
    """An extractor for bodies that must be a JSON array."""
    if not isinstance(body, list):
        # Refusing, not returning []: "no rows" would let a sync believe records were deleted.
        raise MalformedResponseError(f"expected a JSON array, got {type(body).__name__}")
    return body
