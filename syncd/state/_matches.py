"""Decisions from the identity review queue (`syncd matches`): accepted, rejected or pinned links."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from syncd.state._db import Database, req_time, to_db_time
from syncd.state.base import Decision, MatchDecision

_DECISIONS = ("accept", "reject", "pin")
_SELECT = "SELECT kind, left_ref, right_ref, decision, author, reason, decided_at FROM match_decisions"
# The latest decision on a pair wins; who decided and why travel with it.
_UPSERT = (
    "INSERT INTO match_decisions (kind, left_ref, right_ref, decision, author, reason, decided_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, left_ref, right_ref) DO UPDATE SET"
    " decision = excluded.decision, author = excluded.author, reason = excluded.reason,"
    " decided_at = excluded.decided_at"
)


def decide(
    db: Database,
    kind: str,
    left_ref: str,
    right_ref: str,
    decision: Decision,
    *,
    author: str,
    reason: str,
    at: datetime,
) -> MatchDecision:
    """Store a decision on a candidate pair, replacing an earlier one."""
    if decision not in _DECISIONS:
        raise ValueError(f"match decision must be one of {list(_DECISIONS)}, got {decision!r}")
    stamp = to_db_time(at)
    with db.writing() as conn:
        conn.execute(_UPSERT, (kind, left_ref, right_ref, decision, author, reason, stamp))
    return MatchDecision(kind, left_ref, right_ref, decision, author, reason, req_time(stamp))


def get(db: Database, kind: str, left_ref: str, right_ref: str) -> MatchDecision | None:
    """Return the decision on one pair."""
    sql = _SELECT + " WHERE kind = ? AND left_ref = ? AND right_ref = ?"
    with db.reading() as conn:
        row = conn.execute(sql, (kind, left_ref, right_ref)).fetchone()
    return None if row is None else _decision(row)


def all_decisions(db: Database, kind: str | None) -> list[MatchDecision]:
    """Return every decision, of one kind or of all, in pair order."""
    sql = _SELECT + " WHERE (? IS NULL OR kind = ?) ORDER BY kind, left_ref, right_ref"
    with db.reading() as conn:
        return [_decision(row) for row in conn.execute(sql, (kind, kind))]


def _decision(row: sqlite3.Row) -> MatchDecision:
    """Build a MatchDecision from a match_decisions row."""
    return MatchDecision(
        kind=row["kind"],
        left_ref=row["left_ref"],
        right_ref=row["right_ref"],
        decision=row["decision"],
        author=row["author"],
        reason=row["reason"],
        decided_at=req_time(row["decided_at"]),
    )
