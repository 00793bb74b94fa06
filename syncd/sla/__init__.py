"""SLA clocks: business-hours calendars, the SLA matrix and per-ticket response/resolution clocks.

    clocks = SlaClocks(settings.sla)
    status = clocks.evaluate(ticket, now=now, tier=company.tier, pauses=clocks.pauses(history))
    status.resolve.state, status.resolve.due, status.minutes_to_breach
"""

from syncd.sla.calendar import ALWAYS, AlwaysCalendar, BusinessCalendar, Calendar, parse_weekly_hours
from syncd.sla.clock import (
    ClockState,
    ClockStatus,
    Pause,
    SlaClocks,
    SlaStatus,
    pauses_from_history,
    resolution_stop,
    response_stop,
)
from syncd.sla.policy import SEED_MATRIX, PriorityTargets, SlaSettings, SlaTarget, parse_target

__all__ = [
    "ALWAYS", "SEED_MATRIX", "AlwaysCalendar", "BusinessCalendar", "Calendar", "ClockState", "ClockStatus", "Pause",
    "PriorityTargets", "SlaClocks", "SlaSettings", "SlaStatus", "SlaTarget", "parse_target", "parse_weekly_hours",
    "pauses_from_history", "resolution_stop", "response_stop",
]
