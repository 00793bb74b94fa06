"""Render sample digests (SLA and hygiene) to HTML and, if /usr/bin/chromium exists, screenshot them
at 390 px (phone) and 1280 px (desktop) widths. Not a CI test: a look at the layout.

    .venv/bin/python bench/digest_screenshot.py [--out .syncd/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syncd.digests.build import Group, build_digest
from syncd.digests.render import render_html
from syncd.digests.routing import build_route_tree
from syncd.digests.settings import DEFAULT_DIGESTS, RouteSettings
from syncd.state import Finding, finding_fingerprint

NOW = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)
TICKETS = [
    (4711, "Whole office cannot print to the front-desk Ricoh", "breached", -65, "P1", "Dana Reyes"),
    (4720, "Outlook keeps prompting for password after MFA reset", "breached", -5, "P2", "Sam Lee"),
    (4733, "VPN drops every 10 minutes for <remote> staff & contractors", "at_risk", 12, "P2", "Dana Reyes"),
    (4740, "New starter laptop: install LOB app and map drives", "at_risk", 95, "P3", "Priya Nair"),
]
HYGIENE = [
    (4650, "Reset password for reception", "Closed without a time entry", "Sam Lee"),
    (4650, "Reset password for reception", "Closed without a resolution code", "Sam Lee"),
    (4655, "Printer offline", 'Resolution text documents nothing ("fixed it")', "Dana Reyes"),
    (4661, "Teams calls drop", "Handed to another owner with no handoff note", "Priya Nair"),
]


def _finding(n: int, rule: str, summary: str, labels: dict[str, str], annotations: dict[str, str]) -> Finding:
    subject = f"connectwise.tickets:{n}"
    return Finding(n, finding_fingerprint(rule, subject), rule, subject, labels.get("severity", "warning"),
                   summary, labels, annotations, "open", NOW - timedelta(hours=2), NOW, None, None)


def sla_findings() -> list[Finding]:
    """Four SLA findings, two breached and two at risk."""
    out = []
    for n, text, state, minutes, prio, owner in TICKETS:
        labels = {"category": "sla", "company": "Acme Dental", "priority": prio, "owner": owner}
        ann = {"ticket_number": str(n), "ticket_url": f"https://psa.example/ticket?id={n}", "summary": text,
               "state": state, "clock": "resolve", "due": (NOW + timedelta(minutes=minutes)).isoformat(),
               "detail": "Resolution due per the P-matrix (business hours)."}
        out.append(_finding(n, f"sla-resolve-{state.replace('_', '-')}", f"SLA {state}", labels, ann))
    return out


def hygiene_findings() -> list[Finding]:
    """Closed-ticket hygiene problems for three technicians."""
    return [_finding(n, f"hygiene-{i}", fix, {"category": "hygiene", "company": "Acme Dental", "owner": owner,
                                              "coordinator": "Kim Ortiz", "board": "Service Desk"},
                     {"ticket_number": str(n), "ticket_url": f"https://psa.example/ticket?id={n}", "summary": text,
                      "detail": fix})
            for i, (n, text, fix, owner) in enumerate(HYGIENE)]


def render(kind: str, findings: list[Finding], out: Path) -> Path:
    """Write one digest's HTML page and return its path."""
    route = build_route_tree(RouteSettings(receiver="desk", digest=kind, group_by=["company"]))
    group = Group(kind, route, route.group_key({"company": "Acme Dental"}), {"company": "Acme Dental"}, findings)
    path = out / f"{kind}.html"
    path.write_text(render_html(build_digest(group, DEFAULT_DIGESTS[kind], NOW)), encoding="utf-8")
    return path


def screenshot(page: Path, width: int, out: Path) -> Path | None:
    """Take a headless Chromium screenshot of `page` at `width` px, or None without Chromium."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return None
    png = out / f"{page.stem}-{width}.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([str(chromium), "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", f"--user-data-dir={profile}", f"--window-size={width},2000",
                        f"--screenshot={png}", page.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return png


def main() -> None:
    """Render the samples and screenshot them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(".syncd/screenshots"))
    out = parser.parse_args().out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for kind, findings in (("sla", sla_findings()), ("hygiene", hygiene_findings())):
        page = render(kind, findings, out)
        print(page)
        for width in (390, 1280):
            shot = screenshot(page, width, out)
            print(shot or "chromium not found: skipped screenshot")


if __name__ == "__main__":
    main()
