"""The generic facts over a small in-memory mirror, and the registry's contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from syncd.records import Record
from syncd.rules import FACTS, FactContext, MirrorView, compute_fact, fact
from syncd.rules.context import stored
from syncd.rules.facts import NotesSinceArgs, QualityArgs

from .conftest import T0, contact, note, ticket, time_entry


def context(*records: Record) -> FactContext:
    return FactContext(now=T0, view=MirrorView.from_records([stored(r) for r in records]))


def value(ctx: FactContext, name: str, key: str, args: BaseModel | None = None) -> Any:
    subject = ctx.record("connectwise.tickets", key)
    assert subject is not None
    return compute_fact(ctx, name, subject, args)


MIRROR = (
    ticket("1", contact_id="p1"), ticket("2", contact_id="p2"), ticket("3", contact_id="p9"), ticket("4"),
    contact("p1", active=True), contact("p2", active=False),
    time_entry("t1", "1", 0.5), time_entry("t2", "1", 1.25), time_entry("t3", "2", 0),
    note("n1", "1", "Called the user", created=T0 - timedelta(days=5)),
    note("n2", "1", "Replaced the toner cartridge and printed a test page", created=T0 - timedelta(hours=2),
         resolution=True),
    note("n3", "2", "Fixed it!", created=T0 - timedelta(hours=1), resolution=True),
    note("n4", "3", "rebooted pc", created=T0 - timedelta(hours=1), resolution=True),
    # Same ticket id in another tool must not count: indexes are per connector kind.
    Record("autotask.notes", "n9", T0, {"ticket_id": "1", "text": "x", "internal": True, "created": T0.isoformat()}),
)


@pytest.mark.parametrize(("name", "key", "expected"), [
    ("time_logged_hours", "1", 1.75),
    ("time_logged_hours", "2", 0.0),
    ("time_logged_hours", "4", 0.0),
    ("note_count", "1", 2),
    ("note_count", "4", 0),
    ("resolution_text", "1", "Replaced the toner cartridge and printed a test page"),
    ("resolution_text", "4", None),
    ("resolution_text_quality", "1", "ok"),
    ("resolution_text_quality", "2", "vague"),
    ("resolution_text_quality", "3", "vague"),
    ("resolution_text_quality", "4", "empty"),
    ("contact_active", "1", True),
    ("contact_active", "2", False),
    ("contact_active", "3", None),
    ("contact_active", "4", None),
])
def test_generic_facts(name: str, key: str, expected: Any) -> None:
    assert value(context(*MIRROR), name, key) == expected


def test_notes_since_counts_within_the_duration() -> None:
    ctx = context(*MIRROR)
    assert value(ctx, "notes_since", "1", NotesSinceArgs(duration=timedelta(days=1))) == 1
    assert value(ctx, "notes_since", "1", NotesSinceArgs.model_validate({"duration": "7d"})) == 2


def test_vague_phrases_are_configurable() -> None:
    ctx = context(*MIRROR)
    strict = QualityArgs(vague_phrases=("replaced the toner cartridge and printed a test page",))
    lenient = QualityArgs(vague_phrases=(), min_words=1)
    assert value(ctx, "resolution_text_quality", "1", strict) == "vague"
    assert value(ctx, "resolution_text_quality", "2", lenient) == "ok"


def test_facts_are_computed_once_per_pass_and_subject() -> None:
    calls: list[str] = []

    @fact("probe_counter", result=int)
    def probe_counter(subject: Any, _ctx: FactContext, _args: Any) -> int:
        """Counts its calls (test only)."""
        calls.append(subject.key)
        return len(calls)

    try:
        ctx = context(*MIRROR)
        assert [value(ctx, "probe_counter", k) for k in ("1", "1", "2")] == [1, 1, 2]
        assert value(context(*MIRROR), "probe_counter", "1") == 3  # a new pass computes again
    finally:
        del FACTS["probe_counter"]


@pytest.fixture
def no_leftover_facts() -> Iterator[None]:
    before = set(FACTS)
    yield
    for name in set(FACTS) - before:
        del FACTS[name]


@pytest.mark.usefixtures("no_leftover_facts")
def test_registering_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        fact("note_count", result=int)(lambda s, c, a: 0)


def test_every_fact_is_described() -> None:
    assert {"time_logged_hours", "notes_since", "note_count", "resolution_text", "resolution_text_quality",
            "contact_active"} <= set(FACTS)
    assert all(f.description and f.entities for f in FACTS.values())
