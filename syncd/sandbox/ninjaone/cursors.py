"""Server-side cursors for `/v2/queries/*`, kept in memory per simulator.

The first request runs the query and opens a cursor; the response carries
`cursor{name, offset, count, expires}` and the client passes `cursor=<name>` for the next
page. The name stays the same for the whole scan (Servosity/msp-skills#179: clients that
expect a fresh name per page stop after two pages); `offset` is the position of the page's
first row and `count` the rows in this page. A scan ends with a page of `count` 0.
Each use pushes `expires` forward; a name that is unknown or past `expires` is refused.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

CURSOR_TTL_S = 300          # not published; "a few minutes" keeps slow clients honest
MAX_CURSORS = 1_000


@dataclass
class CursorState:
    """One open scan: the frozen query, the keyset position and the rows served so far."""

    name: str
    kind: str                                   # which query opened it
    query: dict[str, Any]                       # frozen filters, including the snapshot bound
    expires: float
    position: tuple[Any, ...] | None = None     # sort key of the last row served
    offset: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class CursorStore:
    """Name → CursorState; bounded, expired entries dropped on every call."""

    def __init__(self, seed: str) -> None:
        self._rng = random.Random(f"ninjaone-cursors:{seed}")
        self._cursors: dict[str, CursorState] = {}
        self._lock = threading.Lock()

    def open(self, kind: str, query: dict[str, Any], now: float) -> CursorState:
        """Open a new cursor for `query`."""
        with self._lock:
            self._prune(now)
            name = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
            state = CursorState(name, kind, query, now + CURSOR_TTL_S)
            self._cursors[name] = state
            return state

    def resume(self, name: str, kind: str, now: float) -> CursorState | None:
        """Return the live cursor `name` for `kind`, extending its life; None when gone."""
        with self._lock:
            self._prune(now)
            state = self._cursors.get(name)
            if state is None or state.kind != kind:
                return None
            state.expires = now + CURSOR_TTL_S
            return state

    def __len__(self) -> int:
        return len(self._cursors)

    def _prune(self, now: float) -> None:
        for name in [n for n, s in self._cursors.items() if now >= s.expires]:
            del self._cursors[name]
        while len(self._cursors) >= MAX_CURSORS:
            del self._cursors[next(iter(self._cursors))]
