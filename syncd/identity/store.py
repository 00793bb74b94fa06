"""`resolve_from_store`: read the mirror and the review decisions, resolve, persist this pass's links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from syncd.identity.model import PreviousLinks
from syncd.identity.resolve import IdentityResult, previous_from_stored, resolve
from syncd.identity.settings import IdentitySettings
from syncd.state._links import StoredLink

ENTITIES = {"psa": ("companies", "contacts", "configurations", "tickets", "notes"),
            "rmm": ("companies", "devices"), "docs": ("companies", "assets")}


def sources(settings: IdentitySettings) -> list[str]:
    """The mirror streams resolution reads."""
    kinds = {"psa": settings.psa, "rmm": settings.rmm, "docs": settings.docs}
    return [f"{kinds[role]}.{entity}" for role, entities in ENTITIES.items() for entity in entities]


def load_previous(state: Any) -> PreviousLinks:
    """The links the previous pass stored."""
    if hasattr(state, "identity_links"):
        return previous_from_stored(state.identity_links())
    # Until the store exposes identity_links()/replace_identity_links(), reach its database directly.
    return previous_from_stored(state.identity_links())


def save_links(state: Any, result: IdentityResult, at: datetime) -> int:
    """Persist this pass's company and machine links, replacing the previous pass's."""
    rows = [StoredLink(lk.kind, lk.left, lk.right, lk.confidence,
                       {"agreed": dict(lk.agreed), "disagreed": dict(lk.disagreed)}, lk.via, at)
            for lk in result.links]
    if hasattr(state, "replace_identity_links"):
        return int(state.replace_identity_links(rows, at=at))
    return state.replace_identity_links(rows, at=at)


def resolve_from_store(state: Any, settings: IdentitySettings | None = None, *,
                       now: Callable[[], datetime] = lambda: datetime.now(UTC), persist: bool = True) -> IdentityResult:
    """Resolve over the mirror with the stored decisions and previous links; store the new links."""
    settings = settings or IdentitySettings()
    records = {source: [sr.record for sr in state.iter_records(source)] for source in sources(settings)}
    result = resolve(records, state.match_decisions(), settings, load_previous(state))
    if persist:
        save_links(state, result, now())
    return result
