"""Silences: matchers that mute findings in digests until they expire (`syncd silence ...`).

The table comes from migration 0005_silences.sql. `SqliteStateStore` delegates its silence
methods to the functions here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from syncd.state._db import Database, dump_json, load_json, req_time, to_db_time

_SILENCE = "SELECT id, matchers, starts_at, ends_at, author, reason, created_at FROM silences"
_INSERT = (
    "INSERT INTO silences (matchers, starts_at, ends_at, author, reason, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Silence:
    """Mute findings whose labels satisfy every matcher, from `starts_at` until `ends_at`."""

    id: int
    matchers: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    author: str
    reason: str
    created_at: datetime

    def is_active(self, at: datetime) -> bool:
        """Tell whether the silence mutes findings at `at`."""
        return self.starts_at <= at < self.ends_at


def add_silence(
    db: Database, *, matchers: Sequence[str], starts_at: datetime, ends_at: datetime,
    author: str, reason: str, at: datetime,
) -> Silence:
    """Store a new silence and return it with its id."""
    values = (dump_json(list(matchers)), to_db_time(starts_at), to_db_time(ends_at), author, reason,
              to_db_time(at))
    with db.writing() as conn:
        row_id = conn.execute(_INSERT, values).lastrowid
        row = conn.execute(_SILENCE + " WHERE id = ?", (row_id,)).fetchone()
    return _silence(row)


def list_silences(db: Database, *, active_at: datetime | None = None) -> list[Silence]:
    """Return every silence (or those active at `active_at`), newest first."""
    if active_at is None:
        sql, args = _SILENCE + " ORDER BY id DESC", ()
    else:
        stamp = to_db_time(active_at)
        sql, args = _SILENCE + " WHERE starts_at <= ? AND ends_at > ? ORDER BY id DESC", (stamp, stamp)
    with db.reading() as conn:
        return [_silence(row) for row in conn.execute(sql, args)]


def expire_silence(db: Database, silence_id: int, at: datetime) -> Silence | None:
    """End a silence now (an already ended one is left as it is); None if the id is unknown."""
    stamp = to_db_time(at)
    with db.writing() as conn:
        conn.execute("UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?", (stamp, silence_id, stamp))
        row = conn.execute(_SILENCE + " WHERE id = ?", (silence_id,)).fetchone()
    return None if row is None else _silence(row)


def _silence(row: sqlite3.Row) -> Silence:
    """Build a Silence from a silences row."""
    return Silence(
        id=row["id"],
        matchers=tuple(load_json(row["matchers"])),
        starts_at=req_time(row["starts_at"]),
        ends_at=req_time(row["ends_at"]),
        author=row["author"],
        reason=row["reason"],
        created_at=req_time(row["created_at"]),
    )

