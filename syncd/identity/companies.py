"""Link each RMM organization and docs company to its PSA company: ids first, then names, never guessed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from syncd.identity import normalize
from syncd.identity.model import Link, ReviewItem, Score, ref, split_ref
from syncd.identity.review import Decisions
from syncd.identity.scoring import assign, score
from syncd.identity.settings import IdentitySettings

Fields = Mapping[str, Any]


@dataclass
class CompanyResolution:
    """Company links (PSA company on the left), review items, unmatched companies, and each one's group."""

    links: list[Link] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    group: dict[str, str] = field(default_factory=dict)   # company ref -> PSA company id

    def psa_company(self, source: str, key: str | None) -> str | None:
        """The PSA company id a company of any tool belongs to, when known."""
        return None if key is None else self.group.get(ref(source, key))


class _PsaIndex:
    """PSA companies by normalized name, identifier and the ids they keep of another tool."""

    def __init__(self, psa: Mapping[str, Fields], other_kind: str, settings: IdentitySettings) -> None:
        self.ids = psa
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_ident: dict[str, list[str]] = defaultdict(list)
        self.claims: dict[str, list[str]] = defaultdict(list)
        for pid, f in psa.items():
            if name := normalize.company_name(f.get("name")):
                self.by_name[name].append(pid)
            if ident := normalize.identifier(f.get("identifier")):
                self.by_ident[ident].append(pid)
            for key in settings.keys_for(other_kind):
                if other := (f.get("external_ids") or {}).get(key):
                    self.claims[str(other)].append(pid)


def _claimed_psa(fields: Fields, settings: IdentitySettings) -> str | None:
    ids = fields.get("external_ids") or {}
    return next((str(ids[k]) for k in settings.keys_for(settings.psa) if ids.get(k)), None)


def _candidates(xid: str, f: Fields, index: _PsaIndex, settings: IdentitySettings) -> dict[str, Score]:
    """Score every PSA company some key proposes for one RMM/docs company."""
    proposed: dict[str, dict[str, str]] = defaultdict(dict)
    claimed = _claimed_psa(f, settings)
    for pid in [claimed] if claimed in index.ids else []:
        proposed[pid]["explicit_id"] = f"{settings.psa} id {pid}"
    for pid in index.claims.get(xid, []):
        proposed[pid]["explicit_id"] = f"PSA keeps id {xid}"
    if ident := normalize.identifier(f.get("identifier")):
        for pid in index.by_ident.get(ident, []):
            proposed[pid]["identifier"] = ident
    name = normalize.company_name(f.get("name"))
    for pid in index.by_name.get(name, []) if name else []:
        proposed[pid]["name"] = name
    if not proposed and name:
        for pid in _similar_names(name, index):
            proposed[pid]["name_similarity"] = f"{f.get('name')!r} ~ {index.ids[pid].get('name')!r}"
    out = {}
    for pid, agreed in proposed.items():
        disagreed = {}
        if claimed and claimed != pid and claimed in index.ids:
            disagreed["explicit_id"] = f"names {settings.psa} id {claimed}"
        out[pid] = score(agreed, disagreed, settings)
    return out


def _similar_names(name: str, index: _PsaIndex) -> list[str]:
    """PSA companies whose normalized name is close, or abbreviates to this one ("acme den" / "acme dental")."""
    words = name.split()
    found = []
    for other, pids in index.by_name.items():
        theirs = other.split()
        abbreviates = len(words) <= len(theirs) and all(t.startswith(w) for w, t in zip(words, theirs, strict=False))
        if abbreviates or SequenceMatcher(None, name, other).ratio() >= 0.85:
            found += pids
    return found


def _live(records: Mapping[str, Fields]) -> dict[str, Fields]:
    return {k: f for k, f in records.items() if not f.get("deleted")}


def resolve_companies(companies: Mapping[str, Mapping[str, Fields]], decisions: Decisions,
                      settings: IdentitySettings) -> CompanyResolution:
    """Link companies of the RMM and the docs tool to PSA companies; companies maps source -> key -> fields."""
    psa_source = f"{settings.psa}.companies"
    psa = _live(companies.get(psa_source, {}))
    result = CompanyResolution(group={ref(psa_source, pid): pid for pid in psa})
    for kind in (settings.rmm, settings.docs):
        source = f"{kind}.companies"
        others = _live(companies.get(source, {}))
        _resolve_kind(source, others, psa_source, psa, decisions=decisions, settings=settings, result=result)
    return result


def _resolve_kind(source: str, others: Mapping[str, Fields], psa_source: str, psa: Mapping[str, Fields], *,
                  decisions: Decisions, settings: IdentitySettings, result: CompanyResolution) -> None:
    """Resolve one tool's companies against the PSA's, honouring overrides and decisions first."""
    forced = _forced(source, psa_source, others, psa, decisions=decisions, settings=settings)
    taken = {pid for pid, _, _ in forced.values()}
    index = _PsaIndex({p: f for p, f in psa.items() if p not in taken}, source.split(".", maxsplit=1)[0], settings)
    candidates = {}
    for xid, f in others.items():
        left = ref(source, xid)
        if left in forced or settings.company_overrides.get(left) == "":
            continue
        cands = _candidates(xid, f, index, settings)
        candidates[left] = {ref(psa_source, p): sc for p, sc in cands.items()
                            if not decisions.is_rejected("company", left, ref(psa_source, p))}
    done = assign(candidates, settings)
    for left, (pid, via, who) in forced.items():
        result.links.append(Link("company", ref(psa_source, pid), left, 1.0, {via: who}, {}, via))  # type: ignore[arg-type]
        result.group[left] = pid
    for left, right, sc in done.links:
        result.links.append(Link("company", right, left, sc.confidence, sc.agreed, sc.disagreed))
        result.group[left] = split_ref(right)[1]
    for left, right, sc, reason in done.review:
        if not decisions.decided("company", left, right):
            result.review.append(ReviewItem("company", right, left, reason, sc.confidence, sc.agreed, sc.disagreed))
    result.unmatched += sorted(ref(source, x) for x in others if ref(source, x) not in result.group)


def _forced(source: str, psa_source: str, others: Mapping[str, Fields], psa: Mapping[str, Fields], *,
            decisions: Decisions, settings: IdentitySettings) -> dict[str, tuple[str, str, str]]:
    """Other-tool company ref -> (PSA company id, via, who), from decisions, then config overrides."""
    forced: dict[str, tuple[str, str, str]] = {}
    for d in decisions.forced("company"):
        pair = {split_ref(d.left_ref)[0]: d.left_ref, split_ref(d.right_ref)[0]: d.right_ref}
        if source in pair and psa_source in pair and split_ref(pair[source])[1] in others:
            forced[pair[source]] = (split_ref(pair[psa_source])[1], d.decision, d.author)
    for left, right in settings.company_overrides.items():
        if split_ref(left)[0] == source and split_ref(right)[0] == psa_source and split_ref(right)[1] in psa:
            forced[left] = (split_ref(right)[1], "override", "config")
    return forced
