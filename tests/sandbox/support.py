"""Helpers shared by the vendor simulator tests that drive a simulator without a server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class RecordingFaults:
    """Stand-in for the fault injector: records (table, served ids, last page) of every page served."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, list[Any], bool]] = []

    def on_page_served(self, table: str, served_ids: Sequence[Any], *, last_page: bool,
                       first_page: bool | None = None, id_column: str | None = None) -> None:
        """Record one served page (same signature as FaultInjector.on_page_served)."""
        self.pages.append((table, list(served_ids), last_page))
