"""Physical machines and how CW, NinjaOne and Hudu each (mis)record them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from syncd.sandbox.world.companies import Company, Contact
from syncd.sandbox.world.names import ALNUM, HARDWARE, OS_NAMES, SERVER_ROLES, mac, serial_for, uuid_from
from syncd.sandbox.world.rows import DAY, HOUR, Ids, Sink

JUNK_SERIALS = ("To be filled by O.E.M.", "Default string", "0", "System Serial Number", "")
# Planted per-machine problems; each company of the first three always gets one of each.
MESS_KINDS = ("junk_serial", "renamed", "reimaged", "missing_from_psa", "mac_in_serial")
MESS_RATE = {"junk_serial": 0.04, "renamed": 0.03, "reimaged": 0.03, "missing_from_psa": 0.04,
             "mac_in_serial": 0.015, "missing_from_rmm": 0.03}


@dataclass
class Device:
    """A NinjaOne device record of a machine."""

    id: int
    uid: str
    created: int
    last_contact: int
    deleted: bool
    offline: bool
    last_user: str | None
    serial: str
    bios_serial: str
    macs: list[str]


@dataclass
class Machine:
    """A physical (or virtual) machine and its records in each tool."""

    id: int
    kind: str
    hostname: str
    serial: str
    manufacturer: str
    model: str
    os_name: str
    macs: list[str]
    created: int
    owner: Contact | None = None
    old_hostname: str | None = None           # the name CW and Hudu still carry after a rename
    mess: set[str] = field(default_factory=set)
    config_id: int | None = None
    config_name: str | None = None
    config_contact: int | None = None
    cw_serial: str | None = None
    cw_mac: str | None = None
    device_identifier: str | None = None
    devices: list[Device] = field(default_factory=list)   # old first
    asset_id: int | None = None
    asset_name: str | None = None
    asset_serial: str | None = None
    asset_cards: list[dict] = field(default_factory=list)

    def names(self) -> list[str]:
        """Every hostname this machine is known by (current first)."""
        return [self.hostname] + ([self.old_hostname] if self.old_hostname else [])


def _user_hostname(prefix: str, kind: str, number: int) -> str:
    """The client's naming standard for user machines: ACME-WS-001, ACME-LT-002."""
    return f"{prefix}-{'WS' if kind == 'workstation' else 'LT'}-{number:03d}"


def _kinds(rng: random.Random, n: int, want_clones: bool) -> list[str]:
    """Machine kinds for a company: ~10% servers (2+ if cloned VMs are planted), laptops, desktops."""
    servers = max(1 if n >= 5 else 0, round(n * rng.uniform(0.05, 0.14)))
    servers = max(servers, 2) if want_clones else servers
    rest = [("laptop" if rng.random() < 0.38 else "workstation") for _ in range(n - servers)]
    return ["server"] * servers + rest


def _plan_mess(rng: random.Random, co: Company, machines: list[Machine], start: int) -> None:
    """Pick which machines carry which identity mess."""
    forced = co.world_id <= 3 or rng.random() < 0.5
    users = [m for m in machines if m.kind != "server"]
    pool = rng.sample(users, len(users))
    for kind in MESS_KINDS:
        if not forced or not pool or (kind in ("reimaged", "renamed") and co.ninja_id is None):
            continue
        # Only a machine older than the history can have been re-imaged inside it.
        fit = [m for m in pool if kind != "reimaged" or m.created < start]
        if fit:
            pick = fit[-1]
            pool.remove(pick)
            pick.mess.add(kind)
    for m in machines:
        # Random extra mess only on clean machines, so the forced kinds above always survive.
        for kind, rate in MESS_RATE.items():
            if m.mess or (m.kind == "server" and kind in ("renamed", "mac_in_serial", "reimaged")):
                continue
            if rng.random() < rate:
                m.mess.add(kind)
        if "missing_from_rmm" in m.mess or co.ninja_id is None:
            m.mess -= {"reimaged", "renamed", "missing_from_psa", "missing_from_rmm"}
            m.mess.add("no_rmm")


def build_machines(rng: random.Random, ids: Ids, co: Company, start: int, now: int) -> list[Machine]:
    """Create the company's machines with hostnames, serials and owners (nothing written yet)."""
    want_clones = co.world_id <= 3 or rng.random() < 0.25
    kinds = _kinds(rng, co.n_machines, want_clones)
    counters = {"workstation": 0, "laptop": 0}
    roles: dict[str, int] = {}
    machines: list[Machine] = []
    for kind in kinds:
        if kind == "server":
            role = rng.choice(SERVER_ROLES)
            roles[role] = roles.get(role, 0) + 1
            hostname = f"{co.prefix}-{role}{roles[role]:02d}"
        else:
            counters[kind] += 1
            hostname = _user_hostname(co.prefix, kind, counters[kind])
        maker, model, style = rng.choice(HARDWARE[kind])
        macs = [mac(rng) for _ in range(1 if kind == "server" else rng.choice((1, 2, 2, 3)))]
        created = (rng.randrange(start - 900 * DAY, start - 5 * DAY) if rng.random() < 0.9
                   else rng.randrange(start, now - 15 * DAY))
        machines.append(Machine(ids.next("machines"), kind, hostname, serial_for(rng, style), maker, model,
                                rng.choice(OS_NAMES[kind]), macs, max(created, co.created)))
    if want_clones:
        _clone_vms(rng, [m for m in machines if m.kind == "server"])
    _assign_owners(rng, co.contacts, machines)
    _plan_mess(rng, co, machines, start)
    _rename(rng, co, machines, counters)
    return machines


def _clone_vms(rng: random.Random, servers: list[Machine]) -> None:
    """Two VMs cloned from one template share the template's BIOS serial."""
    a, b = servers[0], servers[1]
    for vm in (a, b):
        vm.manufacturer, vm.model = "VMware, Inc.", "VMware Virtual Platform"
    a.serial = serial_for(rng, "vmware")
    b.serial = a.serial
    a.mess.add("duplicate_serial")
    b.mess.add("duplicate_serial")


def _assign_owners(rng: random.Random, contacts: list[Contact], machines: list[Machine]) -> None:
    """Give user machines an owner: most contacts one, some two (desktop + laptop), some none."""
    active = [c for c in contacts if not c.inactive] or contacts
    order = rng.sample(active, len(active))
    i = 0
    for m in machines:
        if m.kind == "server":
            continue
        if rng.random() < 0.06:          # shared / spare machine
            continue
        owner = order[i % len(order)]
        i += 1 if rng.random() > 0.15 else 0   # the same contact keeps a second machine
        m.owner = owner


def _rename(rng: random.Random, co: Company, machines: list[Machine], counters: dict[str, int]) -> None:
    """Renamed machines: CW and Hudu keep the old name, the RMM reports the new one."""
    for m in machines:
        if "renamed" not in m.mess:
            continue
        if rng.random() < 0.5:
            # Deployed under the Windows default name, renamed to the standard later.
            m.old_hostname = "DESKTOP-" + "".join(rng.choice(ALNUM) for _ in range(7))
        else:
            kind = m.kind if m.kind in counters else "workstation"
            counters[kind] += 1
            m.old_hostname = m.hostname
            m.hostname = _user_hostname(co.prefix, kind, counters[kind])


def serial_is_junk(value: str | None) -> bool:
    """True for the placeholder serials OEM boards and lazy data entry leave behind."""
    return value is not None and value.strip() in JUNK_SERIALS


def attach_records(rng: random.Random, ids: Ids, co: Company, machines: list[Machine], *,
                   start: int, now: int) -> None:
    """Decide each machine's CW configuration, NinjaOne devices and Hudu asset fields."""
    for m in machines:
        if "no_rmm" not in m.mess:
            _devices(rng, ids, co, m, start=start, now=now)
        if "missing_from_psa" not in m.mess:
            _config(rng, ids, m)
        if co.hudu_id is not None and rng.random() < 0.75:
            _asset(rng, ids, m)


def _last_user(rng: random.Random, co: Company, m: Machine) -> str | None:
    if m.kind == "server":
        return rng.choice((f"{co.domain}\\administrator", f"{co.domain}\\msp.admin", None))
    roll = rng.random()
    if m.owner is not None and roll < 0.85:
        return f"{co.domain}\\{m.owner.username}"
    if roll < 0.95 and co.contacts:
        return f"{co.domain}\\{rng.choice(co.contacts).username}"
    return None


def _devices(rng: random.Random, ids: Ids, co: Company, m: Machine, *, start: int, now: int) -> None:
    """One NinjaOne device, or two (old + new) for a re-imaged machine."""
    user = _last_user(rng, co, m)
    serial, bios = m.serial, m.serial
    if "junk_serial" in m.mess and rng.random() < 0.6:
        serial = rng.choice(JUNK_SERIALS)
        bios = serial if rng.random() < 0.7 else rng.choice(JUNK_SERIALS)
        m.mess.add("junk_rmm")
    macs = [x.lower() for x in m.macs]
    offline_variant = rng.random() < 0.5
    latest = now - (35 if offline_variant else 8) * DAY
    earliest = max(m.created + 10 * DAY, start + 5 * DAY)
    if "reimaged" in m.mess and earliest >= latest:
        m.mess.discard("reimaged")      # too young to have been re-imaged inside the history
    if "reimaged" in m.mess:
        reimage = rng.randrange(earliest, latest)
        old = Device(ids.next("ninja_devices"), uuid_from(rng), m.created,
                     reimage - rng.randrange(1, 48) * HOUR, not offline_variant, offline_variant, user,
                     serial, bios, macs)
        m.devices.append(old)
        created = reimage + rng.randrange(1, 6) * HOUR
    else:
        created = m.created + rng.randrange(1, 72) * HOUR
    offline = rng.random() < 0.04
    last = now - (rng.randrange(2, 30) * DAY if offline else rng.randrange(30, 3_000))
    m.devices.append(Device(ids.next("ninja_devices"), uuid_from(rng), min(created, last - HOUR), last, False, offline,
                            user, serial, bios, macs))


def _config(rng: random.Random, ids: Ids, m: Machine) -> None:
    m.config_id = ids.next("cw_configurations")
    m.config_name = m.old_hostname or m.hostname
    m.config_contact = m.owner.id if m.owner is not None and rng.random() < 0.85 else None
    m.cw_serial = m.serial
    if "mac_in_serial" in m.mess:
        m.cw_serial = rng.choice((m.macs[0], m.macs[0].replace(":", "-"), m.macs[0].replace(":", "")))
    elif "junk_serial" in m.mess and ("junk_rmm" not in m.mess or rng.random() < 0.4):
        m.cw_serial = rng.choice(JUNK_SERIALS)
    m.cw_mac = m.macs[0] if rng.random() < 0.8 else None
    if m.devices and rng.random() < 0.8:
        # After a re-image the CW integration often still points at the old agent.
        target = m.devices[0] if len(m.devices) > 1 and rng.random() < 0.5 else m.devices[-1]
        m.device_identifier = str(target.id)


def _asset(rng: random.Random, ids: Ids, m: Machine) -> None:
    m.asset_id = ids.next("hudu_assets")
    m.asset_name = m.config_name or m.hostname
    roll = rng.random()
    m.asset_serial = (m.cw_serial if m.config_id is not None and roll < 0.5
                      else None if roll > 0.92 else m.serial)
    if m.config_id is not None and rng.random() < 0.5:
        m.asset_cards.append({"integrator_name": "cw_manage", "sync_id": m.config_id,
                              "primary_field": m.config_name,
                              "link": f"https://na.myconnectwise.net/configurations/{m.config_id}"})
    if m.devices and rng.random() < 0.35:
        dev = m.devices[0]
        m.asset_cards.append({"integrator_name": "ninjaone", "sync_id": dev.id, "primary_field": m.hostname,
                              "link": f"https://app.ninjarmm.com/#/deviceDashboard/{dev.id}/overview"})


def write_truth(sink: Sink, m: Machine) -> None:
    """Record the machine's link truth and every planted identity problem."""
    devices = m.devices
    evidence = _evidence(m)
    sink.truth("machine_link", f"machines:{m.id}",
               {"cw": m.config_id, "ninja": [d.id for d in devices], "hudu": m.asset_id, "evidence": evidence})
    for table, rid, value in (("cw_configurations", m.config_id, m.cw_serial),
                              ("hudu_assets", m.asset_id, m.asset_serial),
                              *(("ninja_devices", d.id, d.serial) for d in devices)):
        if rid is not None and serial_is_junk(value):
            sink.truth("junk_serial", f"{table}:{rid}", {"value": value, "machine_id": m.id})
    for d in devices:
        if serial_is_junk(d.bios_serial) and not serial_is_junk(d.serial):
            sink.truth("junk_serial", f"ninja_devices:{d.id}", {"value": d.bios_serial, "machine_id": m.id,
                                                                "field": "bios_serial"})
    if "mac_in_serial" in m.mess and m.config_id is not None:
        sink.truth("mac_in_serial", f"cw_configurations:{m.config_id}", {"value": m.cw_serial, "machine_id": m.id})
    if m.old_hostname:
        sink.truth("renamed", f"machines:{m.id}", {"old": m.old_hostname, "new": m.hostname})
    if len(devices) > 1:
        sink.truth("reimaged", f"ninja_devices:{devices[-1].id}",
                   {"previous": devices[0].id, "machine_id": m.id, "previous_deleted": devices[0].deleted})
    if m.config_id is None:
        sink.truth("missing_from_psa", f"machines:{m.id}", {"ninja": [d.id for d in devices]})
    if not devices:
        sink.truth("missing_from_rmm", f"machines:{m.id}", {"cw": m.config_id})


def _evidence(m: Machine) -> list[str]:
    """What a careful matcher could legitimately use to link this machine's records."""
    tags = []
    dev_ids = {str(d.id) for d in m.devices}
    clean = "duplicate_serial" not in m.mess
    dev_serials = {s for d in m.devices for s in (d.serial, d.bios_serial) if not serial_is_junk(s)}
    dev_macs = {x.upper() for d in m.devices for x in d.macs}
    names = {d_name.upper() for d_name in ([m.hostname] if m.devices else [])}
    if m.config_id is not None:
        if m.device_identifier in dev_ids:
            tags.append("device_identifier")
        if clean and not serial_is_junk(m.cw_serial) and m.cw_serial in dev_serials:
            tags.append("serial")
        if m.cw_mac and m.cw_mac.upper() in dev_macs:
            tags.append("mac")
        if (m.config_name or "").upper() in names:
            tags.append("hostname")
    if m.asset_id is not None:
        if m.asset_cards:
            tags.append("hudu_card")
        if clean and not serial_is_junk(m.asset_serial) and m.asset_serial in dev_serials | {m.cw_serial}:
            tags.append("hudu_serial")
        if (m.asset_name or "").upper() in names | {(m.config_name or "").upper()} - {""}:
            tags.append("hudu_name")
    return tags
