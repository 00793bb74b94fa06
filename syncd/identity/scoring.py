"""Confidence from agreeing and disagreeing keys, and the never-guess one-to-one assignment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from syncd.identity.model import Score
from syncd.identity.settings import IdentitySettings

Candidates = Mapping[str, Mapping[str, Score]]   # left ref -> right ref -> score


def score(agreed: Mapping[str, str], disagreed: Mapping[str, str], settings: IdentitySettings) -> Score:
    """Combine evidence: agreeing keys as 1 - prod(1 - weight), minus the penalty of each disagreeing key."""
    miss = 1.0
    for key in agreed:
        miss *= 1.0 - settings.weight(key)
    confidence = 1.0 - miss - sum(settings.penalty(key) for key in disagreed)
    return Score(round(max(0.0, min(1.0, confidence)), 4), dict(agreed), dict(disagreed))


@dataclass(frozen=True, slots=True)
class Assignment:
    """Pairs safe to link, and the pairs a person must look at (with why)."""

    links: list[tuple[str, str, Score]]
    review: list[tuple[str, str, Score, str]]


def _ranked(cands: Mapping[str, Score]) -> list[tuple[str, Score]]:
    return sorted(cands.items(), key=lambda kv: (-kv[1].confidence, kv[0]))


def _clear_winner(ranked: list[tuple[str, Score]], settings: IdentitySettings) -> bool:
    """True when the best candidate is confident and no rival is even plausible."""
    if not ranked or ranked[0][1].confidence < settings.threshold:
        return False
    return len(ranked) == 1 or ranked[1][1].confidence < settings.ambiguity_floor


def assign(candidates: Candidates, settings: IdentitySettings) -> Assignment:
    """Link a left and a right record only when each is the other's clear winner; list the rest for review."""
    reverse: dict[str, dict[str, Score]] = defaultdict(dict)
    for left, cands in candidates.items():
        for right, sc in cands.items():
            reverse[right][left] = sc
    links = []
    for left in sorted(candidates):
        ranked = _ranked(candidates[left])
        if not ranked:
            continue
        right, best = ranked[0]
        back = _ranked(reverse[right])
        if _clear_winner(ranked, settings) and _clear_winner(back, settings) and back[0][0] == left:
            links.append((left, right, best))
    taken = {right for _, right, _ in links} | {left for left, _, _ in links}
    return Assignment(links, _review(candidates, reverse, taken, settings))


def _review(candidates: Candidates, reverse: Mapping[str, Mapping[str, Score]], taken: set[str],
            settings: IdentitySettings) -> list[tuple[str, str, Score, str]]:
    """Candidates of records left unlinked; a record already linked to a clear winner is not offered again."""
    review = []
    for left in sorted(candidates):
        if left in taken:
            continue
        ranked = [(r, sc) for r, sc in _ranked(candidates[left]) if r not in taken]
        plausible = [(r, sc) for r, sc in ranked if sc.confidence >= settings.ambiguity_floor]
        for right, sc in ranked:
            if sc.confidence < settings.review_floor:
                continue
            rivals = len(plausible) > 1 or sum(
                1 for other in reverse[right].values() if other.confidence >= settings.ambiguity_floor) > 1
            reason = "ambiguous" if rivals else "low_confidence"
            review.append((left, right, sc, reason))
    return review
