"""Write one planned ticket's life: status, SLA times, notes, time entries, owner history, links."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from syncd.sandbox.world.companies import Company
from syncd.sandbox.world.reference import SLA_MINUTES, Catalog, Member
from syncd.sandbox.world.rows import DAY, HOUR, MINUTE, Ids, Sink, dumps, iso
from syncd.sandbox.world.symptoms import FAMILIES, PLAN_SECTIONS, RESOLUTION_CODES, VAGUE_RESOLUTIONS
from syncd.sandbox.world.ticket_text import (
    SOURCES,
    WAITING_CUSTOMER,
    WAITING_VENDOR,
    aar_text,
    change_text,
    description_for,
    handoff_text,
    kb_text,
    project_text,
    summary_for,
)
from syncd.sandbox.world.tickets import Plan

OPEN_STATUSES = {
    "Service Desk": (("In Progress", 40), ("Waiting Customer", 25), ("Waiting Vendor", 8), ("Escalated", 12),
                     ("Scheduled", 15)),
    "Monitoring": (("Acknowledged", 40), ("In Progress", 35), ("Waiting Vendor", 10), ("Escalated", 15)),
    "Projects": (("In Progress", 60), ("Waiting Customer", 25), ("Waiting Vendor", 15)),
    "Change Management": (("Pending Approval", 30), ("Approved", 25), ("Scheduled", 30), ("In Progress", 15)),
    "KB Updates": (("In Progress", 60), ("Waiting Review", 40)),
}
CLOSED_STATUS = {"Change Management": "Completed", "Projects": "Completed"}
# Hygiene rates on closed tickets; the first three companies get them 2.5x so tiny worlds show each.
RATES = {"no_time": 0.08, "no_code": 0.10, "vague": 0.07, "reopened": 0.05, "owner_change": 0.12}


@dataclass
class Written:
    """What the truth pass needs to know about a written ticket."""

    plan: Plan
    closed: bool
    end: int | None                     # when it was last resolved or closed (None while open)
    has_time: bool = False
    code: str | None = None
    vague: str | None = None
    reopened: int = 0
    no_handoff: list[dict] = field(default_factory=list)
    aar: str | None = None              # ok | late | missing (emergency changes)
    missing_plan: list[str] = field(default_factory=list)


@dataclass
class Life:
    """A ticket's status and the instants it went through."""

    status: str
    closed: bool = False
    first_end: int | None = None        # first resolution / closure
    reopen_at: int | None = None
    final_end: int | None = None        # last resolution / closure (None while open)
    responded: int | None = None


class TicketWriter:
    """Writes tickets for one world; holds the reference ids and the id counters."""

    def __init__(self, sink: Sink, ids: Ids, cat: Catalog, now: int) -> None:
        self.sink, self.ids, self.cat, self.now = sink, ids, cat, now
        self.techs = cat.techs()
        self.coordinators = [m for m in cat.members if m.role == "Service Coordinator"] or self.techs
        self._rate: dict[str, float] = dict(RATES)
        self._stamps: list[int] = []

    def write(self, rng: random.Random, co: Company, plan: Plan, boost: float) -> Written:
        """Write the ticket row and everything hanging off it."""
        self._rate = {k: min(0.5, v * boost) for k, v in RATES.items()}
        self._stamps = [plan.created]
        respond_min, _ = SLA_MINUTES[plan.priority]
        life = self._lifecycle(rng, plan)
        if life.status != "New":
            late = rng.uniform(1.1, 3) if rng.random() < 0.1 else rng.uniform(0.1, 0.9)
            life.responded = min(plan.created + int(respond_min * MINUTE * late),
                                 (life.first_end or self.now) - MINUTE, self.now - MINUTE)
        owner = rng.choice(self.techs) if life.responded or rng.random() < 0.5 else None
        texts = self._texts(rng, plan)
        self._note(plan, texts[1], plan.created, detail=1, contact=True)
        w = Written(plan, life.closed, life.final_end, reopened=1 if life.reopen_at else 0,
                    missing_plan=plan.missing)
        if life.responded is not None and owner is not None:
            owner = self._work(rng, plan, w, owner, life)
        coded = w.closed or (life.final_end is not None and plan.board in ("Service Desk", "Monitoring"))
        if coded and not (w.closed and rng.random() < self._rate["no_code"]):
            w.code = plan.family.code if plan.family else rng.choice(RESOLUTION_CODES)
        self._row(rng, co, plan, w, life=life, owner=owner, texts=texts)
        return w

    def _lifecycle(self, rng: random.Random, plan: Plan) -> Life:
        """Status and resolution instants from the ticket's age, priority and board."""
        age = self.now - plan.created
        wall = SLA_MINUTES[plan.priority][1] * MINUTE * (1 if plan.priority <= 2 else 3)  # business -> wall
        span = int(wall * (rng.uniform(1.2, 2.5) if rng.random() < 0.12 else rng.uniform(0.1, 1.0)))
        if plan.board == "Projects":
            span *= 20
        end = plan.created + max(20 * MINUTE, span)
        p_closed = 0.93 if age > 10 * DAY else 0.6 if age > 3 * DAY else 0.3 if age > 4 * HOUR else 0.05
        if "emergency" in plan.flags:
            p_closed = max(p_closed, 0.8)
        roll = rng.random()
        if end >= self.now - 30 * MINUTE or roll >= p_closed + 0.05:
            return Life(self._open_status(rng, plan, age))
        if age > 6 * DAY and rng.random() < self._rate["reopened"] and plan.board == "Service Desk":
            reopen = end + rng.randrange(2 * HOUR, 3 * DAY)
            if reopen < self.now - HOUR:
                final = reopen + rng.randrange(2 * HOUR, 2 * DAY)
                if final < self.now - 30 * MINUTE and rng.random() < 0.7:
                    return Life("Closed", True, end, reopen, final)
                return Life("In Progress", False, end, reopen, None)
        if roll >= p_closed and plan.board in ("Service Desk", "Monitoring"):
            return Life("Resolved", False, end, None, end)
        return Life(CLOSED_STATUS.get(plan.board, "Closed"), True, end, None, end)

    def _open_status(self, rng: random.Random, plan: Plan, age: int) -> str:
        if age < DAY and rng.random() < 0.5:
            return "New"
        options = OPEN_STATUSES[plan.board]
        return rng.choices([s for s, _ in options], [w for _, w in options])[0]

    def _work(self, rng: random.Random, plan: Plan, w: Written, owner: Member, life: Life) -> Member:
        """Notes, time entries and owner history between response and resolution; return final owner."""
        responded = life.responded or plan.created
        limit = life.final_end or self.now - MINUTE
        if plan.board != "Monitoring" and plan.contact is not None:
            self._note(plan, f"Hi {plan.contact.first}, thanks for reaching out. I'm looking into this now.",
                       responded, detail=1, member=owner)
        triage = plan.family.triage if plan.family else "Reviewed scope and impact with the requester."
        self._note(plan, triage, min(responded + rng.randrange(5, 60) * MINUTE, limit - 1), internal=1,
                   member=owner)
        if life.first_end is not None and rng.random() < self._rate["owner_change"]:
            owner = self._owner_change(rng, plan, w, owner, span=(responded, life.first_end, triage))
        if life.status == "Waiting Customer" and plan.contact is not None:
            self._note(plan, rng.choice(WAITING_CUSTOMER).format(first=plan.contact.first),
                       min(responded + HOUR, limit - 1), detail=1, member=owner)
        elif life.status == "Waiting Vendor":
            self._note(plan, rng.choice(WAITING_VENDOR), min(responded + 2 * HOUR, limit - 1), internal=1,
                       member=owner)
        if life.first_end is not None:
            self._resolution(rng, plan, w, owner, at=life.first_end, final=life.reopen_at is None)
        if life.reopen_at is not None:
            self._reopen(rng, plan, w, owner, life)
        if "emergency" in plan.flags:
            self._aar(rng, plan, w, owner)
        if not (w.closed and rng.random() < self._rate["no_time"]):
            self._time(rng, plan, w, owner, span=(responded, life.first_end or self.now - MINUTE))
        return owner

    def _owner_change(self, rng: random.Random, plan: Plan, w: Written, owner: Member, *,
                      span: tuple[int, int, str]) -> Member:
        lo, hi, triage = span
        if hi - lo < 20 * MINUTE or len(self.techs) < 2:
            return owner
        at = rng.randrange(lo + 10 * MINUTE, hi)
        new = rng.choice([m for m in self.techs if m.id != owner.id])
        detail = {"from": owner.id, "to": new.id, "from_name": owner.name, "to_name": new.name}
        if rng.random() < 0.45:
            w.no_handoff.append({"at": iso(at), **detail})
        else:
            self._note(plan, handoff_text(new.name, triage), at - rng.randrange(2, 9) * MINUTE, internal=1,
                       member=owner)
        self._event(plan, at, "owner_changed", detail)
        return new

    def _resolution(self, rng: random.Random, plan: Plan, w: Written, owner: Member, *, at: int,
                    final: bool) -> None:
        text = plan.family.resolution if plan.family else "Change completed and validated with the client."
        if final and w.closed and rng.random() < self._rate["vague"]:
            text = w.vague = rng.choice(VAGUE_RESOLUTIONS)
        self._note(plan, text, at, resolution=1, member=owner)

    def _reopen(self, rng: random.Random, plan: Plan, w: Written, owner: Member, life: Life) -> None:
        reopen_at = life.reopen_at or plan.created
        self._event(plan, life.first_end or reopen_at, "status_changed", {"from": "In Progress", "to": "Closed"})
        self._event(plan, reopen_at, "reopened", {"from": "Closed", "to": "In Progress"})
        self._note(plan, "This is happening again, the fix didn't hold.", reopen_at, detail=1, contact=True)
        if life.final_end is not None:
            self._event(plan, life.final_end, "status_changed", {"from": "In Progress", "to": "Closed"})
            self._resolution(rng, plan, w, owner, at=life.final_end, final=True)

    def _aar(self, rng: random.Random, plan: Plan, w: Written, owner: Member) -> None:
        """After-action notes of an emergency change: within 24 h, late, or never."""
        if "no_aar" not in plan.flags:
            self._note(plan, aar_text(), plan.created + rng.randrange(1, 20) * HOUR, internal=1, member=owner)
            w.aar = "ok"
        elif rng.random() < 0.4 and plan.created + 50 * HOUR < self.now:
            self._note(plan, aar_text(), plan.created + rng.randrange(30, 50) * HOUR, internal=1, member=owner)
            w.aar = "late"
        else:
            w.aar = "missing"

    def _time(self, rng: random.Random, plan: Plan, w: Written, owner: Member, *, span: tuple[int, int]) -> None:
        lo, hi = span
        for _ in range(rng.choice((1, 1, 2, 3))):
            # Quarter-hour entries that fit between response and resolution (never past the clock).
            hours = min(rng.choice((0.25, 0.5, 0.5, 0.75, 1.0, 1.5, 2.0)), max(0.25, (hi - lo) // 900 * 0.25))
            length = int(hours * HOUR)
            start = rng.randrange(lo, max(hi - length, lo + 1)) if hi - lo >= length else hi - length
            entered = min(start + length + rng.randrange(1, 30) * MINUTE, self.now - 1)
            billable = rng.choices(("Billable", "NoCharge", "DoNotBill"), (70, 20, 10))[0]
            self.sink.add("time_entries", (
                self.ids.next("time_entries"), plan.id, owner.id, iso(start), iso(start + length), hours, billable,
                "Remote session: worked the issue with the user.", iso(entered), iso(entered), 0))
            self._stamps.append(entered)
            w.has_time = True

    def _texts(self, rng: random.Random, plan: Plan) -> tuple[str, str, str, str, str | None]:
        """(summary, description, type, subtype, item)."""
        fam = plan.family
        if plan.board == "Change Management":
            emergency = "emergency" in plan.flags
            if "incomplete_plan" in plan.flags and not emergency:
                plan.missing = sorted(rng.sample(PLAN_SECTIONS, rng.randrange(1, 3)))
            summary, subtype, description = change_text(rng, emergency, plan.missing)
            return summary, description, "Emergency Change" if emergency else "Planned Change", subtype, None
        if plan.board == "Projects":
            summary, description = project_text(rng)
            return summary, description, "Project", "Implementation", None
        if plan.board == "KB Updates" or fam is None:
            summary, description = kb_text(rng, [f.key for f in FAMILIES])
            return summary, description, "KB Update", "Documentation", None
        in_summary = plan.host is not None and rng.random() < 0.5
        summary = summary_for(rng, fam.summaries, plan.host, in_summary)
        reporter = f"{plan.contact.first} {plan.contact.last}" if plan.contact else None
        description = description_for(rng, fam.quote, reporter=reporter, source=self._source(rng, plan),
                                      host=plan.host, host_in_summary=in_summary or "{host}" in fam.summaries[0])
        return summary, description, fam.type_name, fam.subtype, fam.item

    def _source(self, rng: random.Random, plan: Plan) -> str:
        if plan.source is None:
            plan.source = "Monitoring" if plan.board == "Monitoring" else rng.choices(
                [s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        return plan.source

    def _note(self, plan: Plan, text: str, at: int, *, detail: int = 0, internal: int = 0,
              resolution: int = 0, member: Member | None = None, contact: bool = False) -> None:
        at = min(at, self.now - 1)
        if contact and plan.contact is not None:
            by, cid, mid = plan.contact.username, plan.contact.id, None
        elif contact:
            by, cid, mid = ("NinjaOne" if plan.board == "Monitoring" else "ServiceDesk"), None, None
        else:
            by, cid, mid = (member.identifier if member else "template"), None, member.id if member else None
        self.sink.add("notes", (self.ids.next("notes"), plan.id, text, detail, internal, resolution, mid, cid,
                                by, iso(at), iso(at)))
        self._stamps.append(at)

    def _event(self, plan: Plan, at: int, kind: str, detail: dict) -> None:
        self.sink.add("ticket_events", (self.ids.next("ticket_events"), plan.id, iso(at), kind, dumps(detail)))
        self._stamps.append(at)

    def _row(self, rng: random.Random, co: Company, plan: Plan, w: Written, *, life: Life,
             owner: Member | None, texts: tuple[str, str, str, str, str | None]) -> None:
        """The ticket row itself (written last: its updated_at is the latest activity)."""
        if plan.link and plan.machine is not None and plan.machine.config_id is not None:
            at = min(plan.created + rng.randrange(1, 30) * MINUTE, self.now - 1)
            self.sink.add("ticket_configurations", (plan.id, plan.machine.config_id, iso(at)))
        source = self._source(rng, plan)
        entered = {"Monitoring": "NinjaOne", "Portal": "PortalUser", "Email": "EmailConnector"}.get(
            source, rng.choice(self.coordinators).identifier)
        summary, description, type_name, subtype, item = texts
        respond_min, resolve_min = SLA_MINUTES[plan.priority]
        updated = min(max([*self._stamps, w.end or 0]) + rng.randrange(0, 600), self.now - 1)
        closed_at = iso(w.end) if w.closed and w.end else None
        self.sink.add("tickets", (
            plan.id, co.world_id, plan.contact.id if plan.contact else None, summary, description,
            self.cat.boards[plan.board], self.cat.status(plan.board, life.status),
            self.cat.priorities[plan.priority], type_name, subtype, item, source, owner.id if owner else None,
            plan.parent.id if plan.parent else None, w.code, int(w.closed), closed_at,
            owner.identifier if w.closed and owner else None, iso(life.responded) if life.responded else None,
            iso(w.end) if w.end else None, respond_min, resolve_min, iso(plan.created), iso(updated), entered, 0,
            plan.machine.id if plan.machine else None))
