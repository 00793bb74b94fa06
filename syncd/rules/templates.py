"""Built-in note templates (`post_note: {template: NAME}`): plain text that reads well in a PSA internal note.

`patch_history` (seed 001, "Pull recent change history from the RMM ... patches applied in the
last 14 days ... Most 'sudden' tickets line up with a Tuesday patch"): the linked device's patch
installs and failures before the ticket, the last 72 hours first, failures marked. Rule params
`history` (default 14d) and `recent` (default 72h) change the two windows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from syncd.clock import as_datetime, from_iso
from syncd.durations import format_duration, parse_duration
from syncd.rules.actions import ActionEnv, note_template
from syncd.rules.context import Subject
from syncd.rules.facts import compute_fact
from syncd.rules.facts_devices import patch_events

DEFAULT_HISTORY = timedelta(days=14)
DEFAULT_RECENT = timedelta(hours=72)


def _window(env: ActionEnv, name: str, default: timedelta) -> timedelta:
    value = env.params.get(name)
    return parse_duration(value) if value is not None else default


@note_template("patch_history", "the linked device's patches of the last 14 days, the 72 h before the ticket first")
def patch_history(ticket: Subject, env: ActionEnv) -> str | None:
    """The note text, or None when the ticket has no linked device (nothing to say)."""
    device = compute_fact(env.ctx, "linked_device", ticket)  # the pass's cached value, as patch_events reads it
    created = as_datetime(ticket.fields.get("created"))
    if device is None or created is None:
        return None
    history, recent = _window(env, "history", DEFAULT_HISTORY), _window(env, "recent", DEFAULT_RECENT)
    events = patch_events(env.ctx, ticket, history, ("installed", "failed"))
    name = device.get("name") or device.get("configuration_id") or ", ".join(device["device_ids"]) or "unknown"
    lines = [f"Patch history of {name} for the {_span(history)} before this ticket was opened "
             f"({created:%Y-%m-%d %H:%M} UTC)."]
    if not events:
        lines.append(f"No patches in the last {_span(history)} before the ticket.")
        return "\n".join(lines)
    failed = sum(e["failed"] for e in events)
    lines.append(f"{len(events)} patch{'es' if len(events) != 1 else ''}, {failed} failed.")
    cut = created - recent
    newest = [e for e in events if from_iso(e["at"]) >= cut]
    older = [e for e in events if from_iso(e["at"]) < cut]
    lines += ["", f"In the {_span(recent)} before the ticket (check these first):"]
    lines += [_line(e) for e in newest] or ["  none"]
    if older:
        lines += ["", f"Earlier ({_span(recent)} to {_span(history)} before):"]
        lines += [_line(e) for e in older]
    return "\n".join(lines)


def _line(event: dict[str, Any]) -> str:
    """`! 2026-11-10 03:02  KB5034441  Cumulative Update ...  FAILED` (a failure starts with "!")."""
    at = from_iso(event["at"])
    status = "FAILED" if event["failed"] else str(event["status"]).upper()
    title = str(event.get("title") or "").strip() or "(untitled patch)"
    kb = str(event.get("kb") or "").strip()
    label = f"{kb}  {title}" if kb and kb.lower() not in title.lower() else title
    return f"{'!' if event['failed'] else ' '} {at:%Y-%m-%d %H:%M}  {label}  {status}"


def _span(window: timedelta) -> str:
    """"72 hours", "14 days": windows as a technician says them."""
    hours = window / timedelta(hours=1)
    if hours < 96 and hours == int(hours):
        return f"{int(hours)} hour{'s' if hours != 1 else ''}"
    days = window / timedelta(days=1)
    return f"{days:g} day{'s' if days != 1 else ''}" if days == int(days) else format_duration(window)
