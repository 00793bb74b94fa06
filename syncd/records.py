"""The normalized record: the only data shape that crosses connectors, state and rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """One normalized record of a stream, e.g. source "connectwise.tickets", key "4711".

    `fields` uses the normalized vocabulary of DESIGN.md (ticket, device, configuration, ...)
    and holds only JSON-serialisable values (datetimes as ISO-8601 UTC strings).
    `updated_at` is the vendor's own change time, used for bookmarks; None when the vendor
    has none for this stream.
    """

    source: str
    key: str
    updated_at: datetime | None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The connector kind: the part of `source` before the dot."""
        found = _KINDS.get(self.source)
        if found is None:  # a handful of sources; a rule pass asks for the kind a million times
            found = _KINDS[self.source] = self.source.split(".", 1)[0]
        return found


_KINDS: dict[str, str] = {}
