"""Findings raised by rules, and the log of digests that reported them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime

from syncd.state._db import Database, dump_json, from_db_time, load_json, req_time, sha256_hex, to_db_time
from syncd.state.base import DigestEntry, DigestStatus, Finding

_FINDING = (
    "SELECT id, fingerprint, rule_id, subject, severity, summary, labels, annotations, status,"
    " first_seen, last_seen, resolved_at, last_notified_at FROM findings"
)
# A resolved finding that fires again starts a new episode: first_seen restarts and the
# notification mark is cleared, so digests report it as new rather than as a repeat.
# (In SET, `status` on the right-hand side is the old value, whatever the order of assignments.)
_UPSERT = (
    "INSERT INTO findings (fingerprint, rule_id, subject, severity, summary, labels, annotations,"
    " status, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)"
    " ON CONFLICT (fingerprint) DO UPDATE SET"
    " severity = excluded.severity, summary = excluded.summary, labels = excluded.labels,"
    " annotations = excluded.annotations, last_seen = excluded.last_seen,"
    " first_seen = CASE WHEN status = 'resolved' THEN excluded.first_seen ELSE first_seen END,"
    " last_notified_at = CASE WHEN status = 'resolved' THEN NULL ELSE last_notified_at END,"
    " resolved_at = NULL, status = 'open'"
)
_RESOLVE = (
    "UPDATE findings SET status = 'resolved', resolved_at = ? WHERE fingerprint = ? AND status = 'open'"
)
_DIGEST = (
    "SELECT id, name, receiver, group_key, fingerprint_hash, sent_at, status, attempts, error FROM digest_log"
)
_LAST_DIGEST = (
    _DIGEST + " WHERE name = ? AND receiver = ? AND group_key = ? AND (? OR status = 'sent')"
    " ORDER BY sent_at DESC, id DESC LIMIT 1"
)
_LOG_DIGEST = (
    "INSERT INTO digest_log (name, receiver, group_key, fingerprint_hash, sent_at, status, attempts, error)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def finding_fingerprint(rule_id: str, subject: str) -> str:
    """Return the stable fingerprint of one rule's finding about one subject."""
    # NUL cannot occur in rule ids or subjects, so ("a", "b:c") and ("a:b", "c") never collide.
    return sha256_hex(f"{rule_id}\x00{subject}")[:32]


def fingerprint_set_hash(fingerprints: Iterable[str]) -> str:
    """Return an order-independent hash of a set of fingerprints (what a digest group contained)."""
    return sha256_hex("\n".join(sorted(set(fingerprints))))


def upsert_finding(
    db: Database,
    *,
    rule_id: str,
    subject: str,
    severity: str,
    summary: str,
    at: datetime,
    labels: Mapping[str, str] | None,
    annotations: Mapping[str, str] | None,
    fingerprint: str | None,
) -> Finding:
    """Open, refresh or re-open a finding and return it as stored."""
    fp = fingerprint or finding_fingerprint(rule_id, subject)
    stamp = to_db_time(at)
    row = (fp, rule_id, subject, severity, summary, dump_json(labels or {}), dump_json(annotations or {}))
    with db.writing() as conn:
        conn.execute(_UPSERT, (*row, stamp, stamp))
        return _get(conn, fp)  # type: ignore[return-value]  # just written


def resolve_not_in(db: Database, rule_id: str, fingerprints: Iterable[str], at: datetime) -> int:
    """Resolve the rule's open findings missing from `fingerprints`; return how many."""
    keep, stamp = set(fingerprints), to_db_time(at)
    with db.writing() as conn:
        rows = conn.execute(
            "SELECT fingerprint FROM findings WHERE rule_id = ? AND status = 'open'", (rule_id,)
        )
        gone = [row[0] for row in rows if row[0] not in keep]
        conn.executemany(_RESOLVE, ((stamp, fp) for fp in gone))
    return len(gone)


def open_findings(db: Database, rule_id: str | None) -> list[Finding]:
    """Return open findings, oldest first."""
    sql = _FINDING + " WHERE status = 'open' AND (? IS NULL OR rule_id = ?) ORDER BY first_seen, id"
    with db.reading() as conn:
        return [_finding(row) for row in conn.execute(sql, (rule_id, rule_id))]


def open_finding_counts(db: Database) -> dict[tuple[str, str], int]:
    """Return how many findings are open per (rule, severity)."""
    sql = "SELECT rule_id, severity, COUNT(*) FROM findings WHERE status = 'open' GROUP BY rule_id, severity"
    with db.reading() as conn:
        return {(row[0], row[1]): int(row[2]) for row in conn.execute(sql)}


def resolved_since(db: Database, since: datetime) -> list[Finding]:
    """Return findings resolved at or after `since`, oldest resolution first."""
    sql = _FINDING + " WHERE status = 'resolved' AND resolved_at >= ? ORDER BY resolved_at, id"
    with db.reading() as conn:
        return [_finding(row) for row in conn.execute(sql, (to_db_time(since),))]


def get_finding(db: Database, fingerprint: str) -> Finding | None:
    """Return one finding."""
    with db.reading() as conn:
        return _get(conn, fingerprint)


def mark_notified(db: Database, fingerprints: Iterable[str], at: datetime) -> None:
    """Stamp last_notified_at on the given findings."""
    rows = [(to_db_time(at), fp) for fp in fingerprints]  # built before the write lock
    with db.writing() as conn:
        conn.executemany("UPDATE findings SET last_notified_at = ? WHERE fingerprint = ?", rows)


def _get(conn: sqlite3.Connection, fingerprint: str) -> Finding | None:
    """Read one finding on an open connection."""
    row = conn.execute(_FINDING + " WHERE fingerprint = ?", (fingerprint,)).fetchone()
    return None if row is None else _finding(row)


def _finding(row: sqlite3.Row) -> Finding:
    """Build a Finding from a findings row."""
    return Finding(
        id=row["id"],
        fingerprint=row["fingerprint"],
        rule_id=row["rule_id"],
        subject=row["subject"],
        severity=row["severity"],
        summary=row["summary"],
        labels=load_json(row["labels"]),
        annotations=load_json(row["annotations"]),
        status=row["status"],
        first_seen=req_time(row["first_seen"]),
        last_seen=req_time(row["last_seen"]),
        resolved_at=from_db_time(row["resolved_at"]),
        last_notified_at=from_db_time(row["last_notified_at"]),
    )


def record_digest(
    db: Database,
    *,
    name: str,
    receiver: str,
    group_key: str,
    fingerprints: Iterable[str],
    status: DigestStatus,
    at: datetime,
    attempts: int,
    error: str | None,
) -> DigestEntry:
    """Append one delivery attempt to the digest log and return it."""
    if status not in ("sent", "failed"):
        raise ValueError(f"digest status must be 'sent' or 'failed', got {status!r}")
    values = (
        name,
        receiver,
        group_key,
        fingerprint_set_hash(fingerprints),
        to_db_time(at),
        status,
        attempts,
        error,
    )
    with db.writing() as conn:
        row_id = conn.execute(_LOG_DIGEST, values).lastrowid
        row = conn.execute(_DIGEST + " WHERE id = ?", (row_id,)).fetchone()
    return _digest(row)  # inserted in the same transaction, so never None


def last_digest(
    db: Database, name: str, receiver: str, group_key: str, *, include_failed: bool
) -> DigestEntry | None:
    """Return the latest delivery of a group (successful only unless include_failed)."""
    with db.reading() as conn:
        row = conn.execute(_LAST_DIGEST, (name, receiver, group_key, include_failed)).fetchone()
    return None if row is None else _digest(row)


def _digest(row: sqlite3.Row) -> DigestEntry:
    """Build a DigestEntry from a digest_log row."""
    return DigestEntry(
        id=row["id"],
        name=row["name"],
        receiver=row["receiver"],
        group_key=row["group_key"],
        fingerprint_hash=row["fingerprint_hash"],
        sent_at=req_time(row["sent_at"]),
        status=row["status"],
        attempts=row["attempts"],
        error=row["error"],
    )
