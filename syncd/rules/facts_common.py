"""Helpers the fact modules share: symptom tokens, company mapping across tools, per-pass indexes by id.

Nothing here registers a fact. Every index is built once per pass through `ctx.cached`, so a fact
evaluated on 200,000 tickets does dictionary lookups, never a scan of the mirror per ticket.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from syncd.clock import as_datetime
from syncd.rules.context import FactContext, Subject

# Words that say nothing about a symptom: English function words and service-desk filler.
_STOP_TEXT = """
a about after again all also am an and any are as at be been before being but by can cannot cant could did do
does doesnt dont down each for from get gets getting had has have having he her his how i if in into is isnt it
its just keeps keep me my no not now of off on once one only or our out over please re same she should since so
some still than that the their them then there these they this to too up us very was we were what when where
which while who why will with wont would you your
issue issues problem problems error errors ticket request help need needs user users urgent asap again today
working work works not-working anymore since
new next last week weeks day days today yesterday tomorrow morning afternoon tonight time times
monday tuesday wednesday thursday friday saturday sunday
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[a-z][a-z0-9'+.#-]*[a-z0-9+#]|[a-z]")
# Hostnames and ids are specific to one machine, not to a symptom: DESKTOP-4F2K, ACME-PC01, srv01.
_HOSTLIKE = re.compile(r"^(?=.*\d)[a-z0-9]+(?:[-_.][a-z0-9]+)+$|^[a-z]+\d+[a-z0-9]*$|^\d")


@lru_cache(maxsize=1 << 16)
def tokens(text: str | None) -> frozenset[str]:
    """Significant symptom words: lowercased, numbers, hostnames and stop words removed, simple plurals folded."""
    out = set()
    for raw in _WORD.findall((text or "").lower()):
        word = raw.strip("'.-")
        if len(word) < 2 or word in STOPWORDS or _HOSTLIKE.search(word):
            continue
        out.add(stem(word))
    return frozenset(out)


def stem(word: str) -> str:
    """A light plural/verb folding so "crashes", "crashing" and "crash" meet."""
    for suffix, keep in (("ing", 4), ("es", 4), ("ed", 4), ("s", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def by_id(ctx: FactContext, entity: str) -> Mapping[str, Subject]:
    """Records of an entity by key, across tools (RMM device ids are unique within the one RMM)."""
    return ctx.cached(("by-id", entity), lambda: {r.key: r for r in ctx.view.records(entity)})


def psa_company(ctx: FactContext, kind: str, company_id: Any, psa_kind: str) -> str | None:
    """The PSA company id of a company of any tool: itself in the PSA, else identity's link, else external ids."""
    if company_id is None:
        return None
    if kind == psa_kind:
        return str(company_id)
    linker = getattr(ctx.identity, "company_for", None)
    if callable(linker) and (linked := linker(f"{kind}.companies", str(company_id))):
        return str(linked)
    record = _company_record(ctx, kind, str(company_id))
    external = (record.fields.get("external_ids") or {}) if record is not None else {}
    value = external.get(psa_kind)
    return str(value) if value else None


def _company_record(ctx: FactContext, kind: str, key: str) -> Subject | None:
    found = ctx.index("companies", "id").get((kind, key), [])
    return found[0] if found else None


def done_at(ticket: Subject) -> datetime | None:
    """When a resolved/closed ticket was resolved or closed (its last update when the PSA gives no time)."""
    fields = ticket.fields
    if fields.get("status_class") not in ("resolved", "closed") and not fields.get("is_closed"):
        return None
    return (as_datetime(fields.get("resolved")) or as_datetime(fields.get("closed"))
            or as_datetime(fields.get("updated")))
