"""Record shapes, by-id reads, deleted rows, `fields`, and the sub-collections."""

from __future__ import annotations

import pytest

from tests.sandbox.connectwise.conftest import DELETED_TICKET, PREFIX, call


def get(sim, path: str, **query):
    response = call(sim, "GET", PREFIX + path, query=query or None)
    assert response.status == 200, response.body
    return response.body


def test_ticket_shape(sim):
    ticket = get(sim, "/service/tickets/8")
    assert ticket["summary"] == "Ticket 8: Outlook crashes on ACME-WS-008"
    assert ticket["board"]["id"] == 1
    assert ticket["board"]["name"] == "Service Desk"
    assert ticket["board"]["_info"]["board_href"].endswith("/v4_6_release/apis/3.0/service/boards/1")
    assert ticket["status"] == {"id": 4, "name": "Completed", "sort": 4, "_info": ticket["status"]["_info"]}
    assert ticket["company"]["id"] == 252
    assert ticket["company"]["identifier"] == "Initech"
    assert ticket["contact"]["name"] == "First3 Last3"
    assert ticket["owner"]["identifier"] == "bwong"
    assert ticket["priority"]["level"] == "Priority1"
    assert ticket["closedFlag"] is True
    assert ticket["closedDate"] == "2026-10-01T17:30:00Z"
    assert ticket["respondMinutes"] == 60
    assert ticket["resolveMinutes"] == 480
    assert ticket["customFields"] == [{"id": 7, "caption": "Resolution Code", "type": "Text",
                                       "entryMethod": "EntryField", "numberOfDecimals": 0}]
    assert ticket["_info"]["lastUpdated"] == "2026-10-01T17:40:00Z"
    assert ticket["_info"]["dateEntered"] == "2026-10-01T17:00:00Z"
    assert "initialDescription" not in ticket


def test_ticket_resolution_code_and_open_ticket_omits_closed_members(sim):
    assert get(sim, "/service/tickets/4")["customFields"][0]["value"] == "Fixed"
    open_ticket = get(sim, "/service/tickets/1")
    assert open_ticket["closedFlag"] is False
    assert "closedDate" not in open_ticket
    assert "closedBy" not in open_ticket
    assert get(sim, "/service/tickets/2")["parentTicketId"] == 1


def test_deleted_and_missing_records_are_404(sim):
    for path in (f"/service/tickets/{DELETED_TICKET}", "/service/tickets/999", "/company/contacts/7",
                 "/company/configurations/106", "/time/entries/505", "/company/companies/253",
                 "/service/tickets/x", f"/service/tickets/{DELETED_TICKET}/notes"):
        response = call(sim, "GET", PREFIX + path)
        assert response.status == 404, path
        assert response.body["code"] == "NotFound"


def test_fields_restricts_members(sim):
    tickets = get(sim, "/service/tickets", fields="id,summary,company/name", pageSize=2)
    assert tickets == [{"id": 1, "summary": "Ticket 1: Outlook crashes on ACME-WS-001",
                        "company": {"name": "Globex Inc"}},
                       {"id": 2, "summary": "Ticket 2: Outlook crashes on ACME-WS-002",
                        "company": {"name": "Initech"}}]
    assert get(sim, "/service/tickets/3", fields="id,_info/lastUpdated") == {
        "id": 3, "_info": {"lastUpdated": "2026-10-01T12:40:00Z"}}


def test_contact_email_in_communication_items_and_inactive_flag(sim):
    contact = get(sim, "/company/contacts/3")
    assert contact["inactiveFlag"] is True
    assert contact["communicationItems"][0]["value"] == "user3@example.com"
    assert contact["communicationItems"][0]["communicationType"] == "Email"
    assert get(sim, "/company/contacts/5")["communicationItems"] == []
    inactive = get(sim, "/company/contacts", conditions="inactiveFlag = true")
    assert [c["id"] for c in inactive] == [3]


def test_configuration_shape(sim):
    config = get(sim, "/company/configurations/101")
    assert config["name"] == "ACME-WS-001"
    assert config["type"]["name"] == "Managed Server"
    assert config["status"]["name"] == "Active"
    assert config["company"]["identifier"] == "Globex"
    assert config["deviceIdentifier"] == "9001"
    assert config["macAddress"] == "AA:BB:CC:DD:EE:01"
    assert config["activeFlag"] is True
    assert "serialNumber" not in get(sim, "/company/configurations/104")


def test_notes_serve_description_first_by_date(sim):
    notes = get(sim, "/service/tickets/1/notes", orderBy="dateCreated asc")
    assert notes[0]["text"] == "User reports problem number 1."
    assert notes[0]["detailDescriptionFlag"] is True
    assert notes[0]["id"] == 1_500_000_001
    assert [n["internalAnalysisFlag"] for n in notes] == [False, False, True]
    assert notes[2]["member"]["identifier"] == "adoe"
    one = get(sim, "/service/tickets/1/notes/11")
    assert one["text"] == "Note 1 on ticket 1"
    assert call(sim, "GET", f"{PREFIX}/service/tickets/2/notes/11").status == 404


def test_ticket_configurations_hide_deleted_configs(sim):
    refs = get(sim, "/service/tickets/1/configurations")
    assert [r["id"] for r in refs] == [101, 102]
    assert refs[0]["deviceIdentifier"] == "9001"
    assert "deviceIdentifier" not in refs[1]


def test_time_entry_shape_and_ticket_filter(sim):
    entries = get(sim, "/time/entries",
                  conditions='(chargeToType="ServiceTicket" OR chargeToType="ProjectTicket")'
                             " AND chargeToId=4")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["ticket"]["id"] == 4
    assert entry["chargeToType"] == "ServiceTicket"
    assert entry["actualHours"] == 0.5
    assert entry["billableOption"] == "Billable"
    assert entry["member"]["identifier"] == "adoe"
    assert entry["timeStart"] == "2026-10-01T13:15:00Z"


def test_boards_statuses_priorities(sim):
    statuses = get(sim, "/service/boards/1/statuses")
    closed = [s["name"] for s in statuses if s["closedStatus"]]
    assert closed == ["Completed", "Closed"]
    assert statuses[0]["defaultFlag"] is True
    assert statuses[1]["defaultFlag"] is False
    assert statuses[4]["timeEntryNotAllowed"] is True
    assert statuses[0]["escalationStatus"] == "NotResponded"
    assert call(sim, "GET", f"{PREFIX}/service/boards/2/statuses/1").status == 404
    assert get(sim, "/service/boards/2")["inactiveFlag"] is True
    priorities = get(sim, "/service/priorities")
    assert [p["defaultFlag"] for p in priorities] == [False, False, True, False]


@pytest.mark.parametrize(("path", "conditions", "count"), [
    ("/service/tickets/count", "id <= 8 or id = 508", 8),                     # pushed to SQL? no: OR
    ("/service/tickets/count", "id <= 8 and closedFlag = true", 2),          # all pushed to SQL
    ("/service/tickets/count", 'id <= 8 and summary like "*printer*"', 1),   # SQL + Python residual
    ("/time/entries/count", "id <= 8 or id = 508", 1),
    ("/service/tickets/1/notes/count", "detailDescriptionFlag = true", 2),
])
def test_count_with_conditions(sim, path, conditions, count):
    response = call(sim, "GET", PREFIX + path, query={"conditions": conditions})
    assert response.status == 200
    assert response.body == {"count": count}


def test_child_conditions_match_any_communication_item(sim):
    found = get(sim, "/company/contacts", childConditions='communicationItems/value = "USER4@example.com"')
    assert [c["id"] for c in found] == [4]
    both = get(sim, "/company/contacts", conditions="company/id = 250",
               childConditions='communicationItems/value like "user*"')
    assert [c["id"] for c in both] == [1, 4]


def test_custom_field_conditions_find_resolution_codes(sim):
    coded = get(sim, "/service/tickets", pageSize=1000,
                customFieldConditions='caption = "Resolution Code" and value = "Fixed"')
    assert [t["id"] for t in coded] == [4, 12, 20, 28]
    uncoded = get(sim, "/service/tickets", pageSize=1000, conditions="closedFlag = true",
                  customFieldConditions='caption = "Resolution Code" and value = null')
    assert [t["id"] for t in uncoded] == [8, 16, 24]


def test_custom_field_conditions_are_validated(sim):
    for path, text in (("/service/boards", 'caption = "x"'), ("/service/tickets", 'nosuch = "x"')):
        response = call(sim, "GET", PREFIX + path, query={"customFieldConditions": text})
        assert response.status == 400, path
