"""The `StateStore` protocol and the values it returns; SQLite (and later PostgreSQL) implement it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self

from syncd.records import Record

LedgerStatus = Literal["intended", "done", "failed", "skipped"]
FindingStatus = Literal["open", "resolved"]
DigestStatus = Literal["sent", "failed"]
RunStatus = Literal["running", "ok", "failed", "interrupted"]
Decision = Literal["accept", "reject", "pin"]

if TYPE_CHECKING:  # annotation-only: these modules import this one
    from syncd.state import _links, _silences


class StateError(Exception):
    """The state store cannot be used as asked (newer schema, closed store, unknown key)."""


@dataclass(frozen=True, slots=True)
class Bookmark:
    """Where a stream's last complete read got to, and when that read began."""

    source: str
    value: Any
    read_started_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class UpsertStats:
    """What one `upsert_records` call did; `restored` counts records seen again after deletion."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    restored: int = 0

    @property
    def total(self) -> int:
        """Records processed (every record is exactly one of new, changed, unchanged)."""
        return self.new + self.changed + self.unchanged


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A mirrored record with its history: the values before the last change and which keys changed."""

    record: Record
    previous_fields: Mapping[str, Any] | None
    changed_keys: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    last_changed: datetime
    deleted_at: datetime | None

    @property
    def source(self) -> str:
        """The record's stream, e.g. "connectwise.tickets"."""
        return self.record.source

    @property
    def key(self) -> str:
        """The record's key within its stream."""
        return self.record.key

    @property
    def fields(self) -> Mapping[str, Any]:
        """The record's current normalized fields."""
        return self.record.fields

    @property
    def is_deleted(self) -> bool:
        """True when the vendor no longer has this record."""
        return self.deleted_at is not None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One write syncd meant to make, and what became of it."""

    key: str
    rule_id: str
    action: str
    source: str
    record_key: str
    intent: Mapping[str, Any]
    status: LedgerStatus
    external_id: str | None
    detail: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem a rule raised about one subject, open until a rule pass no longer sees it."""

    id: int
    fingerprint: str
    rule_id: str
    subject: str
    severity: str
    summary: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    status: FindingStatus
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    last_notified_at: datetime | None


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One digest delivery attempt to one receiver for one group."""

    id: int
    name: str
    receiver: str
    group_key: str
    fingerprint_hash: str
    sent_at: datetime
    status: DigestStatus
    attempts: int
    error: str | None


@dataclass(frozen=True, slots=True)
class Run:
    """One execution of a scheduled job."""

    id: int
    job: str
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    error: str | None
    stats: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """A person's verdict on a candidate identity link, kept so it is never asked again."""

    kind: str
    left_ref: str
    right_ref: str
    decision: Decision
    author: str
    reason: str
    decided_at: datetime


class StateStore(Protocol):
    """Everything syncd persists; callers never see the storage engine or its SQL."""

    # bookmarks
    def get_bookmark(self, source: str) -> Bookmark | None:
        """Return the stream's bookmark, or None before its first complete read."""
        ...

    def set_bookmark(self, source: str, value: Any, *, read_started_at: datetime | None) -> None:
        """Store the stream's bookmark (a JSON value) after a complete read."""
        ...

    # the mirror
    def upsert_records(self, records: Iterable[Record]) -> UpsertStats:
        """Store records, keeping the previous values of changed ones; idempotent."""
        ...

    def get_record(self, source: str, key: str) -> StoredRecord | None:
        """Return one mirrored record, deleted or not."""
        ...

    def iter_records(self, source: str, *, include_deleted: bool = False) -> Iterator[StoredRecord]:
        """Yield a stream's records in key order."""
        ...

    def live_keys(self, source: str) -> set[str]:
        """Return the keys of a stream's records that are not marked deleted."""
        ...

    def mark_deleted(self, source: str, keys: Iterable[str], at: datetime) -> int:
        """Mark live records deleted; return how many were."""
        ...

    def changed_since(
        self, source: str, since: datetime, *, include_deleted: bool = False
    ) -> Iterator[StoredRecord]:
        """Yield records whose last change (or reappearance) is at or after `since`."""
        ...

    def count(self, source: str, *, include_deleted: bool = False) -> int:
        """Return how many records a stream has."""
        ...

    # the action ledger
    def ledger_intend(
        self, key: str, *, rule_id: str, action: str, source: str, record_key: str, intent: Mapping[str, Any]
    ) -> LedgerEntry:
        """Record the intent to write, or return the existing entry for `key` unchanged."""
        ...

    def ledger_finish(
        self, key: str, status: LedgerStatus, *, external_id: str | None = None, detail: str | None = None
    ) -> LedgerEntry:
        """Record the outcome of an intended write."""
        ...

    def ledger_get(self, key: str) -> LedgerEntry | None:
        """Return the ledger entry for `key`."""
        ...

    def ledger_last_done(self, rule_id: str, action: str, source: str, record_key: str) -> datetime | None:
        """Return when this action last succeeded on this record."""
        ...

    def ledger_pending(self) -> list[LedgerEntry]:
        """Return entries intended but never finished: what a restart must reconcile."""
        ...

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
        ...

    def resolve_findings_not_in(self, rule_id: str, fingerprints: Iterable[str], at: datetime) -> int:
        """Resolve the rule's open findings that its latest pass no longer raised."""
        ...

    def open_findings(self, rule_id: str | None = None) -> list[Finding]:
        """Return open findings, of one rule or of all."""
        ...

    def open_finding_counts(self) -> dict[tuple[str, str], int]:
        """Return how many findings are open per (rule, severity), without reading them."""
        ...

    def resolved_findings(self, since: datetime) -> list[Finding]:
        """Return findings resolved at or after `since` (digests report a resolution once)."""
        ...

    def get_finding(self, fingerprint: str) -> Finding | None:
        """Return one finding by fingerprint."""
        ...

    def mark_notified(self, fingerprints: Iterable[str], at: datetime) -> None:
        """Record that these findings were sent in a digest."""
        ...

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
        ...

    def last_digest(
        self, name: str, receiver: str, group_key: str, *, include_failed: bool = False
    ) -> DigestEntry | None:
        """Return the latest delivery (by default the latest successful one) of a group."""
        ...

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
        ...

    def match_decision(self, kind: str, left_ref: str, right_ref: str) -> MatchDecision | None:
        """Return the decision on one candidate link."""
        ...

    def match_decisions(self, kind: str | None = None) -> list[MatchDecision]:
        """Return all decisions, of one kind or of all."""
        ...

    # runs
    def start_run(self, job: str) -> int:
        """Record that a job started; return the run id."""
        ...

    def finish_run(
        self, run_id: int, status: RunStatus, error: str | None = None, stats: Mapping[str, Any] | None = None
    ) -> None:
        """Record how a run ended."""
        ...

    def last_runs(self, job: str | None, n: int) -> list[Run]:
        """Return the job's latest `n` runs (every job's when `job` is None), newest first."""
        ...

    def last_success(self, job: str) -> Run | None:
        """Return the job's latest run that finished ok."""
        ...

    # identity links, rule `for:` clocks, silences
    def replace_identity_links(self, links: Iterable[_links.StoredLink], *, at: datetime) -> int:
        """Replace the stored identity links with this pass's; return how many were stored."""
        ...

    def identity_links(self, kind: str | None = None) -> list[_links.StoredLink]:
        """Return the identity links of the last pass, of one kind or of all."""
        ...

    def rule_pending(self, rule_id: str) -> dict[str, datetime]:
        """Return when each record started matching the rule (its `for:` clock)."""
        ...

    def set_rule_pending(self, rule_id: str, since: Mapping[str, datetime]) -> None:
        """Replace the rule's `for:` clocks with these."""
        ...

    def add_silence(self, *, matchers: Iterable[str], starts_at: datetime, ends_at: datetime,
                    author: str, reason: str, at: datetime) -> _silences.Silence:
        """Store a new digest silence."""
        ...

    def silences(self, *, active_at: datetime | None = None) -> list[_silences.Silence]:
        """Return silences (only those active at `active_at` when given), newest first."""
        ...

    def expire_silence(self, silence_id: int, at: datetime) -> _silences.Silence | None:
        """End a silence now; None when there is no such silence."""
        ...

    # lifecycle
    def close(self) -> None:
        """Release every connection."""
        ...

    def __enter__(self) -> Self:
        """Return the store itself."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the store."""
        ...
