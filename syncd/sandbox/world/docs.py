"""Hudu knowledge base: global and per-company articles, and the "KB updates" processes."""

from __future__ import annotations

import random
import re
from html import escape

from syncd.sandbox.world.companies import Company
from syncd.sandbox.world.rows import DAY, Ids, Sink, iso
from syncd.sandbox.world.symptoms import FAMILIES, Family

KB_PROCESS = "KB updates"
COMPANY_DOCS = ("Onboarding checklist", "Network overview", "Printer list and IP reservations",
                "Backup schedule and retention", "Line-of-business application notes", "Vendor contacts")
TEMPLATE_TASKS = ("Draft or update the article", "Peer review by Tier 2", "Publish and link from the ticket")


def _slug(name: str, rid: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] + f"-{rid:x}"


def _content(family: Family | None, title: str) -> str:
    if family is None:
        return f"<h2>{escape(title)}</h2><p>Maintained by the service desk. Review quarterly.</p>"
    return (f"<h2>Symptom</h2><p>{escape(family.quote)}</p><h2>Diagnosis</h2><p>{escape(family.triage)}</p>"
            f"<h2>Fix</h2><p>{escape(family.resolution)}</p>")


def _article(sink: Sink, ids: Ids, rng: random.Random, *, company_id: int | None, name: str,
             family: Family | None, start: int, now: int) -> int:
    aid = ids.next("articles")
    created = start - rng.randrange(30, 700) * DAY
    updated = min(now - DAY, created + rng.randrange(0, 400) * DAY)
    sink.add("articles", (aid, company_id, rng.choice((None, 1, 2, 3)), name, _content(family, name), 0,
                          int(rng.random() < 0.2), _slug(name, aid), 0, iso(created), iso(updated)))
    return aid


def write_global_kb(sink: Sink, rng: random.Random, ids: Ids, start: int, now: int) -> dict[str, list[int]]:
    """Global KB articles for about half the documented symptom families; family -> article ids."""
    kb: dict[str, list[int]] = {}
    for family in FAMILIES:
        if family.kb and rng.random() < 0.5:
            kb[family.key] = [_article(sink, ids, rng, company_id=None, name=family.kb, family=family,
                                        start=start, now=now)]
    pid = ids.next("procedures")
    stamp = iso(start - 200 * DAY)
    sink.add("procedures", (pid, KB_PROCESS, "Template for adding or fixing a KB article after a recurring "
                            "ticket.", None, 0, None, "Not Started", 0, stamp, stamp))
    for pos, name in enumerate(TEMPLATE_TASKS):
        sink.add("procedure_tasks", (ids.next("procedure_tasks"), pid, name, None, pos, 0, None, None, stamp,
                                     stamp))
    return kb


def write_company_kb(sink: Sink, rng: random.Random, ids: Ids, co: Company, global_kb: dict[str, list[int]],
                     *, start: int, now: int) -> dict[str, list[int]]:
    """Company articles (docs and a few symptom runbooks); family -> article ids visible to the company."""
    kb = {key: list(value) for key, value in global_kb.items()}
    if co.hudu_id is None:
        return kb
    short = co.hudu_name or co.cw_name
    for doc in rng.sample(COMPANY_DOCS, rng.randrange(1, 4)):
        _article(sink, ids, rng, company_id=co.hudu_id, name=f"{short} - {doc}", family=None, start=start,
                 now=now)
    for family in FAMILIES:
        if family.kb and rng.random() < 0.12:
            aid = _article(sink, ids, rng, company_id=co.hudu_id, name=f"{short} - {family.kb}", family=family,
                           start=start, now=now)
            kb.setdefault(family.key, []).append(aid)
    if rng.random() < 0.3:
        _company_process(sink, rng, ids, co, start=start, now=now)
    return kb


def _company_process(sink: Sink, rng: random.Random, ids: Ids, co: Company, *, start: int, now: int) -> None:
    """A company's own "KB updates" process with a few past items, some done."""
    pid = ids.next("procedures")
    created = start - rng.randrange(10, 300) * DAY
    sink.add("procedures", (pid, KB_PROCESS, f"KB follow-ups for {co.hudu_name}", co.hudu_id, 0, None,
                            "In Progress", 0, iso(created), iso(min(now - DAY, created + 90 * DAY))))
    for pos, family in enumerate(rng.sample(FAMILIES, rng.randrange(0, 4))):
        at = created + rng.randrange(1, 100) * DAY
        sink.add("procedure_tasks", (ids.next("procedure_tasks"), pid, f"Update KB: {family.key}",
                                     f"Recurring tickets: {family.key}", pos, int(rng.random() < 0.5),
                                     iso(min(at + 14 * DAY, now + 14 * DAY)), "medium",
                                     iso(min(at, now - DAY)), iso(min(at + DAY, now - DAY))))
