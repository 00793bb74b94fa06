"""What a digest is once built: sections of rows, ready for any renderer (text is still raw here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from syncd.state import Finding

Tone = Literal["critical", "warning", "info", "ok"]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a digest: usually a ticket, with what is wrong and a link into the PSA."""

    title: str
    url: str = ""
    text: str = ""
    bullets: tuple[str, ...] = ()
    meta: tuple[str, ...] = ()
    tone: Tone = "info"
    badge: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list of rows; `more` counts rows left out to keep the digest readable."""

    title: str
    rows: tuple[Row, ...]
    more: int = 0


@dataclass(frozen=True, slots=True)
class Digest:
    """One message to one receiver about one group of findings."""

    name: str
    kind: str
    title: str
    receiver: str
    group_key: str
    group_labels: Mapping[str, str]
    generated_at: datetime
    headline: str
    sections: tuple[Section, ...]
    findings: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    tokens: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to report."""
        return not any(s.rows for s in self.sections)

    @property
    def subject(self) -> str:
        """A one-line subject: title and headline."""
        return f"{self.title}: {self.headline}" if self.headline else self.title
