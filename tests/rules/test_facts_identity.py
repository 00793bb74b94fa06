"""`device_ticket_lead` and the symptom groups: what the rule test cases (stub identity, no notes) cannot reach."""

from __future__ import annotations

from datetime import timedelta

from syncd.identity import IdentitySettings, resolve
from syncd.rules.context import FactContext, MirrorView, StaticIdentity, StubMachine, StubTicketDevice, stored
from syncd.rules.facts import compute_fact
from syncd.rules.facts_symptoms import RecurrenceArgs, symptom_recurrence_reached
from tests.identity.build import World
from tests.rules.conftest import T0, note, ticket


def _ctx(*records, identity=None) -> FactContext:
    return FactContext(now=T0, view=MirrorView.from_records(list(records), identity=identity))


def test_device_ticket_lead_names_the_machine_the_candidates_or_the_category() -> None:
    # Arrange: one ticket names a host, one names two, one only has a device category, one nothing.
    w = World()
    w.company("250", "Acme Dental")
    w.config("7001", "250", "ACME-WS-001", serial="5CG111AAA")
    w.config("7002", "250", "ACME-WS-002", serial="5CG222BBB")
    w.ticket("1", "250", "ACME-WS-001 blue screens")
    w.ticket("2", "250", "ACME-WS-001 and ACME-WS-002 are slow")
    w.ticket("3", "250", "My computer is slow")
    w.ticket("4", "250", "Password reset", type_="Service Request")
    identity = resolve(w.records, (), IdentitySettings(device_ticket_categories=["Incident"]))
    tickets = [stored(ticket(k, type="Incident" if k != "4" else "Service Request", subtype="Hardware"))
               for k in "1234"]
    ctx = _ctx(*tickets, identity=identity)
    # Act
    leads = [compute_fact(ctx, "device_ticket_lead", t) for t in tickets]
    # Assert
    assert leads[0] == "ACME-WS-001"
    assert leads[1] == "one of ACME-WS-001, ACME-WS-002"
    assert leads[2] == "the caller's machine (Incident/Hardware is a device ticket category)"
    assert leads[3] is None


def test_device_ticket_lead_with_a_stub_identity() -> None:
    t1, t2, t3 = stored(ticket("7")), stored(ticket("8")), stored(ticket("9"))
    identity = StaticIdentity({"connectwise.tickets:7": StubTicketDevice(StubMachine("812", "d1")),
                               "connectwise.tickets:8": StubTicketDevice(None, "low_confidence"),
                               "connectwise.tickets:9": StubTicketDevice(None, "no_lead")})
    ctx = _ctx(t1, t2, t3, identity=identity)
    assert compute_fact(ctx, "device_ticket_lead", t1) == "the machine identity resolution linked"
    assert compute_fact(ctx, "device_ticket_lead", t2) == "a machine identity found (low_confidence)"
    assert compute_fact(ctx, "device_ticket_lead", t3) is None


def _reported(key: str, days_ago: int, summary: str, words: str) -> list:
    created = T0 - timedelta(days=days_ago)
    return [stored(ticket(key, summary=summary, subtype="Hardware", item="Workstation", created=created)),
            stored(note(f"n{key}", key, f"{words}\n\nReported by Pat via phone.", created=created))]


def test_one_classification_holds_two_symptoms_told_apart_by_what_the_callers_say() -> None:
    # Arrange: blue screens and slow PCs share Hardware/Workstation; three of each within 30 days.
    bsod = "My computer crashed with a blue screen twice this morning."
    slow = "Since the updates this week the computer is really slow, takes forever to open anything."
    records = [*_reported("1", 20, "Blue screen on startup", bsod),
               *_reported("2", 19, "PC very slow since updates", slow),
               *_reported("3", 12, "BSOD - DRIVER_IRQL_NOT_LESS_OR_EQUAL", bsod),
               *_reported("4", 10, "Laptop takes 10 min to boot", slow),
               *_reported("5", 5, "Computer keeps blue screening", bsod),
               *_reported("6", 2, "Everything is slow since Wednesday", slow)]
    ctx = _ctx(*records)
    tickets = {r.key: r for r in records if r.source == "connectwise.tickets"}
    # Act
    reached = {k for k, t in tickets.items() if symptom_recurrence_reached(t, ctx, RecurrenceArgs())}
    # Assert: the third of each symptom, not the third of the classification (ticket 3).
    assert reached == {"5", "6"}
    assert compute_fact(ctx, "symptom_recent_tickets", tickets["5"]) == "#1, #3, #5"
