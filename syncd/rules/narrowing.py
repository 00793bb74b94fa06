"""Narrowing a rule's `where` with per-pass indexes: the records that can pass, without testing each one.

A pack's pre-filters are mostly recency windows ("created within 3d") and status classes, and a
mirror holds years of tickets of which a few percent are recent or open. Testing every rule's
`where` on every one of 200,000 tickets was a quarter of a pass. Here each tested time field gets
one sorted index per pass and each tested plain field one value index; together they give a
superset of the records a condition can let in, and the engine then tests `where` itself on
those alone, so what passes is exactly what testing every record would let pass.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from syncd.rules.conditions import Node, Test
from syncd.rules.context import FactContext, Subject, is_plain_field

Positions = set[int]
_UNHASHABLE: Any = object()  # the value index's bucket of lists and mappings: never narrowed away


def narrowed(node: Node, ctx: FactContext, entity: str) -> Sequence[Subject]:
    """The records of `entity` (in view order) that `node` may let in: all of them when no index narrows it."""
    records = ctx.view.records(entity)
    found = _narrow(node, ctx, entity)
    if found is None or len(found) == len(records):
        return records
    return [records[i] for i in sorted(found)]


def _narrow(node: Node, ctx: FactContext, entity: str) -> Positions | None:
    """Positions of a superset of the records `node` lets in; None when it cannot say."""
    if isinstance(node, Test):
        return _narrow_test(node, ctx, entity)
    if node.kind == "all":  # the tightest part bounds the whole; where itself tests the rest
        parts = [p for p in (_narrow(i, ctx, entity) for i in node.items) if p is not None]
        return min(parts, key=len) if parts else None
    if node.kind == "any":
        union: Positions = set()
        for item in node.items:
            part = _narrow(item, ctx, entity)
            if part is None:
                return None
            union |= part
        return union
    return None  # not: the complement of a superset bounds nothing


def _narrow_test(test: Test, ctx: FactContext, entity: str) -> Positions | None:
    field = test.field
    if field is None or not is_plain_field(field):
        return None  # facts, keys and nested paths are tested record by record
    if test.kind.name == "datetime":
        return _by_time(test, field, ctx, entity)
    return _by_value(test, field, ctx, entity)


def _by_time(test: Test, field: str, ctx: FactContext, entity: str) -> Positions | None:
    """within: times in [now - d, now + d]; older_than: times before now - d (as the ops define them)."""
    index = _time_index(field, ctx, entity)
    try:
        if test.op == "within":
            return index.between(ctx.now - test.value, ctx.now + test.value)
        if test.op == "older_than":
            return index.before(ctx.now - test.value)
    except OverflowError:
        return None  # a window past the calendar's ends: the record-by-record test decides
    return None


def _by_value(test: Test, field: str, ctx: FactContext, entity: str) -> Positions | None:
    """eq/in/not_in/absent/present from the groups of equal values (lists and mappings always kept)."""
    wanted = _wanted(test)
    if wanted is None:
        return None
    keep, listed = wanted
    groups = _value_index(field, ctx, entity)
    out: Positions = set(groups.get(_UNHASHABLE, ()))
    for value, members in groups.items():
        if value is not _UNHASHABLE and (value in listed) == keep:
            out.update(members)
    return out


def _wanted(test: Test) -> tuple[bool, tuple[Any, ...]] | None:
    """(keep, values): groups whose value is among `values` are kept (keep) or left out (not keep)."""
    absent: tuple[Any, ...] = (None, "")  # `[]` is unhashable: its group is always kept
    listed = {"eq": (True, (test.value,)), "in": (True, test.value), "not_in": (False, test.value),
              "absent": (True, absent), "present": (False, absent)}.get(test.op)
    if listed is None or not all(isinstance(v, Hashable) for v in listed[1]):
        return None
    return listed


# The mirror's own form of a time: fixed width, zero-padded, UTC, so text order is time order.
_MIRROR_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _as_text(at: datetime) -> str:
    """`at`, to the second below, in the mirror's form (isoformat pads years below 1000; strftime does not)."""
    return at.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


@dataclass(frozen=True, slots=True)
class TimeIndex:
    """Positions of the records by one time field: the mirror's form ordered as text, other forms parsed."""

    texts: list[str]
    text_positions: list[int]
    times: list[datetime]
    time_positions: list[int]

    def between(self, lo: datetime, hi: datetime) -> Positions:
        """Records whose time may lie in [lo, hi] (a few more at the second's edges; none left out)."""
        out = set(self.text_positions[bisect.bisect_left(self.texts, _as_text(lo)):
                                      bisect.bisect_right(self.texts, _as_text(hi))])
        out.update(self.time_positions[bisect.bisect_left(self.times, lo):bisect.bisect_right(self.times, hi)])
        return out

    def before(self, cut: datetime) -> Positions:
        """Records whose time may lie before `cut`."""
        out = set(self.text_positions[:bisect.bisect_right(self.texts, _as_text(cut))])
        out.update(self.time_positions[:bisect.bisect_left(self.times, cut)])
        return out


def _time_index(field: str, ctx: FactContext, entity: str) -> TimeIndex:
    """The records' times of `field` in order; records without a readable time are in neither list."""

    def build() -> TimeIndex:
        # Parsing 200,000 times per field cost more than the tests it saves; the mirror's own
        # form sorts as text, and only other forms (offsets, fractions) are parsed.
        values = ctx.column(entity, field)
        in_text, parsed = [], []
        mirror_form = _MIRROR_TIME.fullmatch
        for i, value in enumerate(values):
            if type(value) is str and mirror_form(value):
                in_text.append(i)
            elif value is not None and (at := ctx.as_time(value)) is not None:
                parsed.append((at, i))
        in_text.sort(key=values.__getitem__)  # positions by their text: no tuples to compare
        parsed.sort()
        return TimeIndex(list(map(values.__getitem__, in_text)), in_text,
                         [t for t, _ in parsed], [i for _, i in parsed])

    return ctx.cached(("where-times", entity, field), build)


def _value_index(field: str, ctx: FactContext, entity: str) -> dict[Any, list[int]]:
    """Positions of the records by the value of `field` (missing reads as None)."""

    def build() -> dict[Any, list[int]]:
        groups: dict[Any, list[int]] = defaultdict(list)
        for i, value in enumerate(ctx.column(entity, field)):
            groups[value if isinstance(value, Hashable) else _UNHASHABLE].append(i)
        return dict(groups)

    return ctx.cached(("where-values", entity, field), build)

