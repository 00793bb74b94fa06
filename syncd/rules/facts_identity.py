"""What syncd knows about a ticket being about a machine, including evidence too weak for a write.

`linked_device` (facts_devices) is the machine identity resolved with confidence: enough to link
it. A finding writes nothing to a vendor, so "this closed ticket was about a device and has no
asset linked" may also rest on weaker knowledge: several candidate machines, a low-confidence
one, or a ticket category the MSP configured as about the caller's machine
(`[identity] device_ticket_categories`). Seed 001: "A ticket without an asset link can't be
reported on cleanly at the QBR".
"""

from __future__ import annotations

from typing import Any

from syncd.rules.context import FactContext, Subject
from syncd.rules.facts import NoArgs, compute_fact, fact

# Reasons for no link that still name candidate machines.
_CANDIDATES = ("ambiguous", "low_confidence")


@fact("device_ticket_lead", result=str | None)
def device_ticket_lead(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """Why the ticket is about a machine, for a person: its name, its candidates, or its device category; else None."""
    identity = ctx.identity
    found = identity.device_for_ticket(ticket.source, ticket.key) if identity is not None else None
    if found is None:
        return None
    if found.machine is not None:
        return compute_fact(ctx, "linked_device_name", ticket) or "the machine identity resolution linked"
    if found.reason in _CANDIDATES:
        names = _candidate_names(identity, getattr(found, "agreed", None) or {})
        return f"one of {', '.join(names)}" if names else f"a machine identity found ({found.reason})"
    if getattr(found, "device_category", False):
        parts = [str(ticket.fields.get(k) or "") for k in ("type", "subtype", "item")]
        return f"the caller's machine ({'/'.join(p for p in parts if p)} is a device ticket category)"
    return None


def _candidate_names(identity: Any, agreed: dict[str, str]) -> list[str]:
    """Names of the candidate machines a lead named ("source:key,source:key" per lead), sorted."""
    names = set()
    for keys in agreed.values():
        for machine_ref in str(keys).split(","):
            source, _, key = machine_ref.partition(":")
            machine = identity.machine_for(source, key) if hasattr(identity, "machine_for") else None
            machine_names = getattr(machine, "names", ()) if machine is not None else ()
            names.add(str(machine_names[0]) if machine_names else machine_ref)
    return sorted(names)


@fact("device_link_problem", result=str | None)
def device_link_problem(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """Why identity linked no machine although the ticket leads to some: "ambiguous" or "low_confidence"; else None."""
    identity = ctx.identity
    found = identity.device_for_ticket(ticket.source, ticket.key) if identity is not None else None
    if found is None or found.machine is not None:
        return None
    return found.reason if found.reason in _CANDIDATES else None
