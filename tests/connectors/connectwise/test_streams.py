"""Ticket stream economy: sub-resources only for tickets that changed since the mirror."""

from __future__ import annotations

from responses import matchers

from syncd.connectors.connectwise.models import Normalizer
from tests.connectors.connectwise.conftest import BASE, make_connector
from tests.connectors.connectwise.test_models import TICKET

NOTES = [{"id": 1, "ticketId": 4711, "text": "Printer jammed", "detailDescriptionFlag": True,
          "dateCreated": "2026-11-01T10:00:00Z", "_info": {"lastUpdated": "2026-11-01T10:00:00Z"}},
         {"id": 2, "ticketId": 4711, "text": "Checked spooler", "internalAnalysisFlag": True,
          "dateCreated": "2026-11-01T11:00:00Z", "_info": {"lastUpdated": "2026-11-01T11:00:00Z"}}]
AUDIT_ENTRY = {"text": 'Status has been changed from "New" to "Waiting on Client"',
               "enteredDate": "2026-11-01T10:30:00Z", "enteredBy": "jsmith", "auditType": "Ticket",
               "auditSubType": "Status", "auditSource": "Ticket"}
STATUSES = [{"id": 12, "name": "Waiting on Client", "closedStatus": False, "escalationStatus": "Responded"}]


def _stream(connector, source):
    return {s.source: s for s in connector.streams()}[source]


def test_changed_ticket_brings_notes_and_configuration_ids_then_unchanged_costs_one_request(http, state):
    # Arrange
    http.get(f"{BASE}/service/tickets", json=[TICKET])
    http.get(f"{BASE}/service/boards/1/statuses", json=STATUSES)
    http.get(f"{BASE}/service/tickets/4711/notes", json=NOTES)
    http.get(f"{BASE}/service/tickets/4711/configurations", json=[{"id": 101, "deviceIdentifier": "9001"}])
    http.get(f"{BASE}/system/audittrail", json=[AUDIT_ENTRY])
    connector = make_connector(state, page_size=50)
    tickets = _stream(connector, "connectwise.tickets")
    # Act: first read, stored, then the same ticket again (an overlap re-read)
    first = list(tickets.fetch(None))
    state.upsert_records(first)
    calls_after_first = len(http.calls)
    again = list(tickets.fetch(None))
    # Assert
    assert [r.source for r in first] == (["connectwise.ticket_events"] + ["connectwise.notes"] * 2
                                         + ["connectwise.tickets"])      # history and notes before the ticket
    assert first[-1].fields["configuration_ids"] == ["101"]
    assert [r.fields["internal"] for r in first[1:3]] == [False, True]
    assert calls_after_first == 5
    assert len(http.calls) == calls_after_first + 1          # the list only: no notes, links or history
    assert again == [first[-1]]                               # links kept from the mirror


def test_ticket_deleted_before_its_notes_are_read_is_skipped(http, state):
    http.get(f"{BASE}/service/tickets", json=[TICKET])
    http.get(f"{BASE}/service/boards/1/statuses", json=STATUSES)
    http.get(f"{BASE}/service/tickets/4711/notes", status=404, json={"code": "NotFound", "message": "gone"})
    assert list(_stream(make_connector(state), "connectwise.tickets").fetch(None)) == []


def test_time_entries_ask_for_service_ticket_charges_only(http):
    from datetime import UTC, datetime

    condition = 'chargeToType="ServiceTicket" and lastUpdated > [2026-11-01T00:00:00Z]'
    http.get(f"{BASE}/time/entries", json=[], match=[matchers.query_param_matcher(
        {"conditions": condition, "pageSize": "2"})])
    stream = _stream(make_connector(), "connectwise.time_entries")
    assert list(stream.fetch(datetime(2026, 11, 1, tzinfo=UTC))) == []


def test_list_keys_ask_for_ids_only(http):
    http.get(f"{BASE}/service/tickets", json=[{"id": 3}, {"id": 5}], match=[matchers.query_param_matcher(
        {"fields": "id", "pageSize": "2"})])
    http.get(f"{BASE}/service/tickets", json=[{"id": 8}], match=[matchers.query_param_matcher(
        {"fields": "id", "pageSize": "2", "pageId": "5"})])
    stream = _stream(make_connector(), "connectwise.tickets")
    assert list(stream.list_keys()) == ["3", "5", "8"]


def test_boards_carry_statuses_with_classes_and_feed_ticket_classification(http):
    http.get(f"{BASE}/service/boards", json=[{"id": 1, "name": "Service Desk", "_info": {}}])
    http.get(f"{BASE}/service/boards/1/statuses", json=[
        {"id": 12, "name": "Scheduled", "closedStatus": False, "escalationStatus": "Responded"},
        {"id": 13, "name": ">Closed", "closedStatus": True, "escalationStatus": "Resolved"}])
    connector = make_connector(page_size=50)
    [board] = _stream(connector, "connectwise.boards").fetch(None)
    assert [s["status_class"] for s in board.fields["statuses"]] == ["in_progress", "closed"]
    assert isinstance(connector.normalizer, Normalizer)
    assert connector.normalizer.status_class(">Closed", 13) == "closed"
