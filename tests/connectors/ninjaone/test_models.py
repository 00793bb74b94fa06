"""Normalization of NinjaOne payloads: epoch units, MACs, device names, patch keys, alerts, orgs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syncd.connectors.ninjaone.models import (
    NinjaAlert,
    NinjaDevice,
    OsPatchInstall,
    SoftwarePatchInstall,
    normalize_mac,
    organization_to_company,
    to_utc,
)

T = datetime(2026, 11, 17, 15, 0, 0, tzinfo=UTC)
T_S = T.timestamp()


@pytest.mark.parametrize("value", [T_S, T_S * 1000, int(T_S), str(T_S), "2026-11-17T15:00:00Z"])
def test_epoch_seconds_ms_and_text_are_the_same_instant(value: object) -> None:
    assert to_utc(value) == T


def test_epoch_keeps_fractions_and_is_aware_utc() -> None:
    moment = to_utc(T_S + 0.25)
    assert moment is not None
    assert moment.tzinfo == UTC
    assert moment.microsecond == 250_000


@pytest.mark.parametrize(("value", "problem"), [(True, "boolean"), (float("nan"), "finite"),
                                                ("soon", "isoformat")])
def test_junk_timestamps_are_refused(value: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        to_utc(value)


@pytest.mark.parametrize(("raw", "expected"), [
    ("AA:BB:CC:DD:EE:0F", "aa:bb:cc:dd:ee:0f"),
    ("AA-BB-CC-DD-EE-0F", "aa:bb:cc:dd:ee:0f"),
    ("aabb.ccdd.ee0f", "aa:bb:cc:dd:ee:0f"),
    ("AABBCCDDEE0F", "aa:bb:cc:dd:ee:0f"),
    ("00:00:00:00:00:00", None),
    ("SN12345", None),
    ("aa:bb:cc:dd:ee", None),
])
def test_mac_normalization(raw: str, expected: str | None) -> None:
    assert normalize_mac(raw) == expected


def agent(**overrides: object) -> dict[str, object]:
    """A detailed device as /v2/devices-detailed serves it."""
    body: dict[str, object] = {
        "id": 42, "organizationId": 7, "systemName": "ACME-WS-042", "dnsName": "acme-ws-042.corp.local",
        "displayName": "Front desk", "macAddresses": ["AA-BB-CC-00-00-2A", "aa:bb:cc:00:00:2a", "junk"],
        "os": {"name": "Windows 11 Pro"}, "system": {"serialNumber": "SN42", "biosSerialNumber": "BIOS42"},
        "lastLoggedInUser": "ACME\\jdoe", "lastContact": T_S, "lastUpdate": T_S * 1000 - 60_000,
        "unknownField": {"ignored": True},
    }
    body.update(overrides)
    return body


def test_device_mapping() -> None:
    device = NinjaDevice.model_validate(agent()).to_device()
    assert device.model_dump() == {
        "id": "42", "organization_id": "7", "hostname": "ACME-WS-042", "serial": "SN42",
        "mac_addresses": ["aa:bb:cc:00:00:2a"], "os": "Windows 11 Pro", "last_user": "ACME\\jdoe",
        "last_seen": T, "updated": datetime(2026, 11, 17, 14, 59, tzinfo=UTC),
    }


def test_device_hostname_falls_back_to_dns_label_then_display_name() -> None:
    assert NinjaDevice.model_validate(agent(systemName=None)).hostname() == "acme-ws-042"
    assert NinjaDevice.model_validate(agent(systemName=None, dnsName=None)).hostname() == "Front desk"


def test_device_serial_falls_back_to_bios_serial() -> None:
    device = NinjaDevice.model_validate(agent(system={"serialNumber": " ", "biosSerialNumber": "BIOS42"}))
    assert device.serial() == "BIOS42"
    assert NinjaDevice.model_validate(agent(system=None)).serial() is None


def test_os_patch_event_key_is_unique_per_device_and_attempt() -> None:
    # Arrange: the same patch id failed, then installed, on one device (NinjaOne reuses the id)
    row = {"id": "p-1", "name": "CU (KB5044284)", "kbNumber": "KB5044284", "severity": "CRITICAL",
           "status": "FAILED", "installedAt": T_S, "deviceId": 42, "timestamp": T_S + 300}
    # Act
    failed = OsPatchInstall.model_validate(row).to_event()
    installed = OsPatchInstall.model_validate({**row, "status": "INSTALLED", "installedAt": T_S + 86400}).to_event()
    # Assert
    assert failed.id == f"os:42:p-1:{int(T_S)}"
    assert failed.id != installed.id
    assert (failed.status, failed.category, failed.kb, failed.at) == ("failed", "os", "KB5044284", T)
    assert installed.status == "installed"


def test_software_patch_event_mapping() -> None:
    row = {"id": "p-1", "productIdentifier": "prod", "title": "Chrome 131", "impact": "CRITICAL",
           "status": "INSTALLED", "type": "PATCH", "installedAt": T_S * 1000, "deviceId": 42}
    event = SoftwarePatchInstall.model_validate(row).to_event()
    assert (event.id, event.title, event.category, event.severity, event.at) == (
        f"software:42:p-1:{int(T_S)}", "Chrome 131", "software", "CRITICAL", T)
    record = event.to_record("ninjaone")
    assert record.source == "ninjaone.patch_events"
    assert record.updated_at == T


def test_alert_mapping() -> None:
    row = {"uid": "u-1", "deviceId": 42, "message": "CPU above 90%", "sourceType": "CONDITION_AGENT_CPU",
           "severity": "MAJOR", "createTime": T_S, "updateTime": T_S + 60, "psaTicketId": 9}
    alert = NinjaAlert.model_validate(row).to_alert()
    assert (alert.id, alert.device_id, alert.message, alert.source, alert.severity) == (
        "u-1", "42", "CPU above 90%", "CONDITION_AGENT_CPU", "MAJOR")
    assert alert.opened == T
    assert alert.resolved is None


def test_organization_psa_id_from_configured_path() -> None:
    raw = {"id": 7, "name": "ACME", "settings": {"psa": {"enabled": True, "options": {"companyId": 250}}}}
    linked = organization_to_company(raw, "settings.psa.options.companyId", "connectwise")
    assert linked.external_ids == {"connectwise": "250"}
    assert linked.name == "ACME"
    assert linked.id == "7"
    assert organization_to_company(raw, None, "connectwise").external_ids == {}
    assert organization_to_company(raw, "settings.psa.missing", "connectwise").external_ids == {}
