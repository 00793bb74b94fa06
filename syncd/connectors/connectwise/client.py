"""ConnectWiseClient: the CW endpoints syncd uses over ApiClient; every CW quirk lives here.

- Base `{base_url}/{codebase}apis/3.0`; Basic `company+publicKey:privateKey` (a literal `+`), a
  `clientId` header and the pinned `Accept: application/vnd.connectwise.com+json; version=2025.8`.
- Lists use forward-only (keyset) paging: header `pagination-type: forward-only`, `pageSize`, and
  the `Link: rel="next"` URL (or `pageId` = last id when a full page comes without one). Keyset
  paging cannot skip a row when another row starts matching between two pages, as offset
  paging can; `orderBy` is not allowed in this mode and rows come in id order. The audit trail
  is the exception: its entries have no id, so it is read in numbered pages.
- Error bodies: ApiClient's errors carry no body, so on a 400/401/403/404 the request is sent
  once more to read CW's `ErrorResponseMessage` (or the plain-text "Cannot route" answer of a
  wrong codebase/company) into the error message. Errors are rare; the re-send is a GET.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from syncd.auth import BasicAuth
from syncd.connectors.common import build_client
from syncd.connectors.connectwise.settings import ConnectWiseSettings
from syncd.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    MalformedResponseError,
    NotFoundError,
)
from syncd.http import HttpResponse
from syncd.pagination import Page, PageNumber, PageRequest, Params, bare_list
from syncd.sections import HttpSettings

KIND = "connectwise"
API_VERSION = "2025.8"
ACCEPT = f"application/vnd.connectwise.com+json; version={API_VERSION}"
FORWARD_ONLY = {"pagination-type": "forward-only"}
AUDIT_TRAIL = "/system/audittrail"
ROUTING_TEXT = "Cannot route"
_EXPLAINED = frozenset({400, 401, 403, 404})


class CodebaseError(AuthError):
    """CW answered "Cannot route. Codebase/company is invalid": a config problem, not a missing record.

    An AuthError, so the job runner stops the connector with this message instead of retrying.
    """


def cw_time(value: datetime) -> str:
    """A conditions date literal: `[2026-11-17T15:00:00Z]` (UTC, whole seconds, floored)."""
    return "[" + value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "]"


def cw_string(value: str) -> str:
    """A conditions string literal: double quotes, with `\\` and `"` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ForwardOnly:
    """CW forward-only paging: follow rel="next"; without one, a full page asks for `pageId` = last id."""

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self._params: dict[str, Any] = {}
        self.last: PageRequest | None = None   # the request in flight, to explain a failure

    def first(self, params: Params) -> PageRequest:
        """The first page: the caller's params and pageSize."""
        self._params = {**params, "pageSize": self.page_size}
        self.last = PageRequest(dict(self._params))
        return self.last

    def next(self, page: Page) -> PageRequest | None:
        """The Link next URL, else pageId after a full page, else None."""
        url = page.links.get("next")
        if url:
            self.last = PageRequest(url=url)
        elif page.rows and len(page.rows) >= self.page_size and isinstance(page.rows[-1], dict):
            self.last = PageRequest({**self._params, "pageId": page.rows[-1].get("id")})
        else:
            return None
        return self.last


def _rows(body: Any) -> list[Any]:
    rows = bare_list(body)
    if any(not isinstance(row, dict) for row in rows):
        raise MalformedResponseError("expected a JSON array of objects")
    return rows


def _cw_message(resp: HttpResponse) -> str:
    """CW's `ErrorResponseMessage` as one short text: code, message and each validation error."""
    try:
        body = resp.json()
    except MalformedResponseError:
        return " ".join(resp.text.split())[:200]
    if not isinstance(body, dict):
        return ""
    parts = [": ".join(str(body[k]) for k in ("code", "message") if body.get(k))]
    for err in body.get("errors") or []:
        if isinstance(err, dict):
            parts.append(f"{err.get('field') or err.get('resource') or '?'}: {err.get('message') or err.get('code')}")
    return "; ".join(p for p in parts if p)[:500]


class ConnectWiseClient:
    """One CW tenant: authenticated ApiClient plus list paging and error explanation."""

    def __init__(self, settings: ConnectWiseSettings, http: HttpSettings, *,
                 sleep: Callable[[float], None] | None = None) -> None:
        self._settings = settings
        host = settings.base_url.rstrip("/")
        codebase = settings.codebase.strip("/")
        base = f"{host}/{codebase}/apis/3.0" if codebase else f"{host}/apis/3.0"
        auth = BasicAuth(f"{settings.company_id}+{settings.public_key}", settings.private_key)
        self.page_size = settings.page_size
        self.api = build_client(
            KIND, settings, http, base_url=base, tenant=f"{host}|{settings.company_id}".lower(), auth=auth,
            headers={"clientId": settings.client_id, "Accept": ACCEPT}, sleep=sleep,
        )

    def close(self) -> None:
        """Close the HTTP session."""
        self.api.close()

    def system_info(self) -> dict[str, Any]:
        """GET /system/info (version, isCloud): the cheap authenticated check."""
        return self._object(self.api.request("GET", "/system/info", expected_status={200, *_EXPLAINED}))

    def rows(self, path: str, *, conditions: str | None = None, fields: str | None = None) -> Iterator[dict[str, Any]]:
        """Every row of a list endpoint, page by page in id order, to the last page."""
        params = {k: v for k, v in (("conditions", conditions), ("fields", fields)) if v}
        pager = ForwardOnly(self.page_size)
        try:
            yield from self.api.paginate(path, pager, extract=_rows, params=params, headers=FORWARD_ONLY)
        except (BadRequestError, NotFoundError, AuthError) as exc:
            raise self._explain(exc, path, pager.last) from None

    def audit_trail(self, record_type: str, record_id: int) -> Iterator[dict[str, Any]]:
        """Every AuditTrailEntry of one record, in numbered pages: entries carry no id, so the
        forward-only (keyset) paging of `rows` cannot apply."""
        params = {"type": record_type, "id": record_id, "deviceIdentifier": ""}
        pager = PageNumber(page_size=self.page_size)
        try:
            yield from self.api.paginate(AUDIT_TRAIL, pager, extract=_rows, params=params)
        except (BadRequestError, NotFoundError, AuthError) as exc:
            raise self._explain(exc, AUDIT_TRAIL, pager.first(params), headers={}) from None

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a JSON body; never retried once it may have reached CW (see syncd.http)."""
        return self._object(self.api.request("POST", path, json=dict(body),
                                             expected_status={200, 201, *_EXPLAINED}))

    def patch(self, path: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """PATCH with JSON-Patch operations; a `replace` is idempotent, so it may be retried."""
        return self._object(self.api.request("PATCH", path, json=operations, idempotent=True,
                                             expected_status={200, *_EXPLAINED}))

    def _object(self, resp: HttpResponse) -> dict[str, Any]:
        """The JSON object of a success; CW's explained error for a 4xx (the only other status let through)."""
        if resp.status >= 400:
            raise self.error_from(resp)
        answer = resp.json()
        if not isinstance(answer, dict):
            raise MalformedResponseError(f"{resp.summary}: expected a JSON object", connector=KIND)
        return answer

    def _explain(self, exc: ApiError, path: str, request: PageRequest | None,
                 headers: Mapping[str, str] = FORWARD_ONLY) -> ApiError:
        """Re-send the failed GET once to read CW's error body into the message."""
        if isinstance(exc, CodebaseError):
            return exc
        url = request.url if request is not None and request.url else path
        params = None if request is None or request.url else request.params
        try:
            resp = self.api.request("GET", url, params=params, headers=dict(headers),
                                    expected_status={200, *_EXPLAINED})
        except ApiError:
            return exc
        return exc if resp.status == 200 else self.error_from(resp)

    def error_from(self, resp: HttpResponse) -> ApiError:
        """The syncd error for a CW error answer, with CW's own message in it."""
        where = {"connector": KIND, "method": resp.method, "url": resp.url, "status": resp.status}
        if resp.status == 404 and ROUTING_TEXT.lower() in resp.text.lower():
            return CodebaseError(
                f"{resp.summary}: CW says 'Cannot route. Codebase/company is invalid': check [connectwise] "
                f"codebase ({self._settings.codebase!r}) and company_id ({self._settings.company_id!r}); "
                f"GET /login/companyinfo/<company> tells the codebase", **where)
        message = f"{resp.summary}: {_cw_message(resp)}".rstrip(": ")
        if resp.status in (401, 403):
            return AuthError(f"{message} (check company_id, public_key, private_key and client_id)", **where)
        if resp.status == 404:
            return NotFoundError(message, **where)
        return BadRequestError(message, **where)
