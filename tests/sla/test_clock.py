"""SlaClocks.evaluate: matrix and vendor due times, tiers, pauses, at-risk, breach and met."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from syncd.sla import ClockState, Pause, SlaClocks, SlaSettings, pauses_from_history
from syncd.vocabulary import StatusClass, Ticket
from tests.sla._helpers import LONDON, NEW_YORK, local, utc

H = timedelta(hours=1)
M = timedelta(minutes=1)
TUE = (2026, 11, 17)    # Tue 2026-11-17; Mon-Fri 08:00-18:00 UTC unless said otherwise


def ticket(priority: str | None, created: datetime, **fields: Any) -> Ticket:
    """A ticket in progress, created at `created`."""
    base: dict[str, Any] = {
        "id": "1", "number": "1", "company_id": "c1", "summary": "printer", "status": "In Progress",
        "status_class": StatusClass.IN_PROGRESS, "priority": priority, "created": created, "updated": created,
    }
    return Ticket(**(base | fields))


@pytest.fixture
def clocks() -> SlaClocks:
    """The default settings: seed 003's matrix on Mon-Fri 08:00-18:00 UTC."""
    return SlaClocks()


def test_matrix_due_within_one_day(clocks: SlaClocks) -> None:
    # P3 at Tue 09:00: respond 4h -> 13:00; resolve 2 business days = 20h -> Thu 2026-11-19 09:00.
    status = clocks.evaluate(ticket("P3", utc(*TUE, 9)), now=utc(*TUE, 9, 20))
    assert status.respond.due == utc(*TUE, 13)
    assert status.resolve.due == utc(2026, 11, 19, 9)
    assert status.respond.state is ClockState.RUNNING
    assert status.respond.remaining == 3 * H + 40 * M
    assert status.respond.elapsed_fraction == pytest.approx(20 / 240)
    assert status.respond.source == "matrix"
    assert status.minutes_to_breach == 220


def test_matrix_due_across_a_weekend(clocks: SlaClocks) -> None:
    # P4 at Fri 2026-11-20 15:00: respond 8h = 3h Fri + 5h Mon -> Mon 2026-11-23 13:00;
    # resolve 5bd = 50h = 3h Fri + 40h Mon-Thu + 7h Fri -> Fri 2026-11-27 15:00.
    status = clocks.evaluate(ticket("P4", utc(2026, 11, 20, 15)), now=utc(2026, 11, 21, 12))
    assert status.respond.due == utc(2026, 11, 23, 13)
    assert status.resolve.due == utc(2026, 11, 27, 15)
    assert status.respond.remaining == 5 * H        # Saturday: only business time is left to count


def test_thanksgiving_in_new_york() -> None:
    clocks = SlaClocks(SlaSettings(timezone="America/New_York", holidays_country="US"))
    # P3 at Wed 2026-11-25 15:00 EST: respond 4h = 3h Wed + Fri 27 08:00-09:00 EST (14:00 UTC);
    # resolve 20h = 3h Wed + 10h Fri + 7h Mon 11-30 -> 15:00 EST (20:00 UTC).
    status = clocks.evaluate(ticket("P3", local(NEW_YORK, 2026, 11, 25, 15)), now=utc(2026, 11, 25, 21))
    assert status.respond.due == utc(2026, 11, 27, 14)
    assert status.resolve.due == utc(2026, 11, 30, 20)


def test_four_hour_clock_across_the_eu_clock_change() -> None:
    clocks = SlaClocks(SlaSettings(timezone="Europe/London", holidays_country="GB", holidays_subdivision="ENG"))
    # P3 at Fri 2026-10-23 16:00 BST (15:00 UTC): respond 4h = 2h Fri + Mon 10-26 08:00-10:00 GMT.
    status = clocks.evaluate(ticket("P3", local(LONDON, 2026, 10, 23, 16)), now=utc(2026, 10, 24, 12))
    assert status.respond.due == utc(2026, 10, 26, 10)


def test_four_hour_clock_across_the_us_clock_change() -> None:
    clocks = SlaClocks(SlaSettings(timezone="America/New_York"))
    # P3 at Fri 2026-03-06 16:00 EST (21:00 UTC): respond 4h = 2h Fri + Mon 03-09 08:00-10:00 EDT.
    status = clocks.evaluate(ticket("P3", local(NEW_YORK, 2026, 3, 6, 16)), now=utc(2026, 3, 7, 12))
    assert status.respond.due == utc(2026, 3, 9, 14)


def test_closed_pause_moves_the_due_time(clocks: SlaClocks) -> None:
    # P3 at Tue 09:00, answered 09:30; waiting on the customer Tue 14:00 - Wed 11:00 (4h + 3h of
    # business time): resolve due moves from Thu 09:00 by 7h to Thu 2026-11-19 16:00.
    t = ticket("P3", utc(*TUE, 9), responded=utc(*TUE, 9, 30))
    pauses = [Pause(utc(*TUE, 14), utc(2026, 11, 18, 11))]
    status = clocks.evaluate(t, now=utc(2026, 11, 18, 12), pauses=pauses)
    assert status.resolve.due == utc(2026, 11, 19, 16)
    assert status.resolve.state is ClockState.RUNNING
    assert status.resolve.remaining == 14 * H                  # 6h Wed + 8h Thu
    assert status.resolve.elapsed_fraction == pytest.approx(6 / 20)   # 5h Tue + 1h Wed
    assert status.respond.state is ClockState.MET


def test_open_pause_freezes_the_clock(clocks: SlaClocks) -> None:
    # Waiting on the customer since Wed 10:00 (11h used: 9h Tue + 2h Wed, 9h left). At Wed 15:00
    # the clock is paused, and would be due 9h after now: 3h Wed + 6h Thu -> Thu 2026-11-19 14:00.
    t = ticket("P3", utc(*TUE, 9), responded=utc(*TUE, 9, 30), status_class=StatusClass.WAITING_CUSTOMER)
    status = clocks.evaluate(t, now=utc(2026, 11, 18, 15), pauses=[Pause(utc(2026, 11, 18, 10))])
    assert status.resolve.state is ClockState.PAUSED
    assert status.resolve.remaining == 9 * H
    assert status.resolve.due == utc(2026, 11, 19, 14)
    assert status.minutes_to_breach is None                    # nothing is counting down


def test_pause_after_the_breach_does_not_undo_it(clocks: SlaClocks) -> None:
    # P2 respond due Tue 10:00; set to waiting at 10:30 without a response: still breached at 11:00.
    status = clocks.evaluate(ticket("P2", utc(*TUE, 9)), now=utc(*TUE, 11), pauses=[Pause(utc(*TUE, 10, 30))])
    assert status.respond.due == utc(*TUE, 10)
    assert status.respond.state is ClockState.BREACHED


def test_pauses_from_status_history(clocks: SlaClocks) -> None:
    history = [
        (utc(*TUE, 9), StatusClass.NEW),
        (utc(*TUE, 14), StatusClass.WAITING_CUSTOMER),
        (utc(2026, 11, 18, 11), StatusClass.IN_PROGRESS),
        (utc(2026, 11, 18, 16), "waiting_customer"),
    ]
    assert clocks.pauses(history) == [Pause(utc(*TUE, 14), utc(2026, 11, 18, 11)), Pause(utc(2026, 11, 18, 16))]
    assert pauses_from_history(history, []) == []


def test_vendor_due_dates_win_over_the_matrix(clocks: SlaClocks) -> None:
    # P3 would resolve by Thu 09:00; the PSA says Wed 2026-11-18 12:00 (13 business hours after
    # Tue 09:00). At Wed 10:00: 11 of 13 hours used, 2h left -> at risk by fraction.
    t = ticket("P3", utc(*TUE, 9), sla_resolve_due=utc(2026, 11, 18, 12))
    status = clocks.evaluate(t, now=utc(2026, 11, 18, 10))
    assert status.resolve.due == utc(2026, 11, 18, 12)
    assert status.resolve.source == "vendor"
    assert status.resolve.remaining == 2 * H
    assert status.resolve.elapsed_fraction == pytest.approx(11 / 13)
    assert status.resolve.state is ClockState.AT_RISK
    assert status.respond.source == "matrix"                    # no vendor response due: the matrix
    assert status.respond.due == utc(*TUE, 13)


def test_vendor_due_dates_without_a_priority(clocks: SlaClocks) -> None:
    t = ticket(None, utc(*TUE, 9), sla_respond_due=utc(*TUE, 9, 45))
    status = clocks.evaluate(t, now=utc(*TUE, 9, 15))
    assert status.respond.due == utc(*TUE, 9, 45)
    assert status.resolve.state is ClockState.NOT_APPLICABLE


def test_tier_override() -> None:
    clocks = SlaClocks(SlaSettings(tiers={"Gold": {"P2": {"respond": "15m"}}}))
    t = ticket("P2", utc(*TUE, 9))
    gold = clocks.evaluate(t, now=utc(*TUE, 9, 5), tier="gold")
    assert gold.respond.due == utc(*TUE, 9, 15)               # gold's 15 minutes
    assert gold.resolve.due == utc(*TUE, 17)                  # 8h inherited from the matrix
    other = clocks.evaluate(t, now=utc(*TUE, 9, 5), tier="silver")
    assert other.respond.due == utc(*TUE, 10)


def test_at_risk_by_elapsed_fraction(clocks: SlaClocks) -> None:
    # P3 resolve 20h from Tue 09:00: 15h (0.75) are used at Wed 2026-11-18 14:00, 5h still left.
    t = ticket("P3", utc(*TUE, 9), responded=utc(*TUE, 9, 30))
    assert clocks.evaluate(t, now=utc(2026, 11, 18, 13, 59)).resolve.state is ClockState.RUNNING
    status = clocks.evaluate(t, now=utc(2026, 11, 18, 14)).resolve
    assert status.state is ClockState.AT_RISK
    assert status.remaining == 5 * H


def test_at_risk_by_remaining_time() -> None:
    clocks = SlaClocks(SlaSettings(at_risk_remaining="6h"))
    # P3 resolve 20h from Tue 09:00: at Wed 13:00, 14h used (0.7) and 6h left.
    t = ticket("P3", utc(*TUE, 9), responded=utc(*TUE, 9, 30))
    assert clocks.evaluate(t, now=utc(2026, 11, 18, 12, 59)).resolve.state is ClockState.RUNNING
    status = clocks.evaluate(t, now=utc(2026, 11, 18, 13)).resolve
    assert status.state is ClockState.AT_RISK
    assert status.elapsed_fraction == pytest.approx(0.7)


def test_breach(clocks: SlaClocks) -> None:
    # P2 respond due Tue 10:00, no response at 10:30.
    status = clocks.evaluate(ticket("P2", utc(*TUE, 9)), now=utc(*TUE, 10, 30))
    assert status.respond.state is ClockState.BREACHED
    assert status.respond.remaining == -30 * M
    assert status.respond.elapsed_fraction == pytest.approx(1.5)
    assert status.minutes_to_breach == -30


def test_breach_at_the_weekend_is_negative(clocks: SlaClocks) -> None:
    # P2 at Fri 2026-11-20 17:00: respond due at closing, Fri 18:00; on Sat 10:00 it is 16h overdue.
    status = clocks.evaluate(ticket("P2", utc(2026, 11, 20, 17)), now=utc(2026, 11, 21, 10))
    assert status.respond.due == utc(2026, 11, 20, 18)
    assert status.respond.state is ClockState.BREACHED
    assert status.minutes_to_breach == -16 * 60


def test_met_after_response(clocks: SlaClocks) -> None:
    # P2 at Tue 09:00, answered 09:45 (due 10:00): met; the resolve clock (due 17:00) still runs.
    t = ticket("P2", utc(*TUE, 9), responded=utc(*TUE, 9, 45))
    status = clocks.evaluate(t, now=utc(*TUE, 12))
    assert status.respond.state is ClockState.MET
    assert status.respond.stopped_at == utc(*TUE, 9, 45)
    assert status.respond.remaining == 15 * M
    assert status.resolve.due == utc(*TUE, 17)
    assert status.minutes_to_breach == 5 * 60


def test_late_response_stays_breached(clocks: SlaClocks) -> None:
    t = ticket("P2", utc(*TUE, 9), responded=utc(*TUE, 10, 15))
    status = clocks.evaluate(t, now=utc(*TUE, 12))
    assert status.respond.state is ClockState.BREACHED
    assert status.respond.remaining == -15 * M
    assert status.minutes_to_breach == 5 * 60                  # a stopped clock is history, not a countdown


def test_resolved_ticket_stops_both_clocks(clocks: SlaClocks) -> None:
    # Resolved at 16:00 without a recorded response: resolving answered the customer (late: due 10:00).
    t = ticket("P2", utc(*TUE, 9), status_class=StatusClass.RESOLVED, resolved=utc(*TUE, 16))
    status = clocks.evaluate(t, now=utc(2026, 11, 20, 9))
    assert status.resolve.state is ClockState.MET
    assert status.respond.state is ClockState.BREACHED
    assert status.minutes_to_breach is None


def test_closed_without_a_resolved_time_stops_at_closing(clocks: SlaClocks) -> None:
    t = ticket("P2", utc(*TUE, 9), responded=utc(*TUE, 9, 10), status_class=StatusClass.CLOSED,
               is_closed=True, closed=utc(*TUE, 18, 30))
    status = clocks.evaluate(t, now=utc(2026, 11, 20, 9))
    assert status.resolve.stopped_at == utc(*TUE, 18, 30)
    assert status.resolve.state is ClockState.BREACHED          # due 17:00


def test_reopened_ticket_runs_again(clocks: SlaClocks) -> None:
    # The vendor kept the old resolved time, but the ticket is in progress again.
    t = ticket("P2", utc(*TUE, 9), responded=utc(*TUE, 9, 10), resolved=utc(*TUE, 11))
    status = clocks.evaluate(t, now=utc(*TUE, 16, 30))
    assert status.resolve.stopped_at is None
    assert status.resolve.state is ClockState.AT_RISK
    assert status.minutes_to_breach == 30


def test_p1_runs_around_the_clock(clocks: SlaClocks) -> None:
    # P1 at Sat 2026-11-21 22:00: respond 22:30 Sat, resolve Sun 2026-11-22 02:00.
    status = clocks.evaluate(ticket("P1", utc(2026, 11, 21, 22)), now=utc(2026, 11, 21, 22, 10))
    assert status.respond.due == utc(2026, 11, 21, 22, 30)
    assert status.resolve.due == utc(2026, 11, 22, 2)
    assert status.respond.state is ClockState.AT_RISK            # 20 min left <= 1h


def test_p1_on_business_hours_when_configured() -> None:
    clocks = SlaClocks(SlaSettings(matrix={"P1": {"calendar": "business"}}))
    # Sat 22:00 -> the clock starts Mon 2026-11-23 08:00; resolve 4h -> 12:00.
    status = clocks.evaluate(ticket("P1", utc(2026, 11, 21, 22)), now=utc(2026, 11, 21, 22, 10))
    assert status.resolve.due == utc(2026, 11, 23, 12)
    assert status.resolve.state is ClockState.RUNNING


def test_no_sla_without_priority_or_vendor_dates(clocks: SlaClocks) -> None:
    for priority in (None, "P9"):
        status = clocks.evaluate(ticket(priority, utc(*TUE, 9)), now=utc(*TUE, 12))
        assert status.respond.state is ClockState.NOT_APPLICABLE
        assert status.resolve.state is ClockState.NOT_APPLICABLE
        assert status.minutes_to_breach is None


def test_naive_now_is_refused(clocks: SlaClocks) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        clocks.evaluate(ticket("P2", utc(*TUE, 9)), now=datetime(2026, 11, 17, 12))


def test_overlapping_early_and_future_pauses(clocks: SlaClocks) -> None:
    # Pauses overlap (Tue 12:00-15:00 and 14:00-16:00 -> 4h), one began before the ticket existed
    # (only Tue 09:00-10:00 counts), one has not begun yet: resolve due Thu 09:00 + 5h = 14:00.
    t = ticket("P3", utc(*TUE, 9), responded=utc(*TUE, 9, 5))
    pauses = [
        Pause(utc(*TUE, 14), utc(*TUE, 16)), Pause(utc(*TUE, 12), utc(*TUE, 15)),
        Pause(utc(2026, 11, 16, 17), utc(*TUE, 10)), Pause(utc(2026, 11, 18, 17)),
    ]
    status = clocks.evaluate(t, now=utc(2026, 11, 18, 9), pauses=pauses)
    assert status.resolve.due == utc(2026, 11, 19, 14)
    assert status.resolve.state is ClockState.RUNNING
