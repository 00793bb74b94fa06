"""`resolve`: a pure pass over mirrored records (`syncd.identity.store` reads and persists around it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncd.collector import collector_paused
from syncd.identity.companies import CompanyResolution, resolve_companies
from syncd.identity.machines import MachineResolution, resolve_machines
from syncd.identity.model import (
    Link,
    LostLink,
    Machine,
    PreviousLinks,
    ReviewItem,
    Score,
    TicketDevice,
    ref,
    split_ref,
)
from syncd.identity.review import Decisions
from syncd.identity.settings import IdentitySettings
from syncd.identity.tickets import resolve_tickets
from syncd.state.base import MatchDecision

Fields = Mapping[str, Any]


@dataclass(frozen=True)
class IdentityResult:
    """Everything one resolution pass found: links with evidence, machines, tickets' devices, review, lost links."""

    companies: tuple[Link, ...]
    machines: tuple[Machine, ...]
    ticket_devices: Mapping[str, TicketDevice]          # by ticket ref "connectwise.tickets:9"
    review: tuple[ReviewItem, ...]
    lost: tuple[LostLink, ...]
    unmatched: Mapping[str, tuple[str, ...]]            # "company" | "machine" -> record refs
    machine_links: tuple[Link, ...] = ()
    _by_ref: Mapping[str, Machine] = field(default_factory=dict, repr=False)
    _company_group: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def links(self) -> tuple[Link, ...]:
        """Every company and machine link acted on."""
        return self.companies + self.machine_links

    def device_for_ticket(self, source: str, ticket_key: str) -> TicketDevice | None:
        """The ticket's device (with evidence and confidence, or the reason there is none)."""
        return self.ticket_devices.get(ref(source, ticket_key))

    def machine_for(self, source: str, key: str) -> Machine | None:
        """The machine a configuration, device or asset belongs to."""
        return self._by_ref.get(ref(source, key))

    def company_for(self, source: str, key: str) -> str | None:
        """The PSA company id a company of any tool is linked to."""
        return self._company_group.get(ref(source, key))


def _fields(records_by_source: Mapping[str, Iterable[Any]]) -> dict[str, dict[str, Fields]]:
    """{source: {key: fields}}; takes Records or StoredRecords."""
    return {source: {str(r.key): r.fields for r in records} for source, records in records_by_source.items()}


def resolve(records_by_source: Mapping[str, Iterable[Any]], decisions: Sequence[MatchDecision] = (),
            settings: IdentitySettings | None = None, previous: PreviousLinks | None = None) -> IdentityResult:
    """Link companies, machines and tickets' devices; no I/O, deterministic for the same input."""
    with collector_paused():  # half the time of a 50,000-machine pass went to rescanning its objects
        return _resolve(records_by_source, decisions, settings or IdentitySettings(), previous)


def _resolve(records_by_source: Mapping[str, Iterable[Any]], decisions: Sequence[MatchDecision],
             settings: IdentitySettings, previous: PreviousLinks | None) -> IdentityResult:
    data = _fields(records_by_source)
    verdicts = Decisions(decisions)
    companies = resolve_companies(data, verdicts, settings)
    machines = resolve_machines(data, companies, verdicts, settings)
    lost = _compare(previous or PreviousLinks(), data, companies, machines)
    psa = settings.psa
    tickets, ticket_review = resolve_tickets(
        data.get(f"{psa}.tickets", {}), data.get(f"{psa}.notes", {}).values(), data.get(f"{psa}.contacts", {}),
        machines=machines, decisions=verdicts, settings=settings)
    review = tuple(companies.review + machines.review + ticket_review)
    return IdentityResult(
        companies=tuple(companies.links), machines=tuple(machines.machines),
        ticket_devices={ref(f"{psa}.tickets", k): v for k, v in tickets.items()}, review=review,
        lost=tuple(lost), unmatched={"company": tuple(companies.unmatched), "machine": tuple(machines.unmatched)},
        machine_links=tuple(machines.links), _by_ref=machines.by_ref, _company_group=companies.group)


def _compare(previous: PreviousLinks, data: Mapping[str, Mapping[str, Fields]], companies: CompanyResolution,
             machines: MachineResolution) -> list[LostLink]:
    """Links of the previous pass this pass no longer makes: replaced RMM devices are kept as previous,
    the rest are reported (never dropped silently)."""
    scores = {frozenset((i.left, i.right)): Score(i.confidence, i.agreed, i.disagreed)
              for i in (*companies.review, *machines.review)}
    lost: list[LostLink] = []
    for lk in previous.of_kind("company"):
        a, b = companies.group.get(lk.left), companies.group.get(lk.right)
        if a is None or a != b:
            gone = not (_exists(data, lk.left) and _exists(data, lk.right))
            lost.append(LostLink("company", lk.left, lk.right, "record_gone" if gone else "unsupported",
                                 lk.confidence, scores.get(frozenset((lk.left, lk.right)))))
    carried: dict[str, list[str]] = {}
    for lk in previous.of_kind("machine"):
        a, b = machines.by_ref.get(lk.left), machines.by_ref.get(lk.right)
        if a is not None and a is b:
            continue
        kept = a or b
        if (a is None) != (b is None) and kept is not None and _replaced(lk, kept, machines):
            gone = lk.right if a is not None else lk.left
            carried.setdefault(kept.key, []).append(split_ref(gone)[1])
            continue
        reason = "unsupported" if a is not None and b is not None else "record_gone"
        lost.append(LostLink("machine", lk.left, lk.right, reason, lk.confidence,
                             scores.get(frozenset((lk.left, lk.right)))))
    _carry(machines, carried)
    return lost


def _exists(data: Mapping[str, Mapping[str, Fields]], record_ref: str) -> bool:
    source, key = split_ref(record_ref)
    return key in data.get(source, {})


def _replaced(lk: Link, machine: Machine, machines: MachineResolution) -> bool:
    """True when the vanished end was an RMM device and the machine now has a newer one."""
    gone = lk.right if machines.by_ref.get(lk.left) is machine else lk.left
    source, key = split_ref(gone)
    return source.endswith(".devices") and bool(machine.rmm) and key not in machine.rmm


def _carry(machines: MachineResolution, carried: Mapping[str, list[str]]) -> None:
    """Record vanished RMM devices as the previous devices of the machines that replaced them."""
    if not carried:
        return
    updated: dict[int, Machine] = {}
    for i, m in enumerate(machines.machines):
        if m.key in carried:
            new = dataclasses.replace(m, previous_rmm=(*m.previous_rmm, *sorted(set(carried[m.key]))))
            machines.machines[i] = updated.setdefault(id(m), new)
    for r, m in machines.by_ref.items():
        if id(m) in updated:
            machines.by_ref[r] = updated[id(m)]
