"""BusinessCalendar: add/elapsed across days, weekends, holidays, zones and daylight-saving changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from syncd.sla.calendar import ALWAYS, BusinessCalendar, parse_weekly_hours
from tests.sla._helpers import LONDON, NEW_YORK, local, utc

H = timedelta(hours=1)
OFFICE = {"mon-fri": "08:00-18:00"}


@pytest.fixture
def office() -> BusinessCalendar:
    """Mon-Fri 08:00-18:00 UTC, no holidays."""
    return BusinessCalendar("UTC", OFFICE)


def test_within_one_day(office: BusinessCalendar) -> None:
    # Tue 2026-11-17 09:00 + 4h = 13:00 the same day.
    assert office.add(utc(2026, 11, 17, 9), 4 * H) == utc(2026, 11, 17, 13)
    assert office.elapsed(utc(2026, 11, 17, 9), utc(2026, 11, 17, 13)) == 4 * H


def test_before_opening_and_after_closing(office: BusinessCalendar) -> None:
    # Tue 06:00 + 1h: the clock starts at 08:00 -> 09:00. Tue 19:00 + 1h -> Wed 09:00.
    assert office.add(utc(2026, 11, 17, 6), H) == utc(2026, 11, 17, 9)
    assert office.add(utc(2026, 11, 17, 19), H) == utc(2026, 11, 18, 9)


def test_across_a_weekend(office: BusinessCalendar) -> None:
    # Fri 2026-11-20 16:00 + 4h: 2h on Friday, 2h on Monday -> Mon 2026-11-23 10:00.
    assert office.add(utc(2026, 11, 20, 16), 4 * H) == utc(2026, 11, 23, 10)
    assert office.elapsed(utc(2026, 11, 20, 16), utc(2026, 11, 23, 10)) == 4 * H
    assert office.elapsed(utc(2026, 11, 21, 9), utc(2026, 11, 22, 17)) == timedelta()


def test_ending_at_closing_time_is_due_at_closing(office: BusinessCalendar) -> None:
    # Fri 16:00 + 2h lands on Fri 18:00, not Monday 08:00.
    assert office.add(utc(2026, 11, 20, 16), 2 * H) == utc(2026, 11, 20, 18)


def test_several_spans_a_day() -> None:
    cal = BusinessCalendar("UTC", {"mon-fri": ["08:00-12:00", "13:00-17:00"]})
    # Tue 11:00 + 2h: 1h before lunch, 1h after -> 14:00.
    assert cal.add(utc(2026, 11, 17, 11), 2 * H) == utc(2026, 11, 17, 14)
    assert cal.longest_day() == 8 * H


def test_us_thanksgiving() -> None:
    cal = BusinessCalendar("America/New_York", OFFICE, country="US")
    # Wed 2026-11-25 16:00 EST + 4h: 2h Wed, Thanksgiving (Thu 26) closed, Fri 27 08:00-10:00 EST.
    start = local(NEW_YORK, 2026, 11, 25, 16)
    assert start == utc(2026, 11, 25, 21)
    assert cal.add(start, 4 * H) == utc(2026, 11, 27, 15)          # 10:00 EST


def test_subdivision_holiday() -> None:
    cal = BusinessCalendar("America/New_York", OFFICE, country="US", subdivision="CA")
    # California also closes the day after Thanksgiving: -> Mon 2026-11-30 10:00 EST.
    assert cal.add(local(NEW_YORK, 2026, 11, 25, 16), 4 * H) == utc(2026, 11, 30, 15)


def test_uk_bank_holiday() -> None:
    cal = BusinessCalendar("Europe/London", OFFICE, country="GB", subdivision="ENG")
    # Fri 2026-05-22 16:00 BST + 4h: 2h Fri, Spring Bank Holiday Mon 25 closed, Tue 26 08:00-10:00 BST.
    assert cal.add(local(LONDON, 2026, 5, 22, 16), 4 * H) == utc(2026, 5, 26, 9)   # 10:00 BST


def test_extra_closed_dates() -> None:
    cal = BusinessCalendar("UTC", OFFICE, extra_dates=[date(2026, 12, 24)])
    # Wed 2026-12-23 17:00 + 2h: 1h Wed, Thu 24 closed, Fri 25 08:00-09:00 (no country: Christmas is open).
    assert cal.add(utc(2026, 12, 23, 17), 2 * H) == utc(2026, 12, 25, 9)
    assert cal.is_holiday(date(2026, 12, 24))


def test_non_utc_zones() -> None:
    london = BusinessCalendar("Europe/London", OFFICE)
    new_york = BusinessCalendar("America/New_York", OFFICE)
    # Tue 2026-01-13 07:30 UTC is 07:30 GMT: opens 08:00 GMT, +1h -> 09:00 UTC.
    assert london.add(utc(2026, 1, 13, 7, 30), H) == utc(2026, 1, 13, 9)
    # The same instant is 02:30 EST in New York: opens 08:00 EST (13:00 UTC), +2h -> 15:00 UTC.
    assert new_york.add(utc(2026, 1, 13, 7, 30), 2 * H) == utc(2026, 1, 13, 15)
    # Inputs in any zone; outputs in UTC.
    due = new_york.add(local(LONDON, 2026, 1, 13, 7, 30), 2 * H)
    assert due == utc(2026, 1, 13, 15)
    assert due.utcoffset() == timedelta()


def test_us_daylight_saving_change() -> None:
    cal = BusinessCalendar("America/New_York", OFFICE)
    # Fri 2026-03-06 16:00 EST (21:00 UTC) + 4h; clocks spring forward Sun 03-08;
    # 2h Fri + Mon 2026-03-09 08:00-10:00 EDT = 14:00 UTC (not 15:00).
    start = local(NEW_YORK, 2026, 3, 6, 16)
    assert start == utc(2026, 3, 6, 21)
    assert cal.add(start, 4 * H) == utc(2026, 3, 9, 14)
    assert cal.elapsed(start, utc(2026, 3, 9, 14)) == 4 * H


def test_eu_daylight_saving_change() -> None:
    cal = BusinessCalendar("Europe/London", OFFICE)
    # Fri 2026-10-23 16:00 BST (15:00 UTC) + 4h; clocks fall back Sun 10-25;
    # 2h Fri + Mon 2026-10-26 08:00-10:00 GMT = 10:00 UTC.
    start = local(LONDON, 2026, 10, 23, 16)
    assert start == utc(2026, 10, 23, 15)
    assert cal.add(start, 4 * H) == utc(2026, 10, 26, 10)


def test_round_the_clock_hours_follow_real_time_on_dst_days() -> None:
    cal = BusinessCalendar("America/New_York", {"mon-sun": "00:00-24:00"})
    # The spring-forward day has 23 real hours, the fall-back day 25.
    assert cal.elapsed(local(NEW_YORK, 2026, 3, 8), local(NEW_YORK, 2026, 3, 9)) == 23 * H
    assert cal.elapsed(local(NEW_YORK, 2026, 11, 1), local(NEW_YORK, 2026, 11, 2)) == 25 * H
    # 4 business hours from 00:00 EST on 03-08 end at 05:00 EDT (09:00 UTC): real time, not wall time.
    assert cal.add(local(NEW_YORK, 2026, 3, 8), 4 * H) == utc(2026, 3, 8, 9)


def test_span_inside_the_spring_forward_gap_has_no_length() -> None:
    cal = BusinessCalendar("America/New_York", {"sun": "02:00-03:00", "mon": "08:00-09:00"})
    assert cal.spans(date(2026, 3, 8)) == ()
    assert len(cal.spans(date(2026, 3, 15))) == 1


@pytest.mark.parametrize("start", [
    utc(2026, 11, 17, 9), utc(2026, 11, 21, 12), utc(2026, 11, 20, 17, 59),
    local(NEW_YORK, 2026, 3, 6, 16), local(LONDON, 2026, 10, 23, 7),
])
@pytest.mark.parametrize("hours", [0, 0.25, 1, 9.5, 10, 23, 50, 137])
def test_elapsed_is_the_inverse_of_add(start: datetime, hours: float) -> None:
    cal = BusinessCalendar("America/New_York", {"mon-fri": ["08:00-12:00", "13:00-18:00"]}, country="US")
    duration = timedelta(hours=hours)
    assert cal.elapsed(start, cal.add(start, duration)) == duration


@pytest.mark.parametrize("end", [utc(2026, 11, 17, 10), utc(2026, 11, 23, 17, 30), utc(2027, 1, 5, 12)])
def test_add_undoes_elapsed_when_end_is_within_hours(office: BusinessCalendar, end: datetime) -> None:
    start = utc(2026, 11, 17, 9)
    assert office.add(start, office.elapsed(start, end)) == end


def test_a_whole_year_walks_day_by_day() -> None:
    cal = BusinessCalendar("America/New_York", OFFICE, country="US")
    open_days = sum(
        1 for n in range(365)
        if (d := date(2026, 1, 1) + timedelta(days=n)).weekday() < 5 and not cal.is_holiday(d)
    )
    assert open_days == 250     # 261 weekdays - 11 federal holidays on weekdays (July 4 observed Fri 3rd)
    year = cal.elapsed(local(NEW_YORK, 2026, 1, 1), local(NEW_YORK, 2027, 1, 1))
    assert year == open_days * 10 * H
    assert cal.add(local(NEW_YORK, 2026, 1, 1), year) == utc(2026, 12, 31, 23)   # Thu 12-31 18:00 EST


def test_always_calendar_counts_every_second() -> None:
    assert ALWAYS.add(utc(2026, 11, 21, 22), 4 * H) == utc(2026, 11, 22, 2)
    assert ALWAYS.elapsed(utc(2026, 11, 21, 22), utc(2026, 11, 22, 2)) == 4 * H
    assert ALWAYS.elapsed(utc(2026, 11, 22, 2), utc(2026, 11, 21, 22)) == timedelta()


def test_naive_datetimes_and_negative_durations_are_refused(office: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        office.add(datetime(2026, 11, 17, 9), H)
    with pytest.raises(ValueError, match="negative"):
        office.add(utc(2026, 11, 17, 9), -H)
    assert office.add(utc(2026, 11, 21, 9), timedelta()) == utc(2026, 11, 21, 9)


@pytest.mark.parametrize(("spec", "message"), [
    ({"funday": "08:00-18:00"}, "unknown weekday 'funday'"),
    ({"mon": "18:00-08:00"}, "ends before it starts"),
    ({"mon": "8am-6pm"}, "write it like '08:00-18:00'"),
    ({"mon": "08:00-24:30"}, "does not exist"),
    ({"mon": ["08:00-12:00", "11:00-17:00"]}, "overlap"),
    ({"mon-fri": "08:00-18:00", "fri": "08:00-12:00"}, "fri is given more than once"),
    ({"mon": []}, "no opening hours"),
])
def test_bad_weekly_hours(spec: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_weekly_hours(spec)


def test_weekday_ranges_may_wrap() -> None:
    weekly = parse_weekly_hours({"Sun-Thu": "08:00-17:00"})
    assert [bool(day) for day in weekly] == [True, True, True, True, False, False, True]
