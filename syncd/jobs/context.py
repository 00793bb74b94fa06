"""JobContext: everything a job needs, built once at startup and passed to every job."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncd.clock import Clock
from syncd.connectors.base import Connector
from syncd.settings import Settings
from syncd.state import StateStore


@dataclass
class JobContext:
    """Settings, state, clock and connectors; no globals anywhere else."""

    settings: Settings
    state: StateStore
    clock: Clock
    connectors: Mapping[str, Connector] = field(default_factory=dict)
    rules: Sequence[Any] = ()   # the loaded rules (syncd.rules.LoadedRule), validated once at startup
    # Set by SIGTERM/SIGINT: jobs stop between writes, never in the middle of one.
    stop: threading.Event = field(default_factory=threading.Event)
    # Connectors whose credentials were rejected stop polling until restart; the others go on.
    disabled: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def disable(self, kind: str, reason: str) -> bool:
        """Stop a connector's jobs; return True the first time (so it is logged once)."""
        with self._lock:
            if kind in self.disabled:
                return False
            self.disabled[kind] = reason
            return True

    def is_disabled(self, kind: str) -> bool:
        """Whether a connector's jobs are stopped."""
        with self._lock:
            return kind in self.disabled
