"""Symptom facts: "same symptom" tickets, recurring symptoms and the KB articles behind them.

A ticket's symptom is found in two steps. Its key is the MSP's own classification
(`subtype/item`, e.g. "email/outlook") when the ticket has one, because that is what technicians
pick for the QBR trend; otherwise the set of its summary's significant words (lowercased,
numbers, hostnames and stop words removed); `by: summary` forces the word set. One
classification often holds several symptoms ("Hardware/Workstation": blue screens and slow PCs),
so the tickets of one key at one company are then told apart by what they say: the words of the
summary and of the caller's description (the first paragraph of the first note). Taken in the
order they were opened, a ticket joins the first symptom whose first ticket shares at least
`SAME_SYMPTOM` of the shorter one's words, else starts a new one. Seed 002: "the third repeat of an
issue should not require fresh diagnosis"; seed 001: "Search IT Glue or Hudu for ... prior
tickets on the same symptom".
"""

from __future__ import annotations

import bisect
import html
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field

from syncd.clock import as_datetime
from syncd.durations import Duration
from syncd.rules.context import FactContext, Subject
from syncd.rules.facts import FactArgs, NoArgs, fact
from syncd.rules.facts_common import done_at, psa_company, tokens

By = Literal["auto", "classification", "summary"]
Scope = Literal["company", "all"]
_TAG = re.compile(r"<[^>]+>")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def symptom_key(ticket: Subject, by: str = "auto") -> str | None:
    """The ticket's symptom key: "class:<subtype>/<item>" or "words:<sorted words>"; None when it has neither."""
    fields = ticket.record.fields
    subtype = str(fields.get("subtype") or "").strip().lower()
    item = str(fields.get("item") or "").strip().lower()
    if by != "summary" and (subtype or item):
        return f"class:{subtype}/{item}"
    if by == "classification":
        return None
    words = tokens(fields.get("summary"))
    return "words:" + " ".join(sorted(words)) if words else None


# Share of the shorter word set two tickets must have in common to speak of one symptom ("S drive
# missing" and "Mapped drives gone after login" share half of the first). Tickets of one symptom
# share the caller's wording of it; two symptoms of one classification share a word or two.
SAME_SYMPTOM = 0.5
Group = tuple[list[datetime], list[Subject]]   # times (opened or done), tickets, in that order


def ticket_words(ctx: FactContext, ticket: Subject) -> frozenset[str]:
    """The significant words of the summary and of the caller's description (first paragraph of the first note)."""
    first: Mapping[str, Any] | None = None
    first_order: tuple[str, str] = ("", "")
    for note in ctx.notes_for(ticket):
        fields = note.record.fields
        if fields.get("text"):
            order = (str(fields.get("created") or ""), note.record.key)
            if first is None or order < first_order:
                first, first_order = fields, order
    text = str(first.get("text") or "").strip().split("\n\n", 1)[0][:500] if first is not None else ""
    return _folded_words(ticket.record.fields.get("summary")) | _folded_words(text)


@lru_cache(maxsize=1 << 14)
def _folded_words(text: str | None) -> frozenset[str]:
    # `tokens` folds "drives" to "driv" but keeps "drive": drop a final e so the two meet.
    return frozenset(w[:-1] if w.endswith("e") and len(w) > 3 else w for w in tokens(text))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return not a and not b
    return len(a & b) / min(len(a), len(b)) >= SAME_SYMPTOM


Bucket = tuple[str, str, str]   # (connector kind, company id or "*", symptom key)
Buckets = tuple[dict[tuple[str, str], Bucket], dict[Bucket, list[Subject]]]


def _buckets(ctx: FactContext, by: str, scope: str) -> Buckets:
    """Every ticket's bucket (kind, ticket key) -> bucket, and each bucket's tickets in view order."""

    def build() -> Buckets:
        of: dict[tuple[str, str], Bucket] = {}
        members: dict[Bucket, list[Subject]] = defaultdict(list)
        classified: dict[tuple[Any, Any], str] = {}  # (subtype, item) -> key: a few hundred pairs, 200,000 tickets
        columns = [ctx.column("tickets", name) for name in ("subtype", "item", "company_id")]
        for t, subtype, item, company in zip(ctx.view.records("tickets"), *columns, strict=True):
            pair = (subtype, item) if type(subtype) is type(item) is str else None
            key = classified.get(pair) if pair else None
            if key is None:
                key = symptom_key(t, by)
                if pair and key and key.startswith("class:"):  # a class key depends on the pair alone
                    classified[pair] = key
            if key:
                kind = t.record.kind
                bucket = (kind, "*" if scope == "all" else str(company or ""), key)
                of[(kind, t.record.key)] = bucket
                members[bucket].append(t)
        return of, dict(members)

    return ctx.cached(("symptom-buckets", by, scope), build)


def _opened(ctx: FactContext, bucket: Bucket, by: str, scope: str) -> Group:
    """The bucket's tickets in the order they were opened, and when each was."""

    def build() -> Group:
        rows = sorted((_opened_order(t), t) for t in _buckets(ctx, by, scope)[1][bucket])
        return [order[0] for order, _t in rows], [t for _order, t in rows]

    return ctx.cached(("symptom-opened", by, scope, bucket), build)


def _numbers(ctx: FactContext, bucket: Bucket, by: str, scope: str) -> dict[str, int]:
    """Ticket key -> the number of its symptom within the bucket, every status.

    Built per bucket, when a fact first asks about one of its tickets: a pass asks about the recent
    tickets, and the words of a bucket's tickets (first notes included) are read only then.
    """

    def build() -> dict[str, int]:
        leaders: list[frozenset[str]] = []
        numbers: dict[str, int] = {}
        for t in _opened(ctx, bucket, by, scope)[1]:
            words = ticket_words(ctx, t)
            number = next((i for i, lead in enumerate(leaders) if _similar(words, lead)), None)
            if number is None:
                number = len(leaders)
                leaders.append(words)
            numbers[t.key] = number
        return numbers

    return ctx.cached(("symptom-numbers", by, scope, bucket), build)


def _opened_order(ticket: Subject) -> tuple[datetime, str]:
    return (as_datetime(ticket.record.fields.get("created")) or _EPOCH, ticket.record.key)


def _groups(ctx: FactContext, bucket: Bucket, by: str, scope: str, when: str) -> dict[int, Group]:
    """The bucket's tickets by symptom number: all by when opened (`opened`), or the resolved by when (`done`)."""

    def build() -> dict[int, Group]:
        numbers = _numbers(ctx, bucket, by, scope)
        rows: dict[int, list[tuple[datetime, str, Subject]]] = defaultdict(list)
        for t in _buckets(ctx, by, scope)[1][bucket]:
            at = _opened_order(t)[0] if when == "opened" else done_at(t)
            if at is not None:
                rows[numbers[t.key]].append((at, t.key, t))
        out = {}
        for number, items in rows.items():
            items.sort(key=lambda row: (row[0], row[1]))
            out[number] = ([row[0] for row in items], [row[2] for row in items])
        return out

    return ctx.cached(("symptom-groups", by, scope, when, bucket), build)


def _group(ctx: FactContext, ticket: Subject, by: str, scope: str, when: str = "done") -> Group:
    """The ticket's same-symptom tickets (itself included) and their times, ordered by `when`."""
    bucket = _buckets(ctx, by, scope)[0].get((ticket.record.kind, ticket.key))
    if bucket is None:
        return ([], [])
    number = _numbers(ctx, bucket, by, scope)[ticket.key]
    return _groups(ctx, bucket, by, scope, when).get(number, ([], []))


class SimilarArgs(FactArgs):
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


def _position(tickets: list[Subject], ticket: Subject, times: list[datetime], when: str = "done") -> int | None:
    at = done_at(ticket) if when == "done" else _opened_order(ticket)[0]
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
    """Whether this ticket made its symptom reach `times` tickets opened within `window` (the first one that did).

    The third report of one symptom is the moment a KB article must exist (seed 002: "the third
    repeat of an issue should not require fresh diagnosis"), open or not. Only the ticket that
    crosses the threshold answers True, so a KB task is opened once per run of repeats, not once
    per repeat; a new run starts after the symptom has been quiet.
    """
    if _too_few_reports(ctx, ticket, args):
        return False
    times, tickets = _group(ctx, ticket, args.by, args.scope, "opened")
    i = _position(tickets, ticket, times, "opened")
    if i is None or _recurrence_at(times, i, args.window) < args.times:
        return False
    return i == 0 or _recurrence_at(times, i - 1, args.window) < args.times


def _too_few_reports(ctx: FactContext, ticket: Subject, args: RecurrenceArgs) -> bool:
    """Whether fewer than `times` tickets of the ticket's bucket were opened in the window up to it.

    A symptom group is part of its bucket, so this bounds the answer from above from the bucket's
    opening times alone, before the words of its tickets are read to tell its symptoms apart.
    """
    bucket = _buckets(ctx, args.by, args.scope)[0].get((ticket.record.kind, ticket.key))
    if bucket is None:
        return True
    opened, _tickets = _opened(ctx, bucket, args.by, args.scope)
    at = _opened_order(ticket)[0]
    return bisect.bisect_right(opened, at) - bisect.bisect_left(opened, at - args.window) < args.times


@fact("symptom", result=str | None)
def symptom(ticket: Subject, _ctx: FactContext, _args: NoArgs) -> str | None:
    """The symptom as a person reads it: "Email / Outlook", else the summary; for summaries and task titles."""
    parts = [str(ticket.fields.get(k) or "").strip() for k in ("subtype", "item")]
    return " / ".join(p for p in parts if p) or (str(ticket.fields.get("summary") or "").strip() or None)


@fact("symptom_recent_tickets", result=str | None)
def symptom_recent_tickets(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """"#101, #107, #112": the company's same-symptom tickets opened in the 30 days up to this one."""
    times, tickets = _group(ctx, ticket, "auto", "company", "opened")
    i = _position(tickets, ticket, times, "opened")
    if i is None:
        return None
    start = bisect.bisect_left(times, times[i] - timedelta(days=30))
    return ", ".join(f"#{t.fields.get('number') or t.key}" for t in tickets[start:i + 1])


# --- KB articles -------------------------------------------------------------------------------


class KbArgs(FactArgs):
    """Arguments of `matching_kb_articles`."""

    scope: Literal["company", "global", "all"] = Field(
        default="company", description="the company's and global articles, global only, or every article")
    # Two shared words are often chance ("crash" and "open": Outlook's article for a line-of-business app).
    min_shared: int = Field(default=3, ge=1, description="symptom words an article must share (one in its title)")


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
    _times, tickets = _group(ctx, ticket, "auto", "company", "opened")
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
