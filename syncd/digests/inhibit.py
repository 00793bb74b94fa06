"""Inhibition: an open source finding (a client-wide outage) mutes matching target findings.

Unlike Alertmanager, an `equal` label missing on either side never counts as equal: a
finding without a company must not be muted by every other company's outage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from syncd.digests.matchers import Matcher, matches_all, parse_matchers
from syncd.digests.settings import InhibitRule


@dataclass(frozen=True, slots=True)
class _Rule:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


class Inhibitor:
    """The inhibit rules with the open findings that can act as sources, indexed once per pass."""

    def __init__(self, rules: Iterable[InhibitRule], open_labels: Mapping[str, Mapping[str, str]]) -> None:
        """`open_labels` maps each open finding's fingerprint to its routing labels."""
        self._rules: list[tuple[_Rule, dict[tuple[str, ...], set[str]]]] = []
        for rule in rules:
            parsed = _Rule(parse_matchers(rule.source_matchers), parse_matchers(rule.target_matchers),
                           tuple(rule.equal))
            sources: dict[tuple[str, ...], set[str]] = {}
            for fingerprint, labels in open_labels.items():
                key = _equal_key(parsed.equal, labels)
                if key is not None and matches_all(parsed.source, labels):
                    sources.setdefault(key, set()).add(fingerprint)
            self._rules.append((parsed, sources))

    def is_inhibited(self, fingerprint: str, labels: Mapping[str, str]) -> bool:
        """Tell whether some other open source finding mutes this one."""
        for rule, sources in self._rules:
            key = _equal_key(rule.equal, labels)
            if key is None or not matches_all(rule.target, labels):
                continue
            # A finding never inhibits itself (a P1 SLA finding can be both source and target).
            if sources.get(key, set()) - {fingerprint}:
                return True
        return False


def _equal_key(names: tuple[str, ...], labels: Mapping[str, str]) -> tuple[str, ...] | None:
    """The values of the `equal` labels, or None when one is missing or empty."""
    values = tuple(labels.get(name, "") for name in names)
    return None if any(v == "" for v in values) else values
