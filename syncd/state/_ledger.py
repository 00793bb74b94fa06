"""The action ledger: intent recorded before a write, outcome after, keyed by idempotency key."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any, get_args

from syncd.state._db import Database, dump_json, from_db_time, load_json, req_time, to_db_time
from syncd.state.base import LedgerEntry, LedgerStatus, StateError

_FINAL = frozenset(get_args(LedgerStatus)) - {"intended"}
_SELECT = (
    "SELECT idempotency_key, rule_id, action, source, record_key, intent, status, external_id, detail,"
    " created_at, updated_at FROM ledger"
)
# DO NOTHING keeps the first intent untouched: a retry of the same plan must not rewrite history.
_INTEND = (
    "INSERT INTO ledger (idempotency_key, rule_id, action, source, record_key, intent, status,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'intended', ?, ?)"
    " ON CONFLICT (idempotency_key) DO NOTHING"
)
_FINISH = (
    "UPDATE ledger SET status = ?, external_id = COALESCE(?, external_id), detail = ?, updated_at = ?"
    " WHERE idempotency_key = ?"
)
_LAST_DONE = (
    "SELECT max(updated_at) FROM ledger"
    " WHERE rule_id = ? AND action = ? AND source = ? AND record_key = ? AND status = 'done'"
)


def intend(
    db: Database,
    key: str,
    *,
    rule_id: str,
    action: str,
    source: str,
    record_key: str,
    intent: Mapping[str, Any],
    now: datetime,
) -> LedgerEntry:
    """Insert an intended entry, or return the existing one for `key` unchanged."""
    at = to_db_time(now)
    with db.writing() as conn:
        conn.execute(_INTEND, (key, rule_id, action, source, record_key, dump_json(intent), at, at))
        return _get(conn, key)  # type: ignore[return-value]  # just inserted or already there


def finish(
    db: Database,
    key: str,
    status: LedgerStatus,
    *,
    external_id: str | None,
    detail: str | None,
    now: datetime,
) -> LedgerEntry:
    """Record the outcome of an intended write; unknown keys are a caller bug."""
    if status not in _FINAL:
        raise ValueError(f"ledger status must be one of {sorted(_FINAL)}, got {status!r}")
    with db.writing() as conn:
        cursor = conn.execute(_FINISH, (status, external_id, detail, to_db_time(now), key))
        if cursor.rowcount == 0:
            raise StateError(f"ledger has no entry {key!r}; call ledger_intend before ledger_finish")
        return _get(conn, key)  # type: ignore[return-value]


def get(db: Database, key: str) -> LedgerEntry | None:
    """Return the entry for `key`."""
    with db.reading() as conn:
        return _get(conn, key)


def last_done(db: Database, rule_id: str, action: str, source: str, record_key: str) -> datetime | None:
    """Return when this action last succeeded on this record."""
    with db.reading() as conn:
        row = conn.execute(_LAST_DONE, (rule_id, action, source, record_key)).fetchone()
    return from_db_time(row[0])


def pending(db: Database) -> list[LedgerEntry]:
    """Return entries still `intended`, oldest first."""
    with db.reading() as conn:
        rows = conn.execute(_SELECT + " WHERE status = 'intended' ORDER BY created_at, idempotency_key")
        return [_entry(row) for row in rows]


def _get(conn: sqlite3.Connection, key: str) -> LedgerEntry | None:
    """Read one entry on an open connection."""
    row = conn.execute(_SELECT + " WHERE idempotency_key = ?", (key,)).fetchone()
    return None if row is None else _entry(row)


def _entry(row: sqlite3.Row) -> LedgerEntry:
    """Build a LedgerEntry from a ledger row."""
    return LedgerEntry(
        key=row["idempotency_key"],
        rule_id=row["rule_id"],
        action=row["action"],
        source=row["source"],
        record_key=row["record_key"],
        intent=load_json(row["intent"]),
        status=row["status"],
        external_id=row["external_id"],
        detail=row["detail"],
        created_at=req_time(row["created_at"]),
        updated_at=req_time(row["updated_at"]),
    )
