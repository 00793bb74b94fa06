"""Facts over a ticket's history and notes: reopens, handoffs (seed 004) and change management (seed 000).

History comes from the PSA's audit trail (`<psa>.ticket_events`: reopened, owner_changed,
status_changed); where a ticket has none, the mirror's previous values are the fallback.
Keyword lists are arguments, so an MSP whose technicians write "Übergabe" can say so in YAML.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from pydantic import Field

from syncd.clock import as_datetime
from syncd.durations import Duration
from syncd.rules.context import FactContext, Subject
from syncd.rules.facts import FactArgs, NoArgs, fact
from syncd.sla.adapter import guess_status_class
from syncd.vocabulary import StatusClass

DONE = frozenset({StatusClass.RESOLVED, StatusClass.CLOSED})


@lru_cache(maxsize=256)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex matching any keyword as a whole word or phrase."""
    alternatives = "|".join(re.escape(k.strip()).replace(r"\ ", r"[\s_-]+") for k in keywords if k.strip())
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives or '(?!)'})(?![a-z0-9])", re.IGNORECASE)


def keyword_hits(text: str, keywords: tuple[str, ...]) -> int:
    """How many different keywords occur in the text."""
    return len({m.group(0).casefold() for m in keyword_pattern(keywords).finditer(text or "")})


def events_of(ctx: FactContext, ticket: Subject, kind: str) -> list[tuple[datetime, Subject]]:
    """The ticket's history events of one kind, oldest first."""
    found = []
    for event in ctx.related("ticket_events", "ticket_id", ticket):
        if event.fields.get("kind") == kind and (at := as_datetime(event.fields.get("at"))) is not None:
            found.append((at, event))
    return sorted(found, key=lambda pair: (pair[0], pair[1].key))


def notes_with_time(ctx: FactContext, ticket: Subject) -> list[tuple[datetime, Subject]]:
    """The ticket's notes that have a creation time, oldest first."""
    notes = [(at, n) for n in ctx.notes_for(ticket) if (at := as_datetime(n.fields.get("created"))) is not None]
    return sorted(notes, key=lambda pair: (pair[0], pair[1].key))


# --- reopened (seed 001: "reopen the ticket ... do not close as resolved") -------------------


class ReopenArgs(FactArgs):
    """Arguments of `times_reopened`."""

    within: Duration | None = Field(default=None, description="count only reopens this recent (default: all)")


@fact("times_reopened", result=int, args=ReopenArgs)
def times_reopened(ticket: Subject, ctx: FactContext, args: ReopenArgs) -> int:
    """How often the ticket went from resolved/closed back to open (audit trail, else the mirror's last change)."""
    since = ctx.now - args.within if args.within is not None else None
    reopened = events_of(ctx, ticket, "reopened")
    changes = [(at, e) for at, e in events_of(ctx, ticket, "status_changed") if _reopens(e)]
    if reopened or changes:
        # One reopen may be recorded twice (a reopened event and its status change): prefer the explicit kind.
        return sum(1 for at, _e in (reopened or changes) if since is None or at >= since)
    before = (ticket.previous_fields or {}).get("status_class")
    now = ticket.fields.get("status_class")
    recent = since is None or ticket.last_changed >= since
    return int(before in DONE and now is not None and now not in DONE and recent)


def _reopens(event: Subject) -> bool:
    """Whether a status change left resolved/closed for an open status."""
    old, new = guess_status_class(event.fields.get("old")), guess_status_class(event.fields.get("new"))
    return old in DONE and new is not None and new not in DONE


# --- handoff (seed 004: summary, steps already taken, what still needs to be done) -----------

DEFAULT_HANDOFF_KEYWORDS = (
    "handoff", "hand off", "handing off", "handing over", "handover", "summary", "steps taken",
    "steps completed", "already tried", "tried so far", "next steps", "remaining steps", "still needs",
    "pending", "blockers", "root cause",
)


class HandoffArgs(FactArgs):
    """Arguments of `owner_changed_without_handoff`."""

    lookback: Duration = Field(default=timedelta(days=7), description="owner changes this recent count")
    window: Duration = Field(default=timedelta(hours=24), description="time after the change to write the note")
    before: Duration = Field(default=timedelta(hours=2), description="a note this long before the change counts too")
    keywords: tuple[str, ...] = Field(default=DEFAULT_HANDOFF_KEYWORDS, description="words a handoff note uses")
    min_keywords: int = Field(default=2, ge=1, description="different keywords a note needs to be a handoff")


@fact("owner_changed_without_handoff", result=bool, args=HandoffArgs)
def owner_changed_without_handoff(ticket: Subject, ctx: FactContext, args: HandoffArgs) -> bool:
    """Whether a recent owner change has no handoff note (summary/steps taken/next steps) by either owner."""
    notes = notes_with_time(ctx, ticket)
    for at, event in events_of(ctx, ticket, "owner_changed"):
        old, new = event.fields.get("old"), event.fields.get("new")
        if not old or at < ctx.now - args.lookback or ctx.now < at + args.window:
            continue  # a first assignment is no handoff; a change still inside its window is not late yet
        owners = {str(old).casefold(), str(new or "").casefold()}
        if not any(_is_handoff(n, owners, args) for when, n in notes if at - args.before <= when <= at + args.window):
            return True
    return False


def _is_handoff(note: Subject, owners: set[str], args: HandoffArgs) -> bool:
    author = note.fields.get("author")
    if author and str(author).casefold() not in owners:
        return False
    return keyword_hits(str(note.fields.get("text") or ""), args.keywords) >= args.min_keywords


# --- change management (seed 000) ------------------------------------------------------------

ChangeKind = Literal["emergency", "planned"]


class ChangeArgs(FactArgs):
    """How a change ticket is recognised."""

    change_words: tuple[str, ...] = Field(default=("change",), description="in board or type: a change ticket")
    emergency_words: tuple[str, ...] = Field(default=("emergency", "urgent change", "ecab"),
                                             description="in type, subtype or summary: an emergency change")


def change_kind_of(ticket: Subject, args: ChangeArgs | None = None) -> str | None:
    """"emergency", "planned" or None (not a change), by the default words unless `args` say otherwise."""
    return _change_kind(ticket, args or ChangeArgs())


def _change_kind(ticket: Subject, args: ChangeArgs) -> str | None:
    # Only "any keyword present" matters here: search, rather than collecting every hit.
    where = " ".join(str(ticket.fields.get(k) or "") for k in ("board", "type"))
    if keyword_pattern(args.change_words).search(where) is None:
        return None
    text = " ".join(str(ticket.fields.get(k) or "") for k in ("type", "subtype", "summary"))
    return "emergency" if keyword_pattern(args.emergency_words).search(text) else "planned"


@fact("is_change_ticket", result=bool, args=ChangeArgs)
def is_change_ticket(ticket: Subject, _ctx: FactContext, args: ChangeArgs) -> bool:
    """Whether the ticket is a change (its board or type says change)."""
    return _change_kind(ticket, args) is not None


@fact("change_kind", result=ChangeKind | None, args=ChangeArgs)
def change_kind(ticket: Subject, _ctx: FactContext, args: ChangeArgs) -> str | None:
    """"emergency" or "planned" for a change ticket; None for any other ticket."""
    return _change_kind(ticket, args)


# Section headings and set phrases, not bare words: "reviewed scope with the requester" or "revert
# if validation fails" mention a word of a section without documenting it.
PLAN_SECTIONS: dict[str, tuple[str, ...]] = {
    "scope": ("scope:", "scope of change", "change scope", "systems impacted", "impacted systems"),
    "rollback": ("rollback plan", "roll back plan", "rollback steps", "rollback:", "back-out plan", "backout plan"),
    "testing": ("testing plan", "test plan", "testing:", "validation plan", "validation steps",
                "post-change validation"),
    "maintenance_window": ("maintenance window", "change window", "scheduled window"),
}
PlanSection = Literal["scope", "rollback", "testing", "maintenance_window"]


class PlanArgs(FactArgs):
    """Arguments of `change_has_plan` / `change_plan_missing`."""

    sections: tuple[PlanSection, ...] = Field(default=("scope", "rollback", "testing", "maintenance_window"),
                                              description="what a planned change must document (seed 000)")


def plan_missing(ticket: Subject, ctx: FactContext, sections: tuple[str, ...]) -> list[str]:
    """The plan sections that neither the summary nor any note of the ticket mentions."""
    text = "\n".join([str(ticket.fields.get("summary") or "")]
                     + [str(n.fields.get("text") or "") for n in ctx.notes_for(ticket)])
    return [s for s in sections if not keyword_hits(text, PLAN_SECTIONS[s])]


@fact("change_has_plan", result=bool, args=PlanArgs)
def change_has_plan(ticket: Subject, ctx: FactContext, args: PlanArgs) -> bool:
    """Whether the change documents every required section (scope, rollback, testing, maintenance window)."""
    return not plan_missing(ticket, ctx, args.sections)


@fact("change_plan_missing", result=str | None)
def change_plan_missing(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The default plan sections the change lacks, as text ("rollback, testing"); None when complete."""
    missing = plan_missing(ticket, ctx, PlanArgs().sections)
    return ", ".join(s.replace("_", " ") for s in missing) or None


DEFAULT_AAR_KEYWORDS = ("after-action", "after action", "what changed", "what was changed", "post-incident",
                        "post incident", "aar")


class AfterActionArgs(FactArgs):
    """Arguments of `after_action_notes_within`."""

    window: Duration = Field(default=timedelta(hours=24), description="from the ticket's creation")
    keywords: tuple[str, ...] = Field(default=DEFAULT_AAR_KEYWORDS, description="words after-action notes use")


@fact("after_action_notes_within", result=bool, args=AfterActionArgs)
def after_action_notes_within(ticket: Subject, ctx: FactContext, args: AfterActionArgs) -> bool:
    """Whether after-action notes (what changed and why) were written within `window` of the ticket's creation."""
    created = as_datetime(ticket.fields.get("created"))
    if created is None:
        return False
    deadline = created + args.window
    return any(at <= deadline and keyword_hits(str(n.fields.get("text") or ""), args.keywords)
               for at, n in notes_with_time(ctx, ticket))
