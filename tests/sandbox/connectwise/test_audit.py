"""`/system/audittrail`: a ticket's history from `ticket_events`, paging, auth, parameters and shape."""

from __future__ import annotations

import json
import re

import pytest

from syncd.sandbox.connectwise.audit import ENTRY_FIELDS
from tests.sandbox.connectwise.conftest import CREDS, DELETED_TICKET, PREFIX, auth_headers, call, collect, links, ts

PATH = f"{PREFIX}/system/audittrail"
TRAIL = {"type": "Ticket", "id": 8, "deviceIdentifier": ""}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def events(world):
    """Ticket 8 (owner bwong): handed jsmith -> adoe, completed, reopened, completed again."""
    rows = [(1, 8, ts(490), "owner_changed", {"from": 1, "to": 2, "from_name": "John Smith", "to_name": "Alice Doe"}),
            (2, 8, ts(500), "status_changed", {"from": "In Progress", "to": "Completed"}),
            (3, 8, ts(600), "reopened", {"from": "Completed", "to": "In Progress"}),
            (4, 8, ts(700), "status_changed", {"from": "In Progress", "to": "Completed"}),
            (5, 9, ts(560), "owner_changed", {"from": 2, "to": 3})]
    world.executemany("INSERT INTO ticket_events (id, ticket_id, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
                      [(*r[:4], json.dumps(r[4])) for r in rows])
    return rows


def get(sim, query, headers=None):
    response = call(sim, "GET", PATH, query=query, headers=headers)
    assert response.status == 200, response.body
    return response.body


def test_ticket_trail_is_its_events_newest_first_then_its_creation(sim, events):
    # Act
    trail = get(sim, TRAIL)
    # Assert
    assert [e["text"] for e in trail] == [
        'Status has been changed from "In Progress" to "Completed"',
        'Status has been changed from "Completed" to "In Progress"',      # a reopen reads as a status change
        'Status has been changed from "In Progress" to "Completed"',
        'Ticket Owner has been changed from "jsmith" to "adoe"',
        "Ticket has been created.",
    ]
    assert [e["enteredDate"] for e in trail] == [ts(700), ts(600), ts(500), ts(490), ts(480)]
    assert trail[3] == {"text": 'Ticket Owner has been changed from "jsmith" to "adoe"', "enteredDate": ts(490),
                        "enteredBy": "jsmith", "auditType": "Resource", "auditSubType": "Owner",
                        "auditSource": "Ticket"}
    assert {(e["auditType"], e["auditSubType"]) for e in trail[:3]} == {("Ticket", "Status")}
    assert trail[0]["enteredBy"] == "bwong"                               # the ticket's owner
    assert trail[-1]["enteredBy"] == "jsmith"                             # who entered the ticket


def test_every_entry_has_the_audit_trail_entry_shape(sim, events):
    # The shared schema has no AuditTrailEntry: check the researched shape (six strings, no id).
    for ticket in (8, 9, 1):
        for entry in get(sim, {"type": "Ticket", "id": ticket}):
            assert set(entry) == ENTRY_FIELDS
            assert all(isinstance(v, str) and v for v in entry.values()), entry
            assert ISO.match(entry["enteredDate"])


def test_pages_follow_the_link_header_and_add_up_to_the_whole_trail(sim, events):
    # Arrange
    whole = get(sim, TRAIL)
    # Act
    first = call(sim, "GET", PATH, query={**TRAIL, "pageSize": 2})
    paged, pages = collect(sim, PATH, {**TRAIL, "pageSize": 2})
    page3 = get(sim, {**TRAIL, "pageSize": 2, "page": 3})
    # Assert
    assert len(first.body) == 2
    assert set(links(first)) == {"next", "last"}
    assert "type=Ticket" in links(first)["next"]
    assert "id=8" in links(first)["next"]
    assert (paged, pages) == (whole, 3)
    assert page3 == whole[4:]
    assert get(sim, {**TRAIL, "pageSize": 2, "page": 9}) == []
    assert get(sim, {**TRAIL, "pageSize": 1000}) == whole


def test_count_conditions_fields_and_order(sim, events):
    assert call(sim, "GET", f"{PATH}/count", query=TRAIL).body == {"count": 5}
    owner = get(sim, {**TRAIL, "conditions": 'auditSubType = "Owner"'})
    assert [e["enteredBy"] for e in owner] == ["jsmith"]
    assert get(sim, {**TRAIL, "fields": "text", "pageSize": 1}) == [
        {"text": 'Status has been changed from "In Progress" to "Completed"'}]
    oldest = get(sim, {**TRAIL, "orderBy": "enteredDate asc"})
    assert [e["enteredDate"] for e in oldest] == sorted(e["enteredDate"] for e in oldest)


def test_records_without_a_history_in_the_world(sim, events):
    assert get(sim, {"type": "Ticket", "id": 999}) == []                    # no such ticket
    assert get(sim, {"type": "Ticket", "id": DELETED_TICKET}) == []
    assert get(sim, {"type": "company", "id": 250}) == []                  # type is case-insensitive
    assert [e["auditSubType"] for e in get(sim, {"type": "Ticket", "id": 1})] == ["Created"]


@pytest.mark.parametrize("query", [{"id": 8}, {"type": "Gadget", "id": 8}, {"type": "Ticket"},
                                   {"type": "Ticket", "id": "x"}, {**TRAIL, "conditions": "nope = 1"},
                                   {**TRAIL, "pageSize": 0}])
def test_bad_parameters_are_400_invalid_object(sim, query):
    response = call(sim, "GET", PATH, query=query)
    assert response.status == 400
    assert response.body["code"] == "InvalidObject"


def test_forward_only_paging_is_refused(sim, events):
    # Entries have no id, so there is nothing to key forward-only pages on.
    response = call(sim, "GET", PATH, query=TRAIL, headers={"pagination-type": "forward-only"})
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "pagination-type"


def test_auth_is_the_same_as_every_other_route(sim, events):
    wrong = auth_headers({**CREDS, "private_key": "wrong"})
    assert call(sim, "GET", PATH, query=TRAIL, headers=wrong).status == 401
    assert call(sim, "GET", PATH, query=TRAIL, headers={"Authorization": None}).status == 401
    assert call(sim, "GET", PATH, query=TRAIL, headers={"clientId": None}).status == 400


def test_a_member_without_the_permission_gets_403(sim, events):
    # Arrange
    sim.audit_trail_denied = True
    # Act
    listed = call(sim, "GET", PATH, query=TRAIL)
    counted = call(sim, "GET", f"{PATH}/count", query=TRAIL)
    # Assert
    assert (listed.status, counted.status) == (403, 403)
    assert listed.body["code"] == "Forbidden"
