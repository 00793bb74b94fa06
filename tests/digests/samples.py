"""Sample findings and digests for render and channel tests (also used by bench/digest_screenshot.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from syncd.digests.build import Group, build_digest
from syncd.digests.model import Digest
from syncd.digests.routing import build_route_tree
from syncd.digests.settings import DEFAULT_DIGESTS, RouteSettings
from syncd.state import Finding, finding_fingerprint

HOSTILE = ('<script>alert("x")</script><b>VPN</b> & *bold* _it_ ~s~ `code` <!channel> '
           "<https://evil.example|click> [phish](https://evil.example) # head > quote")


def finding(n: int, now: datetime, *, rule: str = "sla-resolve-at-risk", summary: str = "",
            labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None,
            status: str = "open", severity: str = "warning") -> Finding:
    """One ticket finding, open since an hour ago."""
    subject = f"connectwise.tickets:{n}"
    return Finding(
        id=n, fingerprint=finding_fingerprint(rule, subject), rule_id=rule, subject=subject, severity=severity,
        summary=summary or f"{rule} on #{n}",
        labels={"category": "sla", "company": "Acme Dental", "priority": "P2", "owner": "Dana Reyes",
                "coordinator": "Kim Ortiz", **(labels or {})},
        annotations={"ticket_number": str(n), "ticket_url": f"https://psa.example/v4_6_release/ticket?id={n}",
                     "summary": f"Outlook prompts for password again ({n})", "state": "at_risk",
                     "clock": "resolve", "due": (now + timedelta(minutes=5 * n)).isoformat(),
                     **(annotations or {})},
        status=status,  # type: ignore[arg-type]
        first_seen=now - timedelta(hours=1), last_seen=now,
        resolved_at=now if status == "resolved" else None, last_notified_at=None,
    )


def digest_of(findings: list[Finding], now: datetime, kind: str = "sla") -> Digest:
    """Build a digest of `kind` over the findings, as the pipeline would."""
    route = build_route_tree(RouteSettings(receiver="desk", digest=kind, group_by=["company"]))
    group = Group(kind, route, route.group_key({"company": "Acme Dental"}), {"company": "Acme Dental"})
    group.findings = [f for f in findings if f.status == "open"]
    group.resolved = [f for f in findings if f.status == "resolved"]
    return build_digest(group, DEFAULT_DIGESTS[kind], now)


def hostile_digest(now: datetime) -> Digest:
    """An SLA digest whose ticket summary, detail and owner carry markup of every kind."""
    bad = finding(1, now, annotations={"summary": HOSTILE, "detail": HOSTILE,
                                       "ticket_url": "javascript:alert(1)"}, labels={"owner": HOSTILE})
    return digest_of([bad, finding(2, now)], now)
