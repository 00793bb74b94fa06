"""Writes persist into the world: notes, configuration links, tickets; validation errors."""

from __future__ import annotations

import pytest

from tests.sandbox.connectwise.conftest import PREFIX, WORLD_NOW, call, collect

NOTE = {"text": "Linked to ACME-WS-001 by syncd.", "internalAnalysisFlag": True}


def test_note_post_is_visible_and_does_not_bump_ticket(sim, clock):
    before = call(sim, "GET", f"{PREFIX}/service/tickets/3").body["_info"]["lastUpdated"]
    clock.advance(5 * 60)
    response = call(sim, "POST", f"{PREFIX}/service/tickets/3/notes", body=NOTE)
    assert response.status == 201
    note = response.body
    assert note["text"] == NOTE["text"]
    assert note["ticketId"] == 3
    assert note["internalAnalysisFlag"] is True
    assert note["detailDescriptionFlag"] is False
    assert note["dateCreated"] == note["_info"]["lastUpdated"] == "2026-11-17T15:05:00Z"
    notes = call(sim, "GET", f"{PREFIX}/service/tickets/3/notes").body
    assert notes[-2]["id"] == note["id"]          # newest real note; description note id sorts last
    assert call(sim, "GET", f"{PREFIX}/service/tickets/3").body["_info"]["lastUpdated"] == before


def test_note_post_with_member(sim):
    body = {**NOTE, "member": {"identifier": "adoe"}}
    note = call(sim, "POST", f"{PREFIX}/service/tickets/3/notes", body=body).body
    assert note["member"]["id"] == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"internalAnalysisFlag": True}, "text"),
    ({"text": "   ", "internalAnalysisFlag": True}, "text"),
    ({"text": "x"}, "detailDescriptionFlag"),
    ({"text": "x", "detailDescriptionFlag": False, "internalAnalysisFlag": False}, "detailDescriptionFlag"),
    ({"text": "x", "internalAnalysisFlag": "yes"}, "internalAnalysisFlag"),
    ({"text": "x", "resolutionFlag": True, "member": {"identifier": "ghost"}}, "member/identifier"),
    (["not", "an", "object"], ""),
])
def test_note_validation(sim, body, field):
    response = call(sim, "POST", f"{PREFIX}/service/tickets/3/notes", body=body)
    assert response.status == 400
    assert response.body["code"] == "InvalidObject"
    assert response.body["errors"][0]["field"] == field


def test_note_on_missing_ticket_is_404(sim):
    assert call(sim, "POST", f"{PREFIX}/service/tickets/999/notes", body=NOTE).status == 404


def test_malformed_json_is_400(sim):
    response = call(sim, "POST", f"{PREFIX}/service/tickets/3/notes", body=b"{nope")
    assert response.status == 400


def test_configuration_link_is_visible_and_idempotent(sim, world):
    response = call(sim, "POST", f"{PREFIX}/service/tickets/3/configurations", body={"id": 105})
    assert response.status == 201
    assert response.body["id"] == 105
    assert response.body["deviceIdentifier"] == "9005"
    again = call(sim, "POST", f"{PREFIX}/service/tickets/3/configurations", body={"id": 105})
    assert again.status == 201
    assert again.body == response.body
    linked = call(sim, "GET", f"{PREFIX}/service/tickets/3/configurations").body
    assert [r["id"] for r in linked] == [105]
    rows = world.query("SELECT created_at FROM ticket_configurations WHERE ticket_id = 3")
    assert [r["created_at"] for r in rows] == [WORLD_NOW]


@pytest.mark.parametrize("body", [{"id": 999}, {"id": 106}, {"id": "101"}, {}])
def test_configuration_link_rejects_unknown_or_deleted(sim, body):
    response = call(sim, "POST", f"{PREFIX}/service/tickets/3/configurations", body=body)
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "id"


def test_ticket_create_minimal(sim):
    response = call(sim, "POST", f"{PREFIX}/service/tickets",
                    body={"summary": "KB update: printer driver", "company": {"identifier": "AcmeCorp"}})
    assert response.status == 201
    ticket = response.body
    assert ticket["id"] == 31
    assert ticket["company"]["id"] == 250
    assert ticket["board"]["name"] == "Service Desk"
    assert ticket["status"]["name"] == "New"
    assert ticket["priority"]["level"] == "Priority3"
    assert ticket["_info"]["dateEntered"] == ticket["_info"]["lastUpdated"] == WORLD_NOW
    assert "initialDescription" not in ticket
    assert call(sim, "GET", f"{PREFIX}/service/tickets/31").body == ticket
    assert call(sim, "GET", f"{PREFIX}/service/tickets/31/notes").body == []


def test_ticket_create_full_and_visible_in_incremental_poll(sim):
    body = {"summary": "KB update task", "company": {"id": 251}, "board": {"name": "Service Desk"},
            "status": {"name": "In Progress"}, "priority": {"id": 2}, "type": {"name": "Request"},
            "initialDescription": "Please update the KB article.", "initialInternalAnalysis": "from syncd",
            "owner": {"identifier": "jsmith"}, "contact": {"id": 2}, "processNotifications": False}
    ticket = call(sim, "POST", f"{PREFIX}/service/tickets", body=body).body
    assert ticket["status"]["name"] == "In Progress"
    assert ticket["priority"]["id"] == 2
    assert ticket["type"]["name"] == "Request"
    assert ticket["owner"]["identifier"] == "jsmith"
    notes = call(sim, "GET", f"{PREFIX}/service/tickets/{ticket['id']}/notes").body
    assert [(n["text"], n["detailDescriptionFlag"], n["internalAnalysisFlag"]) for n in notes] == [
        ("Please update the KB article.", True, False), ("from syncd", False, True)]
    polled, _ = collect(sim, f"{PREFIX}/service/tickets",
                        {"conditions": "lastUpdated > [2026-11-17T14:59:59Z]", "pageSize": 1000})
    assert [t["id"] for t in polled] == [ticket["id"]]


def test_ticket_create_type_by_stable_id(sim):
    incident = call(sim, "GET", f"{PREFIX}/service/tickets/1").body["type"]
    body = {"summary": "x", "company": {"id": 250}, "type": {"id": incident["id"]}}
    assert call(sim, "POST", f"{PREFIX}/service/tickets", body=body).body["type"] == incident


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"company": {"id": 250}}, "summary", "NullOrEmptyField"),
    ({"summary": "x" * 101, "company": {"id": 250}}, "summary", "MaxLengthField"),
    ({"summary": 5, "company": {"id": 250}}, "summary", "NullOrEmptyField"),
    ({"summary": "x"}, "company", "Required"),
    ({"summary": "x", "company": {"id": 999}}, "company/id", "NotFound"),
    ({"summary": "x", "company": {"identifier": "Gone"}}, "company/identifier", "NotFound"),
    ({"summary": "x", "company": "AcmeCorp"}, "company/id", "InvalidValue"),
    ({"summary": "x", "company": {"id": 250}, "board": {"name": "Nope"}}, "board/id", "NotFound"),
    ({"summary": "x", "company": {"id": 250}, "status": {"id": 6}}, "status/id", "NotFound"),
    ({"summary": "x", "company": {"id": 250}, "priority": {"id": 9}}, "priority/id", "NotFound"),
    ({"summary": "x", "company": {"id": 250}, "contact": {"id": 7}}, "contact/id", "NotFound"),
    ({"summary": "x", "company": {"id": 250}, "owner": {"identifier": "ghost"}}, "owner/identifier",
     "NotFound"),
    ({"summary": "x", "company": {"id": 250}, "type": {"id": 1}}, "type/id", "NotFound"),
    ({"summary": "x", "company": {"id": 250}, "initialDescription": 3}, "initialDescription", "InvalidValue"),
])
def test_ticket_create_validation(sim, world, body, field, code):
    response = call(sim, "POST", f"{PREFIX}/service/tickets", body=body)
    assert response.status == 400
    assert response.body["message"] == "ticket object is invalid"
    assert response.body["errors"][0]["field"] == field
    assert response.body["errors"][0]["code"] == code
    assert world.query_one("SELECT COUNT(*) AS n FROM tickets")["n"] == 30


def test_summary_of_exactly_100_is_accepted(sim):
    body = {"summary": "y" * 100, "company": {"id": 250}}
    assert call(sim, "POST", f"{PREFIX}/service/tickets", body=body).status == 201
