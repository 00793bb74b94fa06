"""`resolve_from_store`: read the mirror and the review decisions, resolve, persist this pass's links."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from syncd.identity.model import Link, PreviousLinks
from syncd.identity.resolve import IdentityResult, resolve
from syncd.identity.settings import IdentitySettings
from syncd.state._links import StoredLink

ENTITIES = {"psa": ("companies", "contacts", "configurations", "tickets", "notes"),
            "rmm": ("companies", "devices"), "docs": ("companies", "assets")}


def sources(settings: IdentitySettings) -> list[str]:
    """The mirror streams resolution reads."""
    kinds = {"psa": settings.psa, "rmm": settings.rmm, "docs": settings.docs}
    return [f"{kinds[role]}.{entity}" for role, entities in ENTITIES.items() for entity in entities]


def previous_from_stored(rows: Iterable[Any]) -> PreviousLinks:
    """PreviousLinks from persisted link rows (anything with kind, left_ref, right_ref, confidence, evidence, via)."""
    return PreviousLinks(tuple(
        Link(r.kind, r.left_ref, r.right_ref, r.confidence, dict(r.evidence.get("agreed", {})),
             dict(r.evidence.get("disagreed", {})), r.via) for r in rows))


def load_previous(state: Any) -> PreviousLinks:
    """The links the previous pass stored."""
    return previous_from_stored(state.identity_links())


def save_links(state: Any, result: IdentityResult, at: datetime) -> int:
    """Persist this pass's company and machine links, replacing the previous pass's."""
    rows = [StoredLink(lk.kind, lk.left, lk.right, lk.confidence,
                       {"agreed": dict(lk.agreed), "disagreed": dict(lk.disagreed)}, lk.via, at)
            for lk in result.links]
    return int(state.replace_identity_links(rows, at=at))


def resolve_from_store(state: Any, settings: IdentitySettings | None = None, *,
                       now: Callable[[], datetime] = lambda: datetime.now(UTC), persist: bool = True) -> IdentityResult:
    """Resolve over the mirror with the stored decisions and previous links; store the new links."""
    settings = settings or IdentitySettings()
    records = {source: [sr.record for sr in state.iter_records(source)] for source in sources(settings)}
    result = resolve(records, state.match_decisions(), settings, load_previous(state))
    if persist:
        save_links(state, result, now())
    return result
