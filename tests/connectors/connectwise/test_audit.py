"""Ticket history from CW's audit trail: parsing, reopen detection, the 403/404 fallback, and the
sandbox end to end (every reopen and unannounced owner change the world planted is mirrored)."""

from __future__ import annotations

import json

import pytest
from responses import matchers
from structlog.testing import capture_logs

from syncd.connectors.connectwise.history import entry_key
from syncd.errors import AuthError
from tests.connectors.connectwise.conftest import BASE, make_connector
from tests.connectors.connectwise.helpers import sync
from tests.connectors.connectwise.test_models import TICKET

AUDIT = f"{BASE}/system/audittrail"
EVENTS = "connectwise.ticket_events"
STATUSES = [{"id": 12, "name": "Waiting on Client", "closedStatus": False},
            {"id": 13, "name": "Closed", "closedStatus": True},
            {"id": 14, "name": "Resolved", "closedStatus": False},   # Service Desk keeps Resolved open
            {"id": 15, "name": "Done (billing)", "closedStatus": True}]


def entry(text: str, at: str, by: str = "jsmith", audit_type: str = "Ticket", sub_type: str = "Status") -> dict:
    """An AuditTrailEntry as CW serves it."""
    return {"text": text, "enteredDate": at, "enteredBy": by, "auditType": audit_type, "auditSubType": sub_type,
            "auditSource": "Ticket"}


def status(old: str, new: str, at: str) -> dict:
    return entry(f'Status has been changed from "{old}" to "{new}"', at)


def tickets_answer(http, *tickets: dict, board: bool = True) -> None:
    """The ticket list, board 1's statuses (when asked), and empty notes and links for each ticket."""
    http.get(f"{BASE}/service/tickets", json=list(tickets))
    if board:
        http.get(f"{BASE}/service/boards/1/statuses", json=STATUSES)
    for t in tickets:
        http.get(f"{BASE}/service/tickets/{t['id']}/notes", json=[])
        http.get(f"{BASE}/service/tickets/{t['id']}/configurations", json=[])


def fetch(state=None, **overrides) -> list:
    connector = make_connector(state, **{"page_size": 50, **overrides})
    stream = {s.source: s for s in connector.streams()}["connectwise.tickets"]
    return list(stream.fetch(None))


def events_of(records: list) -> list[dict]:
    return [{"kind": r.fields["kind"], "old": r.fields["old"], "new": r.fields["new"], "at": r.fields["at"],
             "by": r.fields["by"]} for r in records if r.source == EVENTS]


def test_each_kind_of_change_becomes_an_event_and_the_rest_is_not_history(http, state):
    # Arrange: newest first, as CW orders the trail
    trail = [
        entry('Priority has been changed from "Priority 3 - Medium" to "Priority 2 - High"', "2026-11-01T11:30:00Z",
              sub_type="Priority"),
        entry('Ticket Owner has been changed from "jsmith" to "adoe"', "2026-11-01T11:00:00Z", by="jsmith",
              audit_type="Resource", sub_type="Owner"),
        status("New", "Waiting on Client", "2026-11-01T10:30:00Z"),
        entry("Note added by jsmith.", "2026-11-01T10:20:00Z", sub_type="Notes"),
        entry('SLA Status has been changed from "Respond" to "Resolve"', "2026-11-01T10:10:00Z", sub_type="SLA"),
        entry("Ticket has been created.", "2026-11-01T10:00:00Z", sub_type="Created"),
    ]
    tickets_answer(http, TICKET)
    http.get(AUDIT, json=trail, match=[matchers.query_param_matcher(
        {"type": "Ticket", "id": "4711", "deviceIdentifier": "", "page": "1", "pageSize": "50"})])
    # Act
    records = fetch(state, page_size=50)
    # Assert: oldest first, before the ticket
    assert events_of(records) == [
        {"kind": "status_changed", "old": "New", "new": "Waiting on Client", "at": "2026-11-01T10:30:00Z",
         "by": "jsmith"},
        {"kind": "owner_changed", "old": "jsmith", "new": "adoe", "at": "2026-11-01T11:00:00Z", "by": "jsmith"},
        {"kind": "priority_changed", "old": "Priority 3 - Medium", "new": "Priority 2 - High",
         "at": "2026-11-01T11:30:00Z", "by": "jsmith"},
    ]
    assert [r.source for r in records] == [EVENTS] * 3 + ["connectwise.tickets"]
    assert {r.fields["ticket_id"] for r in records[:3]} == {"4711"}
    assert records[1].key == entry_key(4711, trail[1])


def test_reopen_is_a_move_from_a_closed_status_to_an_open_one(http):
    # Arrange: closed flags from the board's statuses; names alone would misjudge two of these
    trail = [status("Closed", "Waiting on Client", "2026-11-05T09:00:00Z"),        # reopened
             status("Waiting on Client", "Closed", "2026-11-04T09:00:00Z"),
             status("Done (billing)", "Resolved", "2026-11-03T09:00:00Z"),          # reopened (flag, not name)
             status("Resolved", "Waiting on Client", "2026-11-02T09:00:00Z"),       # Resolved is open here
             status("Closed", "Done (billing)", "2026-11-01T12:00:00Z")]            # closed to closed
    tickets_answer(http, TICKET)
    http.get(AUDIT, json=trail)
    # Act
    kinds = [e["kind"] for e in events_of(fetch())]
    # Assert
    assert kinds == ["status_changed", "status_changed", "reopened", "status_changed", "reopened"]


def test_reopen_falls_back_to_status_names_when_the_board_is_unknown(http):
    # Arrange: the ticket's board is gone, so no closed flags are known
    trail = [status("Completed", "In Progress", "2026-11-05T09:00:00Z"),
             status("Resolved", "In Progress", "2026-11-04T09:00:00Z"),
             status("Closed", "Cancelled", "2026-11-03T09:00:00Z")]
    tickets_answer(http, TICKET, board=False)
    for _ in range(2):      # the read, and the re-send that reads CW's error body
        http.get(f"{BASE}/service/boards/1/statuses", status=404, json={"code": "NotFound", "message": "no board"})
    http.get(AUDIT, json=trail)
    # Act
    kinds = [e["kind"] for e in events_of(fetch())]
    # Assert
    assert kinds == ["status_changed", "status_changed", "reopened"]


def test_malformed_entries_are_logged_and_skipped(http):
    # Arrange
    trail = [status("New", "Closed", "2026-11-05T09:00:00Z"),
             {"text": 'Status has been changed from "A" to "B"', "enteredBy": "jsmith"},   # no enteredDate
             status("New", "Closed", "yesterday"),
             entry("Status changed to Closed", "2026-11-04T09:00:00Z"),                    # unreadable change
             {"enteredDate": "2026-11-04T09:00:00Z"}]                                      # no text
    tickets_answer(http, TICKET)
    http.get(AUDIT, json=trail)
    # Act
    with capture_logs() as logs:
        records = fetch()
    # Assert
    assert [e["new"] for e in events_of(records)] == ["Closed"]
    skipped = [e for e in logs if e["event"] == "record_skipped"]
    assert len(skipped) == 4
    assert {e["source"] for e in skipped} == {EVENTS}
    assert records[-1].source == "connectwise.tickets"


def test_keys_are_stable_whatever_the_order_and_paging(http):
    # Arrange: three entries over pages of two, newest first
    trail = [status("A", "B", f"2026-11-0{d}T09:00:00Z") for d in (3, 2, 1)]
    tickets_answer(http, TICKET, board=False)
    http.get(f"{BASE}/service/boards/1/statuses", json=STATUSES[:1])   # a short page: one request
    http.get(AUDIT, json=trail[:2], match=[matchers.query_param_matcher(
        {"type": "Ticket", "id": "4711", "deviceIdentifier": "", "page": "1", "pageSize": "2"})])
    http.get(AUDIT, json=trail[2:], match=[matchers.query_param_matcher(
        {"type": "Ticket", "id": "4711", "deviceIdentifier": "", "page": "2", "pageSize": "2"})])
    # Act
    records = [r for r in fetch(page_size=2) if r.source == EVENTS]
    # Assert
    assert [r.key for r in records] == [entry_key(4711, e) for e in reversed(trail)]
    assert all(r.key.startswith("4711:") and len(r.key) == 5 + 16 for r in records)
    assert len({r.key for r in records}) == 3


@pytest.mark.parametrize("answer", [(403, {"code": "Forbidden", "message": "no access"}),
                                    (404, {"code": "NotFound", "message": "/system/audittrail was not found"})])
def test_no_permission_or_no_endpoint_means_no_history_logged_once_per_connector(http, answer):
    # Arrange: two tickets; the trail is asked for once per poll (plus the re-send that reads the error)
    code, body = answer
    second = {**TICKET, "id": 4712}
    for poll in range(2):
        tickets_answer(http, TICKET, second, board=poll == 0)
        http.get(AUDIT, status=code, json=body)
    connector = make_connector(page_size=50)
    stream = {s.source: s for s in connector.streams()}["connectwise.tickets"]
    # Act
    with capture_logs() as logs:
        first = list(stream.fetch(None))
        again = list(stream.fetch(None))
    # Assert
    for records in (first, again):
        assert [r.key for r in records] == ["4711", "4712"]
    audit_calls = [c for c in http.calls if c.request.url.startswith(AUDIT)]
    assert len(audit_calls) == 2 * 2                         # per poll: one try + one re-send; tried again
    warned = [e for e in logs if e["event"] == "ticket_history_unavailable"]
    assert len(warned) == 1
    assert warned[0]["status"] == code


def test_rejected_keys_still_stop_the_poll(http):
    tickets_answer(http, TICKET)
    http.get(AUDIT, status=401, json={"code": "Unauthorized", "message": "Incorrect public/private key"})
    with pytest.raises(AuthError):
        fetch()


# --- sandbox, end to end ----------------------------------------------------------------------


def _world_events(world) -> set[tuple]:
    """(ticket, kind, at, old, new) of every live ticket's history row, as CW's trail should carry it."""
    members = {r["id"]: r["identifier"] for r in world.query("SELECT id, identifier FROM members")}
    out = set()
    for row in world.query("SELECT e.ticket_id, e.at, e.kind, e.detail FROM ticket_events e "
                           "JOIN tickets t ON t.id = e.ticket_id WHERE t.deleted = 0"):
        d = json.loads(row["detail"])
        old, new = (members[d["from"]], members[d["to"]]) if row["kind"] == "owner_changed" else (d["from"], d["to"])
        out.add((str(row["ticket_id"]), row["kind"], row["at"], old, new))
    return out


def _mirrored_events(state) -> set[tuple]:
    return {(r.fields["ticket_id"], r.fields["kind"], r.fields["at"], r.fields["old"], r.fields["new"])
            for r in state.iter_records(EVENTS)}


def _truth(world, kind: str) -> dict[str, dict]:
    rows = world.query("SELECT t.subject, t.value FROM truth t JOIN tickets k ON 'tickets:' || k.id = t.subject "
                       "WHERE t.kind = ? AND k.deleted = 0", (kind,))
    return {r["subject"].split(":")[1]: json.loads(r["value"]) for r in rows}


def test_first_sync_mirrors_every_planted_reopen_and_unannounced_owner_change(make_env, world):
    # Arrange
    env = make_env()
    reopened, no_handoff = _truth(world, "reopened"), _truth(world, "owner_change_no_handoff")
    members = {r["id"]: r["identifier"] for r in world.query("SELECT id, identifier FROM members")}
    assert reopened
    assert no_handoff
    # Act
    sync(env)
    # Assert
    mirrored = _mirrored_events(env.state)
    for ticket, value in reopened.items():
        assert sum(1 for e in mirrored if e[:2] == (ticket, "reopened")) == value["times"], ticket
    for ticket, value in no_handoff.items():
        for change in value["changes"]:
            want = (ticket, "owner_changed", change["at"], members[change["from"]], members[change["to"]])
            assert want in mirrored, want
    assert mirrored == _world_events(world)                 # and nothing the world did not do
    ticket_of = {r.key: r for r in env.state.iter_records("connectwise.tickets")}
    assert all(e[0] in ticket_of for e in mirrored)


def test_sandbox_member_without_the_permission_syncs_tickets_without_history(make_env, world):
    # Arrange
    env = make_env()
    env.box.simulator("connectwise").audit_trail_denied = True
    # Act
    with capture_logs() as logs:
        sync(env)
    # Assert
    tickets = world.query_one("SELECT COUNT(*) AS n FROM tickets WHERE deleted = 0")["n"]
    assert env.state.count("connectwise.tickets") == tickets
    assert env.state.count(EVENTS) == 0
    assert [e["status"] for e in logs if e["event"] == "ticket_history_unavailable"] == [403]
    audit = {p: n for p, n in env.box.counters("connectwise")["requests"].items() if "audittrail" in p}
    assert sum(audit.values()) == 2                          # one try and the re-send, then none this poll
