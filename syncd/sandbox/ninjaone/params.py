"""Query-parameter parsing and the epoch-seconds time conventions NinjaOne uses."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from syncd.sandbox.clock import SandboxClock, format_instant
from syncd.sandbox.framework import Request
from syncd.sandbox.ninjaone.errors import bad_request

# No default page size is documented for /v2/devices, /v2/organizations or /v2/queries/*.
# Integrations that ignored paging report being cut at 100 rows (Nine-Minds/alga-psa#1493,
# Servosity/msp-skills#136), so 100 it is; the caps are the largest values public clients
# use successfully (1000 devices per page, msp-skills#88; 10000 rows on queries).
KEYSET_DEFAULT_PAGE = 100
KEYSET_MAX_PAGE = 1000
QUERY_DEFAULT_PAGE = 100
QUERY_MAX_PAGE = 10000


def int_arg(request: Request, name: str) -> int | None:
    """Return an integer query parameter, None when absent, 400 when not an integer."""
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"Invalid value for parameter '{name}': {raw}") from None


def page_size(request: Request, default: int, maximum: int) -> int:
    """Return the pageSize to use: default when absent, clamped to [1, maximum]."""
    size = int_arg(request, "pageSize")
    if size is None:
        return default
    if size < 1:
        raise bad_request(f"Invalid value for parameter 'pageSize': {size}")
    return min(size, maximum)


def epoch_arg(request: Request, name: str) -> float | None:
    """Parse a date parameter as epoch seconds (int or float).

    ISO-8601 input is rejected: the spec only says "string" and the one public client that
    documents its choice (homotechsual/NinjaOne) sends epoch seconds, so the sandbox accepts
    exactly that. Milliseconds are read as seconds, as a server would, and simply match nothing.
    """
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise bad_request(f"Invalid value for parameter '{name}': {raw} (expected epoch seconds)") from None
    if not math.isfinite(value):
        raise bad_request(f"Invalid value for parameter '{name}': {raw}")
    return value


def choice_arg(request: Request, name: str, allowed: set[str]) -> str | None:
    """Return an enumerated parameter, 400 when the value is not one of `allowed`."""
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise bad_request(f"Invalid value for parameter '{name}': {raw}")
    return raw


def now_epoch(clock: SandboxClock) -> float:
    """Return the sandbox clock's current instant as epoch seconds."""
    return clock.now().timestamp()


def iso_to_epoch(value: str | None) -> float | None:
    """Convert a world ISO-8601 UTC string to epoch seconds as a float."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def epoch_to_world_iso(value: float) -> str:
    """Return the world string for the first whole second at or after `value`.

    World times have whole seconds, so `t >= x` equals `t >= ceil(x)` and `t < x` equals
    `t < ceil(x)`; comparing ISO strings then works in SQL with the indexes.
    """
    second = math.ceil(value)
    second = max(second, 0)
    second = min(second, 253402300799)          # 9999-12-31T23:59:59Z keeps strftime valid
    return format_instant(datetime.fromtimestamp(second, UTC))
