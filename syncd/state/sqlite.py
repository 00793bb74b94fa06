"""`SqliteStateStore`: the StateStore on one SQLite file (WAL), or in memory for tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from syncd.clock import SystemClock
from syncd.records import Record
from syncd.state import _findings, _ledger, _links, _matches, _mirror, _pending, _runs, _silences
from syncd.state._db import MEMORY, Database, dump_json, from_db_time, load_json, opt_db_time, req_time, to_db_time
from syncd.state.base import (
    Bookmark,
    Decision,
    DigestEntry,
    DigestStatus,
    Finding,
    LedgerEntry,
    LedgerStatus,
    MatchDecision,
    Run,
    RunStatus,
    StateError,
    StoredRecord,
    UpsertStats,
)

_SET_BOOKMARK = (
    "INSERT INTO bookmarks (source, value, read_started_at, updated_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (source) DO UPDATE SET value = excluded.value,"
    " read_started_at = excluded.read_started_at, updated_at = excluded.updated_at"
)
_SYSTEM_CLOCK = SystemClock()


class SqliteStateStore:
    """The state store on SQLite; safe to share between scheduler threads.

    `now` supplies the times the store stamps itself (first_seen, run starts, ...); pass a
    fixed clock's `now` in tests. Opening upgrades an older schema and, unless
    `recover_interrupted` is False, marks runs a dead process left `running` as interrupted.
    Read-only tools that may run beside the daemon (`syncd health`) should pass False.
    """

    def __init__(
        self,
        path: str | Path = MEMORY,
        *,
        now: Callable[[], datetime] = _SYSTEM_CLOCK.now,
        busy_timeout_s: float = 30.0,
        recover_interrupted: bool = True,
    ) -> None:
        self._db = Database(path, busy_timeout_s=busy_timeout_s)
        self._now = now
        try:
            self._db.migrate()
            if recover_interrupted:
                _runs.interrupt_running(self._db, now())
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StateError(f"cannot open state file {self._db.path}: {exc}") from exc
        except BaseException:
            self._db.close()
            raise

    @property
    def path(self) -> str:
        """The state file's path (":memory:" in memory mode)."""
        return self._db.path

    # bookmarks

    def get_bookmark(self, source: str) -> Bookmark | None:
        """Return the stream's bookmark, or None before its first complete read."""
        sql = "SELECT value, read_started_at, updated_at FROM bookmarks WHERE source = ?"
        with self._db.reading() as conn:
            row = conn.execute(sql, (source,)).fetchone()
        if row is None:
            return None
        started, updated = from_db_time(row["read_started_at"]), req_time(row["updated_at"])
        return Bookmark(source, load_json(row["value"]), started, updated)

    def set_bookmark(self, source: str, value: Any, *, read_started_at: datetime | None) -> None:
        """Store the stream's bookmark (a JSON value) after a complete read."""
        started = opt_db_time(read_started_at)
        with self._db.writing() as conn:
            conn.execute(_SET_BOOKMARK, (source, dump_json(value), started, to_db_time(self._now())))

    # the mirror

    def upsert_records(self, records: Iterable[Record]) -> UpsertStats:
        """Store records, keeping the previous values of changed ones; idempotent.

        One transaction per call: pass a page or a list. The iterable is read completely
        before the write lock is taken.
        """
        return _mirror.upsert_records(self._db, records, self._now())

    def get_record(self, source: str, key: str) -> StoredRecord | None:
        """Return one mirrored record, deleted or not."""
        return _mirror.get_record(self._db, source, key)

    def iter_records(self, source: str, *, include_deleted: bool = False) -> Iterator[StoredRecord]:
        """Yield a stream's records in key order."""
        return _mirror.iter_records(self._db, source, include_deleted)

    def live_keys(self, source: str) -> set[str]:
        """Return the keys of a stream's records that are not marked deleted."""
        return _mirror.live_keys(self._db, source)

    def mark_deleted(self, source: str, keys: Iterable[str], at: datetime) -> int:
        """Mark live records deleted; return how many were."""
        return _mirror.mark_deleted(self._db, source, keys, at)

    def changed_since(
        self, source: str, since: datetime, *, include_deleted: bool = False
    ) -> Iterator[StoredRecord]:
        """Yield records whose last change (or reappearance) is at or after `since`, oldest first."""
        return _mirror.changed_since(self._db, source, since, include_deleted)

    def count(self, source: str, *, include_deleted: bool = False) -> int:
        """Return how many records a stream has."""
        return _mirror.count(self._db, source, include_deleted)

    # the action ledger

    def ledger_intend(
        self, key: str, *, rule_id: str, action: str, source: str, record_key: str, intent: Mapping[str, Any]
    ) -> LedgerEntry:
        """Record the intent to write, or return the existing entry for `key` unchanged."""
        return _ledger.intend(
            self._db,
            key,
            rule_id=rule_id,
            action=action,
            source=source,
            record_key=record_key,
            intent=intent,
            now=self._now(),
        )

    def ledger_finish(
        self, key: str, status: LedgerStatus, *, external_id: str | None = None, detail: str | None = None
    ) -> LedgerEntry:
        """Record the outcome (done, failed, skipped) of an intended write."""
        return _ledger.finish(self._db, key, status, external_id=external_id, detail=detail, now=self._now())

    def ledger_get(self, key: str) -> LedgerEntry | None:
        """Return the ledger entry for `key`."""
        return _ledger.get(self._db, key)

    def ledger_last_done(self, rule_id: str, action: str, source: str, record_key: str) -> datetime | None:
        """Return when this action last succeeded on this record."""
        return _ledger.last_done(self._db, rule_id, action, source, record_key)

    def ledger_pending(self) -> list[LedgerEntry]:
        """Return entries intended but never finished: what a restart must reconcile."""
        return _ledger.pending(self._db)

    # findings

    def upsert_finding(
        self,
        *,
        rule_id: str,
        subject: str,
        severity: str,
        summary: str,
        at: datetime,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        fingerprint: str | None = None,
    ) -> Finding:
        """Open a finding, refresh an open one, or re-open a resolved one."""
        return _findings.upsert_finding(
            self._db,
            rule_id=rule_id,
            subject=subject,
            severity=severity,
            summary=summary,
            at=at,
            labels=labels,
            annotations=annotations,
            fingerprint=fingerprint,
        )

    def resolve_findings_not_in(self, rule_id: str, fingerprints: Iterable[str], at: datetime) -> int:
        """Resolve the rule's open findings that its latest pass no longer raised."""
        return _findings.resolve_not_in(self._db, rule_id, fingerprints, at)

    def open_findings(self, rule_id: str | None = None) -> list[Finding]:
        """Return open findings, of one rule or of all."""
        return _findings.open_findings(self._db, rule_id)

    def open_finding_counts(self) -> dict[tuple[str, str], int]:
        """Return how many findings are open per (rule, severity), without reading them."""
        return _findings.open_finding_counts(self._db)

    def resolved_findings(self, since: datetime) -> list[Finding]:
        """Return findings resolved at or after `since` (digests report a resolution once)."""
        return _findings.resolved_since(self._db, since)

    def get_finding(self, fingerprint: str) -> Finding | None:
        """Return one finding by fingerprint."""
        return _findings.get_finding(self._db, fingerprint)

    def mark_notified(self, fingerprints: Iterable[str], at: datetime) -> None:
        """Record that these findings were sent in a digest."""
        _findings.mark_notified(self._db, fingerprints, at)

    # digests

    def record_digest(
        self,
        *,
        name: str,
        receiver: str,
        group_key: str,
        fingerprints: Iterable[str],
        status: DigestStatus,
        at: datetime,
        attempts: int = 1,
        error: str | None = None,
    ) -> DigestEntry:
        """Log one digest delivery attempt."""
        return _findings.record_digest(
            self._db,
            name=name,
            receiver=receiver,
            group_key=group_key,
            fingerprints=fingerprints,
            status=status,
            at=at,
            attempts=attempts,
            error=error,
        )

    def last_digest(
        self, name: str, receiver: str, group_key: str, *, include_failed: bool = False
    ) -> DigestEntry | None:
        """Return the latest delivery (by default the latest successful one) of a group."""
        return _findings.last_digest(self._db, name, receiver, group_key, include_failed=include_failed)

    # identity review queue

    def decide_match(
        self,
        kind: str,
        left_ref: str,
        right_ref: str,
        decision: Decision,
        *,
        author: str,
        at: datetime,
        reason: str = "",
    ) -> MatchDecision:
        """Persist a person's decision on a candidate link, replacing an earlier one."""
        return _matches.decide(
            self._db, kind, left_ref, right_ref, decision, author=author, reason=reason, at=at
        )

    def match_decision(self, kind: str, left_ref: str, right_ref: str) -> MatchDecision | None:
        """Return the decision on one candidate link."""
        return _matches.get(self._db, kind, left_ref, right_ref)

    def match_decisions(self, kind: str | None = None) -> list[MatchDecision]:
        """Return all decisions, of one kind or of all."""
        return _matches.all_decisions(self._db, kind)

    # runs

    def start_run(self, job: str) -> int:
        """Record that a job started; return the run id."""
        return _runs.start(self._db, job, self._now())

    def finish_run(
        self, run_id: int, status: RunStatus, error: str | None = None, stats: Mapping[str, Any] | None = None
    ) -> None:
        """Record how a run ended (ok, failed or interrupted)."""
        _runs.finish(self._db, run_id, status, error=error, stats=stats, now=self._now())

    def last_runs(self, job: str | None, n: int) -> list[Run]:
        """Return the job's latest `n` runs (every job's when `job` is None), newest first."""
        return _runs.last_runs(self._db, job, n)

    def last_success(self, job: str) -> Run | None:
        """Return the job's latest run that finished ok."""
        return _runs.last_success(self._db, job)

    # identity links, rule `for:` clocks, silences

    def replace_identity_links(self, links: Iterable[_links.StoredLink], *, at: datetime) -> int:
        """Replace the stored identity links with this pass's; return how many were stored."""
        return _links.replace_links(self._db, links, at)

    def identity_links(self, kind: str | None = None) -> list[_links.StoredLink]:
        """Return the identity links of the last pass, of one kind or of all."""
        return _links.all_links(self._db, kind)

    def rule_pending(self, rule_id: str) -> dict[str, datetime]:
        """Return when each record started matching the rule (its `for:` clock)."""
        return _pending.pending_since(self._db, rule_id)

    def set_rule_pending(self, rule_id: str, since: Mapping[str, datetime]) -> None:
        """Replace the rule's `for:` clocks with these."""
        _pending.replace_pending(self._db, rule_id, since)

    def add_silence(self, *, matchers: Iterable[str], starts_at: datetime, ends_at: datetime,
                    author: str, reason: str, at: datetime) -> _silences.Silence:
        """Store a new digest silence."""
        return _silences.add_silence(self._db, matchers=list(matchers), starts_at=starts_at, ends_at=ends_at,
                                     author=author, reason=reason, at=at)

    def silences(self, *, active_at: datetime | None = None) -> list[_silences.Silence]:
        """Return silences (only those active at `active_at` when given), newest first."""
        return _silences.list_silences(self._db, active_at=active_at)

    def expire_silence(self, silence_id: int, at: datetime) -> _silences.Silence | None:
        """End a silence now; None when there is no such silence."""
        return _silences.expire_silence(self._db, silence_id, at)

    # lifecycle

    def close(self) -> None:
        """Close every connection; later calls raise StateError."""
        self._db.close()

    def __enter__(self) -> Self:
        """Return the store itself."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the store."""
        self.close()
