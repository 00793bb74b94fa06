"""Named facts: values syncd computes in Python for rules to test (`fact: time_logged_hours`).

Adding a fact is adding one registered function here (or in a module listed in
`syncd.rules.loader.FACT_MODULES`): `fn(subject, ctx, args) -> value`, with a `FactArgs` model for
its `args:` (validated at load), a result type (the loader type-checks ops against it), and the
entities it applies to. The registry is a plain dict filled by the decorator below; nothing is
discovered by scanning modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from syncd.clock import as_datetime
from syncd.durations import Duration
from syncd.rules.context import FactContext, Subject
from syncd.rules.fields import Kind, kind_of


class FactArgs(BaseModel):
    """The base of every fact's args model: unknown arguments refused, values frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoArgs(FactArgs):
    """The args model of a fact that takes none."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One registered fact."""

    name: str
    description: str
    fn: Callable[[Subject, FactContext, Any], Any]
    args: type[BaseModel]
    result: Kind
    entities: tuple[str, ...]


FACTS: dict[str, Fact] = {}


def fact(
    name: str, *, result: Any, args: type[BaseModel] = NoArgs, entities: Iterable[str] = ("tickets",)
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn(subject, ctx, args)` as fact `name`; its docstring's first line is the description."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in FACTS:
            raise ValueError(f"fact {name!r} is registered twice")
        doc = (fn.__doc__ or name).strip().splitlines()[0]
        FACTS[name] = Fact(name, doc, fn, args, kind_of(result), tuple(entities))
        return fn

    return register


def compute_fact(ctx: FactContext, name: str, subject: Subject, args: BaseModel | None = None) -> Any:
    """The value of a fact for a subject, computed once per pass, subject and arguments."""
    spec = FACTS[name]
    # One default args object per fact and pass: its canonical text (the cache key) is then
    # computed once per pass, not once per call.
    bound = args if args is not None else ctx.cached(("fact-default-args", name), spec.args)
    key = ("fact", name, subject.source, subject.key, ctx.args_token(bound))
    return ctx.cached(key, lambda: spec.fn(subject, ctx, bound))


# --- generic facts: they need only the mirror ------------------------------------------------


@fact("time_logged_hours", result=float)
def time_logged_hours(ticket: Subject, ctx: FactContext, _args: NoArgs) -> float:
    """Hours of time entries logged against the ticket."""
    return round(sum((float(e.fields.get("hours") or 0) for e in ctx.time_entries_for(ticket)), 0.0), 4)


@fact("note_count", result=int)
def note_count(ticket: Subject, ctx: FactContext, _args: NoArgs) -> int:
    """How many notes the ticket has (internal and customer-facing)."""
    return len(ctx.notes_for(ticket))


class NotesSinceArgs(FactArgs):
    """Arguments of `notes_since`."""

    duration: Duration = Field(description="how far back to count, e.g. 3d")


@fact("notes_since", result=int, args=NotesSinceArgs)
def notes_since(ticket: Subject, ctx: FactContext, args: NotesSinceArgs) -> int:
    """How many notes were added to the ticket within the last `duration`."""
    since = ctx.now - args.duration
    return sum(1 for n in ctx.notes_for(ticket) if (at := as_datetime(n.fields.get("created"))) and at >= since)


@fact("resolution_text", result=str | None)
def resolution_text(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """Text of the ticket's latest note flagged as its resolution; None when there is none."""
    notes = [n for n in ctx.notes_for(ticket) if n.fields.get("resolution")]
    if not notes:
        return None
    latest = max(notes, key=lambda n: _created_order(n, ctx))
    return str(latest.fields.get("text") or "")


def _created_order(note: Subject, ctx: FactContext) -> tuple[bool, datetime, str]:
    """Sort key by creation time; notes without a readable time sort first."""
    created = as_datetime(note.fields.get("created"))
    return (created is not None, created or ctx.now, note.key)


DEFAULT_VAGUE_PHRASES = (
    "fixed", "fixed it", "done", "resolved", "rebooted", "sorted", "n/a", "na", "ok", "complete",
    "completed", "closed", "resolved issue", "issue resolved", "all good", "working now",
)
_NOT_WORD = re.compile(r"[^a-z0-9/]+")


class QualityArgs(FactArgs):
    """Arguments of `resolution_text_quality`."""

    vague_phrases: tuple[str, ...] = Field(
        default=DEFAULT_VAGUE_PHRASES, description="texts that document nothing (compared without case/punctuation)"
    )
    min_words: int = Field(default=3, ge=1, description="texts with fewer words are vague too")


@fact("resolution_text_quality", result=Literal["empty", "vague", "ok"], args=QualityArgs)
def resolution_text_quality(ticket: Subject, ctx: FactContext, args: QualityArgs) -> str:
    """Whether the resolution text documents anything: "empty", "vague" ("fixed it", "rebooted") or "ok"."""
    text = compute_fact(ctx, "resolution_text", ticket)
    words = _NOT_WORD.sub(" ", (text or "").lower()).split()
    if not words:
        return "empty"
    if " ".join(words) in _vague_set(args.vague_phrases) or len(words) < args.min_words:
        return "vague"
    return "ok"


@lru_cache(maxsize=64)
def _vague_set(phrases: tuple[str, ...]) -> frozenset[str]:
    """The vague phrases as compared: lowercased, punctuation folded to single spaces."""
    return frozenset(" ".join(_NOT_WORD.sub(" ", p.lower()).split()) for p in phrases)


@fact("contact_active", result=bool | None)
def contact_active(ticket: Subject, ctx: FactContext, _args: NoArgs) -> bool | None:
    """Whether the ticket's contact is active; None when the ticket has no contact or it is not mirrored."""
    contact = ctx.contact_of(ticket)
    return None if contact is None else bool(contact.fields.get("active", True))


@fact("company_name", result=str | None)
def company_name(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The name of the record's company in its own tool; None when it is not mirrored."""
    company = ctx.company_of(ticket)
    return None if company is None else str(company.fields.get("name"))
