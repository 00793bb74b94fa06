"""Normalization: CW JSON -> vocabulary, and the mapping settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syncd.connectors.connectwise import models as m
from syncd.vocabulary import StatusClass
from tests.connectors.connectwise.conftest import cw_settings

TICKET = {
    "id": 4711, "summary": "Outlook crashes", "board": {"id": 1, "name": "Service Desk"},
    "status": {"id": 12, "name": "Waiting on Client"}, "company": {"id": 250, "identifier": "Acme"},
    "contact": {"id": 9, "name": "Jane Doe"}, "priority": {"id": 3, "name": "Priority 2 - High", "level": "Priority2"},
    "type": {"id": 1, "name": "Incident"}, "subType": {"id": 2, "name": "Email"},
    "owner": {"id": 1, "identifier": "jsmith"},
    "closedFlag": False, "dateResponded": "2026-11-01T10:05:00Z", "respondMinutes": 60, "parentTicketId": 4700,
    "customFields": [{"id": 3, "caption": "Other", "value": "x"},
                     {"id": 7, "caption": "Resolution Code", "type": "Text", "value": "Patch Applied"}],
    "_info": {"lastUpdated": "2026-11-01T12:00:00Z", "dateEntered": "2026-11-01T10:00:00"},
}


def status(name: str, *, closed: bool = False, escalation: str = "NoEscalation") -> m.CwBoardStatus:
    return m.CwBoardStatus.model_validate({"id": 1, "name": name, "closedStatus": closed,
                                           "escalationStatus": escalation})


def test_ticket_maps_every_vocabulary_field():
    # Act
    ticket = m.Normalizer(cw_settings()).ticket(m.CwTicket.model_validate(TICKET), ["101"])
    # Assert
    assert ticket.id == ticket.number == "4711"
    assert (ticket.company_id, ticket.contact_id, ticket.board) == ("250", "9", "Service Desk")
    assert (ticket.status, ticket.status_class) == ("Waiting on Client", StatusClass.WAITING_CUSTOMER)
    assert (ticket.priority, ticket.priority_name) == ("P2", "Priority 2 - High")
    assert (ticket.type, ticket.subtype, ticket.owner, ticket.parent_id) == ("Incident", "Email", "jsmith", "4700")
    assert ticket.resolution_code == "Patch Applied"
    assert ticket.updated == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert ticket.created == datetime(2026, 11, 1, 10, tzinfo=UTC)     # naive date taken as UTC
    assert ticket.responded == datetime(2026, 11, 1, 10, 5, tzinfo=UTC)
    assert ticket.custom == {"respond_minutes": 60.0}
    assert ticket.configuration_ids == ["101"]
    record = ticket.to_record("connectwise")
    assert record.source == "connectwise.tickets"
    assert record.fields["updated"] == "2026-11-01T12:00:00Z"


def test_resolution_code_field_caption_is_a_setting():
    norm = m.Normalizer(cw_settings(resolution_code_field="other"))
    assert norm.ticket(m.CwTicket.model_validate(TICKET), []).resolution_code == "x"
    blank = {**TICKET, "customFields": [{"caption": "Resolution Code"}]}
    assert m.Normalizer(cw_settings()).ticket(m.CwTicket.model_validate(blank), []).resolution_code is None


@pytest.mark.parametrize(("name", "board_status", "expected"), [
    ("Waiting Customer", status("Waiting Customer"), StatusClass.WAITING_CUSTOMER),
    ("Waiting on Client", None, StatusClass.WAITING_CUSTOMER),
    ("Waiting Vendor", None, StatusClass.WAITING_VENDOR),
    ("Escalated to Tier 2", None, StatusClass.ESCALATED),
    ("Completed", status("Completed", closed=True, escalation="Resolved"), StatusClass.RESOLVED),
    ("Resolved", None, StatusClass.RESOLVED),
    (">Closed", status(">Closed", closed=True), StatusClass.CLOSED),
    ("New (Portal)", status("New (Portal)", escalation="NotResponded"), StatusClass.NEW),
    ("Scheduled", status("Scheduled", escalation="Responded"), StatusClass.IN_PROGRESS),
    ("Fix Verified", status("Fix Verified", escalation="Resolved"), StatusClass.RESOLVED),
])
def test_default_status_class(name, board_status, expected):
    assert m.default_status_class(name, board_status) == expected


def test_status_class_setting_beats_the_default_case_insensitively():
    norm = m.Normalizer(cw_settings(status_classes={"scheduled": "waiting_customer"}))
    assert norm.status_class("Scheduled", None) == StatusClass.WAITING_CUSTOMER
    assert norm.status_class("Closed", None, closed_flag=True) == StatusClass.CLOSED


@pytest.mark.parametrize(("ref", "expected"), [
    ({"name": "Priority 1 - Emergency", "level": "Priority1"}, "P1"),
    ({"name": "Do It Now", "level": "Priority2"}, "P2"),
    ({"name": "Priority 4 - Low"}, "P4"),
    ({"name": "Priority 5 - Whenever"}, "P4"),
    ({"name": "Urgent"}, None),
])
def test_priority_levels(ref, expected):
    assert m.Normalizer(cw_settings()).priority(m.Ref.model_validate(ref)) == expected


def test_priority_levels_setting():
    norm = m.Normalizer(cw_settings(priority_levels={"urgent": "P1"}))
    assert norm.priority(m.Ref(name="Urgent")) == "P1"


def test_contact_email_from_communication_items_and_active_flag():
    raw = {"id": 5, "firstName": "Jane", "lastName": "Doe", "company": {"id": 250}, "inactiveFlag": True,
           "communicationItems": [
               {"type": {"name": "Direct"}, "value": "555-1234", "communicationType": "Phone"},
               {"type": {"name": "Email"}, "value": "old@acme.test", "communicationType": "Email"},
               {"type": {"name": "Email"}, "value": "jane@acme.test", "defaultFlag": True,
                "communicationType": "Email"}],
           "_info": {"lastUpdated": "2026-11-01T12:00:00Z"}}
    contact = m.Normalizer.contact(m.CwContact.model_validate(raw))
    assert (contact.name, contact.email, contact.active, contact.company_id) == \
        ("Jane Doe", "jane@acme.test", False, "250")


def test_configuration_serial_macs_last_user_and_rmm_id():
    raw = {"id": 101, "name": "ACME-WS-001", "type": {"name": "Managed Workstation"}, "status": {"name": "Active"},
           "company": {"id": 250}, "contact": {"id": 5}, "serialNumber": "SN123",
           "macAddress": "aa-bb-cc-dd-ee-01, AABB.CCDD.EE02", "lastLoginName": "ACME\\jdoe",
           "deviceIdentifier": "9001", "activeFlag": True, "_info": {"lastUpdated": "2026-11-01T12:00:00Z"}}
    config = m.Normalizer.configuration(m.CwConfiguration.model_validate(raw))
    assert config.mac_addresses == ["AA:BB:CC:DD:EE:01", "AA:BB:CC:DD:EE:02"]
    assert (config.serial, config.last_user, config.contact_id) == ("SN123", "ACME\\jdoe", "5")
    assert config.external_ids == {"rmm": "9001"}
    no_rmm = m.Normalizer.configuration(m.CwConfiguration.model_validate({**raw, "deviceIdentifier": ""}))
    assert no_rmm.external_ids == {}


@pytest.mark.parametrize(("flags", "internal", "resolution"), [
    ({"internalAnalysisFlag": True}, True, False),
    ({"internalAnalysisFlag": True, "detailDescriptionFlag": True}, False, False),
    ({"detailDescriptionFlag": True}, False, False),
    ({"resolutionFlag": True}, False, True),
])
def test_note_flags(flags, internal, resolution):
    raw = {"id": 1, "text": "hi", "member": {"identifier": "jsmith"}, "dateCreated": "2026-11-01T12:00:00Z",
           "_info": {"lastUpdated": "2026-11-01T12:00:00Z"}, **flags}
    note = m.Normalizer.note(m.CwNote.model_validate(raw), 4711)
    assert (note.internal, note.resolution, note.ticket_id, note.author) == (internal, resolution, "4711", "jsmith")


def test_time_entry():
    raw = {"id": 9, "chargeToType": "ServiceTicket", "chargeToId": 4711, "member": {"identifier": "adoe"},
           "actualHours": 1.25, "billableOption": "DoNotBill", "timeStart": "2026-11-01T12:00:00Z",
           "notes": "rebooted", "_info": {"lastUpdated": "2026-11-01T13:00:00Z"}}
    entry = m.Normalizer.time_entry(m.CwTimeEntry.model_validate(raw))
    assert (entry.ticket_id, entry.member, entry.hours, entry.billable) == ("4711", "adoe", 1.25, False)
