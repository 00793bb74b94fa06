"""Evaluate a ticket's response and resolution clocks against its SLA.

Per clock, the vendor's own due date wins when the PSA has one (`Ticket.sla_respond_due`,
`sla_resolve_due`); it is taken as given, because the vendor's SLA engine already moves it for its
own holds. Otherwise the due time comes from the matrix row of the ticket's priority (and its
company's tier), counted on that row's calendar from `Ticket.created`, and moved later by the
business time spent in pauses that began before it fell due.

Measures, for both kinds of clock:
- `remaining`: business time (on the clock's calendar) left until due; once overdue, minus the
  real time since due, so it is negative as soon as a clock breaches, even at a weekend.
- `elapsed_fraction`: business time used / the clock's length (above 1 once overdue).
- at risk: fraction >= `at_risk_fraction` or remaining <= `at_risk_remaining`, whichever first.
A clock stops at the first response (response; resolving without a recorded response also
answers it) or at resolution/closure (resolution), and is then "met" or "breached" for good.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

from syncd.sla.calendar import ALWAYS, BusinessCalendar, Calendar, to_utc
from syncd.sla.policy import SlaSettings, SlaTarget
from syncd.vocabulary import StatusClass, Ticket

_FOREVER = datetime.max.replace(tzinfo=UTC)
_DONE = (StatusClass.RESOLVED, StatusClass.CLOSED)


class ClockState(StrEnum):
    """Where one SLA clock stands."""

    RUNNING = "running"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"
    NOT_APPLICABLE = "not_applicable"


_LIVE = (ClockState.RUNNING, ClockState.AT_RISK, ClockState.BREACHED)


@dataclass(frozen=True, slots=True)
class Pause:
    """A stretch in a pausing status; `end` is None while the ticket is still in it."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """One clock (response or resolution) of one ticket at one instant."""

    state: ClockState
    due: datetime | None = None
    remaining: timedelta | None = None
    elapsed_fraction: float | None = None
    source: Literal["vendor", "matrix"] | None = None
    stopped_at: datetime | None = None

    @property
    def live(self) -> bool:
        """Whether the clock is still counting toward (or past) its due time."""
        return self.stopped_at is None and self.state in _LIVE

    @property
    def minutes_to_breach(self) -> float | None:
        """Minutes of `remaining` while live (negative once breached); None when stopped, paused or n/a."""
        if not self.live or self.remaining is None:
            return None
        return self.remaining.total_seconds() / 60


NOT_APPLICABLE = ClockStatus(ClockState.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """Both clocks of a ticket."""

    respond: ClockStatus
    resolve: ClockStatus

    @property
    def minutes_to_breach(self) -> float | None:
        """The rules' `minutes_to_sla_breach`: the smaller of the live clocks, negative when breached."""
        values = [m for c in (self.respond, self.resolve) if (m := c.minutes_to_breach) is not None]
        return min(values, default=None)


def pauses_from_history(history: Iterable[tuple[datetime, StatusClass | str]],
                        pause_on: Iterable[StatusClass | str]) -> list[Pause]:
    """Pause intervals from status-class changes (time, class entered); the last one may be open."""
    classes = {StatusClass(c) for c in pause_on}
    out: list[Pause] = []
    since: datetime | None = None
    for at, status in sorted(history, key=lambda h: h[0]):
        paused = StatusClass(status) in classes
        if paused and since is None:
            since = at
        elif not paused and since is not None:
            out.append(Pause(since, at))
            since = None
    if since is not None:
        out.append(Pause(since))
    return out


def response_stop(ticket: Ticket) -> datetime | None:
    """When the response clock stopped: first response, else resolution of a resolved ticket."""
    return ticket.responded or resolution_stop(ticket)


def resolution_stop(ticket: Ticket) -> datetime | None:
    """When the resolution clock stopped; None while the ticket is not resolved or closed (reopened included)."""
    if ticket.status_class not in _DONE and not ticket.is_closed:
        return None
    # The last update is the best stand-in when the vendor gives a closed status but no time.
    return ticket.resolved or ticket.closed or ticket.updated


class SlaClocks:
    """Evaluates tickets against the `[sla]` settings; build once, evaluate many tickets."""

    def __init__(self, settings: SlaSettings | None = None, *, calendar: BusinessCalendar | None = None) -> None:
        self.settings = settings or SlaSettings()
        self.business = calendar or self.settings.calendar()
        self.business_day = self.settings.business_day or self.business.longest_day()

    def pauses(self, history: Iterable[tuple[datetime, StatusClass | str]]) -> list[Pause]:
        """Pause intervals from a ticket's status-class history, per `pause_on`."""
        return pauses_from_history(history, self.settings.pause_on)

    def evaluate(self, ticket: Ticket, *, now: datetime, tier: str | None = None,
                 pauses: Sequence[Pause] = ()) -> SlaStatus:
        """Both clocks of `ticket` at `now`, for its company's `tier`, with its pause intervals."""
        now = to_utc(now)
        row = self.settings.targets(ticket.priority, tier)
        calendar: Calendar = ALWAYS if row is not None and row.calendar == "always" else self.business
        windows, paused_since = _merge(pauses, now)
        clock = _Clock(calendar, to_utc(ticket.created), now, windows, paused_since, self)
        return SlaStatus(
            respond=clock.status(row.respond if row else None, ticket.sla_respond_due, response_stop(ticket)),
            resolve=clock.status(row.resolve if row else None, ticket.sla_resolve_due, resolution_stop(ticket)),
        )


@dataclass(frozen=True, slots=True)
class _Clock:
    """What both clocks of one evaluation share."""

    calendar: Calendar
    start: datetime
    now: datetime
    windows: list[tuple[datetime, datetime]]
    paused_since: datetime | None
    owner: SlaClocks

    def status(self, target: SlaTarget | None, vendor_due: datetime | None, stop: datetime | None) -> ClockStatus:
        """One clock: due from the vendor or the matrix, then measured at the stop or now."""
        if target is None and vendor_due is None:
            return NOT_APPLICABLE
        stop = to_utc(stop) if stop is not None else None
        if stop is not None and stop > self.now:
            stop = None  # a stop in the future is clock skew between us and the vendor: still running
        horizon = stop or self.now
        if vendor_due is not None:
            due, source = to_utc(vendor_due), "vendor"
            length = self.calendar.elapsed(self.start, due)
        else:
            assert target is not None
            length, source = target.length(self.owner.business_day), "matrix"
            due = self._shifted_due(length, _clip(self.windows, self.start, horizon))
        remaining, used = self._measure(length, due, horizon)
        fraction = used / length if length else (1.0 if horizon >= due else 0.0)
        state = self._state(due, stop, remaining, fraction)
        return ClockStatus(state, due, remaining, fraction, source, stop)  # type: ignore[arg-type]

    def _shifted_due(self, length: timedelta, windows: list[tuple[datetime, datetime]]) -> datetime:
        """The due time once every pause that began before it has pushed it later."""
        cursor, left = self.start, length
        for begin, end in windows:
            due = self.calendar.add(cursor, left)
            if begin >= due:
                return due  # paused only after breaching: the breach stands
            left -= self.calendar.elapsed(cursor, begin)
            cursor = end
        return self.calendar.add(cursor, left)

    def _measure(self, length: timedelta, due: datetime, horizon: datetime) -> tuple[timedelta, timedelta]:
        """(remaining, used) at `horizon`, in business time; overdue remaining is real time."""
        if horizon < due:
            remaining = self.calendar.elapsed(horizon, due)
            return remaining, max(length - remaining, timedelta())
        return due - horizon, length + self.calendar.elapsed(due, horizon)

    def _state(self, due: datetime, stop: datetime | None, remaining: timedelta, fraction: float) -> ClockState:
        settings = self.owner.settings
        if stop is not None:
            return ClockState.MET if stop <= due else ClockState.BREACHED
        if self.paused_since is not None and self.paused_since < due:
            return ClockState.PAUSED
        if self.now >= due:
            return ClockState.BREACHED
        if fraction >= settings.at_risk_fraction or remaining <= settings.at_risk_remaining:
            return ClockState.AT_RISK
        return ClockState.RUNNING


def _merge(pauses: Iterable[Pause], now: datetime) -> tuple[list[tuple[datetime, datetime]], datetime | None]:
    """Sorted, merged pause windows ending by `now`, and the start of the one `now` is in (if any)."""
    raw = sorted((to_utc(p.start), to_utc(p.end) if p.end is not None else _FOREVER) for p in pauses)
    merged: list[list[datetime]] = []
    for begin, end in raw:
        if begin >= now or end <= begin:
            continue  # future or empty pauses do not count yet
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    paused_since = merged[-1][0] if merged and merged[-1][1] > now else None
    return [(b, min(e, now)) for b, e in merged], paused_since


def _clip(windows: list[tuple[datetime, datetime]], low: datetime, high: datetime) -> list[tuple[datetime, datetime]]:
    """The parts of the windows inside [low, high]."""
    out = []
    for begin, end in windows:
        lo, hi = max(begin, low), min(end, high)
        if hi > lo:
            out.append((lo, hi))
    return out
