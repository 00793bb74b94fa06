"""The review queue's side of resolution: people's decisions, and queue rows for `syncd matches`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from syncd.identity.model import LostLink, ReviewItem
from syncd.state.base import MatchDecision


class Decisions:
    """People's verdicts on candidate pairs, looked up in either order; the latest decision on a pair wins."""

    def __init__(self, decisions: Sequence[MatchDecision] = ()) -> None:
        self._by_pair: dict[tuple[str, frozenset[str]], MatchDecision] = {}
        for d in sorted(decisions, key=lambda d: d.decided_at):
            self._by_pair[(d.kind, frozenset((d.left_ref, d.right_ref)))] = d
        self._forced_by_ref: dict[str, dict[str, list[MatchDecision]]] = {}

    def get(self, kind: str, a: str, b: str) -> MatchDecision | None:
        """The decision on a pair, whichever way round it was made."""
        return self._by_pair.get((kind, frozenset((a, b))))

    def is_rejected(self, kind: str, a: str, b: str) -> bool:
        """True when a person said these two are not the same."""
        d = self.get(kind, a, b)
        return d is not None and d.decision == "reject"

    def forced(self, kind: str) -> list[MatchDecision]:
        """Accepted and pinned pairs of one kind, oldest first (a later one on the same record wins)."""
        found = [d for (k, _), d in self._by_pair.items() if k == kind and d.decision != "reject"]
        return sorted(found, key=lambda d: d.decided_at)

    def forced_on(self, kind: str, record: str) -> list[MatchDecision]:
        """The accepted and pinned pairs of one kind that name `record`, oldest first (as in `forced`)."""
        # Indexed once per kind: ticket resolution asks for every ticket, and scanning all decisions
        # each time made a pass cost tickets x decisions.
        index = self._forced_by_ref.get(kind)
        if index is None:
            index = self._forced_by_ref[kind] = defaultdict(list)
            for d in self.forced(kind):
                for end in dict.fromkeys((d.left_ref, d.right_ref)):
                    index[end].append(d)
        return index.get(record, [])

    def decided(self, kind: str, a: str, b: str) -> bool:
        """True when any decision exists on the pair (it is then never queued again)."""
        return self.get(kind, a, b) is not None


def queue_rows(items: Iterable[ReviewItem], lost: Iterable[LostLink] = (),
               kind: str | None = None) -> list[dict[str, Any]]:
    """Review items (and lost links) as plain rows for `syncd matches list`, weakest first per kind."""
    rows = [{"kind": i.kind, "left": i.left, "right": i.right, "reason": i.reason, "confidence": i.confidence,
             "agreed": dict(i.agreed), "disagreed": dict(i.disagreed)} for i in items]
    rows += [{"kind": lk.kind, "left": lk.left, "right": lk.right, "reason": f"lost:{lk.reason}",
              "confidence": lk.now.confidence if lk.now else 0.0,
              "agreed": dict(lk.now.agreed) if lk.now else {},
              "disagreed": dict(lk.now.disagreed) if lk.now else {}} for lk in lost]
    rows = [r for r in rows if kind is None or r["kind"] == kind]
    return sorted(rows, key=lambda r: (r["kind"], r["left"], -r["confidence"], r["right"]))


def format_row(row: dict[str, Any]) -> str:
    """One queue row as a line of text: kind, pair, reason, confidence and the evidence."""
    agreed = ", ".join(f"{k}={v}" for k, v in row["agreed"].items()) or "-"
    disagreed = ", ".join(f"{k}={v}" for k, v in row["disagreed"].items()) or "-"
    return (f"{row['kind']:<8} {row['left']} <-> {row['right']}  {row['reason']} {row['confidence']:.2f}"
            f"  agreed: {agreed}  disagreed: {disagreed}")
