"""World rows → NinjaOne v2 JSON. Times are epoch seconds as floats, as NinjaOne serves them."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from syncd.sandbox.ninjaone.params import iso_to_epoch

# Patch ids identify the patch, not the install: the same KB on two devices has one id, so
# clients must key rows by deviceId + id (+ installedAt) (Servosity/msp-skills#136).
_PATCH_NS = uuid.UUID("6f1d3c52-7a1e-4c1b-9a53-2b7c1f0e9d41")

_ROLE_IDS = {"WINDOWS_WORKSTATION": 1, "WINDOWS_SERVER": 2, "MAC": 3, "LINUX_WORKSTATION": 4,
             "LINUX_SERVER": 5, "MAC_SERVER": 6}


def _prune(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop None values: NinjaOne omits unset fields rather than sending null."""
    return {k: v for k, v in obj.items() if v is not None}


def organization(row: sqlite3.Row) -> dict[str, Any]:
    """A company row as a NinjaOne Organization (list shape)."""
    return _prune({
        "id": row["ninja_id"],
        "name": row["ninja_name"],
        "nodeApprovalMode": "AUTOMATIC",
        "userData": {},
    })


def organization_detailed(row: sqlite3.Row, location_ids: list[int]) -> dict[str, Any]:
    """A company row as an OrganizationDetailed (with locations, policies, settings)."""
    body = organization(row)
    body["locations"] = [location(lid) for lid in location_ids]
    body["policies"] = []
    body["settings"] = {}
    return body


def location(location_id: int) -> dict[str, Any]:
    """A location object; the world has only ids, so the name is derived from the id."""
    return {"id": location_id, "name": location_name(location_id), "userData": {}}


def location_name(location_id: int) -> str:
    """The derived location name (the same in organizations-detailed and device references)."""
    return f"Office {location_id}"


def device(row: sqlite3.Row) -> dict[str, Any]:
    """A device row in the basic `/v2/devices` shape."""
    return _prune({
        "id": row["id"],
        "uid": row["uid"],
        "organizationId": row["organization_id"],
        "locationId": row["location_id"],
        "nodeClass": row["node_class"],
        "nodeRoleId": _ROLE_IDS.get(row["node_class"]),
        "approvalStatus": "APPROVED",
        "offline": bool(row["offline"]),
        # NinjaOne falls back to the system name when no display name was assigned.
        "displayName": row["display_name"] or row["system_name"],
        "systemName": row["system_name"],
        "dnsName": row["dns_name"],
        "netbiosName": row["system_name"].upper()[:15],
        "created": iso_to_epoch(row["created_at"]),
        "lastContact": iso_to_epoch(row["last_contact"]),
        "lastUpdate": iso_to_epoch(row["updated_at"]),
    })


def device_detailed(row: sqlite3.Row) -> dict[str, Any]:
    """A device row in the `/v2/devices-detailed` / `/v2/device/{id}` (AgentDevice) shape."""
    body = device(row)
    body.update(_prune({
        "ipAddresses": _json_list(row["ip_addresses"]),
        "macAddresses": _json_list(row["mac_addresses"]),
        "lastLoggedInUser": row["last_logged_in_user"],
        "os": _os(row),
        "system": computer_system(row),
        "references": _references(row),
    }))
    return body


def computer_system(row: sqlite3.Row) -> dict[str, Any]:
    """The `system` object (also the row of `/v2/queries/computer-systems`)."""
    return _prune({
        "name": row["system_name"],
        "manufacturer": row["manufacturer"],
        "model": row["model"],
        "serialNumber": row["serial_number"],
        "biosSerialNumber": row["bios_serial"],
        "virtualMachine": False,
        "chassisType": _chassis(row["node_class"]),
    })


def computer_system_query_row(row: sqlite3.Row) -> dict[str, Any]:
    """A `/v2/queries/computer-systems` result row."""
    body = computer_system(row)
    body["deviceId"] = row["id"]
    body["timestamp"] = iso_to_epoch(row["updated_at"])
    return body


def os_patch_install(row: sqlite3.Row, with_device: bool) -> dict[str, Any]:
    """An OS patch install (query rows carry deviceId + timestamp; per-device rows do not)."""
    body = _prune({
        "id": str(uuid.uuid5(_PATCH_NS, f"os:{row['kb_number'] or row['name']}")),
        "name": row["name"],
        "severity": row["severity"],
        "status": row["status"],
        "type": row["patch_type"],
        "installedAt": iso_to_epoch(row["installed_at"]),
        "kbNumber": row["kb_number"],
    })
    return _with_device(body, row) if with_device else body


def software_patch_install(row: sqlite3.Row, with_device: bool) -> dict[str, Any]:
    """A third-party software patch install."""
    body = _prune({
        "id": str(uuid.uuid5(_PATCH_NS, f"sw:{row['product_identifier']}:{row['name']}")),
        "productIdentifier": row["product_identifier"],
        "title": row["name"],
        "impact": row["impact"],
        "status": row["status"],
        "type": row["patch_type"],
        "installedAt": iso_to_epoch(row["installed_at"]),
    })
    return _with_device(body, row) if with_device else body


def alert(row: sqlite3.Row) -> dict[str, Any]:
    """An active alert row."""
    return _prune({
        "uid": row["uid"],
        "deviceId": row["device_id"],
        "message": row["message"],
        "subject": row["subject"],
        "createTime": iso_to_epoch(row["created_at"]),
        "updateTime": iso_to_epoch(row["updated_at"]),
        "sourceType": row["source_type"],
        "sourceName": row["source_type"].replace("CONDITION_", "").replace("_", " ").title(),
        "severity": row["severity"],
        "priority": _PRIORITY.get(row["severity"], "NONE"),
        "data": {"message": {"code": row["source_type"], "params": {}}},
    })


_PRIORITY = {"CRITICAL": "HIGH", "MAJOR": "HIGH", "MODERATE": "MEDIUM", "MINOR": "LOW", "NONE": "NONE"}


def _with_device(body: dict[str, Any], row: sqlite3.Row) -> dict[str, Any]:
    body["deviceId"] = row["device_id"]
    body["timestamp"] = iso_to_epoch(row["timestamp"])
    return body


def _references(row: sqlite3.Row) -> dict[str, Any]:
    org = _prune({"id": row["organization_id"], "name": row["org_name"], "nodeApprovalMode": "AUTOMATIC"})
    loc = {"id": row["location_id"], "name": location_name(row["location_id"])}
    return {"organization": org, "location": loc}


def _os(row: sqlite3.Row) -> dict[str, Any] | None:
    name = row["os_name"]
    if not name:
        return None
    maker = "Apple Inc." if "mac" in name.lower() else "Microsoft Corporation"
    return {"name": name, "manufacturer": maker, "architecture": "64-bit", "needsReboot": False}


def _chassis(node_class: str) -> str:
    return "DESKTOP" if node_class.endswith("WORKSTATION") else "UNKNOWN"


def _json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if isinstance(value, list) else []
