"""Decisions win over the automatic result; links persist between passes; lost links are reported."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from syncd.identity import resolve, resolve_from_store
from syncd.identity.cli import kind_of, matches
from syncd.state import SqliteStateStore
from syncd.state.base import MatchDecision
from tests.identity.build import World

AT = datetime(2026, 11, 2, tzinfo=UTC)


def world() -> World:
    w = World()
    w.company("250", "Acme Dental", ninja="9", hudu="31")
    return w


def decision(kind: str, left: str, right: str, verdict: str) -> MatchDecision:
    return MatchDecision(kind, left, right, verdict, "ana", "checked on site", AT)


def test_accepting_a_review_candidate_links_it_and_it_leaves_the_queue() -> None:
    # Arrange: hostname alone -> review
    w = world()
    w.config("7001", "250", "ACME-WS-001")
    w.device("1201", "9", "ACME-WS-001")
    accept = decision("machine", "ninjaone.devices:1201", "connectwise.configurations:7001", "accept")
    # Act
    result = resolve(w.records, [accept])
    # Assert
    m = result.machine_for("connectwise.configurations", "7001")
    assert m.rmm == ("1201",)
    assert m.links[0].via == "accept"
    assert not result.review


def test_rejecting_an_automatic_link_wins_on_every_later_pass() -> None:
    w = world()
    w.config("7001", "250", "ACME-WS-001", serial="5CG111AAA")
    w.device("1201", "9", "ACME-WS-001", serial="5CG111AAA")
    reject = decision("machine", "connectwise.configurations:7001", "ninjaone.devices:1201", "reject")
    result = resolve(w.records, [reject])
    assert result.machine_for("connectwise.configurations", "7001").rmm == ()
    assert not result.review


def test_ticket_decision_pins_its_device() -> None:
    w = world()
    w.config("7001", "250", "ACME-WS-001")
    w.config("7002", "250", "ACME-WS-002")
    w.ticket("1", "250", "ACME-WS-001 and ACME-WS-002")
    pin = decision("ticket", "connectwise.tickets:1", "connectwise.configurations:7002", "pin")
    td = resolve(w.records, [pin]).device_for_ticket("connectwise.tickets", "1")
    assert td.machine.psa == "7002"
    assert td.via == "pin"


def test_a_later_ticket_pin_replaces_an_earlier_one() -> None:
    w = world()
    w.config("7001", "250", "ACME-WS-001")
    w.config("7002", "250", "ACME-WS-002")
    w.ticket("1", "250", "Slow PC")
    first = decision("ticket", "connectwise.tickets:1", "connectwise.configurations:7001", "pin")
    later = MatchDecision("ticket", "connectwise.tickets:1", "connectwise.configurations:7002", "pin", "bo",
                          "re-checked: it was the other desk", datetime(2026, 11, 3, tzinfo=UTC))
    for order in ([first, later], [later, first]):
        td = resolve(w.records, order).device_for_ticket("connectwise.tickets", "1")
        assert (td.machine.psa, td.via) == ("7002", "pin")


def test_links_persist_a_replaced_device_becomes_previous_and_a_lost_link_is_reported(tmp_path) -> None:
    # Arrange: pass 1 links config 7001 to device 1201 and 7002 to 1202
    store = SqliteStateStore(tmp_path / "state.db")
    w = world()
    w.config("7001", "250", "ACME-WS-001", serial="5CG111AAA")
    w.config("7002", "250", "ACME-WS-002", serial="5CG222BBB")
    store.upsert_records([r for rs in w.records.values() for r in rs])
    store.upsert_records([r for rs in _devices({"1201": ("ACME-WS-001", "5CG111AAA"),
                                                 "1202": ("ACME-WS-002", "5CG222BBB")}).values() for r in rs])
    first = resolve_from_store(store)
    assert first.machine_for("ninjaone.devices", "1202").psa == "7002"
    # Act: 1201 is re-imaged (old agent deleted, new id 1299); 1202 now reports another serial and name
    store.mark_deleted("ninjaone.devices", ["1201", "1202"], AT)
    store.upsert_records([r for rs in _devices({"1299": ("ACME-WS-001", "5CG111AAA"),
                                                 "1202": ("ACME-WS-777", "5CG999ZZZ")}).values() for r in rs])
    second = resolve_from_store(store)
    # Assert
    m = second.machine_for("connectwise.configurations", "7001")
    assert m.rmm == ("1299",)
    assert m.previous_rmm == ("1201",)
    (lost,) = second.lost
    assert (lost.left, lost.right, lost.reason) == ("connectwise.configurations:7002", "ninjaone.devices:1202",
                                                   "unsupported")
    store.close()


def _devices(spec: dict[str, tuple[str, str]]) -> dict:
    w = World()
    for did, (host, serial) in spec.items():
        w.device(did, "9", host, serial=serial)
    return w.records


def test_cli_lists_the_queue_and_records_decisions(tmp_path) -> None:
    # Arrange
    store = SqliteStateStore(tmp_path / "state.db")
    w = world()
    w.config("7001", "250", "ACME-WS-001")
    w.device("1201", "9", "ACME-WS-001")
    store.upsert_records([r for rs in w.records.values() for r in rs])
    runner = CliRunner()
    obj = {"state": store}
    # Act
    listed = runner.invoke(matches, ["list", "--kind", "machine", "--json"], obj=obj)
    accepted = runner.invoke(matches, ["accept", "connectwise.configurations:7001", "ninjaone.devices:1201",
                                       "--author", "ana", "--reason", "same desk"], obj=obj)
    after = runner.invoke(matches, ["list"], obj=obj)
    # Assert
    assert listed.exit_code == 0
    assert '"reason": "low_confidence"' in listed.output
    assert accepted.exit_code == 0
    assert store.match_decision("machine", "connectwise.configurations:7001", "ninjaone.devices:1201").author == "ana"
    assert after.output == ""
    store.close()


def test_kind_is_inferred_from_refs() -> None:
    assert kind_of("connectwise.tickets:1", "connectwise.configurations:2") == "ticket"
    assert kind_of("hudu.companies:1", "connectwise.companies:2") == "company"
    assert kind_of("hudu.assets:1", "ninjaone.devices:2") == "machine"
