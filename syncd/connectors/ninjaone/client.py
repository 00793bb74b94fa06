"""NinjaOneClient: one method per endpoint over ApiClient; NinjaOne's quirks live here.

Three pagination styles (reference §2.5):
- organizations and devices: keyset, `after=<last id>` + `pageSize`, a short page is the last
  (integrations that stopped after the first page silently truncated fleets);
- `/v2/queries/*`: `{cursor{name, offset, count, expires}, results}`, continued with
  `cursor=<name>` + `pageSize`; the name may stay the same for the whole scan, so the generic
  repeated-request guard of `ApiClient.paginate` cannot be used and this module has its own;
- per-device endpoints and `/v2/alerts`: bare, unpaged arrays.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import structlog

from syncd.auth import BearerTokenAuth, OAuth2ClientCredentials
from syncd.connectors.common import build_client, http_options
from syncd.connectors.ninjaone.models import to_epoch_seconds
from syncd.connectors.ninjaone.settings import NinjaOneSettings
from syncd.errors import BadRequestError, EnvelopeError, NotFoundError, PaginationError
from syncd.http import ApiClient
from syncd.pagination import WalkById, bare_list, envelope, row_identity
from syncd.sections import HttpSettings

log = structlog.get_logger(__name__)

KIND = "ninjaone"
TOKEN_PATH = "/ws/oauth/token"  # noqa: S105 - a URL path, not a secret
OS_PATCH_INSTALLS = "/v2/queries/os-patch-installs"
SOFTWARE_PATCH_INSTALLS = "/v2/queries/software-patch-installs"
MAX_QUERY_PAGES = 10_000
# A scan whose cursor expires (or is lost after a retried page) starts again from its filters;
# more than this many restarts in one scan means something is wrong beyond a slow client.
MAX_CURSOR_RESTARTS = 3
_results = envelope("results")


class CursorLostError(PaginationError):
    """A `/v2/queries/*` cursor expired, or the server moved past a page we never received."""


class NinjaOneClient:
    """The NinjaOne endpoints syncd reads, with OAuth2 client credentials."""

    def __init__(self, settings: NinjaOneSettings, http: HttpSettings, *,
                 sleep: Callable[[float], None] | None = None,
                 token_clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        base_url = settings.base_url.rstrip("/")
        # Not build_client: the token POST draws on no rate-limit bucket and its retry waits are
        # not reported to RETRY_OBSERVERS.
        grant = OAuth2ClientCredentials(
            f"{base_url}{TOKEN_PATH}", settings.client_id, settings.client_secret, settings.scope or None,
            connector=KIND, **http_options(http, sleep or time.sleep),
        )
        self.api: ApiClient = build_client(
            KIND, settings, http, base_url=base_url, tenant=f"{base_url}|{settings.client_id}",
            auth=BearerTokenAuth(grant, clock=token_clock), sleep=sleep,
        )
        self.page_size = settings.page_size
        self.query_page_size = settings.query_page_size

    def close(self) -> None:
        """Release the connection pool."""
        self.api.close()

    # --- health -----------------------------------------------------------------------------

    def check(self) -> None:
        """Fetch a token and read one organization (the cheapest authenticated call)."""
        bare_list(self.api.get_json("/v2/organizations", {"pageSize": 1}))

    # --- keyset-paged lists -----------------------------------------------------------------

    def _keyset(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        paginator = WalkById("after", "pageSize", self.page_size, id_of=_row_id)
        yield from self.api.paginate(path, paginator, extract=bare_list, params=params)

    def organizations(self) -> Iterator[dict[str, Any]]:
        """Every organization with settings (the PSA linkage lives there)."""
        return self._keyset("/v2/organizations-detailed")

    def organization_ids(self) -> Iterator[int]:
        """Every organization id, from the lighter list."""
        return (_row_id(row) for row in self._keyset("/v2/organizations"))

    def devices(self) -> Iterator[dict[str, Any]]:
        """Every device in the detailed (system, os, network) shape."""
        return self._keyset("/v2/devices-detailed")

    def device_ids(self) -> Iterator[int]:
        """Every device id, from the lighter basic list."""
        return (_row_id(row) for row in self._keyset("/v2/devices"))

    # --- bare arrays ------------------------------------------------------------------------

    def alerts(self) -> list[dict[str, Any]]:
        """Every active alert (resolved alerts are not served)."""
        return bare_list(self.api.get_json("/v2/alerts"))

    def device_os_patch_installs(self, device_id: int | str, after: datetime | None = None) -> list[Any]:
        """One device's OS patch installs: a bare array without deviceId, unpaged."""
        return bare_list(self.api.get_json(f"/v2/device/{int(device_id)}/os-patch-installs",
                                           _installed_after(after)))

    def device_software_patch_installs(self, device_id: int | str,
                                       after: datetime | None = None) -> list[Any]:
        """One device's software patch installs: a bare array, unpaged."""
        return bare_list(self.api.get_json(f"/v2/device/{int(device_id)}/software-patch-installs",
                                           _installed_after(after)))

    # --- cursor-paged queries ---------------------------------------------------------------

    def os_patch_installs(self, after: datetime | None) -> Iterator[dict[str, Any]]:
        """OS patch installs (installed and failed) at or after `after`, every page."""
        return self.query(OS_PATCH_INSTALLS, _installed_after(after))

    def software_patch_installs(self, after: datetime | None) -> Iterator[dict[str, Any]]:
        """Third-party software patch installs at or after `after`, every page."""
        return self.query(SOFTWARE_PATCH_INSTALLS, _installed_after(after))

    def query(self, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every row of a `/v2/queries/*` report; a lost cursor restarts the scan (rows not repeated)."""
        seen: set[bytes] = set()
        restarts = 0
        while True:
            try:
                for row in self._scan(path, params):
                    digest = hashlib.blake2b(row_identity(row).encode(), digest_size=16).digest()
                    if digest not in seen:
                        seen.add(digest)
                        yield row
                return
            except CursorLostError as exc:
                restarts += 1
                if restarts > MAX_CURSOR_RESTARTS:
                    raise
                log.warning("cursor_restarted", connector=KIND, path=path, reason=str(exc), restarts=restarts)

    def _scan(self, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        size = self.query_page_size
        body = self.api.get_json(path, {**params, "pageSize": size})
        rows, received = _results(body), 0
        shift = _offset_shift(body, len(rows))
        for page in range(1, MAX_QUERY_PAGES + 1):
            if page > 1:
                _check_offset(path, body, received, shift, len(rows))
            yield from rows
            received += len(rows)
            if len(rows) < size:
                return
            name = _cursor_name(body)
            if not name:
                # A full page with no way to ask for the next one: refusing beats truncating.
                raise PaginationError(f"{KIND}: GET {path}: full page {page} but no cursor name",
                                      connector=KIND, method="GET", url=path)
            body = self._continue(path, name, size)
            rows = _results(body)
        raise PaginationError(f"{KIND}: GET {path}: more than {MAX_QUERY_PAGES} pages",
                              connector=KIND, method="GET", url=path)

    def _continue(self, path: str, name: str, size: int) -> Any:
        # The cursor carries the query's filters; only the cursor and the page size are sent.
        try:
            return self.api.get_json(path, {"cursor": name, "pageSize": size})
        except (BadRequestError, NotFoundError) as exc:
            # The first page of this query was accepted, so a refusal now is the cursor's expiry.
            raise CursorLostError(f"{KIND}: GET {path}: cursor refused ({exc.status})",
                                  connector=KIND, method="GET", url=path, status=exc.status) from None


def _row_id(row: Any) -> int:
    if not isinstance(row, dict) or not isinstance(row.get("id"), int) or isinstance(row.get("id"), bool):
        raise EnvelopeError(f"{KIND}: keyset row without an integer id", connector=KIND)
    return int(row["id"])


def _installed_after(after: datetime | None) -> dict[str, Any]:
    # Epoch seconds, as the one public client that documents its choice sends them (ref §2.3).
    return {} if after is None else {"installedAfter": to_epoch_seconds(after)}


def _cursor_name(body: Any) -> str | None:
    cursor = body.get("cursor") if isinstance(body, dict) else None
    name = cursor.get("name") if isinstance(cursor, dict) else None
    return name if isinstance(name, str) and name else None


def _offset(body: Any) -> int | None:
    cursor = body.get("cursor") if isinstance(body, dict) else None
    offset = cursor.get("offset") if isinstance(cursor, dict) else None
    return offset if isinstance(offset, int) and not isinstance(offset, bool) else None


def _offset_shift(body: Any, count: int) -> bool | None:
    """Learn from the first page what `cursor.offset` counts (the spec does not say): False when it
    is where the page starts (0), True when it is where the page ends; None = unknown, no checks."""
    offset = _offset(body)
    if offset == 0:
        return False
    if offset == count:
        return True
    return None


def _check_offset(path: str, body: Any, received: int, shift: bool | None, count: int) -> None:
    """Refuse a page that does not start where the last one ended (a retried page the server
    had already served, e.g. after a read timeout or a truncated body)."""
    offset = _offset(body)
    if shift is None or offset is None:
        return
    expected = received + count if shift else received
    if offset != expected:
        raise CursorLostError(f"{KIND}: GET {path}: page offset {offset}, expected {expected}",
                              connector=KIND, method="GET", url=path)
