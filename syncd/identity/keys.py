"""Candidate generation by index and pair scoring for machine nodes: never everything against everything."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from difflib import SequenceMatcher

from syncd.identity.model import Score
from syncd.identity.nodes import Node
from syncd.identity.scoring import score
from syncd.identity.settings import IdentitySettings, MachineKey

_DIGITS = re.compile(r"\D+")


class SideIndex:
    """One side's nodes by id, serial, MAC, (company, hostname) and by the ids they claim elsewhere."""

    def __init__(self, nodes: Iterable[Node], side: str) -> None:
        self.side = side
        self.by_id: dict[str, Node] = {}
        self.by_serial: dict[str, list[Node]] = defaultdict(list)
        self.by_mac: dict[str, list[Node]] = defaultdict(list)
        self.by_host: dict[tuple[str, str], list[Node]] = defaultdict(list)
        self.claimed_by: dict[tuple[str, str], list[Node]] = defaultdict(list)  # (side, id) -> claimers
        self.by_company: dict[str, list[Node]] = defaultdict(list)
        for n in nodes:
            self._add(n)

    def _add(self, n: Node) -> None:
        for i in n.ids:
            self.by_id[i] = n
        if n.serial:
            self.by_serial[n.serial].append(n)
        for m in n.macs:
            self.by_mac[m].append(n)
        if n.company is not None:
            self.by_company[n.company].append(n)
            for name in n.names:
                self.by_host[(n.company, name)].append(n)
        for side, ids in n.claims.items():
            for i in ids:
                self.claimed_by[(side, i)].append(n)


def propose(a: Node, index: SideIndex, settings: IdentitySettings) -> dict[str, Node]:
    """Nodes of the other side that any enabled key puts forward for `a`, by ref."""
    found: dict[str, Node] = {}
    if settings.uses(MachineKey.EXPLICIT_ID):
        found.update({n.ref: n for i in a.claims.get(index.side, ()) if (n := index.by_id.get(i))})
        found.update({n.ref: n for i in a.ids for n in index.claimed_by.get((a.side, i), ())})
    if settings.uses(MachineKey.SERIAL) and a.serial:
        found.update({n.ref: n for n in index.by_serial.get(a.serial, ())})
    if settings.uses(MachineKey.MAC):
        found.update({n.ref: n for m in a.macs for n in index.by_mac.get(m, ())})
    if settings.uses(MachineKey.HOSTNAME) and a.company is not None:
        found.update({n.ref: n for name in a.names for n in index.by_host.get((a.company, name), ())})
    return found


def _explicit(a: Node, b: Node, index_a: SideIndex, index_b: SideIndex) -> tuple[str | None, str | None]:
    """(agreement, disagreement) of the ids each record keeps of the other tool's record."""
    named_b = a.claims.get(b.side, frozenset())
    named_a = b.claims.get(a.side, frozenset())
    if named_b & set(b.ids) or named_a & set(a.ids):
        return f"{a.side} names {b.side} id {sorted(named_b & set(b.ids) or named_a & set(a.ids))[0]}", None
    elsewhere = [i for i in named_b if i in index_b.by_id] + [i for i in named_a if i in index_a.by_id]
    return None, (f"names another record ({elsewhere[0]})" if elsewhere else None)


def similar(a: Node, b: Node, minimum: float) -> str | None:
    """The pair of names that are close enough to support a link, or None.

    Names must carry the same digits: "acme-ws-001" and "acme-ws-002" are two machines, not a typo.
    """
    for x in sorted(a.names):
        for y in sorted(b.names):
            if not x or not y or _DIGITS.sub("", x) != _DIGITS.sub("", y):
                continue
            matcher = SequenceMatcher(None, x, y)
            # The cheap upper bounds rule out most pairs before the full ratio.
            if matcher.real_quick_ratio() >= minimum and matcher.quick_ratio() >= minimum \
                    and matcher.ratio() >= minimum:
                return f"{x} ~ {y}"
    return None


def score_pair(a: Node, b: Node, index_a: SideIndex, index_b: SideIndex, settings: IdentitySettings) -> Score:
    """Every enabled key votes: agree, disagree, or (missing value) abstain."""
    agreed: dict[str, str] = {}
    disagreed: dict[str, str] = {}
    for key in settings.machine_keys:
        _vote(key, a, b, index_a=index_a, index_b=index_b, settings=settings, agreed=agreed, disagreed=disagreed)
    if a.company is not None and b.company is not None and a.company != b.company:
        disagreed["company"] = f"{a.company} != {b.company}"
    return score(agreed, disagreed, settings)


def _vote(key: MachineKey, a: Node, b: Node, *, index_a: SideIndex, index_b: SideIndex, settings: IdentitySettings,
          agreed: dict[str, str], disagreed: dict[str, str]) -> None:
    same_company = a.company is not None and a.company == b.company
    open_company = same_company or a.company is None or b.company is None
    if key is MachineKey.EXPLICIT_ID:
        yes, no = _explicit(a, b, index_a, index_b)
        _put(key, yes, no, agreed, disagreed)
    elif key is MachineKey.SERIAL and a.serial and b.serial:
        _put(key, a.serial if a.serial == b.serial else None,
             None if a.serial == b.serial else f"{a.serial} != {b.serial}", agreed, disagreed)
    elif key is MachineKey.MAC and a.macs and b.macs:
        common = a.macs & b.macs
        _put(key, sorted(common)[0] if common else None, None if common else "no MAC in common", agreed, disagreed)
    elif key is MachineKey.HOSTNAME and same_company and a.names and b.names:
        common = a.names & b.names
        _put(key, sorted(common)[0] if common else None,
             None if common else f"{a.display} != {b.display}", agreed, disagreed)
    elif key is MachineKey.NAME_SIMILARITY and open_company and not a.names & b.names:
        # Supporting evidence only: its weight alone never reaches the threshold.
        _put(key, similar(a, b, settings.name_similarity_min), None, agreed, disagreed)


def _put(key: MachineKey, yes: str | None, no: str | None, agreed: dict[str, str], disagreed: dict[str, str]) -> None:
    if yes is not None:
        agreed[key.value] = yes
    elif no is not None:
        disagreed[key.value] = no
