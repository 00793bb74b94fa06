"""A small hand-built NinjaOne world for the simulator tests (no generator involved)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syncd.sandbox.world.store import World

WORLD_NOW = datetime(2026, 11, 17, 15, 0, 0, tzinfo=UTC)
ORG_A, ORG_B = 101, 102
DELETED_DEVICE = 13
DEVICE_COUNT = 25
PATCH_COUNT = 300


def iso(moment: datetime) -> str:
    """World time format."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def device_class(device_id: int) -> str:
    """Deterministic node class per device id."""
    if device_id % 5 == 0:
        return "WINDOWS_SERVER"
    if device_id % 7 == 0:
        return "MAC"
    return "WINDOWS_WORKSTATION"


def device_org(device_id: int) -> int:
    """Odd devices live in org A, even ones in org B."""
    return ORG_A if device_id % 2 else ORG_B


def build_world(path: Path) -> World:
    """Create the world file with companies, devices, patch installs and alerts."""
    world = World.create(path)
    world.executemany("INSERT INTO meta VALUES (?, ?)",
                      [("world_now", iso(WORLD_NOW)), ("seed", "7"), ("size", "tiny")])
    created = iso(WORLD_NOW - timedelta(days=400))
    world.executemany(
        "INSERT INTO companies (world_id, tier, cw_id, cw_name, ninja_id, ninja_name, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(1, "gold", 11, "Acme Corp", ORG_A, "ACME Corporation, Inc.", created, created),
         (2, "silver", 12, "Globex", ORG_B, "Globex", created, created),
         (3, "bronze", 13, "Initech", None, None, created, created)],
    )
    world.executemany(_DEVICE_INSERT, [_device(i) for i in range(1, DEVICE_COUNT + 1)])
    world.executemany(_PATCH_INSERT, _patches())
    world.executemany(_ALERT_INSERT, _alerts())
    return world


_DEVICE_INSERT = (
    "INSERT INTO ninja_devices (id, uid, organization_id, location_id, node_class, system_name, dns_name, "
    "display_name, serial_number, bios_serial, mac_addresses, ip_addresses, last_logged_in_user, os_name, "
    "manufacturer, model, offline, created_at, last_contact, updated_at, deleted) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_PATCH_INSERT = (
    "INSERT INTO patch_installs (id, device_id, kind, name, kb_number, product_identifier, severity, impact, "
    "patch_type, status, installed_at, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_ALERT_INSERT = (
    "INSERT INTO alerts (uid, device_id, source_type, severity, subject, message, created_at, updated_at, "
    "resolved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _device(i: int) -> tuple[object, ...]:
    org = device_org(i)
    name = f"{'ACME' if org == ORG_A else 'GLBX'}-{'SRV' if i % 5 == 0 else 'WS'}-{i:03d}"
    os_name = "macOS 15 Sequoia" if device_class(i) == "MAC" else "Windows 11 Pro"
    return (
        i, str(uuid.UUID(int=i, version=4)), org, 1000 + org + (i % 3 == 0), device_class(i), name,
        f"{name.lower()}.corp.local", None if i % 4 else f"{name} (front desk)", f"SN{i:06d}", f"BIOS{i:06d}",
        json.dumps([f"aa:bb:cc:00:00:{i:02x}"]), json.dumps([f"10.0.0.{i}"]),
        f"ACME\\user{i}", os_name, "Dell Inc.", "OptiPlex 7010", int(i % 6 == 0),
        iso(WORLD_NOW - timedelta(days=300 - i)), iso(WORLD_NOW - timedelta(minutes=i)),
        iso(WORLD_NOW - timedelta(hours=i)), int(i == DELETED_DEVICE),
    )


def _patches() -> list[tuple[object, ...]]:
    rng = random.Random(42)
    rows = []
    for pid in range(1, PATCH_COUNT + 1):
        device = rng.randint(1, DEVICE_COUNT)
        # Whole-minute spacing with deliberate collisions: several rows share an installed_at.
        at = WORLD_NOW - timedelta(days=60) + timedelta(minutes=rng.randrange(0, 60 * 24 * 60, 90))
        status = "FAILED" if rng.random() < 0.15 else "INSTALLED"
        if pid % 3 == 0:
            product = str(uuid.UUID(int=rng.randint(1, 5), version=4))
            impact = rng.choice(["CRITICAL", "RECOMMENDED", "OPTIONAL"])
            rows.append((pid, device, "SOFTWARE", f"Product {product[-1]} update", None, product, None,
                         impact, rng.choice(["PATCH", "INSTALLER"]), status, iso(at),
                         iso(at + timedelta(minutes=5))))
        else:
            kb = f"KB50{rng.randint(10000, 10020)}"
            rows.append((pid, device, "OS", f"2026-11 Cumulative Update ({kb})", kb, None,
                         rng.choice(["CRITICAL", "IMPORTANT", "MODERATE"]), None, "SECURITY_UPDATES",
                         status, iso(at), iso(at + timedelta(minutes=5))))
    return rows


def _alerts() -> list[tuple[object, ...]]:
    base = WORLD_NOW - timedelta(hours=6)
    specs = [(2, "AGENT_OFFLINE", "MAJOR", 0), (3, "CONDITION_AGENT_CPU", "MINOR", 0),
             (4, "CONDITION_AGENT_DISK_FREE_SPACE", "CRITICAL", 0), (3, "AGENT_OFFLINE", "MAJOR", 1),
             (DELETED_DEVICE, "AGENT_OFFLINE", "MAJOR", 0),
             (8, "CONDITION_AGENT_PATCH_LAST_INSTALLED", "MODERATE", 0)]
    rows = []
    for n, (dev, source, sev, resolved) in enumerate(specs):
        at = iso(base + timedelta(minutes=n))
        rows.append((str(uuid.UUID(int=1000 + n, version=4)), dev, source, sev, f"{source} on {dev}",
                     f"{source} triggered", at, at, resolved))
    return rows
