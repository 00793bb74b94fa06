"""NinjaOne v2 payloads (pydantic, extra ignored) and their mapping to the normalized vocabulary.

Vendor JSON stops here. NinjaOne sends times as epoch numbers (doubles), mostly seconds with
fractions, but some inputs and older payloads use milliseconds: `to_utc` reads any value above
1e12 as milliseconds and turns everything into aware UTC datetimes.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from syncd.clock import from_iso
from syncd.connectors.common import as_utc
from syncd.vocabulary import Alert, Company, Device, PatchEvent

# Epoch values above this are milliseconds: 1e12 s is the year 33658, 1e12 ms is 2001.
_MS_THRESHOLD = 1e12
_SEPARATORS = re.compile(r"[-:. ]")
_TWELVE_HEX = re.compile(r"[0-9a-f]{12}")


def to_utc(value: Any) -> datetime | None:
    """An epoch number (seconds or ms), numeric text or ISO-8601 text as aware UTC; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")  # bool is an int subclass
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return from_iso(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"timestamp {value!r} is not finite")
    if abs(number) > _MS_THRESHOLD:
        number /= 1000.0
    return datetime.fromtimestamp(number, UTC)


def to_epoch_seconds(moment: datetime) -> int:
    """The whole epoch second at or before `moment` (NinjaOne filters take epoch seconds)."""
    return math.floor(moment.timestamp())


def normalize_mac(value: str) -> str | None:
    """'AA-BB-CC-DD-EE-FF', 'aabb.ccdd.eeff' ... as 'aa:bb:cc:dd:ee:ff'; None when not a MAC."""
    digits = _SEPARATORS.sub("", value.strip().lower())
    if not _TWELVE_HEX.fullmatch(digits) or digits == "0" * 12:
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def normalize_macs(values: list[str]) -> list[str]:
    """Normalized, de-duplicated MACs in their original order; junk entries dropped."""
    seen: list[str] = []
    for value in values:
        mac = normalize_mac(value) if isinstance(value, str) else None
        if mac and mac not in seen:
            seen.append(mac)
    return seen


Epoch = Annotated[datetime | None, BeforeValidator(to_utc)]


class _Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


# --- organizations --------------------------------------------------------------------------


class NinjaOrganization(_Vendor):
    """An Organization / OrganizationDetailed."""

    id: int
    name: str


def dig(data: Any, path: str) -> Any:
    """The value at a dotted path in nested dicts, or None."""
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def organization_to_company(raw: dict[str, Any], psa_id_path: str | None, psa_kind: str) -> Company:
    """An organization as a Company; its PSA company id (when configured and present) as an external id."""
    org = NinjaOrganization.model_validate(raw)
    external: dict[str, str] = {}
    psa_id = dig(raw, psa_id_path) if psa_id_path else None
    if psa_id not in (None, "", 0) and not isinstance(psa_id, dict | list | bool):
        external[psa_kind] = str(psa_id)
    return Company(id=str(org.id), name=org.name, external_ids=external)


# --- devices --------------------------------------------------------------------------------


class _Os(_Vendor):
    name: str | None = None


class _System(_Vendor):
    serial_number: str | None = Field(default=None, alias="serialNumber")
    bios_serial_number: str | None = Field(default=None, alias="biosSerialNumber")


class NinjaDevice(_Vendor):
    """A device from /v2/devices-detailed or /v2/device/{id} (AgentDevice shape)."""

    id: int
    organization_id: int | None = Field(default=None, alias="organizationId")
    system_name: str | None = Field(default=None, alias="systemName")
    dns_name: str | None = Field(default=None, alias="dnsName")
    display_name: str | None = Field(default=None, alias="displayName")
    netbios_name: str | None = Field(default=None, alias="netbiosName")
    mac_addresses: list[Any] = Field(default_factory=list, alias="macAddresses")
    os: _Os | None = None
    system: _System | None = None
    last_logged_in_user: str | None = Field(default=None, alias="lastLoggedInUser")
    last_contact: Epoch = Field(default=None, alias="lastContact")
    last_update: Epoch = Field(default=None, alias="lastUpdate")

    def hostname(self) -> str:
        """systemName, else the first label of dnsName, else displayName, else netbiosName."""
        if self.system_name:
            return self.system_name
        if self.dns_name:
            return self.dns_name.split(".", 1)[0]
        return self.display_name or self.netbios_name or ""

    def serial(self) -> str | None:
        """The system serial; the BIOS serial only when the system serial is missing."""
        system = self.system or _System()
        return (system.serial_number or "").strip() or (system.bios_serial_number or "").strip() or None

    def to_device(self) -> Device:
        """The normalized Device."""
        return Device(
            id=str(self.id),
            organization_id=str(self.organization_id) if self.organization_id is not None else None,
            hostname=self.hostname(),
            serial=self.serial(),
            mac_addresses=normalize_macs(self.mac_addresses),
            os=self.os.name if self.os else None,
            last_user=self.last_logged_in_user or None,
            last_seen=self.last_contact,
            updated=self.last_update,
        )


# --- patch installs -------------------------------------------------------------------------

_PATCH_STATUS = {"INSTALLED": "installed", "FAILED": "failed"}


def patch_status(value: str) -> str:
    """INSTALLED/FAILED as installed/failed; other vendor values lower-cased."""
    return _PATCH_STATUS.get(value.upper(), value.lower())


class _PatchInstall(_Vendor):
    id: str
    status: str
    installed_at: Epoch = Field(alias="installedAt")
    device_id: int = Field(alias="deviceId")

    def key(self, category: str) -> str:
        """Unique across OS and software and per install: the patch id alone repeats per device
        and per retry (msp-skills#136), so device and install second are part of the key."""
        at = to_epoch_seconds(self.installed_at) if self.installed_at else 0
        return f"{category}:{self.device_id}:{self.id}:{at}"


class OsPatchInstall(_PatchInstall):
    """A row of /v2/queries/os-patch-installs."""

    name: str
    kb_number: str | None = Field(default=None, alias="kbNumber")
    severity: str | None = None

    def to_event(self) -> PatchEvent:
        """The normalized PatchEvent (category os)."""
        if self.installed_at is None:
            raise ValueError("installedAt is missing")
        return PatchEvent(id=self.key("os"), device_id=str(self.device_id), title=self.name,
                          kb=self.kb_number or None, status=patch_status(self.status), category="os",
                          severity=self.severity, at=self.installed_at)


class SoftwarePatchInstall(_PatchInstall):
    """A row of /v2/queries/software-patch-installs."""

    title: str
    product_identifier: str | None = Field(default=None, alias="productIdentifier")
    impact: str | None = None

    def to_event(self) -> PatchEvent:
        """The normalized PatchEvent (category software; severity is NinjaOne's impact)."""
        if self.installed_at is None:
            raise ValueError("installedAt is missing")
        return PatchEvent(id=self.key("software"), device_id=str(self.device_id), title=self.title,
                          status=patch_status(self.status), category="software", severity=self.impact,
                          at=self.installed_at)


# --- alerts ---------------------------------------------------------------------------------


class NinjaAlert(_Vendor):
    """An active alert from /v2/alerts."""

    uid: str
    device_id: int | None = Field(default=None, alias="deviceId")
    message: str | None = None
    subject: str | None = None
    source_type: str | None = Field(default=None, alias="sourceType")
    source_name: str | None = Field(default=None, alias="sourceName")
    severity: str | None = None
    create_time: Epoch = Field(alias="createTime")
    update_time: Epoch = Field(default=None, alias="updateTime")

    def to_alert(self) -> Alert:
        """The normalized (open) Alert."""
        if self.create_time is None:
            raise ValueError("createTime is missing")
        return Alert(
            id=self.uid,
            device_id=str(self.device_id) if self.device_id is not None else None,
            message=self.message or self.subject or self.source_name or "",
            severity=self.severity, source=self.source_type, opened=self.create_time,
            updated=self.update_time or self.create_time,
        )
