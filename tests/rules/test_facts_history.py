"""Facts over history, symptoms and devices: the fallbacks and edge cases the rule test cases cannot reach."""

from __future__ import annotations

from datetime import timedelta

from syncd.records import Record
from syncd.rules.context import FactContext, MirrorView, StaticIdentity, StubMachine, StubTicketDevice, stored
from syncd.rules.facts import compute_fact
from syncd.rules.facts_common import tokens
from syncd.rules.facts_history import HandoffArgs, ReopenArgs, keyword_hits, times_reopened
from syncd.rules.facts_symptoms import symptom_key
from tests.rules.conftest import T0, note, ticket


def _ctx(*records, identity=None) -> FactContext:
    return FactContext(now=T0, view=MirrorView.from_records(list(records), identity=identity))


def test_times_reopened_falls_back_to_the_mirrors_previous_status() -> None:
    # Arrange: no audit trail; the last poll saw the ticket go from closed to in progress
    reopened = stored(ticket("1", status_class="in_progress"), previous={"status_class": "closed"})
    untouched = stored(ticket("2", status_class="in_progress"), previous={"status_class": "new"})
    ctx = _ctx(reopened, untouched)
    # Act / Assert
    assert times_reopened(reopened, ctx, ReopenArgs()) == 1
    assert times_reopened(untouched, ctx, ReopenArgs()) == 0


def test_times_reopened_counts_status_changes_when_no_reopened_event_exists() -> None:
    # Arrange
    t = stored(ticket("3", status_class="in_progress"))
    events = [stored(Record("connectwise.ticket_events", f"e{i}", T0, {
        "ticket_id": "3", "kind": "status_changed", "at": (T0 - timedelta(days=d)).isoformat(), "old": old,
        "new": new})) for i, (d, old, new) in enumerate([(5, "New", "Closed"), (4, "Closed", "In Progress"),
                                                         (3, "In Progress", "Resolved"), (1, "Resolved", "New")])]
    ctx = _ctx(t, *events)
    # Act / Assert
    assert times_reopened(t, ctx, ReopenArgs()) == 2
    assert times_reopened(t, ctx, ReopenArgs(within=timedelta(days=2))) == 1


def test_handoff_keywords_are_whole_words_and_configurable() -> None:
    assert keyword_hits("Summary: x. Next steps: y.", HandoffArgs().keywords) == 2
    assert keyword_hits("summarynext", ("summary",)) == 0
    assert keyword_hits("Übergabe an Max. Nächste Schritte: Firewall", ("übergabe", "nächste schritte")) == 2


def test_handoff_note_before_the_change_by_the_previous_owner_counts() -> None:
    # Arrange
    t = stored(ticket("4", owner="bob"))
    change = stored(Record("connectwise.ticket_events", "e1", T0, {
        "ticket_id": "4", "kind": "owner_changed", "at": (T0 - timedelta(days=2)).isoformat(), "old": "alice",
        "new": "bob"}))
    handoff = note("n1", "4", "Handoff. Summary: VPN. Steps taken: reset. Next steps: firewall.",
                   created=T0 - timedelta(days=2, minutes=5))
    handoff = stored(Record(handoff.source, handoff.key, handoff.updated_at, {**handoff.fields, "author": "Alice"}))
    # Act
    with_note = compute_fact(_ctx(t, change, handoff), "owner_changed_without_handoff", t)
    without = compute_fact(_ctx(t, change), "owner_changed_without_handoff", t)
    # Assert
    assert (with_note, without) == (False, True)


def test_symptom_tokens_drop_numbers_hostnames_and_stopwords() -> None:
    assert tokens("DESKTOP-4F2K - Outlook keeps crashing since KB5034441 (3 users)") == {"outlook", "crash"}
    assert tokens("Disk space low on C: - ACME-SRV01") == {"disk", "space", "low"}


def test_symptom_key_prefers_the_classification_then_the_summary_words() -> None:
    classified = stored(ticket("5", subtype="Email", item="Outlook", summary="Outlook crashes"))
    bare = stored(ticket("6", summary="Outlook crashing on PC-0042"))
    assert symptom_key(classified) == "class:email/outlook"
    assert symptom_key(bare) == "words:crash outlook"
    assert symptom_key(classified, "summary") == "words:crash outlook"


def test_linked_device_only_for_a_confident_machine_and_names_it() -> None:
    # Arrange
    t1, t2 = stored(ticket("7")), stored(ticket("8"))
    device = stored(Record("ninjaone.devices", "d1", T0, {"organization_id": "o1", "hostname": "ACME-PC01"}))
    identity = StaticIdentity({"connectwise.tickets:7": StubTicketDevice(StubMachine("812", "d1")),
                               "connectwise.tickets:8": StubTicketDevice(None, "low_confidence")})
    ctx = _ctx(t1, t2, device, identity=identity)
    # Act / Assert
    assert compute_fact(ctx, "linked_device", t1)["name"] == "ACME-PC01"
    assert compute_fact(ctx, "linked_device", t2) is None
