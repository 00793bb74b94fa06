"""Index narrowing of `where`: a superset of what passes, so exactly what testing every record lets in."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from syncd.records import Record
from syncd.rules.conditions import Group, Node, evaluate
from syncd.rules.conditions import Test as Compare
from syncd.rules.context import FactContext, MirrorView, stored
from syncd.rules.fields import field_kind
from syncd.rules.narrowing import narrowed

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CLASSES = ["new", "in_progress", "resolved", "closed", None, "", ["closed"], {"x": 1}, 3]
PARENTS = [None, "", "17", [], ["17"], 0]


def _time_text(rng: random.Random) -> Any:
    """A stored time as the mirror holds it, or one of the ways it can be missing or unreadable."""
    roll = rng.random()
    if roll < 0.1:
        return rng.choice([None, "", "not a time", 12, ["2026-11-22T00:00:00Z"], "2026-13-45T25:61:61Z"])
    at = NOW - timedelta(hours=rng.uniform(-48, 24 * 40))
    if roll < 0.2:
        return at.astimezone(timezone(timedelta(hours=rng.choice([-11, 5, 14])))).isoformat()  # another offset
    if roll < 0.3:
        return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # with a fraction
    if roll < 0.35:  # on a window's very edge, to the second
        at = NOW - timedelta(days=rng.choice([0, 1, 3, -1, -3]))
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")  # the mirror's own form


def _records(rng: random.Random, n: int) -> list[Any]:
    out = []
    for i in range(n):
        fields = {"status_class": rng.choice(CLASSES), "created": _time_text(rng), "closed": _time_text(rng)}
        if rng.random() < 0.8:
            fields["parent_id"] = rng.choice(PARENTS)
        out.append(stored(Record("connectwise.tickets", f"{i:05d}", NOW, fields)))
    return out


def _test(field: str, op: str, value: Any = None) -> Compare:
    kind = field_kind("tickets", field)
    assert kind is not None
    return Compare(field, None, None, "", op, value, kind)


def _leaf(rng: random.Random) -> Node:
    field = rng.choice(["created", "closed", "status_class", "parent_id", "summary"])
    if field in ("created", "closed"):
        op = rng.choice(["within", "older_than", "present", "absent"])
        value = timedelta(hours=rng.choice([1, 24, 72, 24 * 7, 24 * 30])) if op in ("within", "older_than") else None
        return _test(field, op, value)
    op = rng.choice(["eq", "in", "not_in", "absent", "present", "ne", "matches"])
    values: dict[str, Any] = {"eq": "closed", "ne": "new", "in": ("resolved", "closed"),
                              "not_in": ("resolved", "closed"), "absent": None, "present": None}
    return _test(field, op, re.compile("o") if op == "matches" else values[op])


def _condition(rng: random.Random, depth: int = 0) -> Node:
    if depth >= 2 or rng.random() < 0.4:
        return _leaf(rng)
    kind = rng.choice(["all", "any", "not"])
    count = 1 if kind == "not" else rng.randint(2, 3)
    return Group(kind, tuple(_condition(rng, depth + 1) for _ in range(count)))


@pytest.mark.parametrize("seed", range(40))
def test_narrowing_keeps_every_record_the_condition_lets_in(seed: int) -> None:
    # Arrange: records with every shape of value (missing, empty, lists, odd offsets) and a random condition.
    rng = random.Random(seed)
    records = _records(rng, 300)
    ctx = FactContext(now=NOW, view=MirrorView.from_records(records))
    view_records = ctx.view.records("tickets")
    for _ in range(10):
        node = _condition(rng)
        # Act
        candidates = narrowed(node, ctx, "tickets")
        # Assert: nothing that passes is left out, candidates keep view order, and the index narrows at all.
        passing = [r for r in view_records if evaluate(node, r, ctx)]
        assert [r for r in candidates if evaluate(node, r, ctx)] == passing
        positions = [view_records.index(r) for r in candidates]
        assert positions == sorted(positions)


def test_a_recency_window_reads_only_the_recent_records() -> None:
    rng = random.Random(7)
    records = _records(rng, 500)
    ctx = FactContext(now=NOW, view=MirrorView.from_records(records))
    view_records = ctx.view.records("tickets")
    node = Group("all", (_test("status_class", "not_in", ("resolved", "closed")),
                         _test("created", "within", timedelta(days=3))))
    candidates = narrowed(node, ctx, "tickets")
    recent = [r for r in view_records if evaluate(_test("created", "within", timedelta(days=3)), r, ctx)]
    assert 0 < len(candidates) <= len(recent) < len(view_records) / 3


def test_conditions_no_index_can_bound_keep_every_record() -> None:
    records = _records(random.Random(3), 50)
    ctx = FactContext(now=NOW, view=MirrorView.from_records(records))
    view_records = ctx.view.records("tickets")
    recent = _test("created", "within", timedelta(days=3))
    for node in (Group("not", (recent,)), Group("any", (recent, _test("summary", "matches", re.compile("o"))))):
        assert narrowed(node, ctx, "tickets") is view_records


def test_a_window_past_the_calendar_falls_back_to_every_record() -> None:
    records = _records(random.Random(4), 20)
    ctx = FactContext(now=NOW, view=MirrorView.from_records(records))
    view_records = ctx.view.records("tickets")
    node = _test("created", "within", timedelta(days=999_999_999))
    assert narrowed(node, ctx, "tickets") is view_records
