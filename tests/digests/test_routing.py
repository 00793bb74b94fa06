"""Route tree matching and inheritance, group keys, matchers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from syncd.digests.matchers import Matcher
from syncd.digests.routing import build_route_tree, match_routes
from syncd.digests.settings import DigestSettings
from tests.digests.conftest import settings_dict


def tree(routes: list[dict]) -> DigestSettings:
    data = settings_dict()
    data["route"]["routes"] = routes
    return DigestSettings.model_validate(data)


def test_matchers_equality_regex_and_negation() -> None:
    labels = {"company": "Acme Corp", "priority": "P1"}
    assert Matcher.parse("company=Acme Corp").matches(labels)
    assert Matcher.parse('priority=~"P[12]"').matches(labels)
    assert not Matcher.parse("priority=~P").matches(labels)  # anchored, as in Alertmanager
    assert Matcher.parse("board!=Projects").matches(labels)  # missing label is ""
    assert not Matcher.parse("priority!~P1|P2").matches(labels)
    with pytest.raises(ValueError, match="not a matcher"):
        Matcher.parse("company")


def test_first_matching_child_wins_and_options_are_inherited() -> None:
    # Arrange
    settings = tree([
        {"matchers": ["category=sla"], "digest": "sla", "repeat_interval": "1h",
         "routes": [{"matchers": ["priority=P1"], "receiver": "oncall", "group_wait": "0s"}]},
        {"matchers": ["category=sla"], "receiver": "oncall"},  # never reached: no continue above
    ])
    root = build_route_tree(settings.route)
    # Act
    p1 = match_routes(root, {"category": "sla", "priority": "P1"})
    p3 = match_routes(root, {"category": "sla", "priority": "P3"})
    other = match_routes(root, {"category": "hygiene"})
    # Assert
    assert [r.id for r in p1] == ["0.0.0"]
    assert (p1[0].receiver, p1[0].digest, p1[0].group_wait, p1[0].repeat_interval) == (
        "oncall", "sla", timedelta(0), timedelta(hours=1))
    assert p1[0].group_interval == timedelta(minutes=5)  # from the root
    assert [(r.id, r.receiver) for r in p3] == [("0.0", "desk")]
    assert [r.id for r in other] == ["0"]


def test_continue_delivers_to_every_matching_sibling() -> None:
    settings = tree([
        {"matchers": ["company=Acme"], "digest": "review", "continue": True},
        {"matchers": ["category=hygiene"], "digest": "hygiene", "group_by": ["coordinator", "owner"]},
    ])
    routes = match_routes(build_route_tree(settings.route), {"company": "Acme", "category": "hygiene",
                                                              "owner": "dana"})
    assert [r.digest for r in routes] == ["review", "hygiene"]
    assert routes[1].group_key({"owner": "dana", "category": "hygiene"}) == '0.1:{coordinator="",owner="dana"}'


def test_bad_references_are_all_reported() -> None:
    data = settings_dict()
    data["route"]["routes"] = [{"receiver": "nobody", "digest": "nope", "active_windows": ["never"]}]
    with pytest.raises(ValueError, match="unknown receiver") as err:
        DigestSettings.model_validate(data)
    text = str(err.value)
    assert "unknown receiver 'nobody'" in text
    assert "unknown digest 'nope'" in text
    assert "unknown window 'never'" in text
