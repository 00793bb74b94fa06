"""How each kind of digest arranges its findings into sections (SLA, hygiene, KB, sync, review)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from syncd.clock import from_iso
from syncd.digests.model import Row, Section
from syncd.state import Finding

Layout = Callable[[Sequence[Finding], datetime, int], tuple[str, list[Section]]]


def ann(finding: Finding, key: str) -> str:
    """An annotation as text ('' when missing)."""
    value = finding.annotations.get(key)
    return "" if value is None else str(value)


def lab(finding: Finding, key: str) -> str:
    """A label as text ('' when missing)."""
    value = finding.labels.get(key)
    return "" if value is None else str(value)


def ticket_title(finding: Finding) -> str:
    """'#4711 Outlook keeps asking for password', or the finding summary without a ticket."""
    number, summary = ann(finding, "ticket_number"), ann(finding, "summary")
    if number:
        return f"#{number} {summary}".strip()
    return summary or finding.summary or finding.subject


def humanize(delta: timedelta) -> str:
    """'1h 05m', '25 min', '2d 3h'."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins:02d}m" if hours else f"{mins} min"


def time_left(finding: Finding, now: datetime) -> timedelta | None:
    """Time until the SLA is due (negative when overdue), from `due`, else `remaining_minutes`."""
    due = ann(finding, "due")
    if due:
        try:
            return from_iso(due) - now
        except ValueError:
            pass
    try:
        # remaining_minutes was computed when the rule ran; age it to now.
        return timedelta(minutes=float(ann(finding, "remaining_minutes"))) - (now - finding.last_seen)
    except ValueError:
        return None


def _meta(finding: Finding, *keys: str) -> tuple[str, ...]:
    return tuple(v for v in (lab(finding, k) for k in keys) if v)


def _cap(rows: list[Row], limit: int) -> tuple[tuple[Row, ...], int]:
    return tuple(rows[:limit]), max(0, len(rows) - limit)


def _section(title: str, rows: list[Row], limit: int) -> Section:
    kept, more = _cap(rows, limit)
    return Section(title, kept, more)


def sla_layout(findings: Sequence[Finding], now: datetime, limit: int) -> tuple[str, list[Section]]:
    """Breached first (most overdue on top), then at risk (least time left on top)."""
    keyed = [(time_left(f, now), f) for f in findings]
    far = timedelta(days=3650)
    keyed.sort(key=lambda pair: pair[0] if pair[0] is not None else far)
    breached = [(d, f) for d, f in keyed if _is_breached(d, f)]
    at_risk = [(d, f) for d, f in keyed if not _is_breached(d, f)]
    headline = f"{len(breached)} breached, {len(at_risk)} at risk"
    sections = [_section("Breached", [_sla_row(d, f) for d, f in breached], limit),
                _section("At risk", [_sla_row(d, f) for d, f in at_risk], limit)]
    return headline, [s for s in sections if s.rows]


def _is_breached(left: timedelta | None, finding: Finding) -> bool:
    return ann(finding, "state") == "breached" or (left is not None and left < timedelta(0))


def _sla_row(left: timedelta | None, finding: Finding) -> Row:
    if left is None:
        badge = "due time unknown"
    elif left < timedelta(0):
        badge = f"overdue by {humanize(left)}"
    else:
        badge = f"{humanize(left)} left"
    clock = ann(finding, "clock")
    meta = (*_meta(finding, "company", "priority", "owner"), f"{clock} SLA" if clock else "")
    tone = "critical" if _is_breached(left, finding) else "warning"
    return Row(ticket_title(finding), ann(finding, "ticket_url"), ann(finding, "detail"),
               meta=tuple(m for m in meta if m), tone=tone, badge=badge)


def hygiene_layout(findings: Sequence[Finding], now: datetime, limit: int) -> tuple[str, list[Section]]:
    """Per technician (owner), one row per ticket listing what to fix on it."""
    del now
    by_owner: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        ticket = ann(f, "ticket_number") or f.subject
        by_owner[lab(f, "owner") or "Unassigned"][ticket].append(f)
    sections = []
    for owner in sorted(by_owner, key=lambda o: (o == "Unassigned", o.lower())):
        rows = [_hygiene_row(items) for _, items in sorted(by_owner[owner].items())]
        coordinator = lab(next(iter(by_owner[owner].values()))[0], "coordinator")
        title = f"{owner} (coordinator: {coordinator})" if coordinator else owner
        sections.append(_section(title, rows, limit))
    tickets = sum(len(t) for t in by_owner.values())
    return f"{tickets} ticket{'s' if tickets != 1 else ''} to fix", sections


def _hygiene_row(items: list[Finding]) -> Row:
    first = items[0]
    fixes = tuple(ann(f, "detail") or f.summary for f in items)
    return Row(ticket_title(first), ann(first, "ticket_url"), bullets=fixes,
               meta=_meta(first, "company", "board", "priority"), tone="warning")


def kb_layout(findings: Sequence[Finding], now: datetime, limit: int) -> tuple[str, list[Section]]:
    """Recurring symptoms, with the KB task opened for each."""
    del now
    rows = [Row(f.summary, ann(f, "task_url") or ann(f, "ticket_url"), ann(f, "detail"),
                bullets=tuple(t for t in ann(f, "tickets").split(",") if t.strip()),
                meta=_meta(f, "company"), tone="info",
                badge="KB task opened" if ann(f, "task_url") else "") for f in findings]
    headline = f"{len(rows)} recurring symptom{'s' if len(rows) != 1 else ''}"
    return headline, [_section("Recurring symptoms", rows, limit)]


def sync_layout(findings: Sequence[Finding], now: datetime, limit: int) -> tuple[str, list[Section]]:
    """Sources not polled, credentials rejected: one row each, worst first."""
    order = {"critical": 0, "warning": 1}
    ranked = sorted(findings, key=lambda f: (order.get(f.severity, 2), f.first_seen))
    rows = [Row(f.summary, "", ann(f, "detail"), meta=(f"since {humanize(now - f.first_seen)}",),
                tone="critical" if f.severity == "critical" else "warning") for f in ranked]
    return f"{len(rows)} problem{'s' if len(rows) != 1 else ''}", [_section("Sync problems", rows, limit)]


def findings_layout(findings: Sequence[Finding], now: datetime, limit: int) -> tuple[str, list[Section]]:
    """Anything else: one section per category, worst severity first."""
    del now
    order = {"critical": 0, "warning": 1, "info": 2}
    by_cat: dict[str, list[Finding]] = defaultdict(list)
    for f in sorted(findings, key=lambda f: (order.get(f.severity, 3), f.first_seen)):
        by_cat[lab(f, "category") or "other"].append(f)
    sections = [_section(cat.replace("_", " ").capitalize(), [_plain_row(f) for f in items], limit)
                for cat, items in sorted(by_cat.items())]
    return f"{len(findings)} open", sections


def _plain_row(f: Finding) -> Row:
    title = ticket_title(f) if ann(f, "ticket_number") else f.summary
    text = f.summary if ann(f, "ticket_number") else ann(f, "detail")
    tone = f.severity if f.severity in ("critical", "warning") else "info"
    return Row(title, ann(f, "ticket_url"), text, meta=_meta(f, "company", "owner"), tone=tone)  # type: ignore[arg-type]


def review_layout(findings: Sequence[Finding], now: datetime, limit: int) -> tuple[str, list[Section]]:
    """Per client: which problems came back this period, most frequent first (monthly review)."""
    del now
    by_company: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_company[lab(f, "company") or "No company"].append(f)
    sections = []
    for company, items in sorted(by_company.items(), key=lambda kv: (-len(kv[1]), kv[0].lower())):
        counts = Counter(f.rule_id for f in items)
        recurring = [rule for rule, n in counts.most_common() if n >= 2]
        rows = [_review_row(rule, [f for f in items if f.rule_id == rule]) for rule in recurring]
        one_offs = sum(n for n in counts.values() if n < 2)
        kept, more = _cap(rows, limit)
        title = f"{company}: {len(items)} finding{'s' if len(items) != 1 else ''}"
        if one_offs:
            title += f", {one_offs} one-off"
        sections.append(Section(title, kept, more))
    total = sum(len(s.rows) + s.more for s in sections)
    return f"{total} recurring issue{'s' if total != 1 else ''} across {len(by_company)} clients", sections


def _review_row(rule: str, items: list[Finding]) -> Row:
    tickets = sorted({ann(f, "ticket_number") for f in items if ann(f, "ticket_number")})
    shown = ", ".join(f"#{t}" for t in tickets[:8]) + (f" and {len(tickets) - 8} more" if len(tickets) > 8 else "")
    return Row(f"{rule.replace('-', ' ').capitalize()}: {len(items)} times", "",
               items[-1].summary, bullets=(f"tickets {shown}",) if shown else (),
               tone="warning" if len(items) >= 3 else "info", badge=f"{len(items)}x")


LAYOUTS: dict[str, Layout] = {
    "sla": sla_layout,
    "hygiene": hygiene_layout,
    "kb": kb_layout,
    "sync_health": sync_layout,
    "review": review_layout,
    "findings": findings_layout,
}
