"""A ticket's machine: its linked configuration, a hostname in its text, the caller's only machine, its last user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from syncd.identity import normalize
from syncd.identity.machines import MachineResolution
from syncd.identity.model import Machine, ReviewItem, TicketDevice, ref
from syncd.identity.nodes import Node
from syncd.identity.review import Decisions
from syncd.identity.scoring import score
from syncd.identity.settings import IdentitySettings

Fields = Mapping[str, Any]
STRONG = ("config_link", "hostname_in_text")
WEAK = ("contact_device", "last_user")   # about the caller, not the ticket


class _Leads:
    """Indexes from what a ticket names (config ids, hostnames, its contact) to machines, per company."""

    def __init__(self, machines: MachineResolution, contacts: Mapping[str, Fields], settings: IdentitySettings) -> None:
        self.machines = machines
        self.config_source = f"{settings.psa}.configurations"
        self.hosts: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_contact: dict[str, set[str]] = defaultdict(set)
        self.by_user: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.usernames = {k: normalize.logon_candidates(f, settings.contact_logon_patterns)
                          for k, f in contacts.items()}
        # A contact marked inactive has left the client: the machine they were on is no lead for what
        # they call about now (a terminated user calling is a security matter, not a device ticket).
        self.inactive = {k for k, f in contacts.items() if f.get("active") is False}
        sides = machines.sides
        for node in (*sides.psa, *sides.rmm) if sides else ():
            self._add(node, docs=False)
        for node in sides.docs if sides else ():
            self._add(node, docs=True)

    def _add(self, node: Node, *, docs: bool) -> None:
        machine = self.machines.by_ref[node.ref]
        company = machine.company or node.company
        if company is not None:
            for name in node.names:
                # A docs asset alone is no ticket target when a configuration or device has the name.
                if normalize.is_hostname_like(name) and not (docs and (company, name) in self.hosts):
                    self.hosts[(company, name)].add(machine.key)
            for user in node.users:
                self.by_user[(company, user)].add(machine.key)
        if node.contact:
            self.by_contact[node.contact].add(machine.key)

    def find(self, ticket: Fields, text: str) -> dict[str, set[str]]:
        """Each lead's candidate machine keys (a lead with no candidate is left out)."""
        company = ticket.get("company_id")
        leads: dict[str, set[str]] = {}
        linked = {m.key for cid in _config_ids(ticket)
                  if (m := self.machines.by_ref.get(ref(self.config_source, str(cid))))}
        named = {k for tok in set(normalize.tokens(text)) for k in self.hosts.get((company, tok), ())}
        contact = ticket.get("contact_id")
        if contact in self.inactive:
            contact = None
        own = self.by_contact.get(contact, set()) if contact else set()
        users = self.usernames.get(contact, ()) if contact else ()
        # The contact's PSA configurations outrank the RMM's last-user field when both exist.
        last = {k for user in users for k in self.by_user.get((company, user), ())} if not own else set()
        for lead, found in (("config_link", linked), ("hostname_in_text", named), ("contact_device", own),
                            ("last_user", last)):
            if found:
                leads[lead] = found
        return leads


def _config_ids(ticket: Fields) -> list[Any]:
    custom = ticket.get("custom") or {}
    return list(ticket.get("configuration_ids") or custom.get("configuration_ids") or ())


def _first_notes(notes: Iterable[Fields]) -> dict[str, str]:
    """The earliest note per ticket: ConnectWise serves the initial description as the first note."""
    first: dict[str, tuple[str, str]] = {}
    for f in notes:
        tid, created = str(f.get("ticket_id")), f.get("created") or ""
        if tid not in first or created < first[tid][0]:
            first[tid] = (created, f.get("text") or "")
    return {tid: text for tid, (_, text) in first.items()}


def resolve_tickets(tickets: Mapping[str, Fields], notes: Iterable[Fields], contacts: Mapping[str, Fields], *,
                    machines: MachineResolution, decisions: Decisions,
                    settings: IdentitySettings) -> tuple[dict[str, TicketDevice], list[ReviewItem]]:
    """Each ticket's device (or why none), keyed by ticket key, and the ambiguous ones for review."""
    leads = _Leads(machines, contacts, settings)
    first = _first_notes(notes)
    source = f"{settings.psa}.tickets"
    keyed = {m.key: m for m in machines.machines}
    out: dict[str, TicketDevice] = {}
    review: list[ReviewItem] = []
    for key, f in tickets.items():
        custom = f.get("custom") or {}
        text = "\n".join(str(x) for x in (f.get("summary"), f.get("description") or custom.get("description"),
                                           first.get(key)) if x)
        found = leads.find(f, text)
        category = settings.is_device_category(f.get("type"), f.get("subtype"), f.get("item"))
        if not category:
            weak = {lead: found.pop(lead) for lead in WEAK if lead in found}
            if weak and not found:
                named = {lead: ",".join(sorted(keys)) for lead, keys in weak.items()}
                out[key] = TicketDevice(ref(source, key), None, 0.0, named, reason="not_a_device_category")
                continue
        device = _decide(ref(source, key), found, keyed=keyed, machines=machines, decisions=decisions,
                         settings=settings, review=review)
        out[key] = replace(device, device_category=True) if category else device
    return out, review


def _decide(tref: str, found: dict[str, set[str]], *, keyed: Mapping[str, Machine], machines: MachineResolution,
            decisions: Decisions, settings: IdentitySettings, review: list[ReviewItem]) -> TicketDevice:
    """Apply people's decisions, then the leads: strong leads must agree; weak leads only when no strong one."""
    for d in reversed(decisions.forced_on("ticket", tref)):  # the latest decision on the ticket wins
        other = d.right_ref if d.left_ref == tref else d.left_ref
        if (m := machines.by_ref.get(other) or keyed.get(other)) is not None:
            return TicketDevice(tref, m, 1.0, {d.decision: d.author}, via=d.decision)  # type: ignore[arg-type]
    found = {lead: {k for k in keys if not decisions.is_rejected("ticket", tref, k)} for lead, keys in found.items()}
    found = {lead: keys for lead, keys in found.items() if keys}
    strong = set().union(*(found[lead] for lead in STRONG if lead in found))
    pool = strong or next((found[lead] for lead in ("contact_device", "last_user") if lead in found), set())
    if not pool:
        return TicketDevice(tref, None, 0.0, reason="no_lead")
    if len(pool) > 1:
        for k in sorted(pool):
            ev = {lead: k for lead, keys in found.items() if k in keys}
            sc = score(ev, {}, settings)
            if not decisions.decided("ticket", tref, k):
                review.append(ReviewItem("ticket", tref, k, "ambiguous", sc.confidence, ev, {}))
        named = {lead: ",".join(sorted(keys)) for lead, keys in found.items()}
        return TicketDevice(tref, None, 0.0, named, reason="ambiguous")
    (key,) = pool
    disagreed = {lead: ",".join(sorted(keys)) for lead, keys in found.items() if key not in keys}
    sc = score({lead: key for lead, keys in found.items() if key in keys}, disagreed, settings)
    if sc.confidence < settings.threshold:
        if not decisions.decided("ticket", tref, key):
            review.append(ReviewItem("ticket", tref, key, "low_confidence", sc.confidence, sc.agreed, sc.disagreed))
        return TicketDevice(tref, None, sc.confidence, sc.agreed, sc.disagreed, reason="low_confidence")
    return TicketDevice(tref, keyed[key], sc.confidence, sc.agreed, sc.disagreed)
