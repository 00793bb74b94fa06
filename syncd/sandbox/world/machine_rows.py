"""Write a machine's rows in every tool (CW configuration, NinjaOne devices, Hudu asset) and patches."""

from __future__ import annotations

import random

from syncd.sandbox.world.companies import Company
from syncd.sandbox.world.machines import Device, Machine, write_truth
from syncd.sandbox.world.names import ipv4
from syncd.sandbox.world.patches import Patch, PatchWriter, write_alerts
from syncd.sandbox.world.rows import DAY, HOUR, Sink, dumps, iso

ASSET_LAYOUT_COMPUTER = 2


def write_machine(sink: Sink, rng: random.Random, co: Company, m: Machine, *, now: int,
                  patcher: PatchWriter) -> list[Patch]:
    """Write every record of `m` and its truth; return its patch installs (old device first)."""
    sink.add("machines", (m.id, co.world_id, m.hostname, m.serial, m.kind))
    patches: list[Patch] = []
    location = rng.choice(co.locations) if co.locations else 0
    for dev in m.devices:
        _device_row(sink, rng, co, m, dev, location=location)
        patches.extend(patcher.device(rng, m, dev))
    write_alerts(sink, rng, m, now)
    if m.config_id is not None:
        _config_row(sink, rng, co, m, now)
    if m.asset_id is not None:
        _asset_row(sink, rng, co, m, now)
    write_truth(sink, m)
    return patches


def _device_row(sink: Sink, rng: random.Random, co: Company, m: Machine, dev: Device, *, location: int) -> None:
    display = m.hostname
    if m.owner is not None and m.kind == "laptop" and rng.random() < 0.1:
        display = f"{m.owner.first}'s laptop"
    node_class = "WINDOWS_SERVER" if m.kind == "server" else "WINDOWS_WORKSTATION"
    subnet = co.world_id * 7 + location
    updated = dev.last_contact if not dev.deleted else dev.last_contact + rng.randrange(1, 72) * HOUR
    sink.add("ninja_devices", (
        dev.id, dev.uid, co.ninja_id, location, node_class, m.hostname,
        f"{m.hostname.lower()}.{co.domain.lower()}.local", display, dev.serial, dev.bios_serial,
        dumps(dev.macs), dumps([ipv4(rng, subnet)]), dev.last_user, m.os_name, m.manufacturer, m.model,
        int(dev.offline), iso(dev.created), iso(dev.last_contact), iso(updated), int(dev.deleted), m.id))


def _config_row(sink: Sink, rng: random.Random, co: Company, m: Machine, now: int) -> None:
    ref = next((d for d in m.devices if str(d.id) == m.device_identifier), None)
    created = m.created + rng.randrange(1, 4) * DAY
    updated = max(created, now - rng.randrange(1, 90) * DAY)
    kind = "Managed Server" if m.kind == "server" else "Managed Workstation"
    sink.add("cw_configurations", (
        m.config_id, co.world_id, m.config_name, kind, "Active", m.cw_serial, m.cw_mac, m.device_identifier,
        m.config_contact, ref.last_user if ref else None, m.os_name.replace(" Edition", ""), 1, iso(created),
        iso(min(updated, now - 60)), 0, m.id))


def _asset_row(sink: Sink, rng: random.Random, co: Company, m: Machine, now: int) -> None:
    fields = [{"label": "Hostname", "value": m.asset_name}, {"label": "Operating System", "value": m.os_name}]
    if m.owner is not None:
        fields.append({"label": "Assigned User", "value": f"{m.owner.first} {m.owner.last}"})
    if rng.random() < 0.5:
        fields.append({"label": "MAC Address", "value": m.macs[0]})
    created = m.created + rng.randrange(2, 20) * DAY
    updated = max(created, now - rng.randrange(1, 200) * DAY)
    sink.add("hudu_assets", (
        m.asset_id, co.hudu_id, ASSET_LAYOUT_COMPUTER, "Computer", m.asset_name, m.asset_serial, m.model,
        m.manufacturer, dumps(fields), dumps(m.asset_cards), 0, iso(min(created, now - 60)),
        iso(min(updated, now - 60)), m.id))
