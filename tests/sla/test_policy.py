"""SlaSettings: seed 003 defaults, partial overrides, tiers, and one clear message per bad value."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from syncd.sla.policy import SlaSettings, SlaTarget, parse_target
from syncd.vocabulary import StatusClass

H = timedelta(hours=1)


def test_defaults_are_seed_003() -> None:
    s = SlaSettings()
    rows = {p: (str(r.respond), str(r.resolve), r.calendar) for p, r in s.matrix.items()}
    assert rows == {
        "P1": ("30m", "4h", "always"),
        "P2": ("1h", "8h", "business"),
        "P3": ("4h", "2bd", "business"),
        "P4": ("8h", "5bd", "business"),
    }
    assert s.timezone == "UTC"
    assert s.business_hours == {"mon-fri": ["08:00-18:00"]}
    assert s.pause_on == [StatusClass.WAITING_CUSTOMER]
    assert s.at_risk_fraction == 0.75
    assert s.at_risk_remaining == H
    assert s.calendar().longest_day() == 10 * H


@pytest.mark.parametrize(("text", "target"), [
    ("30m", SlaTarget(duration=timedelta(minutes=30))),
    ("1h30m", SlaTarget(duration=timedelta(minutes=90))),
    (1800, SlaTarget(duration=timedelta(minutes=30))),
    ("2bd", SlaTarget(business_days=2)),
    ("2 business days", SlaTarget(business_days=2)),
    ("1 Business Day", SlaTarget(business_days=1)),
    ("0.5bd", SlaTarget(business_days=0.5)),
])
def test_targets(text: object, target: SlaTarget) -> None:
    assert parse_target(text) == target


def test_business_days_are_business_day_lengths() -> None:
    assert SlaTarget(business_days=2).length(10 * H) == 20 * H
    assert SlaTarget(duration=4 * H).length(10 * H) == 4 * H


def test_partial_matrix_rows_keep_the_seed_values() -> None:
    s = SlaSettings(matrix={"p1": {"calendar": "business"}, "P4": {"resolve": "3bd"}})
    assert (str(s.matrix["P1"].respond), str(s.matrix["P1"].resolve), s.matrix["P1"].calendar) == (
        "30m", "4h", "business")
    assert str(s.matrix["P4"].resolve) == "3bd"
    assert str(s.matrix["P3"].resolve) == "2bd"


def test_tier_rows_override_the_matrix_field_by_field() -> None:
    s = SlaSettings(tiers={"Gold": {"P2": {"respond": "15m"}}}, matrix={"P2": {"resolve": "6h"}})
    gold = s.targets("P2", "gold")
    assert gold is not None
    assert (str(gold.respond), str(gold.resolve), gold.calendar) == ("15m", "6h", "business")
    assert s.targets("P2", "GOLD") == gold
    assert str(s.targets("P3", "gold").respond) == "4h"            # no gold P3 row: the matrix
    assert str(s.targets("P2", "silver").respond) == "1h"          # unknown tier: the matrix
    assert s.targets(None) is None
    assert s.targets("P9") is None


def test_round_trip_through_json() -> None:
    s = SlaSettings(
        timezone="America/New_York", holidays_country="us", holidays_subdivision="ny",
        extra_holidays=[date(2026, 12, 24)], tiers={"gold": {"P1": {"respond": "15m"}}},
        business_day="8h", at_risk_remaining="30m",
    )
    assert s.holidays_country == "US"
    assert SlaSettings.model_validate(s.model_dump(mode="json")) == s


@pytest.mark.parametrize(("fields", "message"), [
    ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
    ({"business_hours": {"mon": "18:00-08:00"}}, "ends before it starts"),
    ({"business_hours": {"funday": "08:00-18:00"}}, "unknown weekday 'funday'"),
    ({"holidays_country": "XX"}, "unknown holidays country 'XX'"),
    ({"holidays_country": "US", "holidays_subdivision": "ZZ"}, "unknown subdivision 'ZZ' of US"),
    ({"holidays_subdivision": "NY"}, "needs a holidays country"),
    ({"matrix": {"P3": {"resolve": "2d"}}}, "ambiguous in an SLA target"),
    ({"matrix": {"P1": {"resolve": "1bd"}}}, "counts business days but calendar is 'always'"),
    ({"matrix": {"P5": {"respond": "1h"}}}, "P5"),
    ({"matrix": {"P2": {"respond": "0s"}}}, "longer than zero"),
    ({"matrix": {"P2": {"calendar": "weekdays"}}}, "'business' or 'always'"),
    ({"tiers": {"gold": {"P2": {"respond": "soon"}}}}, "not a duration"),
    ({"tiers": {"Gold": {}, "gold": {}}}, "given more than once"),
    ({"pause_on": ["lunch"]}, "waiting_customer"),
    ({"at_risk_fraction": 1.5}, "less than or equal to 1"),
    ({"at_risk_remaining": "-1h"}, "not a duration"),
    ({"business_day": "25h"}, "at most 24h"),
    ({"colour": "red"}, "Extra inputs are not permitted"),
])
def test_bad_settings_have_clear_messages(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SlaSettings(**fields)


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        SlaSettings().timezone = "Europe/London"  # type: ignore[misc]
