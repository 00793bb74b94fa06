"""A ticket's device: linked configuration, hostname in the text, the caller's only machine, the RMM's last user."""

from __future__ import annotations

from syncd.identity import IdentitySettings, resolve
from tests.identity.build import World

DEVICE_TYPES = IdentitySettings(device_ticket_categories=["Incident"])


def world() -> World:
    w = World()
    w.company("250", "Acme Dental", ninja="9")
    w.company("260", "Birch Realty", ninja="10")
    w.config("7001", "250", "ACME-WS-001", serial="5CG111AAA", contact="c1")
    w.device("1201", "9", "ACME-WS-001", serial="5CG111AAA", user="ACME\\jdoe")
    w.config("7002", "250", "ACME-WS-002", serial="5CG222BBB", contact="c2")
    w.device("1202", "9", "ACME-WS-002", serial="5CG222BBB", user="ACME\\asmith")
    w.config("7003", "250", "ACME-LT-003", serial="5CG333CCC", contact="c2")
    w.config("7101", "260", "BIRCH-WS-001", serial="PF0000001")
    w.device("1301", "10", "ACME-WS-009", serial="PF0000009", user="BIRCH\\kim")   # same-looking name, other client
    w.contact("c1", "250", "jdoe")
    w.contact("c2", "250", "asmith")
    w.contact("c3", "250", "bnoconfig")
    w.device("1203", "9", "ACME-WS-010", serial="5CG444DDD", user="ACME\\bnoconfig")
    return w


def device(result, tid: str):
    return result.device_for_ticket("connectwise.tickets", tid)


def test_linked_configuration_is_the_device() -> None:
    w = world()
    w.ticket("1", "250", "Outlook crashes", configs=("7001",))
    td = device(resolve(w.records), "1")
    assert (td.machine.psa, td.machine.rmm_id) == ("7001", "1201")
    assert "config_link" in td.agreed
    assert td.confidence >= 0.9


def test_hostname_in_description_note_matches_whole_token_in_that_company_only() -> None:
    # Arrange: "ACME-WS-0010" is not "ACME-WS-001"; ACME-WS-009 exists only at another client
    w = world()
    w.ticket("1", "250", "Slow PC", description="Computer name: ACME-WS-002.\nReported by phone.")
    w.ticket("2", "250", "Slow PC", description="User is on ACME-WS-0010 and ACME-WS-009")
    # Act
    result = resolve(w.records)
    # Assert
    assert device(result, "1").machine.psa == "7002"
    assert device(result, "2").machine is None
    assert device(result, "2").reason == "no_lead"


def test_ticket_naming_two_hostnames_is_ambiguous_and_queued() -> None:
    w = world()
    w.ticket("1", "250", "ACME-WS-001 and ACME-WS-002 both slow")
    result = resolve(w.records)
    assert device(result, "1").reason == "ambiguous"
    assert {i.right for i in result.review if i.kind == "ticket"} == {
        "connectwise.configurations:7001", "connectwise.configurations:7002"}


def test_caller_with_exactly_one_machine_links_only_for_device_categories() -> None:
    w = world()
    w.ticket("1", "250", "My computer is slow", contact="c1")
    w.ticket("2", "250", "Password reset", contact="c1", type_="Service Request")
    result = resolve(w.records, (), DEVICE_TYPES)
    assert device(result, "1").machine.psa == "7001"
    assert "contact_device" in device(result, "1").agreed
    assert device(result, "2").machine is None
    assert device(result, "2").reason == "not_a_device_category"
    assert device(resolve(w.records), "1").machine is None      # no categories configured: never by caller alone


def test_an_inactive_callers_machines_are_no_lead_but_a_named_host_still_is() -> None:
    # Arrange: c4 has left the client; their configuration and last logon are still in the tools.
    w = world()
    w.config("7004", "250", "ACME-WS-004", serial="5CG555EEE", contact="c4")
    w.device("1204", "9", "ACME-WS-005", serial="5CG666FFF", user="ACME\\gone")
    w.contact("c4", "250", "gone", active=False)
    w.ticket("1", "250", "VPN won't connect", contact="c4")
    w.ticket("2", "250", "VPN won't connect from ACME-WS-004", contact="c4")
    # Act
    result = resolve(w.records, (), DEVICE_TYPES)
    # Assert
    assert (device(result, "1").machine, device(result, "1").reason) == (None, "no_lead")
    assert device(result, "2").machine.psa == "7004"


def test_tickets_of_a_device_category_say_so_whatever_identity_found() -> None:
    w = world()
    w.ticket("1", "250", "My computer is slow")
    w.ticket("2", "250", "Password reset", type_="Service Request")
    result = resolve(w.records, (), DEVICE_TYPES)
    assert (device(result, "1").reason, device(result, "1").device_category) == ("no_lead", True)
    assert device(result, "2").device_category is False


def test_contact_with_two_machines_is_ambiguous() -> None:
    w = world()
    w.ticket("1", "250", "My computer is slow", contact="c2")
    td = device(resolve(w.records, (), DEVICE_TYPES), "1")
    assert td.machine is None
    assert td.reason == "ambiguous"


def test_rmm_last_logged_on_user_matching_the_contact_username() -> None:
    w = world()
    w.ticket("1", "250", "Teams keeps crashing", contact="c3")
    td = device(resolve(w.records, (), DEVICE_TYPES), "1")
    assert td.machine.rmm_id == "1203"
    assert "last_user" in td.agreed


def test_named_host_beats_the_callers_own_machine_but_records_the_disagreement() -> None:
    w = world()
    w.ticket("1", "250", "Printer offline on ACME-WS-002", contact="c1")
    td = device(resolve(w.records, (), DEVICE_TYPES), "1")
    assert td.machine.psa == "7002"
    assert "contact_device" in td.disagreed
    assert td.confidence < 0.9


def test_configuration_link_and_a_different_named_host_conflict() -> None:
    w = world()
    w.ticket("1", "250", "ACME-WS-002 cannot print", configs=("7001",))
    assert device(resolve(w.records), "1").reason == "ambiguous"
