"""The words on a ticket: summaries, descriptions and the notes technicians write."""

from __future__ import annotations

import random

from syncd.sandbox.world.symptoms import CHANGES, EMERGENCY_CHANGES, PLAN_SECTIONS, PROJECTS

SOURCES = (("Phone", 45), ("Email", 35), ("Portal", 20))
PLAN_TEXT = {
    "Scope": "Scope: {what} Systems impacted: firewall, VPN users, line-of-business app.",
    "Rollback plan": "Rollback plan: restore the saved configuration backup taken before the change; "
                     "revert within 15 minutes if validation fails.",
    "Testing plan": "Testing plan: VPN connect from two remote users, internet and VoIP check, LOB app login.",
    "Maintenance window": "Maintenance window: Saturday 22:00-02:00 local, approved by the office manager.",
}
WAITING_CUSTOMER = ("Hi {first}, could you let us know a good time to connect to your computer?",
                    "Following up: are you still seeing this? Please reply with a time that suits you.")
WAITING_VENDOR = ("Opened a case with the vendor; waiting on their engineering team.",
                  "Vendor requested logs; uploaded. Awaiting response.")


def summary_for(rng: random.Random, family_summaries: tuple[str, ...], host: str | None,
                host_in_summary: bool) -> str:
    """A summary (max 100 characters), naming the host when the plan says so."""
    text = rng.choice(family_summaries)
    if "{host}" in text:
        return text.replace("{host}", host or "server")[:100]
    if host and host_in_summary:
        return f"{host} - {text}"[:100]
    return text


def description_for(rng: random.Random, quote: str, *, reporter: str | None, source: str,
                    host: str | None, host_in_summary: bool) -> str:
    """The initial description: the user's own words first, then the intake facts."""
    lines = [quote, ""]
    if reporter:
        lines.append(f"Reported by {reporter} via {source.lower()}.")
    if host and not host_in_summary:
        lines.append(rng.choice((f"Computer name: {host}", f"Affected device: {host}",
                                 f"User is on {host}.")))
    if reporter:        # monitoring tickets carry only the condition text
        lines.append(rng.choice(("Started this morning.", "Happened twice today.", "Reproducible every time.",
                                 "Intermittent since yesterday.", "One user affected.")))
    return "\n".join(lines)


def change_text(rng: random.Random, emergency: bool, missing: list[str]) -> tuple[str, str, str]:
    """(summary, subtype, description) of a planned or emergency change."""
    if emergency:
        title, subtype = rng.choice(EMERGENCY_CHANGES)
        return title, subtype, ("Emergency change to restore service / contain an incident. "
                                "Change made first per the emergency procedure; document within 24 h.")
    what, subtype, detail = rng.choice(CHANGES)
    body = [PLAN_TEXT[s].format(what=detail) for s in PLAN_SECTIONS if s not in missing]
    return f"Planned change: {what}", subtype, "\n".join(body) or detail


def project_text(rng: random.Random) -> tuple[str, str]:
    """(summary, description) of a project ticket."""
    name = rng.choice(PROJECTS)
    return name, f"Project: {name}. Milestones tracked as phases; see the SOW for scope."


def kb_text(rng: random.Random, keys: list[str]) -> tuple[str, str]:
    """(summary, description) of a human-made KB update task."""
    key = rng.choice(keys)
    return (f"KB update: document fix for {key}",
            f"Recurring tickets about '{key}'. Write or update the runbook in Hudu.")


def handoff_text(to_name: str, triage: str) -> str:
    """A structured handoff note per the handoff procedure (seed 004)."""
    return (f"Handoff to {to_name}.\nSummary: {triage}\nSteps taken: reproduced the issue, reviewed RMM "
            "patch history and event logs, cleared cached credentials.\nNext steps: continue from the "
            "findings above; user available after 9 AM.\nBlockers: none.")


def aar_text() -> str:
    """After-action notes for an emergency change (seed 000)."""
    return ("After-action notes: What changed: rule/config captured in the change log. Why: service "
            "restoration. Validation: users confirmed access. Follow-up: permanent fix scheduled as a "
            "planned change.")
