"""Symptom facts: "same symptom" tickets, recurring symptoms and the KB articles behind them.

A ticket's symptom key is the MSP's own classification (`subtype/item`, e.g. "email/outlook")
when the ticket has one, because that is what technicians pick for the QBR trend; otherwise the
set of its summary's significant words (lowercased, numbers, hostnames and stop words removed).
`by: summary` forces the word set. Seed 002: "the third repeat of an issue should not require
fresh diagnosis"; seed 001: "Search IT Glue or Hudu for ... prior tickets on the same symptom".
"""

from __future__ import annotations

import bisect
import html
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from syncd.durations import Duration
from syncd.rules.context import FactContext, Subject
from syncd.rules.facts import NoArgs, fact
from syncd.rules.facts_common import done_at, psa_company, tokens

By = Literal["auto", "classification", "summary"]
Scope = Literal["company", "all"]
_TAG = re.compile(r"<[^>]+>")


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def symptom_key(ticket: Subject, by: str = "auto") -> str | None:
    """The ticket's symptom key: "class:<subtype>/<item>" or "words:<sorted words>"; None when it has neither."""
    fields = ticket.fields
    parts = [str(fields.get(k) or "").strip().lower() for k in ("subtype", "item")]
    if by != "summary" and any(parts):
        return "class:" + "/".join(parts)
    if by == "classification":
        return None
    words = tokens(fields.get("summary"))
    return "words:" + " ".join(sorted(words)) if words else None


Closed = tuple[list[datetime], list[Subject]]


def closed_by_symptom(ctx: FactContext, by: str, scope: str) -> Mapping[tuple[str, str, str], Closed]:
    """Resolved/closed tickets by (kind, company or "*", symptom key), in closing order (parallel lists)."""

    def build() -> dict[tuple[str, str, str], Closed]:
        rows: dict[tuple[str, str, str], list[tuple[datetime, str, Subject]]] = defaultdict(list)
        for t in ctx.view.records("tickets"):
            at, key = done_at(t), symptom_key(t, by)
            if at is None or key is None:
                continue
            company = "*" if scope == "all" else str(t.fields.get("company_id") or "")
            rows[(t.record.kind, company, key)].append((at, t.key, t))
        out = {}
        for group, items in rows.items():
            items.sort(key=lambda row: (row[0], row[1]))
            out[group] = ([row[0] for row in items], [row[2] for row in items])
        return out

    return ctx.cached(("closed-by-symptom", by, scope), build)


def _group(ctx: FactContext, ticket: Subject, by: str, scope: str) -> Closed:
    key = symptom_key(ticket, by)
    if key is None:
        return [], []
    company = "*" if scope == "all" else str(ticket.fields.get("company_id") or "")
    return closed_by_symptom(ctx, by, scope).get((ticket.record.kind, company, key), ([], []))


class SimilarArgs(_Args):
    """Arguments of the symptom facts."""

    window: Duration = Field(default=timedelta(days=30), description="how far back to look")
    scope: Scope = Field(default="company", description="the ticket's company only, or every client")
    by: By = Field(default="auto", description="classification (subtype/item), summary words, or auto")


@fact("similar_closed_tickets", result=list[str], args=SimilarArgs)
def similar_closed_tickets(ticket: Subject, ctx: FactContext, args: SimilarArgs) -> list[str]:
    """Keys of other tickets with the same symptom resolved or closed within `window` (oldest first)."""
    times, tickets = _group(ctx, ticket, args.by, args.scope)
    start = bisect.bisect_left(times, ctx.now - args.window)
    return [t.key for t in tickets[start:bisect.bisect_right(times, ctx.now)] if t.key != ticket.key]


def _recurrence_at(times: list[datetime], i: int, window: timedelta) -> int:
    """How many tickets of the group closed in the `window` ending with the i-th one (itself included)."""
    return i - bisect.bisect_left(times, times[i] - window) + 1


def _position(tickets: list[Subject], ticket: Subject, times: list[datetime]) -> int | None:
    at = done_at(ticket)
    if at is None:
        return None
    lo = bisect.bisect_left(times, at)
    for i in range(lo, bisect.bisect_right(times, at)):
        if tickets[i].key == ticket.key:
            return i
    return None


@fact("symptom_recurrence", result=int, args=SimilarArgs)
def symptom_recurrence(ticket: Subject, ctx: FactContext, args: SimilarArgs) -> int:
    """Same-symptom tickets resolved in the `window` ending when this one was (itself included); 0 while open."""
    times, tickets = _group(ctx, ticket, args.by, args.scope)
    i = _position(tickets, ticket, times)
    return 0 if i is None else _recurrence_at(times, i, args.window)


class RecurrenceArgs(SimilarArgs):
    """Arguments of `symptom_recurrence_reached`."""

    times: int = Field(default=3, ge=2, description="resolutions of one symptom within the window")


@fact("symptom_recurrence_reached", result=bool, args=RecurrenceArgs)
def symptom_recurrence_reached(ticket: Subject, ctx: FactContext, args: RecurrenceArgs) -> bool:
    """Whether this ticket's resolution made its symptom reach `times` within `window` (the first one that did).

    Only the ticket that crosses the threshold answers True, so a KB task is opened once per
    run of repeats, not once per repeat; a new run starts after the symptom has been quiet.
    """
    times, tickets = _group(ctx, ticket, args.by, args.scope)
    i = _position(tickets, ticket, times)
    if i is None or _recurrence_at(times, i, args.window) < args.times:
        return False
    return i == 0 or _recurrence_at(times, i - 1, args.window) < args.times


@fact("symptom", result=str | None)
def symptom(ticket: Subject, _ctx: FactContext, _args: NoArgs) -> str | None:
    """The symptom as a person reads it: "Email / Outlook", else the summary; for summaries and task titles."""
    parts = [str(ticket.fields.get(k) or "").strip() for k in ("subtype", "item")]
    return " / ".join(p for p in parts if p) or (str(ticket.fields.get("summary") or "").strip() or None)


@fact("symptom_recent_tickets", result=str | None)
def symptom_recent_tickets(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """"#101, #107, #112": the company's same-symptom tickets resolved in the 30 days up to this one's resolution."""
    times, tickets = _group(ctx, ticket, "auto", "company")
    i = _position(tickets, ticket, times)
    if i is None:
        return None
    start = bisect.bisect_left(times, times[i] - timedelta(days=30))
    return ", ".join(f"#{t.fields.get('number') or t.key}" for t in tickets[start:i + 1])


# --- KB articles -------------------------------------------------------------------------------


class KbArgs(_Args):
    """Arguments of `matching_kb_articles`."""

    scope: Literal["company", "global", "all"] = Field(
        default="company", description="the company's and global articles, global only, or every article")
    min_shared: int = Field(default=2, ge=1, description="symptom words an article must share (one in its title)")


Article = tuple[str, frozenset[str], frozenset[str]]


def _articles(ctx: FactContext, psa_kind: str) -> Mapping[str | None, list[Article]]:
    """Articles by owner (PSA company id, or None for global) as (key, title words, all words)."""

    def build() -> dict[str | None, list[Article]]:
        out: dict[str | None, list[Article]] = defaultdict(list)
        for a in ctx.view.records("articles"):
            raw = a.fields.get("company_id")
            company = psa_company(ctx, a.record.kind, raw, psa_kind) if raw is not None else None
            if raw is not None and company is None:
                company = f"unlinked:{raw}"  # a client's article we cannot place is nobody else's either
            title = tokens(a.fields.get("title"))
            body = tokens(html.unescape(_TAG.sub(" ", str(a.fields.get("body") or ""))))
            out[company].append((a.key, title, title | body))
        return dict(out)

    return ctx.cached(("articles", psa_kind), build)


def symptom_words(ctx: FactContext, ticket: Subject) -> frozenset[str]:
    """The words of the symptom: this ticket's summary and classification, and its same-symptom tickets' summaries."""
    words = set(tokens(ticket.fields.get("summary")))
    words |= tokens(" ".join(str(ticket.fields.get(k) or "") for k in ("subtype", "item")))
    _times, tickets = _group(ctx, ticket, "auto", "company")
    for other in tickets[-20:]:
        words |= tokens(other.fields.get("summary"))
    return frozenset(words)


@fact("matching_kb_articles", result=list[str], args=KbArgs)
def matching_kb_articles(ticket: Subject, ctx: FactContext, args: KbArgs) -> list[str]:
    """Keys of KB articles whose title and body share the ticket's symptom words (for its company or global)."""
    words = symptom_words(ctx, ticket)
    articles = _articles(ctx, ticket.record.kind)
    if args.scope == "all":
        candidates = [a for owned in articles.values() for a in owned]
    else:
        candidates = list(articles.get(None, ()))
        if args.scope == "company":
            candidates += articles.get(str(ticket.fields.get("company_id") or ""), [])
    return sorted(key for key, title, every in candidates if words & title and len(words & every) >= args.min_shared)


@fact("company_name", result=str | None)
def company_name(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The name of the record's company in its own tool; None when it is not mirrored."""
    company_id = ticket.fields.get("company_id")
    found = ctx.related("companies", "id", ticket, company_id) if company_id else []
    return str(found[0].fields.get("name")) if found else None

