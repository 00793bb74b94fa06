"""Companies: explicit ids first, then normalized names, then config overrides; never forced."""

from __future__ import annotations

from datetime import UTC, datetime

from syncd.identity import IdentitySettings, resolve
from syncd.state.base import MatchDecision
from tests.identity.build import World


def pairs(result) -> set[tuple[str, str]]:
    return {(lk.left, lk.right) for lk in result.companies}


def test_company_named_differently_per_tool_links_by_normalized_name_and_hudu_integration() -> None:
    # Arrange
    w = World()
    w.company("250", "Acme Dental", ninja="9", ninja_name="ACME DENTAL, Inc.", hudu="31", hudu_name="Acme")
    # Act
    result = resolve(w.records)
    # Assert
    assert pairs(result) == {("connectwise.companies:250", "ninjaone.companies:9"),
                             ("connectwise.companies:250", "hudu.companies:31")}
    by_right = {lk.right: lk for lk in result.companies}
    assert "name" in by_right["ninjaone.companies:9"].agreed
    assert "explicit_id" in by_right["hudu.companies:31"].agreed


def test_hudu_company_without_psa_link_and_a_short_name_goes_to_review_not_linked() -> None:
    # Arrange
    w = World()
    w.company("250", "Brightwater Logistics", hudu="31", hudu_name="Brightwater", hudu_link=False)
    w.company("251", "Cedar Realty")
    # Act
    result = resolve(w.records)
    # Assert
    assert pairs(result) == set()
    assert "hudu.companies:31" in result.unmatched["company"]
    (item,) = [i for i in result.review if i.kind == "company"]
    assert (item.left, item.right) == ("connectwise.companies:250", "hudu.companies:31")
    assert "name_similarity" in item.agreed


def test_hudu_company_without_psa_link_but_the_same_name_links_by_name() -> None:
    w = World()
    w.company("250", "Brightwater Logistics", hudu="31", hudu_name="brightwater logistics", hudu_link=False)
    assert pairs(resolve(w.records)) == {("connectwise.companies:250", "hudu.companies:31")}


def test_two_psa_companies_with_one_normalized_name_are_ambiguous() -> None:
    # Arrange
    w = World()
    w.company("250", "Summit Dental")
    w.company("251", "Summit Dental LLC", ninja="9", ninja_name="Summit Dental, Inc.")
    # Act
    result = resolve(w.records)
    # Assert
    assert pairs(result) == set()
    assert {i.reason for i in result.review} == {"ambiguous"}
    assert "ninjaone.companies:9" in result.unmatched["company"]


def test_override_and_decisions_win_over_names() -> None:
    # Arrange
    w = World()
    w.company("250", "Acme Dental", ninja="9")
    w.company("251", "Other Co", hudu="31", hudu_name="Whatever", hudu_link=False)
    settings = IdentitySettings(company_overrides={"ninjaone.companies:9": ""})
    accept = MatchDecision("company", "hudu.companies:31", "connectwise.companies:251", "accept", "ana", "",
                           datetime(2026, 11, 2, tzinfo=UTC))
    # Act
    result = resolve(w.records, [accept], settings)
    # Assert
    assert pairs(result) == {("connectwise.companies:251", "hudu.companies:31")}
    assert result.companies[0].via == "accept"


def test_rejected_company_pair_is_never_linked() -> None:
    w = World()
    w.company("250", "Acme Dental", ninja="9")
    reject = MatchDecision("company", "connectwise.companies:250", "ninjaone.companies:9", "reject", "ana", "",
                           datetime(2026, 11, 2, tzinfo=UTC))
    result = resolve(w.records, [reject])
    assert pairs(result) == set()
    assert not result.review
