"""The SLA policy: the priority matrix (seed 003), client-tier overrides and the `[sla]` settings section.

Targets are written like durations ("30m", "4h", "1h30m") or in business days ("2bd",
"2 business days"). A business day is `business_day` of business time (default: the longest
day of `business_hours`, 10 h for Mon-Fri 08:00-18:00), counted on the business calendar, so
"2bd" from Tuesday 15:00 is Thursday 15:00 and from Saturday is Tuesday 18:00. Day and week
units ("2d", "1w") are refused in targets because they read as either 48 clock hours or two
business days.

Seed 003 gives only the table; it does not say whether any priority runs around the clock. It
qualifies P3/P4 resolution as "business days" and describes Critical as "major business impact,
no workaround", which cannot wait for the morning, so P1 defaults to `calendar = "always"` (24x7)
and P2-P4 to `"business"`. Each priority's `calendar` can be changed in the matrix or per tier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)

from syncd.durations import Duration, format_duration, parse_duration
from syncd.sla.calendar import BusinessCalendar, holiday_dates, parse_weekly_hours, zone
from syncd.vocabulary import StatusClass

Priority = Literal["P1", "P2", "P3", "P4"]
CalendarKind = Literal["business", "always"]

_BUSINESS_DAYS = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:bd|business\s+days?)$")
_DAY_UNIT = re.compile(r"\d(?:\.\d+)?\s*[dw]")

SEED_MATRIX: dict[str, dict[str, str]] = {
    "P1": {"respond": "30m", "resolve": "4h", "calendar": "always"},
    "P2": {"respond": "1h", "resolve": "8h", "calendar": "business"},
    "P3": {"respond": "4h", "resolve": "2bd", "calendar": "business"},
    "P4": {"respond": "8h", "resolve": "5bd", "calendar": "business"},
}
"""Seed 003's prioritization matrix (Critical, High, Medium, Low)."""


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """An SLA target: a fixed duration plus a number of business days."""

    duration: timedelta = timedelta()
    business_days: float = 0.0

    def length(self, business_day: timedelta) -> timedelta:
        """The target as time on the clock's calendar, a business day being `business_day` long."""
        return self.duration + business_day * self.business_days

    def __str__(self) -> str:
        return format_target(self)


def parse_target(value: Any) -> SlaTarget:
    """Read "4h", "1h30m", 1800 (seconds), "2bd" or "2 business days" as an SlaTarget."""
    if isinstance(value, SlaTarget):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        match = _BUSINESS_DAYS.match(text)
        if match:
            return SlaTarget(business_days=float(match.group(1)))
        if _DAY_UNIT.search(text):
            raise ValueError(f"{value!r} is ambiguous in an SLA target; write hours ('48h') or business days ('2bd')")
    duration = parse_duration(value)
    if duration <= timedelta():
        raise ValueError("an SLA target must be longer than zero")
    return SlaTarget(duration=duration)


def format_target(target: SlaTarget) -> str:
    """Render a target the way parse_target reads it ("4h", "2bd")."""
    if target.business_days and not target.duration:
        return f"{target.business_days:g}bd"
    return format_duration(target.duration)


Target = Annotated[SlaTarget, BeforeValidator(parse_target), PlainSerializer(format_target, return_type=str)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorityTargets(_Section):
    """One row of the matrix: response and resolution targets and the calendar they count on."""

    respond: Target | None = Field(default=None, description="time to first response")
    resolve: Target | None = Field(default=None, description="time to resolution")
    calendar: CalendarKind = Field(default="business", description="business = business hours; always = 24x7")

    @model_validator(mode="after")
    def _business_days_need_business_hours(self) -> PriorityTargets:
        for name in ("respond", "resolve"):
            target = getattr(self, name)
            if target is not None and target.business_days and self.calendar == "always":
                raise ValueError(f"{name} = '{target}' counts business days but calendar is 'always'; use hours")
        return self


class SlaSettings(_Section):
    """`[sla]`: business hours, holidays, the SLA matrix, tier overrides, pauses and at-risk thresholds."""

    timezone: str = Field(default="UTC", description="IANA zone of the business hours, e.g. 'America/New_York'")
    business_hours: dict[str, str | list[str]] = Field(
        default_factory=lambda: {"mon-fri": ["08:00-18:00"]},
        description="wall-clock opening spans per weekday or range ('mon-fri', 'sat'); unnamed days are closed",
    )
    business_day: Duration | None = Field(
        default=None, description="business time in one business day; default: the longest day of business_hours"
    )
    holidays_country: str | None = Field(default=None, description="ISO country code for public holidays, e.g. 'US'")
    holidays_subdivision: str | None = Field(default=None, description="state/region code, e.g. 'NY' or 'ENG'")
    extra_holidays: list[date] = Field(default_factory=list, description="further closed dates, e.g. 2026-12-24")
    matrix: dict[Priority, PriorityTargets] = Field(
        default_factory=lambda: {p: PriorityTargets(**row) for p, row in SEED_MATRIX.items()},
        description="targets per priority; keys given here override seed 003's row field by field",
    )
    tiers: dict[str, dict[Priority, PriorityTargets]] = Field(
        default_factory=dict,
        description="per client tier (company tier, case-insensitive): rows overriding the matrix field by field",
    )
    pause_on: list[StatusClass] = Field(
        default_factory=lambda: [StatusClass.WAITING_CUSTOMER], description="status classes that pause the clocks"
    )
    at_risk_fraction: float = Field(default=0.75, gt=0, le=1, description="at risk once this share of the time is used")
    at_risk_remaining: Duration = Field(default=timedelta(hours=1), description="at risk once this little is left")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("business_hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        parse_weekly_hours(value)
        return value

    @field_validator("business_day")
    @classmethod
    def _positive_day(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and not timedelta() < value <= timedelta(hours=24):
            raise ValueError("business_day must be more than zero and at most 24h")
        return value

    @field_validator("holidays_country", "holidays_subdivision")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else None

    @field_validator("holidays_country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        holiday_dates(value)
        return value

    @field_validator("holidays_subdivision")
    @classmethod
    def _known_subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "holidays_country" in info.data:  # an unknown country was reported already
            holiday_dates(info.data["holidays_country"], value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _merge_rows(cls, data: Any) -> Any:
        """Fill matrix rows from seed 003 and tier rows from the matrix, so overrides may be partial."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        given = data.get("matrix", {})
        if isinstance(given, dict):  # anything else is left for field validation to reject
            matrix = {**SEED_MATRIX, **_rows(given)}
            data["matrix"] = {p: _over(SEED_MATRIX.get(p, {}), row) for p, row in matrix.items()}
        if isinstance(data.get("tiers"), dict):
            data["tiers"] = _tier_rows(data["tiers"], data["matrix"])
        return data

    def calendar(self) -> BusinessCalendar:
        """The business calendar these settings describe."""
        return BusinessCalendar(
            self.timezone, self.business_hours, country=self.holidays_country,
            subdivision=self.holidays_subdivision, extra_dates=self.extra_holidays,
        )

    def targets(self, priority: str | None, tier: str | None = None) -> PriorityTargets | None:
        """The row for a ticket's priority and its company's tier; None without a matching priority."""
        if priority is None:
            return None
        key = priority.strip().upper()
        tier_rows = self.tiers.get(tier.strip().lower(), {}) if tier else {}
        return tier_rows.get(key) or self.matrix.get(key)


def _rows(value: dict[Any, Any]) -> dict[str, Any]:
    """Matrix rows keyed by upper-case priority, as plain dicts."""
    rows = {}
    for key, row in value.items():
        rows[str(key).strip().upper()] = row.model_dump(exclude_unset=True) if isinstance(row, BaseModel) else row
    return rows


def _over(base: dict[str, Any], row: Any) -> Any:
    """`row` filled from `base` field by field; anything but a table is left for validation to reject."""
    if not isinstance(row, dict):
        return row
    return {**base, **row} if isinstance(base, dict) else row


def _tier_rows(value: dict[Any, Any], matrix: Any) -> dict[str, Any]:
    """Tier rows merged over the matrix; tier names lower-cased so lookups ignore case."""
    matrix = matrix if isinstance(matrix, dict) else {}
    tiers: dict[str, Any] = {}
    for name, rows in value.items():
        key = str(name).strip().lower()
        if key in tiers:
            raise ValueError(f"tier {name!r} is given more than once (tier names ignore case)")
        if not isinstance(rows, dict):
            tiers[key] = rows
            continue
        tiers[key] = {p: _over(matrix.get(p, {}), row) for p, row in _rows(rows).items()}
    return tiers
