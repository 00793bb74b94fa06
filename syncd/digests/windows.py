"""Weekly delivery windows and digest schedules, in the window's own timezone (zoneinfo)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from syncd.digests.settings import WEEKDAYS, Schedule, TimeWindow


def in_window(window: TimeWindow, now: datetime) -> bool:
    """Tell whether `now` falls inside the window (an end before start runs past midnight)."""
    local = now.astimezone(ZoneInfo(window.timezone))
    clock, day = local.time().replace(tzinfo=None), WEEKDAYS[local.weekday()]
    if window.start <= window.end:
        return day in window.days and window.start <= clock < window.end
    # Overnight: the part after midnight belongs to the previous day's window.
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    return (day in window.days and clock >= window.start) or (yesterday in window.days and clock < window.end)


def in_any_window(windows: list[TimeWindow], now: datetime) -> bool:
    """True when there are no windows (always open) or `now` is inside one of them."""
    return not windows or any(in_window(w, now) for w in windows)


def last_slot(schedule: Schedule, now: datetime) -> datetime | None:
    """Return the latest scheduled time at or before `now` (searching back 62 days), in UTC."""
    zone = ZoneInfo(schedule.timezone)
    today = now.astimezone(zone).date()
    for back in range(63):
        day = today - timedelta(days=back)
        if WEEKDAYS[day.weekday()] not in schedule.days:
            continue
        if schedule.day_of_month is not None and day.day != schedule.day_of_month:
            continue
        for at in sorted(schedule.at, reverse=True):
            slot = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
            if slot <= now:
                return slot.astimezone(UTC)
    return None
