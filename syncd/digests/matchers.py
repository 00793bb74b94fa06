"""Alertmanager-style label matchers: `name=value`, `name!=value`, `name=~regex`, `name!~regex`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from syncd.state import Finding

Op = Literal["=", "!=", "=~", "!~"]

_MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$')
# Annotations a route or silence may match on besides labels: the SLA state decides whether
# a finding takes the immediate path ("P1 at risk"), and it is an annotation, not a label.
MATCHABLE_ANNOTATIONS = ("state", "clock")


@dataclass(frozen=True, slots=True)
class Matcher:
    """One condition on one label; regexes are anchored at both ends, as in Alertmanager."""

    name: str
    op: Op
    value: str
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Matcher:
        """Parse `company=Acme`, `priority=~"P[12]"`; raise ValueError naming the problem."""
        match = _MATCHER.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a matcher; write name=value, name!=value, name=~regex or name!~regex")
        name, op, value = match.group(1), match.group(2), _unquote(match.group(3))
        regex = None
        if op in ("=~", "!~"):
            try:
                regex = re.compile(f"(?:{value})")
            except re.error as exc:
                raise ValueError(f"{text!r}: bad regular expression: {exc}") from None
        return cls(name, op, value, regex)  # type: ignore[arg-type]

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Tell whether the labels satisfy this matcher (a missing label is the empty string)."""
        actual = labels.get(self.name, "")
        if self._regex is not None:
            hit = self._regex.fullmatch(actual) is not None
            return hit if self.op == "=~" else not hit
        return (actual == self.value) if self.op == "=" else (actual != self.value)

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"' if self.op in ("=~", "!~") else f"{self.name}{self.op}{self.value}"


def _unquote(value: str) -> str:
    """Strip one pair of surrounding double quotes, if present."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def parse_matchers(texts: Iterable[str]) -> tuple[Matcher, ...]:
    """Parse a list of matcher strings."""
    return tuple(Matcher.parse(t) for t in texts)


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """Tell whether every matcher accepts the labels (an empty list accepts everything)."""
    return all(m.matches(labels) for m in matchers)


def finding_labels(finding: Finding) -> dict[str, str]:
    """The labels routing sees: the finding's labels plus rule, severity and SLA state defaults."""
    view = {"rule": finding.rule_id, "severity": finding.severity}
    for key in MATCHABLE_ANNOTATIONS:
        value = finding.annotations.get(key)
        if value:
            view[key] = str(value)
    view.update({k: str(v) for k, v in finding.labels.items() if v is not None})
    return view
