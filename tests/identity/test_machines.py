"""Machines: every mess the world generator plants, including the cases where the answer is no link."""

from __future__ import annotations

from syncd.identity import IdentitySettings, MachineKey, resolve
from tests.identity.build import World

MAC1, MAC2, MAC3 = "00:1A:2B:00:00:01", "00:1A:2B:00:00:02", "00:1A:2B:00:00:03"


def world() -> World:
    w = World()
    w.company("250", "Acme Dental", ninja="9", hudu="31")
    return w


def machine(result, config_id: str):
    return result.machine_for("connectwise.configurations", config_id)


def test_clean_machine_links_across_three_tools_with_evidence() -> None:
    # Arrange
    w = world()
    w.config("7001", "250", "ACME-WS-001", serial="5CG123ABC", macs=(MAC1,), rmm="1201")
    w.device("1201", "9", "ACME-WS-001", serial="5CG123ABC", macs=(MAC1.lower(), MAC2))
    w.asset("401", "31", "ACME-WS-001", serial="5CG123ABC", connectwise="7001")
    # Act
    m = machine(resolve(w.records), "7001")
    # Assert
    assert (m.psa, m.rmm, m.docs) == ("7001", ("1201",), "401")
    core = next(lk for lk in m.links if lk.right == "ninjaone.devices:1201")
    assert set(core.agreed) == {"explicit_id", "serial", "mac", "hostname"}
    assert core.confidence > 0.99


def test_junk_serial_as_only_evidence_is_no_link() -> None:
    # Arrange: same placeholder serial, different names, no ids or MACs
    w = world()
    w.config("7001", "250", "FRONT-DESK", serial="To be filled by O.E.M.")
    w.device("1201", "9", "ACME-WS-044", serial="To be filled by O.E.M.")
    # Act
    result = resolve(w.records)
    # Assert
    assert machine(result, "7001").rmm == ()
    assert not [i for i in result.review if i.kind == "machine"]


def test_duplicate_serial_of_cloned_vms_is_not_used() -> None:
    # Arrange: two cloned VMs share the template's serial on both sides, names differ
    w = world()
    w.config("7001", "250", "ACME-APP01", serial="VMware-56 4d 1a")
    w.config("7002", "250", "ACME-SQL01", serial="VMware-56 4d 1a")
    w.device("1201", "9", "ACME-APP02", serial="VMware-56 4d 1a")
    w.device("1202", "9", "ACME-SQL02", serial="VMware-56 4d 1a")
    # Act
    result = resolve(w.records)
    # Assert
    assert machine(result, "7001").rmm == ()
    assert machine(result, "7002").rmm == ()


def test_duplicate_serial_machines_still_link_by_hostname_and_mac() -> None:
    w = world()
    w.config("7001", "250", "ACME-APP01", serial="VMware-56 4d 1a", macs=(MAC1,))
    w.config("7002", "250", "ACME-SQL01", serial="VMware-56 4d 1a", macs=(MAC2,))
    w.device("1201", "9", "ACME-APP01", serial="VMware-56 4d 1a", macs=(MAC1,))
    w.device("1202", "9", "ACME-SQL01", serial="VMware-56 4d 1a", macs=(MAC2,))
    result = resolve(w.records)
    assert machine(result, "7001").rmm == ("1201",)
    assert machine(result, "7002").rmm == ("1202",)
    assert "serial" not in machine(result, "7001").links[0].agreed


def test_mac_typed_into_serial_is_not_a_serial_but_a_mac() -> None:
    # Arrange: the CW serial holds the NIC's MAC; the device's real serial differs
    w = world()
    w.config("7001", "250", "ACME-WS-001", serial=MAC1.replace(":", "-"))
    w.device("1201", "9", "ACME-WS-001", serial="5CG123ABC", macs=(MAC1,))
    # Act
    link = machine(resolve(w.records), "7001").links[0]
    # Assert
    assert "serial" not in link.disagreed
    assert set(link.agreed) == {"mac", "hostname"}


def test_same_hostname_in_two_companies_is_no_link() -> None:
    # Arrange: ACME-WS-001 exists at two clients; the RMM one belongs to the other client
    w = world()
    w.company("260", "Birch Realty", ninja="10")
    w.config("7001", "250", "WS-001")
    w.device("1201", "10", "WS-001")
    # Act
    result = resolve(w.records)
    # Assert
    assert machine(result, "7001").rmm == ()


def test_hostname_alone_within_a_company_is_review_not_a_link() -> None:
    w = world()
    w.config("7001", "250", "ACME-WS-001")
    w.device("1201", "9", "ACME-WS-001")
    result = resolve(w.records)
    assert machine(result, "7001").rmm == ()
    (item,) = result.review
    assert item.reason == "low_confidence"
    assert item.agreed == {"hostname": "acme-ws-001"}


def test_renamed_machine_keeps_its_link_by_serial() -> None:
    # Arrange: CW and Hudu keep the old name, the RMM reports the new one
    w = world()
    w.config("7001", "250", "DESKTOP-7QX2K9P", serial="PF3ABC12", macs=(MAC1,))
    w.device("1201", "9", "ACME-WS-014", serial="PF3ABC12", macs=(MAC1,))
    w.asset("401", "31", "DESKTOP-7QX2K9P", serial="PF3ABC12")
    # Act
    m = machine(resolve(w.records), "7001")
    # Assert
    assert (m.rmm, m.docs) == (("1201",), "401")
    core = next(lk for lk in m.links if lk.right == "ninjaone.devices:1201")
    assert "hostname" in core.disagreed
    assert core.confidence >= 0.8


def test_serial_agreeing_while_hostname_and_macs_disagree_goes_to_review() -> None:
    w = world()
    w.config("7001", "250", "ACME-WS-001", serial="PF3ABC12", macs=(MAC1,))
    w.device("1201", "9", "ACME-WS-099", serial="PF3ABC12", macs=(MAC3,))
    result = resolve(w.records)
    assert machine(result, "7001").rmm == ()
    (item,) = result.review
    assert set(item.disagreed) == {"hostname", "mac"}
    assert item.agreed == {"serial": "PF3ABC12"}


def test_reimaged_machine_keeps_link_newest_device_wins_old_is_previous() -> None:
    # Arrange: re-imaged: a new agent id, same serial and hostname; CW still names the old agent
    w = world()
    w.config("7001", "250", "ACME-WS-001", serial="5CG123ABC", rmm="1201")
    w.device("1201", "9", "ACME-WS-001", serial="5CG123ABC", macs=(MAC1,), seen_days_ago=20)
    w.device("1299", "9", "ACME-WS-001", serial="5CG123ABC", macs=(MAC1,), seen_days_ago=1)
    # Act
    m = machine(resolve(w.records), "7001")
    # Assert
    assert m.rmm_id == "1299"
    assert m.previous_rmm == ("1201",)


def test_missing_from_psa_device_stays_unmatched_and_links_its_asset() -> None:
    w = world()
    w.device("1201", "9", "ACME-WS-001", serial="5CG123ABC")
    w.asset("401", "31", "ACME-WS-001", serial="5CG123ABC")
    result = resolve(w.records)
    m = result.machine_for("ninjaone.devices", "1201")
    assert (m.psa, m.docs) == (None, "401")


def test_asset_naming_two_different_machines_is_a_conflict() -> None:
    # Arrange: the asset's cards name config 7001 and device 1202, and those two are different machines
    w = world()
    w.config("7001", "250", "ACME-WS-001", serial="5CG111AAA", rmm="1201")
    w.device("1201", "9", "ACME-WS-001", serial="5CG111AAA")
    w.device("1202", "9", "ACME-WS-002", serial="5CG222BBB")
    w.asset("401", "31", "ACME-WS-007", connectwise="7001", ninjaone="1202")
    # Act
    result = resolve(w.records)
    # Assert
    assert machine(result, "7001").docs is None
    assert result.machine_for("ninjaone.devices", "1202").docs is None
    assert {i.reason for i in result.review if "hudu.assets:401" in (i.left, i.right)} == {"conflict"}


def test_shared_mac_is_ignored() -> None:
    # A docking-station MAC reported by two devices is no evidence.
    w = world()
    w.config("7001", "250", "FRONT-DESK", macs=(MAC1,))
    w.device("1201", "9", "ACME-WS-001", macs=(MAC1,))
    w.device("1202", "9", "ACME-WS-002", macs=(MAC1,))
    assert machine(resolve(w.records), "7001").rmm == ()


def test_disabled_keys_are_not_used() -> None:
    w = world()
    w.config("7001", "250", "X", serial="5CG123ABC")
    w.device("1201", "9", "Y", serial="5CG123ABC")
    keys = [k for k in MachineKey if k is not MachineKey.SERIAL]
    assert machine(resolve(w.records), "7001").rmm == ("1201",)
    assert machine(resolve(w.records, (), IdentitySettings(machine_keys=keys)), "7001").rmm == ()
