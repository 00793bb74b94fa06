"""End to end over loopback HTTP: the connector against the ConnectWise simulator and a tiny world."""

from __future__ import annotations

from structlog.testing import capture_logs

from syncd.connectors.common import marker
from syncd.errors import ApiError
from syncd.sandbox.faults import FaultConfig
from syncd.state import SqliteStateStore
from tests.connectors.connectwise.conftest import Env
from tests.connectors.connectwise.helpers import (
    clone_row,
    mirror,
    mirror_counts,
    reconcile,
    sync,
    world_counts,
)

LATER = "2026-11-17T15:05:00Z"          # after the world's now (15:00), before the advanced clock


def test_first_sync_mirrors_every_record_the_world_holds(make_env, world):
    # Arrange
    env = make_env()
    # Act
    sync(env)
    # Assert
    assert mirror_counts(env.state) == world_counts(world)
    links = {(r["ticket_id"], r["configuration_id"]) for r in world.query(
        "SELECT tc.ticket_id, tc.configuration_id FROM ticket_configurations tc JOIN cw_configurations c "
        "ON c.id = tc.configuration_id JOIN tickets t ON t.id = tc.ticket_id WHERE c.deleted = 0 AND t.deleted = 0")}
    mirrored = {(int(r.key), int(c)) for r in env.state.iter_records("connectwise.tickets")
                for c in r.fields["configuration_ids"]}
    assert mirrored == links
    assert all(r.fields["status_class"] for r in env.state.iter_records("connectwise.tickets"))


def test_first_sync_and_idle_poll_request_counts(make_env, world):
    # Arrange
    env = make_env()
    tickets = world_counts(world)["tickets"]
    boards = world_counts(world)["boards"]
    # Act
    sync(env)
    first = env.box.counters("connectwise")["total"]
    env.box.reset_counters()
    sync(env)
    idle = env.box.counters("connectwise")
    # Assert: 7 lists + statuses per board + notes, links and audit trail per ticket; idle = 1 per list
    assert first == 7 + boards + 3 * tickets
    assert idle["total"] == 7 + boards
    lists = {path: n for path, n in idle["requests"].items() if "{id}" not in path}
    assert set(lists.values()) == {1}


def test_second_sync_picks_up_exactly_the_changes(make_env, world):
    # Arrange
    env = make_env()
    sync(env)
    env.box.clock.advance(600)
    edited = world.query_one("SELECT id FROM tickets WHERE deleted = 0 ORDER BY id LIMIT 1")["id"]
    world.execute("UPDATE tickets SET summary = 'Changed by the test', updated_at = ? WHERE id = ?", (LATER, edited))
    new_ticket = world.query_one("SELECT MAX(id) AS m FROM tickets")["m"] + 1
    clone_row(world, "tickets", edited, new_ticket, summary="A brand new ticket", description="New problem",
              created_at=LATER, updated_at=LATER)
    contact = world.query_one("SELECT id FROM contacts WHERE deleted = 0 ORDER BY id LIMIT 1")["id"]
    world.execute("UPDATE contacts SET first_name = 'Renamed', updated_at = ? WHERE id = ?", (LATER, contact))
    entry = world.query_one("SELECT id FROM time_entries WHERE deleted = 0 ORDER BY id LIMIT 1")["id"]
    clone_row(world, "time_entries", entry, world.query_one("SELECT MAX(id) AS m FROM time_entries")["m"] + 1,
              ticket_id=new_ticket, created_at=LATER, updated_at=LATER)
    # Act
    results = sync(env)
    # Assert
    changes = {s: (r.new, r.changed) for s, r in results.items()}
    assert changes == {"boards": (0, 0), "priorities": (0, 0), "companies": (0, 0), "contacts": (0, 1),
                       "configurations": (0, 0), "tickets": (2, 1), "time_entries": (1, 0)}  # ticket + its note
    assert env.state.get_record("connectwise.tickets", str(edited)).fields["summary"] == "Changed by the test"
    assert env.state.get_record("connectwise.contacts", str(contact)).fields["name"].startswith("Renamed ")
    assert mirror_counts(env.state) == world_counts(world)


def test_reconciliation_marks_deleted_rows(make_env, world):
    # Arrange
    env = make_env()
    sync(env)
    gone = {table: world.query_one(f"SELECT id FROM {table} WHERE deleted = 0 ORDER BY id DESC LIMIT 1")["id"]  # noqa: S608
            for table in ("tickets", "contacts", "cw_configurations", "time_entries")}
    for table, ident in gone.items():
        world.execute(f"UPDATE {table} SET deleted = 1 WHERE id = ?", (ident,))  # noqa: S608
    # Act
    deleted = reconcile(env)
    # Assert
    assert deleted["tickets"] == deleted["contacts"] == deleted["configurations"] == 1
    assert deleted["time_entries"] >= 1        # plus the entries of the deleted ticket
    assert env.state.get_record("connectwise.tickets", str(gone["tickets"])).is_deleted
    assert env.state.get_record("connectwise.configurations", str(gone["cw_configurations"])).is_deleted
    assert mirror_counts(env.state) | {"notes": 0} == world_counts(world) | {"notes": 0}


FAULTS = FaultConfig(burst_429_every=25, burst_429_length=2, error_5xx_rate=0.05, reset_rate=0.03,
                     timeout_rate=0.02, timeout_hang_s=1.0, malformed_rate=0.04, mutate_between_pages=True,
                     seed=5)


def test_sync_under_faults_ends_with_the_same_mirror_as_a_clean_sync(make_env, tmp_path):
    # Arrange: small pages so lists span pages and rows change between them
    env = make_env(FAULTS, read_timeout="300ms", page_size=10)
    # Act: poll until each stream completes, then one more clean incremental pass
    sync(env, retries=5)
    faults = env.box.counters("connectwise")["faults"]
    env.box.injector("connectwise").configure(FaultConfig())
    sync(env)
    clean = Env(env.box, SqliteStateStore(tmp_path / "clean.db"), env.settings, page_size=10)
    sync(clean)
    # Assert
    assert {"429", "reset", "timeout", "malformed", "changed_between_pages"} <= set(faults)
    assert mirror(env.state) == mirror(clean.state)
    clean.close()


def _retry(call, attempts: int = 10):
    for attempt in range(attempts):
        try:
            return call()
        except ApiError:
            if attempt == attempts - 1:
                raise
    return None


def test_writes_under_faults_never_duplicate(make_env, world):
    # Arrange: every write retried by its caller (as the executor would) under heavy faults
    env = make_env(FaultConfig(error_5xx_rate=0.15, reset_rate=0.1, malformed_rate=0.15, seed=9))
    writer = env.connector.writer()
    tickets = [r["id"] for r in world.query("SELECT id FROM tickets WHERE deleted = 0 ORDER BY id LIMIT 8")]
    config = world.query_one("SELECT id FROM cw_configurations WHERE deleted = 0 ORDER BY id LIMIT 1")["id"]
    company = world.query_one("SELECT cw_id FROM companies WHERE cw_id IS NOT NULL ORDER BY cw_id LIMIT 1")["cw_id"]
    # Act: each write twice, as after a crash between the write and the ledger
    with capture_logs() as logs:
        for _ in range(2):
            for ticket in tickets:
                _retry(lambda t=ticket: writer.post_note(str(t), "Patch history ...", key=f"r/note/{t}"))
                _retry(lambda t=ticket: writer.link_configuration(str(t), str(config), key=f"r/link/{t}"))
            _retry(lambda: writer.create_ticket(company_id=str(company), summary="KB: VPN drops",
                                                description="d", key="r/kb/1"))
    # Assert
    for ticket in tickets:
        notes = world.query("SELECT COUNT(*) AS n FROM notes WHERE ticket_id = ? AND text LIKE ?",
                            (ticket, f"%{marker(f'r/note/{ticket}')}"))
        assert notes[0]["n"] == 1
        links = world.query("SELECT COUNT(*) AS n FROM ticket_configurations WHERE ticket_id = ? AND "
                            "configuration_id = ?", (ticket, config))
        assert links[0]["n"] == 1
    assert world.query_one("SELECT COUNT(*) AS n FROM tickets WHERE summary = 'KB: VPN drops'")["n"] == 1
    # a junk answer to an applied POST was recognised by looking again, not written twice
    assert any(e["event"] == "write_found_after_failure" for e in logs)
