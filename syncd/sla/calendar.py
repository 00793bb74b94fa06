"""Business time: weekly opening hours in a time zone, minus public holidays.

A `BusinessCalendar` answers two questions, both in real (UTC) time:
`add(start, duration)` is the instant when `duration` of business time has elapsed after `start`,
and `elapsed(start, end)` is the business time between two instants. Opening hours are wall-clock
times in the calendar's zone, so "08:00-18:00" means 08:00 local on both sides of a daylight-saving
change; a span that crosses the change (e.g. "00:00-24:00") is as long as it really is (23 or 25 h).
Both walk day by day, never minute by minute.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DAY = timedelta(days=1)
# A calendar with opening hours always finds some within a few weeks; ten years without any means
# every day is a holiday, and failing beats looping forever.
_MAX_DAYS = 3660

Span = tuple[timedelta, timedelta]
"""Opening span of one day as offsets from local midnight (end may be 24:00)."""

WeeklyHours = tuple[tuple[Span, ...], ...]
"""Seven days of opening spans, Monday first."""


class Calendar(Protocol):
    """What an SLA clock needs from a calendar."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when `duration` of counted time has elapsed after `start`."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Counted time between two instants (zero when end is not after start)."""
        ...


def to_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC; naive datetimes are refused because their zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; SLA arithmetic needs aware datetimes")
    return moment.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, with a clear error when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'America/New_York'") from None


def parse_weekday(name: str) -> int:
    """0 for "mon"/"Monday" ... 6 for "sun"."""
    key = name.strip().lower()
    if key in WEEKDAYS:
        return WEEKDAYS.index(key)
    if key in _FULL_NAMES:
        return _FULL_NAMES.index(key)
    raise ValueError(f"unknown weekday {name!r}; use one of {', '.join(WEEKDAYS)} or a range like 'mon-fri'")


def parse_days(key: str) -> list[int]:
    """The weekdays named by "mon", "mon-fri" or "sun-thu" (ranges may wrap past Sunday)."""
    first, sep, last = key.partition("-")
    if not sep:
        return [parse_weekday(first)]
    start, stop = parse_weekday(first), parse_weekday(last)
    return [(start + i) % 7 for i in range((stop - start) % 7 + 1)]


def parse_span(text: str) -> Span:
    """ "08:00-18:00" as offsets from midnight; 24:00 is allowed as an end."""
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an opening span; write it like '08:00-18:00'")
    sh, sm, eh, em = (int(g) for g in match.groups())
    start, end = _offset(sh, sm, text), _offset(eh, em, text)
    if end <= start:
        raise ValueError(f"opening span {text!r} ends before it starts")
    return start, end


def _offset(hour: int, minute: int, text: str) -> timedelta:
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ValueError(f"{text!r} has a time that does not exist; hours run 00:00 to 24:00")
    return timedelta(hours=hour, minutes=minute)


def parse_weekly_hours(spec: Mapping[str, str | Sequence[str]]) -> WeeklyHours:
    """Parse {"mon-fri": ["08:00-12:00", "13:00-17:00"], "sat": "09:00-12:00"}; unnamed days are closed."""
    days: list[list[Span] | None] = [None] * 7
    for key, value in spec.items():
        spans = sorted(parse_span(v) for v in ([value] if isinstance(value, str) else value))
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                raise ValueError(f"business_hours[{key!r}]: opening spans overlap")
        for day in parse_days(key):
            if days[day] is not None:
                raise ValueError(f"business_hours: {WEEKDAYS[day]} is given more than once")
            days[day] = spans
    weekly = tuple(tuple(d or ()) for d in days)
    if not any(weekly):
        raise ValueError("business_hours has no opening hours on any day")
    return weekly


def holiday_dates(country: str | None, subdivision: str | None = None) -> holidays.HolidayBase | None:
    """The holidays library's calendar for a country (and subdivision), or None without a country."""
    if country is None:
        if subdivision is not None:
            raise ValueError("a holidays subdivision needs a holidays country")
        return None
    code = country.strip().upper()
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise ValueError(f"unknown holidays country {country!r}; use an ISO 3166 code such as 'US' or 'GB'")
    subdiv = subdivision.strip().upper() if subdivision else None
    try:
        return holidays.country_holidays(code, subdiv=subdiv)
    except NotImplementedError:
        known = ", ".join(supported[code]) or "none"
        raise ValueError(f"unknown subdivision {subdivision!r} of {code}; known: {known}") from None


class BusinessCalendar:
    """Weekly opening hours in a time zone, minus public holidays and extra closed dates."""

    def __init__(self, tz: str | ZoneInfo = "UTC", hours: Mapping[str, str | Sequence[str]] | None = None,
                 *, country: str | None = None, subdivision: str | None = None,
                 extra_dates: Iterable[date] = ()) -> None:
        self.tz = tz if isinstance(tz, ZoneInfo) else zone(tz)
        self.weekly = parse_weekly_hours(hours if hours is not None else {"mon-fri": "08:00-18:00"})
        self._holidays = holiday_dates(country, subdivision)
        self._extra = frozenset(extra_dates)
        # Each local day's spans are computed once; a pass evaluates many tickets over the same weeks.
        self._spans = lru_cache(maxsize=4096)(self._compute_spans)

    def is_holiday(self, day: date) -> bool:
        """Whether the local date is a public holiday or an extra closed date."""
        return day in self._extra or (self._holidays is not None and day in self._holidays)

    def longest_day(self) -> timedelta:
        """The longest nominal opening time of any weekday (the default length of a business day)."""
        return max(sum((end - start for start, end in day), timedelta()) for day in self.weekly)

    def spans(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The UTC opening intervals of one local date (empty on closed days and holidays)."""
        return self._spans(day)

    def _compute_spans(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if self.is_holiday(day):
            return ()
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        out = []
        for start, end in self.weekly[day.weekday()]:
            # Aware + timedelta is wall-clock arithmetic in Python, so 08:00 stays 08:00 local on
            # DST days; converting to UTC afterwards gives the real instants.
            lo, hi = (midnight + start).astimezone(UTC), (midnight + end).astimezone(UTC)
            if hi > lo:  # a span inside the spring-forward gap has no real length
                out.append((lo, hi))
        return tuple(out)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC instant when `duration` of business time has elapsed after `start`."""
        start = to_utc(start)
        if duration < timedelta(0):
            raise ValueError("cannot add a negative business duration")
        if not duration:
            return start
        left, day = duration, self._local_day(start)
        for _ in range(_MAX_DAYS):
            for opens, closes in self.spans(day):
                if closes <= start:
                    continue
                begin = max(opens, start)
                if left <= closes - begin:
                    # Lands at the earliest such instant: a clock ending at closing time is due then.
                    return begin + left
                left -= closes - begin
            day += _DAY
        raise ValueError("no business hours within ten years; check business_hours and holidays")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (zero when end is not after start)."""
        start, end = to_utc(start), to_utc(end)
        total = timedelta()
        if end <= start:
            return total
        day, last = self._local_day(start), self._local_day(end)
        while day <= last:
            for opens, closes in self.spans(day):
                lo, hi = max(opens, start), min(closes, end)
                if hi > lo:
                    total += hi - lo
            day += _DAY
        return total


class AlwaysCalendar:
    """The 24x7 calendar: every second counts, holidays included."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """`start + duration` in UTC."""
        if duration < timedelta(0):
            raise ValueError("cannot add a negative duration")
        return to_utc(start) + duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """`end - start`, or zero when end is not after start."""
        return max(to_utc(end) - to_utc(start), timedelta())


ALWAYS = AlwaysCalendar()
