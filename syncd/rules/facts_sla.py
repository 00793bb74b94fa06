"""SLA facts (seed 003's matrix, business hours, pauses): minutes to breach, a clock's state and due time.

They ask `ctx.sla` (the evaluate job supplies `syncd.sla.adapter.MirrorSla` with pauses from the
ticket's status history). A pass without one (`syncd rules test`, unit tests) falls back to
the default `[sla]` settings, i.e. seed 003's matrix on Mon-Fri business hours, with pauses from
the view's own ticket events, so SLA rules can be tested like any other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from syncd.clock import to_iso
from syncd.rules.context import FactContext, Subject
from syncd.rules.facts import FactArgs, NoArgs, fact
from syncd.sla.adapter import EventPauses, MirrorSla
from syncd.sla.clock import ClockState, ClockStatus, SlaStatus
from syncd.sla.policy import SlaSettings

ClockName = Literal["response", "resolution", "any"]
StateName = Literal["running", "at_risk", "breached", "met", "paused", "not_applicable"]
# When both clocks are asked for at once, the worst state speaks for the ticket.
_SEVERITY = {ClockState.BREACHED: 5, ClockState.AT_RISK: 4, ClockState.RUNNING: 3, ClockState.PAUSED: 2,
             ClockState.MET: 1, ClockState.NOT_APPLICABLE: 0}


class ClockArgs(FactArgs):
    """Which SLA clock a fact reads."""

    clock: ClockName = Field(default="any", description="response, resolution, or any (the more urgent)")


def sla_of(ctx: FactContext) -> Any:
    """The pass's SLA helper, or a default one over the view (seed matrix, pauses from ticket events)."""
    if ctx.sla is not None:
        return ctx.sla

    def fallback() -> MirrorSla:
        settings = SlaSettings()
        pauses = EventPauses(lambda: ctx.view.records("ticket_events"), settings.pause_on)
        return MirrorSla(settings, now=ctx.now, tier_of=lambda ticket: _tier(ctx, ticket), pauses_of=pauses)

    return ctx.cached(("sla", "fallback"), fallback)


def _tier(ctx: FactContext, ticket: Subject) -> str | None:
    company = ctx.company_of(ticket)
    return None if company is None else company.fields.get("tier")


def sla_status(ctx: FactContext, ticket: Subject) -> SlaStatus | None:
    """Both clocks of the ticket; None when the SLA helper cannot tell clocks apart or the ticket has no SLA."""
    status = getattr(sla_of(ctx), "status", None)
    return status(ticket) if callable(status) else None


def pick_clock(status: SlaStatus, clock: str) -> ClockStatus:
    """The named clock, or for "any" the live clock with the least time left (else the worse state)."""
    if clock == "response":
        return status.respond
    if clock == "resolution":
        return status.resolve
    live = [c for c in (status.respond, status.resolve) if c.minutes_to_breach is not None]
    if live:
        return min(live, key=lambda c: (c.minutes_to_breach, -_SEVERITY[c.state]))
    return max((status.respond, status.resolve), key=lambda c: _SEVERITY[c.state])


@fact("minutes_to_sla_breach", result=float | None, args=ClockArgs)
def minutes_to_sla_breach(ticket: Subject, ctx: FactContext, args: ClockArgs) -> float | None:
    """Business minutes until the SLA clock is due (negative once breached); None when stopped or without SLA."""
    status = sla_status(ctx, ticket)
    if status is None:
        if args.clock != "any":
            return None
        minutes = sla_of(ctx).minutes_to_breach(ticket)  # a bare Sla helper knows only the next breach
        return None if minutes is None else round(float(minutes), 1)
    minutes = pick_clock(status, args.clock).minutes_to_breach
    return None if minutes is None else round(minutes, 1)


@fact("sla_state", result=StateName | None, args=ClockArgs)
def sla_state(ticket: Subject, ctx: FactContext, args: ClockArgs) -> str | None:
    """State of the SLA clock: running, at_risk, breached, met, paused or not_applicable; None without SLA data."""
    status = sla_status(ctx, ticket)
    return None if status is None else str(pick_clock(status, args.clock).state)


@fact("sla_due", result=datetime | None, args=ClockArgs)
def sla_due(ticket: Subject, ctx: FactContext, args: ClockArgs) -> datetime | None:
    """When the SLA clock is (or was) due; None without SLA data."""
    status = sla_status(ctx, ticket)
    return None if status is None else pick_clock(status, args.clock).due


@fact("sla_time_left", result=str | None)
def sla_time_left(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The most urgent live clock as text for summaries: "25 min left", "overdue by 1h 05m"; None when none."""
    return _left_text(minutes_to_sla_breach(ticket, ctx, ClockArgs()))


@fact("sla_response_left", result=str | None)
def sla_response_left(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The response clock as text for summaries ("25 min left", "overdue by 1h 05m"); None when stopped."""
    return _left_text(minutes_to_sla_breach(ticket, ctx, ClockArgs(clock="response")))


@fact("sla_resolution_left", result=str | None)
def sla_resolution_left(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The resolution clock as text for summaries ("3h 10m left", "overdue by 2d 1h"); None when stopped."""
    return _left_text(minutes_to_sla_breach(ticket, ctx, ClockArgs(clock="resolution")))


def _left_text(minutes: float | None) -> str | None:
    if minutes is None:
        return None
    total = int(abs(minutes))
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    text = f"{days}d {hours}h" if days else f"{hours}h {mins:02d}m" if hours else f"{mins} min"
    return f"overdue by {text}" if minutes < 0 else f"{text} left"


# Argument-free forms for templates and finding annotations (`due`, `remaining_minutes` in digests).


def _due_text(ticket: Subject, ctx: FactContext, clock: str) -> str | None:
    status = sla_status(ctx, ticket)
    due = None if status is None else pick_clock(status, clock).due
    return None if due is None else to_iso(due)


@fact("sla_response_due", result=str | None)
def sla_response_due(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """When the response clock is (or was) due, as ISO-8601 text; None without SLA data."""
    return _due_text(ticket, ctx, "response")


@fact("sla_resolution_due", result=str | None)
def sla_resolution_due(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """When the resolution clock is (or was) due, as ISO-8601 text; None without SLA data."""
    return _due_text(ticket, ctx, "resolution")


@fact("sla_response_minutes", result=float | None)
def sla_response_minutes(ticket: Subject, ctx: FactContext, _args: NoArgs) -> float | None:
    """Business minutes left on the running response clock (negative once breached); None when stopped."""
    return minutes_to_sla_breach(ticket, ctx, ClockArgs(clock="response"))


@fact("sla_resolution_minutes", result=float | None)
def sla_resolution_minutes(ticket: Subject, ctx: FactContext, _args: NoArgs) -> float | None:
    """Business minutes left on the running resolution clock (negative once breached); None when stopped."""
    return minutes_to_sla_breach(ticket, ctx, ClockArgs(clock="resolution"))
