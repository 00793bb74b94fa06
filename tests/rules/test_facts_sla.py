"""SLA facts and the mirror adapter's pauses from status history."""

from __future__ import annotations

from datetime import timedelta

from syncd.records import Record
from syncd.rules.context import FactContext, MirrorView, stored
from syncd.rules.facts import compute_fact
from syncd.rules.facts_sla import ClockArgs
from syncd.sla.adapter import EventPauses, guess_status_class, status_classifier
from syncd.sla.clock import Pause
from syncd.vocabulary import StatusClass
from tests.rules.conftest import T0, ticket


def _event(key: str, ticket_id: str, ago: timedelta, old: str, new: str) -> object:
    return stored(Record("connectwise.ticket_events", key, T0, {
        "ticket_id": ticket_id, "kind": "status_changed", "at": (T0 - ago).isoformat(), "old": old, "new": new}))


def test_status_names_take_the_boards_class_before_a_guess() -> None:
    board = stored(Record("connectwise.boards", "1", T0, {"name": "SD", "statuses": [
        {"name": "Parked", "status_class": "waiting_customer"}]}))
    class_of = status_classifier([board])
    assert class_of("parked") is StatusClass.WAITING_CUSTOMER
    assert class_of("Waiting on Client") is StatusClass.WAITING_CUSTOMER
    assert guess_status_class("Completed") is StatusClass.CLOSED
    assert guess_status_class("Working") is StatusClass.IN_PROGRESS


def test_pauses_come_from_the_status_history() -> None:
    # Arrange
    t = stored(ticket("1", created=T0 - timedelta(hours=5), status="In Progress", status_class="in_progress"))
    events = [_event("e1", "1", timedelta(hours=4), "New", "Waiting Customer"),
              _event("e2", "1", timedelta(hours=2), "Waiting Customer", "In Progress"),
              _event("e3", "1", timedelta(hours=1), "In Progress", "Waiting Customer")]
    pauses = EventPauses(lambda: events, [StatusClass.WAITING_CUSTOMER])
    # Act / Assert
    assert pauses(t) == [Pause(T0 - timedelta(hours=4), T0 - timedelta(hours=2)), Pause(T0 - timedelta(hours=1))]


def test_a_waiting_ticket_without_history_is_paused_since_its_last_update() -> None:
    t = stored(ticket("2", status_class="waiting_customer", updated=T0 - timedelta(hours=3)))
    assert EventPauses(lambda: [], ["waiting_customer"])(t) == [Pause(T0 - timedelta(hours=3))]


def test_sla_facts_fall_back_to_the_seed_matrix_without_an_sla_helper() -> None:
    # Arrange: P1 responds in 30 min around the clock
    t = stored(ticket("3", priority="P1", created=T0 - timedelta(minutes=20)))
    ctx = FactContext(now=T0, view=MirrorView.from_records([t]))
    # Act / Assert
    assert compute_fact(ctx, "minutes_to_sla_breach", t, ClockArgs(clock="response")) == 10.0
    assert compute_fact(ctx, "sla_state", t, ClockArgs(clock="response")) == "at_risk"
    assert compute_fact(ctx, "sla_state", t, ClockArgs(clock="resolution")) == "running"
    assert compute_fact(ctx, "sla_due", t, ClockArgs(clock="response")) == T0 + timedelta(minutes=10)
    assert compute_fact(ctx, "sla_time_left", t) == "10 min left"
