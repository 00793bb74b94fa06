"""Plan one company's tickets: who calls about what, on which machine, and which mess to plant."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from syncd.sandbox.world.companies import Company, Contact
from syncd.sandbox.world.machines import Machine
from syncd.sandbox.world.patches import Patch
from syncd.sandbox.world.rows import DAY, HOUR, MINUTE
from syncd.sandbox.world.symptoms import (
    BY_KEY,
    MONITORING,
    NO_DEVICE,
    PRETEXTS,
    USER_DEVICE,
    Family,
)

AFTER_PATCH_FAMILIES = ("slow pc after update", "bsod", "application won't open", "outlook crashes")


@dataclass
class Plan:
    """A ticket before it is written."""

    board: str
    created: int
    family: Family | None = None
    machine: Machine | None = None
    contact: Contact | None = None
    priority: int = 3
    link: bool = False
    host: str | None = None            # hostname written into the summary or description
    flags: set[str] = field(default_factory=set)
    title: str | None = None           # summary for change / project / KB tickets
    parent: Plan | None = None
    source: str | None = None          # Phone | Email | Portal | Monitoring, decided when written
    missing: list[str] = field(default_factory=list)   # planned-change sections left out
    id: int = 0


class CompanyIndex:
    """What the tools say about who uses which machine, for deciding a ticket's legitimate evidence."""

    def __init__(self, co: Company, machines: list[Machine]) -> None:
        self.cfg_by_contact: dict[int, set[int]] = {}
        self.user_by_contact: dict[int, set[int]] = {}
        by_user = {f"{co.domain}\\{c.username}".lower(): c.id for c in co.contacts}
        for m in machines:
            if m.config_contact is not None:
                self.cfg_by_contact.setdefault(m.config_contact, set()).add(m.id)
            for dev in m.devices:
                cid = by_user.get((dev.last_user or "").lower())
                if cid is not None:
                    self.user_by_contact.setdefault(cid, set()).add(m.id)

    def evidence(self, machine: Machine | None, contact: Contact | None, linked: bool,
                 host: str | None) -> str:
        """Strongest legitimate evidence for the ticket's machine, or "misleading"."""
        if machine is None:
            return "none"
        if linked or host:
            return "config_link" if linked else "hostname_in_text"
        cfg = self.cfg_by_contact.get(contact.id, set()) if contact else set()
        usr = self.user_by_contact.get(contact.id, set()) if contact else set()
        # The contact's CW configurations win over the RMM's last-user field when both exist.
        pool, tag = (cfg, "contact_device") if cfg else (usr, "last_user")
        if not pool:
            return "none"
        return "misleading" if machine.id not in pool else tag if len(pool) == 1 else "ambiguous"


def when(rng: random.Random, lo: int, hi: int) -> int:
    """A creation instant in [lo, hi), mostly in business hours (13-23 UTC, Mon-Fri)."""
    t = lo
    for _ in range(4):
        t = rng.randrange(lo, max(hi, lo + 1))
        tm = time.gmtime(t)
        if (tm.tm_wday < 5 and 13 <= tm.tm_hour < 23) or rng.random() < 0.12:
            return t
    return t


class Planner:
    """Builds one company's ticket plans (exactly `quota` of them)."""

    def __init__(self, rng: random.Random, co: Company, machines: list[Machine],
                 patches: dict[int, list[Patch]], *, start: int, now: int) -> None:
        self.rng, self.co, self.machines, self.patches = rng, co, machines, patches
        self.start, self.now = start, now
        self.index = CompanyIndex(co, machines)
        self.active = [c for c in co.contacts if not c.inactive] or co.contacts
        self.users = [m for m in machines if m.kind != "server"]
        self.servers = [m for m in machines if m.kind == "server" and m.devices]
        self.forced = co.world_id <= 3

    def plan(self, quota: int) -> list[Plan]:
        """All plans for the company, sorted by creation time."""
        plans: list[Plan] = []
        specials = (self._changes, self._projects, self._incident, self._recurring, self._after_patch,
                    self._inactive, self._monitoring)
        for make in specials:
            if len(plans) < quota:
                plans.extend(make(quota)[: quota - len(plans)])
        while len(plans) < quota:
            plans.append(self._service_desk())
        plans.sort(key=lambda p: p.created)
        return plans

    def _device_plan(self, family: Family, machine: Machine | None, created: int, *,
                     board: str = "Service Desk", contact: Contact | None = None) -> Plan:
        rng = self.rng
        if contact is None and machine is not None and machine.owner is not None and rng.random() < 0.85:
            contact = machine.owner
        contact = contact or (rng.choice(self.active) if board != "Monitoring" else None)
        plan = Plan(board, created, family, machine, contact, rng.choice(family.priority))
        if machine is None:
            return plan
        plan.link = machine.config_id is not None and rng.random() < (0.9 if board == "Monitoring" else 0.7)
        if "{host}" in family.summaries[0] or (not plan.link and rng.random() < 0.45) or rng.random() < 0.1:
            plan.host = machine.hostname
            if machine.old_hostname and rng.random() < 0.3:
                plan.host = machine.old_hostname      # the user reads the old label on the case
        if self.index.evidence(machine, contact, plan.link, plan.host) == "misleading":
            plan.host = machine.hostname              # a reporter on someone else's PC names it
        return plan

    def _service_desk(self) -> Plan:
        rng = self.rng
        created = when(rng, self.start, self.now - 20 * MINUTE)
        if self.users and rng.random() < 0.7:
            family = rng.choices(USER_DEVICE, [f.weight for f in USER_DEVICE])[0]
            return self._device_plan(family, rng.choice(self.users), created)
        family = rng.choices(NO_DEVICE, [f.weight for f in NO_DEVICE])[0]
        return self._device_plan(family, None, created)

    def _monitoring(self, quota: int) -> list[Plan]:
        if not self.servers:
            return []
        n = round(quota * 0.08)
        plans = []
        for _ in range(n):
            family = self.rng.choices(MONITORING, [f.weight for f in MONITORING])[0]
            created = self.rng.randrange(self.start, self.now - 10 * MINUTE)
            plans.append(self._device_plan(family, self.rng.choice(self.servers), created, board="Monitoring"))
        return plans

    def _recurring(self, quota: int) -> list[Plan]:
        """The same symptom three or four times within 30 days at one client."""
        rng = self.rng
        if not self.users or quota < 10 or not (self.forced or rng.random() < 0.6):
            return []
        family = rng.choice(USER_DEVICE)
        first = rng.randrange(self.start, self.now - 30 * DAY)
        plans = [self._device_plan(family, rng.choice(self.users), when(rng, first + k * 3 * DAY,
                                                                        first + (k + 1) * 7 * DAY))
                 for k in range(rng.choice((3, 3, 4)))]
        for plan in plans:
            plan.flags.add("recurring")
        return plans

    def _after_patch(self, quota: int) -> list[Plan]:
        """Tickets 1-3 days after a patch (often a failed one) on the caller's machine."""
        rng = self.rng
        candidates = [m for m in self.users if self.patches.get(m.id)]
        plans = []
        for _ in range(min(len(candidates), max(1 if self.forced else 0, round(quota * 0.03)))):
            m = rng.choice(candidates)
            rows = self.patches[m.id]
            failed = [p for p in rows if p.status == "FAILED"]
            patch = rng.choice(failed if failed and rng.random() < 0.7 else rows)
            created = patch.installed_at + rng.randrange(2 * HOUR, 70 * HOUR)
            if created >= self.now - 10 * MINUTE or created < self.start:
                continue
            plan = self._device_plan(BY_KEY[rng.choice(AFTER_PATCH_FAMILIES)], m, created)
            plan.flags.add("after_patch")
            plans.append(plan)
        return plans

    def _inactive(self, quota: int) -> list[Plan]:
        """Terminated users calling with old credentials, usually for a password or MFA reset."""
        rng = self.rng
        gone = [c for c in self.co.contacts if c.inactive and c.inactive_since is not None]
        n = max(1 if self.forced else 0, round(quota * 0.015))
        plans = []
        for contact in (rng.choice(gone) for _ in range(n if gone else 0)):
            created = when(rng, contact.inactive_since + DAY, self.now - HOUR)
            plans.append(Plan("Service Desk", created, rng.choice(PRETEXTS), None, contact, 3))
        return plans

    def _incident(self, quota: int) -> list[Plan]:
        """A site outage (P1) with users' follow-up tickets, only some linked as children."""
        rng = self.rng
        if quota < 20 or not (self.co.world_id == 1 or rng.random() < 0.25):
            return []
        family = BY_KEY["internet outage"]
        created = when(rng, self.start, self.now - 2 * DAY)
        incident = Plan("Service Desk", created, family, None, rng.choice(self.active), 1)
        plans = [incident]
        for _ in range(rng.randrange(2, 5)):
            child = Plan("Service Desk", created + rng.randrange(3, 50) * MINUTE, family, None,
                         rng.choice(self.active), 2)
            child.parent = incident if rng.random() < 0.5 else None
            plans.append(child)
        return plans

    def _changes(self, quota: int) -> list[Plan]:
        rng = self.rng
        n = max(1 if self.forced and quota >= 15 else 0, round(quota * 0.02))
        plans = []
        for i in range(n):
            created = when(rng, self.start, self.now - 3 * DAY)
            plan = Plan("Change Management", created, None, None, rng.choice(self.active), 3)
            plan.flags.add("emergency" if (i == 0 and self.forced) or rng.random() < 0.35 else "planned")
            plan.priority = 1 if "emergency" in plan.flags else 3
            if rng.random() < 0.45:
                plan.flags.add("no_aar" if "emergency" in plan.flags else "incomplete_plan")
            plans.append(plan)
        return plans

    def _projects(self, quota: int) -> list[Plan]:
        rng = self.rng
        plans = [Plan("Projects", when(rng, self.start, self.now - DAY), None, None, rng.choice(self.active), 4)
                 for _ in range(round(quota * 0.01))]
        plans += [Plan("KB Updates", when(rng, self.start, self.now - DAY), None, None, None, 4)
                  for _ in range(round(quota * 0.005))]
        return plans
