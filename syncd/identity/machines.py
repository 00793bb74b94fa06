"""Link a machine's PSA configuration, RMM device(s) and docs asset; conflicts go to review, never to a guess."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.identity.companies import CompanyResolution
from syncd.identity.keys import SideIndex, propose, score_pair, similar
from syncd.identity.model import Link, Machine, ReviewItem, Score, ref, split_ref
from syncd.identity.nodes import DOCS, PSA, RMM, Node, Sides, build_sides
from syncd.identity.review import Decisions
from syncd.identity.scoring import assign
from syncd.identity.settings import IdentitySettings, MachineKey

ORDER = {PSA: 0, RMM: 1, DOCS: 2}
STRONG = ("serial", "explicit_id", "company")


@dataclass
class MachineResolution:
    """Machines (every record belongs to exactly one), the links that built them, review items."""

    machines: list[Machine] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    by_ref: dict[str, Machine] = field(default_factory=dict)
    sides: Sides | None = None


def refs_of(node: Node) -> list[str]:
    """Every record reference a node stands for (an RMM machine: all its devices)."""
    source = split_ref(node.ref)[0]
    return [ref(source, i) for i in node.ids]


class _Groups:
    """Union-find over node refs."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.sizes: dict[str, int] = {}

    def find(self, x: str) -> str:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        self.parent[x] = root
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
            self.sizes[rb] = self.size(ra) + self.size(rb)

    def size(self, x: str) -> int:
        """How many nodes share x's group."""
        return self.sizes.get(self.find(x), 1)


def _pair(a: Node, b: Node, sc: Score, via: str = "auto") -> Link:
    left, right = (a, b) if ORDER[a.side] < ORDER[b.side] else (b, a)
    return Link("machine", left.ref, right.ref, sc.confidence, sc.agreed, sc.disagreed, via)  # type: ignore[arg-type]


class _Matcher:
    """Pairwise matching of two sides, then merging into machines."""

    def __init__(self, sides: Sides, decisions: Decisions, settings: IdentitySettings) -> None:
        self.sides, self.decisions, self.settings = sides, decisions, settings
        self.index = {s: SideIndex(getattr(sides, s), s) for s in (PSA, RMM, DOCS)}
        self.review: list[ReviewItem] = []
        self.forced = self._forced()

    def _forced(self) -> dict[frozenset[str], list[Link]]:
        """Accepted and pinned pairs by side pair; a later decision on the same record replaces an earlier one."""
        out: dict[frozenset[str], dict[str, Link]] = defaultdict(dict)
        for d in self.decisions.forced("machine"):
            a, b = self.sides.by_ref.get(d.left_ref), self.sides.by_ref.get(d.right_ref)
            if a is None or b is None or a.side == b.side:
                continue
            bucket = out[frozenset((a.side, b.side))]
            for stale in [k for k, lk in bucket.items() if {lk.left, lk.right} & {a.ref, b.ref}]:
                del bucket[stale]
            bucket[a.ref + b.ref] = _pair(a, b, Score(1.0, {d.decision: d.author}), d.decision)
        return {k: list(v.values()) for k, v in out.items()}

    def match(self, left: str, right: str) -> list[Link]:
        """Links between two sides: people's decisions, then clear automatic winners."""
        forced = self.forced.get(frozenset((left, right)), [])
        busy = {r for lk in forced for r in (lk.left, lk.right)}
        cands: dict[str, dict[str, Score]] = {}
        nodes: dict[str, Node] = {}
        for a in getattr(self.sides, left):
            if a.ref in busy:
                continue
            scores = {}
            for b in propose(a, self.index[right], self.settings).values():
                if b.ref not in busy and not self._rejected(a, b):
                    scores[b.ref] = score_pair(a, b, self.index[left], self.index[right], self.settings)
                    nodes[b.ref] = b
            cands[a.ref] = scores
            nodes[a.ref] = a
        done = assign(cands, self.settings)
        linked = {r for lf, rt, _ in done.links for r in (lf, rt)} | busy
        for lf, rt, sc, reason in done.review:
            self._queue(nodes[lf], nodes[rt], sc, reason)
        self._similar_names(left, right, cands, linked)
        return forced + [_pair(nodes[lf], nodes[rt], sc) for lf, rt, sc in done.links]

    def _rejected(self, a: Node, b: Node) -> bool:
        return any(self.decisions.is_rejected("machine", x, y) for x in refs_of(a) for y in refs_of(b))

    def _queue(self, a: Node, b: Node, sc: Score, reason: str) -> None:
        lk = _pair(a, b, sc)
        if not any(self.decisions.decided("machine", x, y) for x in refs_of(a) for y in refs_of(b)):
            self.review.append(ReviewItem("machine", lk.left, lk.right, reason, sc.confidence, sc.agreed,
                                          sc.disagreed))

    def _similar_names(self, left: str, right: str, cands: Mapping[str, Mapping[str, Score]], linked: set[str]) -> None:
        """Offer name-alike records of the same company for review when no key proposed anything."""
        if not self.settings.uses(MachineKey.NAME_SIMILARITY):
            return
        open_by_company: dict[str, list[Node]] = defaultdict(list)
        for b in getattr(self.sides, right):
            if b.ref not in linked and b.company is not None:
                open_by_company[b.company].append(b)
        for a in getattr(self.sides, left):
            if a.ref in linked or a.company is None or any(
                    s.confidence >= self.settings.review_floor for s in cands.get(a.ref, {}).values()):
                continue
            for b in open_by_company.get(a.company, ()):
                if similar(a, b, self.settings.name_similarity_min) and not self._rejected(a, b):
                    sc = score_pair(a, b, self.index[left], self.index[right], self.settings)
                    if sc.confidence >= self.settings.review_floor:
                        self._queue(a, b, sc, "low_confidence")


def resolve_machines(records: Mapping[str, Mapping[str, Mapping[str, Any]]], companies: CompanyResolution,
                     decisions: Decisions, settings: IdentitySettings) -> MachineResolution:
    """Build the machine nodes, match PSA-RMM, then docs against both, and merge into machines."""
    sides = build_sides(records, companies, settings)
    matcher = _Matcher(sides, decisions, settings)
    core = matcher.match(PSA, RMM)
    docs_links = matcher.match(DOCS, PSA) + matcher.match(DOCS, RMM)
    groups = _Groups()
    for lk in core:
        groups.union(lk.left, lk.right)
    links = core + _merge_docs(docs_links, groups, matcher)
    return _machines(sides, groups, links, matcher.review)


def _merge_docs(docs_links: list[Link], groups: _Groups, matcher: _Matcher) -> list[Link]:
    """Attach each asset to the machine its links agree on; an asset pulling two machines together is a conflict."""
    by_asset: dict[str, list[Link]] = defaultdict(list)
    for lk in docs_links:
        by_asset[lk.right].append(lk)
    kept: list[Link] = []
    owner: dict[str, list[str]] = defaultdict(list)
    for asset, lks in sorted(by_asset.items()):
        roots = {groups.find(lk.left) for lk in lks}
        if len(roots) > 1 and not _bridge(lks, groups, matcher, kept):
            _send_back(lks, "conflict", matcher)
            continue
        kept += lks
        owner[groups.find(lks[0].left)].append(asset)
    final = []
    for lk in kept:
        assets = owner[groups.find(lk.left)]
        if len(assets) > 1 and lk.via == "auto":
            _send_back([lk], "ambiguous", matcher)
            continue
        groups.union(lk.left, lk.right)
        final.append(lk)
    return final


def _bridge(lks: list[Link], groups: _Groups, matcher: _Matcher, kept: list[Link]) -> bool:
    """An asset naming an unlinked configuration and an unlinked device joins them, unless they contradict."""
    by_ref = matcher.sides.by_ref
    ends = [by_ref[lk.left] for lk in lks]
    if len(ends) != 2 or {n.side for n in ends} != {PSA, RMM}:
        return False
    if any(groups.size(n.ref) > 1 for n in ends):
        return False
    psa, rmm = sorted(ends, key=lambda n: ORDER[n.side])
    direct = score_pair(psa, rmm, matcher.index[PSA], matcher.index[RMM], matcher.settings)
    if any(k in direct.disagreed for k in STRONG):
        return False
    agreed = {"docs_asset": lks[0].right, **direct.agreed}
    kept.append(Link("machine", psa.ref, rmm.ref, min(lk.confidence for lk in lks), agreed, direct.disagreed))
    groups.union(psa.ref, rmm.ref)
    return True


def _send_back(lks: list[Link], reason: str, matcher: _Matcher) -> None:
    for lk in lks:
        if lk.via == "auto":
            matcher.review.append(ReviewItem("machine", lk.left, lk.right, reason, lk.confidence, lk.agreed,
                                             lk.disagreed))


def _machines(sides: Sides, groups: _Groups, links: list[Link], review: list[ReviewItem]) -> MachineResolution:
    """One Machine per group of nodes; lone records are machines known to one tool."""
    members: dict[str, list[Node]] = defaultdict(list)
    for n in (*sides.psa, *sides.rmm, *sides.docs):
        members[groups.find(n.ref)].append(n)
    link_of: dict[str, list[Link]] = defaultdict(list)
    for lk in links:
        link_of[groups.find(lk.left)].append(lk)
    result = MachineResolution(links=links, review=review, sides=sides)
    for root, nodes in members.items():
        machine = _machine(nodes, tuple(link_of.get(root, ())))
        result.machines.append(machine)
        if len(nodes) == 1:
            result.unmatched.append(nodes[0].ref)
        for n in nodes:
            result.by_ref.update(dict.fromkeys(refs_of(n), machine))
    return result


def _machine(nodes: list[Node], links: tuple[Link, ...]) -> Machine:
    by_side = {n.side: n for n in nodes}
    psa, rmm, docs = by_side.get(PSA), by_side.get(RMM), by_side.get(DOCS)
    key = (psa or rmm or docs).ref  # type: ignore[union-attr]
    company = next((n.company for n in (psa, rmm, docs) if n is not None and n.company), None)
    names = tuple(dict.fromkeys(n.display for n in nodes if n.display))
    return Machine(key, company, psa.ids[0] if psa else None, rmm.ids if rmm else (),
                   rmm.ids[1:] if rmm else (), docs.ids[0] if docs else None, names, links)
