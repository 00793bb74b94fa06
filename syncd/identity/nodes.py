"""Machine records as comparable nodes: a PSA configuration, an RMM machine (re-images merged), a docs asset."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.identity import normalize
from syncd.identity.companies import CompanyResolution
from syncd.identity.model import ref
from syncd.identity.settings import IdentitySettings

Fields = Mapping[str, Any]
PSA, RMM, DOCS = "psa", "rmm", "docs"


@dataclass(slots=True)
class Node:
    """What one tool says about one machine, in normal form."""

    ref: str                                   # source:key (an RMM machine: its newest device)
    side: str                                  # psa | rmm | docs
    ids: tuple[str, ...]                       # record keys (RMM: newest device first)
    company: str | None                        # PSA company id, when the company is linked
    names: frozenset[str]                      # normalized hostnames / names
    display: str
    serial: str | None = None
    macs: frozenset[str] = frozenset()
    claims: dict[str, frozenset[str]] = field(default_factory=dict)   # side -> ids it names there
    contact: str | None = None
    users: frozenset[str] = frozenset()
    notes: dict[str, str] = field(default_factory=dict)               # e.g. {"serial": "junk 'Default string'"}


@dataclass(slots=True)
class Sides:
    """Every machine node by side, plus a lookup from any record ref to its node."""

    psa: list[Node]
    rmm: list[Node]
    docs: list[Node]
    by_ref: dict[str, Node]


def _claims(fields: Fields, settings: IdentitySettings, sides: Mapping[str, str]) -> dict[str, frozenset[str]]:
    ids = fields.get("external_ids") or {}
    out = {}
    for side, kind in sides.items():
        found = frozenset(str(ids[k]) for k in settings.keys_for(kind) if ids.get(k))
        if found:
            out[side] = found
    return out


def _serial_and_macs(node: Node, raw_serial: str | None, raw_macs: Iterable[str], known: set[str],
                     junk: frozenset[str]) -> None:
    """Fill serial and MACs; a MAC typed into the serial field becomes a MAC, never a serial."""
    macs = {m for m in (normalize.mac(x) for x in raw_macs) if m}
    as_mac = normalize.looks_like_mac(raw_serial, known)
    if as_mac:
        macs.add(as_mac)
        node.notes["serial"] = f"MAC in serial field {raw_serial!r}"
    else:
        node.serial = normalize.serial(raw_serial, junk)
        if node.serial is None and raw_serial is not None:
            node.notes["serial"] = f"junk {raw_serial!r}"
    node.macs = frozenset(macs)


def _live(records: Mapping[str, Fields]) -> dict[str, Fields]:
    return {k: f for k, f in records.items()
            if f.get("active", True) and not f.get("deleted") and not f.get("archived")}


def build_sides(records: Mapping[str, Mapping[str, Fields]], companies: CompanyResolution,
                settings: IdentitySettings) -> Sides:
    """Nodes of the three tools with junk serials, shared serials and shared MACs taken out."""
    psa_src, rmm_src, docs_src = (f"{settings.psa}.configurations", f"{settings.rmm}.devices",
                                  f"{settings.docs}.assets")
    configs, devices, assets = (_live(records.get(s, {})) for s in (psa_src, rmm_src, docs_src))
    known = {m for rs in (configs, devices) for f in rs.values()
             for m in (normalize.mac(x) for x in f.get("mac_addresses") or ()) if m}
    junk = normalize.junk_set(settings.junk_serials)
    common = {"companies": companies, "settings": settings, "known": known, "junk": junk}
    psa = [_config(psa_src, k, f, **common) for k, f in sorted(configs.items())]
    rmm = _rmm_machines(rmm_src, devices, **common)
    docs = [_asset(docs_src, k, f, **common) for k, f in sorted(assets.items())]
    _drop_shared(psa, rmm, docs, settings)
    by_ref = {n.ref: n for n in (*psa, *docs)}
    for n in rmm:
        by_ref.update({ref(rmm_src, i): n for i in n.ids})
    return Sides(psa, rmm, docs, by_ref)


def _config(source: str, key: str, f: Fields, *, companies: CompanyResolution, settings: IdentitySettings,
            known: set[str], junk: frozenset[str]) -> Node:
    company = companies.psa_company(f"{settings.psa}.companies", f.get("company_id"))
    node = Node(ref(source, key), PSA, (key,), company, frozenset({normalize.hostname(f.get("name"))}) - {""},
                f.get("name") or "", claims=_claims(f, settings, {RMM: settings.rmm, DOCS: settings.docs}),
                contact=f.get("contact_id"), users=frozenset({normalize.username(f.get("last_user"))}) - {""})
    _serial_and_macs(node, f.get("serial"), f.get("mac_addresses") or (), known, junk)
    return node


def _asset(source: str, key: str, f: Fields, *, companies: CompanyResolution, settings: IdentitySettings,
           known: set[str], junk: frozenset[str]) -> Node:
    company = companies.psa_company(f"{settings.docs}.companies", f.get("company_id"))
    node = Node(ref(source, key), DOCS, (key,), company, frozenset({normalize.hostname(f.get("name"))}) - {""},
                f.get("name") or "", claims=_claims(f, settings, {PSA: settings.psa, RMM: settings.rmm}))
    _serial_and_macs(node, f.get("serial"), f.get("mac_addresses") or (), known, junk)
    return node


def _newest_first(item: tuple[str, Fields]) -> tuple[str, str, int, str]:
    key, f = item
    # ISO-8601 UTC strings order as times; numeric ids break ties the way vendors allocate them.
    return (f.get("last_seen") or "", f.get("updated") or "", int(key) if key.isdigit() else 0, key)


def _rmm_machines(source: str, devices: Mapping[str, Fields], *, companies: CompanyResolution,
                  settings: IdentitySettings, known: set[str], junk: frozenset[str]) -> list[Node]:
    """One node per RMM machine: devices of one organization with the same hostname and a shared
    serial or MAC are one re-imaged machine (the agent was reinstalled and got a new id)."""
    buckets: dict[tuple[Any, str], list[tuple[str, Fields]]] = defaultdict(list)
    for key, f in devices.items():
        buckets[(f.get("organization_id"), normalize.hostname(f.get("hostname")))].append((key, f))
    nodes = []
    for (_, host), members in sorted(buckets.items(), key=lambda kv: str(kv[0])):
        for cluster in _clusters(members, junk):
            cluster.sort(key=_newest_first, reverse=True)
            nodes.append(_device_node(source, host, cluster, companies=companies, settings=settings, known=known,
                                      junk=junk))
    return nodes


def _clusters(members: list[tuple[str, Fields]], junk: frozenset[str]) -> list[list[tuple[str, Fields]]]:
    """Split same-hostname devices into groups linked by a clean serial or a MAC."""
    groups: list[tuple[set[str], list[tuple[str, Fields]]]] = []
    for key, f in sorted(members):
        marks = {m for m in (normalize.mac(x) for x in f.get("mac_addresses") or ()) if m}
        if s := normalize.serial(f.get("serial"), junk):
            marks.add("serial:" + s)
        joined = [g for g in groups if g[0] & marks]
        merged_marks, merged = set(marks), [(key, f)]
        for g in joined:
            merged_marks |= g[0]
            merged += g[1]
            groups.remove(g)
        groups.append((merged_marks, merged))
    return [g[1] for g in groups]


def _device_node(source: str, host: str, cluster: list[tuple[str, Fields]], *, companies: CompanyResolution,
                 settings: IdentitySettings, known: set[str], junk: frozenset[str]) -> Node:
    key, f = cluster[0]
    company = companies.psa_company(f"{settings.rmm}.companies", f.get("organization_id"))
    users = frozenset({normalize.username(g.get("last_user")) for _, g in cluster}) - {""}
    node = Node(ref(source, key), RMM, tuple(k for k, _ in cluster), company, frozenset({host}) - {""},
                f.get("hostname") or "", users=users)
    macs = [m for _, g in cluster for m in g.get("mac_addresses") or ()]
    _serial_and_macs(node, f.get("serial"), macs, known, junk)
    return node


def _drop_shared(psa: list[Node], rmm: list[Node], docs: list[Node], settings: IdentitySettings) -> None:
    """Take out serials seen on two machines of one side (cloned VMs) and shared or virtual MACs."""
    bad_serials: set[str] = set()
    bad_macs: set[str] = set()
    for side in (psa, rmm, docs):
        serials = Counter(n.serial for n in side if n.serial)
        bad_serials |= {s for s, c in serials.items() if c > 1}
        macs = Counter(m for n in side for m in n.macs)
        bad_macs |= {m for m, c in macs.items() if c > settings.mac_share_limit}
    virtual = normalize.mac_prefixes(settings.ignore_mac_prefixes)
    for n in (*psa, *rmm, *docs):
        if n.serial in bad_serials:
            n.notes["serial"] = f"shared serial {n.serial}"
            n.serial = None
        usable = {m for m in n.macs
                  if m not in bad_macs and normalize.is_usable_mac(m, virtual)}
        if usable != n.macs:
            n.notes["mac"] = f"ignored {len(n.macs - usable)} shared or virtual MAC(s)"
            n.macs = frozenset(usable)
