"""Derive every ticket fact for scoring from what was actually written (not from intent)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from syncd.sandbox.world.companies import Company
from syncd.sandbox.world.patches import Patch
from syncd.sandbox.world.rows import DAY, HOUR, Sink, iso
from syncd.sandbox.world.ticket_life import Written
from syncd.sandbox.world.tickets import CompanyIndex

AFTER_PATCH_WINDOW = 72 * HOUR        # "patches in the 72 h before the ticket"
RECURRING_WINDOW = 30 * DAY
RECURRING_MIN = 3
SYMPTOM_BOARDS = ("Service Desk", "Monitoring")


def write_ticket_truth(sink: Sink, index: CompanyIndex, co: Company, written: list[Written], *,
                       patches: dict[int, list[Patch]], kb: dict[str, list[int]], now: int) -> None:
    """Per-ticket truth (device, hygiene, after-patch) plus the company's recurring-symptom clusters."""
    times = {mid: [p.installed_at for p in rows] for mid, rows in patches.items()}
    for w in written:
        _device(sink, index, w)
        _hygiene(sink, w)
        if w.plan.machine is not None:
            _after_patch(sink, w, patches.get(w.plan.machine.id, []), times.get(w.plan.machine.id, []))
    _incidents(sink, written, now)
    _recurring(sink, co, written, kb)


def _linked(w: Written) -> bool:
    m = w.plan.machine
    return bool(w.plan.link and m is not None and m.config_id is not None)


def _device(sink: Sink, index: CompanyIndex, w: Written) -> None:
    plan = w.plan
    evidence = index.evidence(plan.machine, plan.contact, _linked(w), plan.host)
    if evidence == "misleading":       # the planner prevents this; never publish a wrong lead as truth
        evidence = "none"
    value = {"machine_id": plan.machine.id if plan.machine else None, "evidence": evidence}
    if plan.host:
        value["hostname"] = plan.host
    sink.truth("ticket_device", f"tickets:{plan.id}", value)
    if plan.host and not _linked(w):
        sink.truth("hostname_in_text", f"tickets:{plan.id}",
                   {"hostname": plan.host, "machine_id": plan.machine.id if plan.machine else None})


def _hygiene(sink: Sink, w: Written) -> None:
    plan = w.plan
    subject = f"tickets:{plan.id}"
    if w.closed:
        if not w.has_time:
            sink.truth("closed_no_time", subject)
        if w.code is None:
            sink.truth("closed_no_resolution_code", subject)
        if w.vague:
            sink.truth("vague_resolution", subject, {"text": w.vague})
        if plan.machine is not None and not _linked(w):
            sink.truth("closed_no_config_link", subject, {"machine_id": plan.machine.id})
    if w.reopened:
        sink.truth("reopened", subject, {"times": w.reopened})
    if plan.contact is not None and plan.contact.inactive:
        sink.truth("inactive_contact_ticket", subject, {"contact_id": plan.contact.id})
    if w.no_handoff:
        sink.truth("owner_change_no_handoff", subject, {"changes": w.no_handoff})
    if w.aar in ("missing", "late"):
        sink.truth("emergency_change_no_aar", subject, {"late": w.aar == "late"})
    if w.missing_plan:
        sink.truth("change_missing_plan", subject, {"missing": w.missing_plan})


def _after_patch(sink: Sink, w: Written, rows: list[Patch], times: list[int]) -> None:
    created = w.plan.created
    lo = bisect_left(times, created - AFTER_PATCH_WINDOW)
    hi = bisect_right(times, created - 1)
    window = rows[lo:hi]
    if not window:
        return
    failed = [p for p in window if p.status == "FAILED"]
    latest = (failed or window)[-1]
    sink.truth("ticket_after_patch", f"tickets:{w.plan.id}", {
        "machine_id": w.plan.machine.id if w.plan.machine else None, "device_id": latest.device_id,
        "patch_id": latest.id, "status": latest.status, "patch_ids": [p.id for p in window],
        "planted": "after_patch" in w.plan.flags})


def _incidents(sink: Sink, written: list[Written], now: int) -> None:
    """Tickets opened while the company had an open P1 outage and not linked to it as a child."""
    incidents = [w for w in written if w.plan.priority == 1 and w.plan.family is not None
                 and w.plan.family.target == "site" and w.plan.parent is None]
    for inc in incidents:
        end = inc.end if inc.end is not None else now
        for w in written:
            p = w.plan
            if (w is not inc and p.board == "Service Desk" and inc.plan.created < p.created < end
                    and p.parent is None):
                sink.truth("open_incident_unlinked", f"tickets:{p.id}", {"incident": inc.plan.id})


def _recurring(sink: Sink, co: Company, written: list[Written], kb: dict[str, list[int]]) -> None:
    """Clusters of 3+ tickets with the same symptom within 30 days (windows merged when they overlap)."""
    by_family: dict[str, list[Written]] = {}
    for w in written:
        if w.plan.family is not None and w.plan.board in SYMPTOM_BOARDS:
            by_family.setdefault(w.plan.family.key, []).append(w)
    for key in sorted(by_family):
        items = sorted(by_family[key], key=lambda w: (w.plan.created, w.plan.id))
        for cluster in _clusters([w.plan.created for w in items]):
            members = [items[i] for i in cluster]
            sink.truth("recurring_symptom", f"tickets:{members[0].plan.id}", {
                "company_world_id": co.world_id, "symptom": key,
                "ticket_ids": [w.plan.id for w in members],
                "first_at": iso(members[0].plan.created), "last_at": iso(members[-1].plan.created),
                "kb_article_ids": kb.get(key, []),
                "planted": any("recurring" in w.plan.flags for w in members)})


def _clusters(times: list[int]) -> list[range]:
    """Index ranges covered by some 30-day window holding at least three tickets, merged."""
    spans: list[list[int]] = []
    j = 0
    for i, t in enumerate(times):
        j = max(j, i)
        while j + 1 < len(times) and times[j + 1] - t <= RECURRING_WINDOW:
            j += 1
        if j - i + 1 >= RECURRING_MIN:
            if spans and i <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], j)
            else:
                spans.append([i, j])
    return [range(a, b + 1) for a, b in spans]
