"""The values identity resolution returns: links with evidence, machines, ticket devices, review items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["company", "machine", "ticket"]
Via = Literal["auto", "accept", "pin", "override"]


def ref(source: str, key: str) -> str:
    """A record reference, "connectwise.configurations:812"."""
    return f"{source}:{key}"


def split_ref(value: str) -> tuple[str, str]:
    """(source, key) of a record reference."""
    source, _, key = value.partition(":")
    return source, key


@dataclass(frozen=True, slots=True)
class Score:
    """How well one candidate pair matches: which keys agreed, which disagreed, and the confidence."""

    confidence: float
    agreed: Mapping[str, str] = field(default_factory=dict)
    disagreed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Link:
    """Two records of the same company or machine, with the evidence that links them."""

    kind: Kind
    left: str
    right: str
    confidence: float
    agreed: Mapping[str, str]
    disagreed: Mapping[str, str]
    via: Via = "auto"

    @property
    def pair(self) -> tuple[str, str]:
        """The pair in canonical (sorted) order, for comparing passes."""
        return (self.left, self.right) if self.left <= self.right else (self.right, self.left)


@dataclass(frozen=True, slots=True)
class Machine:
    """One physical machine as the tools know it: PSA configuration, RMM device(s), docs asset."""

    key: str                              # the machine's own reference (PSA config ref when it has one)
    company: str | None                   # PSA company id, when known
    psa: str | None = None                # PSA configuration id
    rmm: tuple[str, ...] = ()             # RMM device ids, current first
    previous_rmm: tuple[str, ...] = ()    # older RMM devices of the same machine (re-imaged)
    docs: str | None = None               # docs asset id
    names: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()

    @property
    def rmm_id(self) -> str | None:
        """The current RMM device id."""
        return self.rmm[0] if self.rmm else None

    @property
    def confidence(self) -> float:
        """The weakest link's confidence (1.0 for a machine known to one tool only)."""
        return min((lk.confidence for lk in self.links), default=1.0)


@dataclass(frozen=True, slots=True)
class TicketDevice:
    """The machine a ticket is about, or why none was linked."""

    ticket: str
    machine: Machine | None
    confidence: float
    agreed: Mapping[str, str] = field(default_factory=dict)       # lead -> machine key it names
    disagreed: Mapping[str, str] = field(default_factory=dict)
    reason: str | None = None             # no_lead | ambiguous | low_confidence; None when linked
    via: Via = "auto"
    # The ticket's type/subtype/item is one of `device_ticket_categories`: it is about the caller's machine.
    device_category: bool = False


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A candidate link that is not acted on until a person accepts, rejects or pins it."""

    kind: Kind
    left: str
    right: str
    reason: str                           # ambiguous | low_confidence | conflict | lost
    confidence: float
    agreed: Mapping[str, str] = field(default_factory=dict)
    disagreed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LostLink:
    """A link of the previous pass that the evidence no longer supports (reported, never dropped silently)."""

    kind: Kind
    left: str
    right: str
    reason: str                           # unsupported | record_gone
    previous_confidence: float
    now: Score | None = None


@dataclass(frozen=True, slots=True)
class PreviousLinks:
    """The links a previous pass acted on, as persisted by `resolve_from_store`."""

    links: tuple[Link, ...] = ()

    def of_kind(self, kind: Kind) -> list[Link]:
        """The previous links of one kind."""
        return [lk for lk in self.links if lk.kind == kind]
