"""Everything syncd persists, behind the `StateStore` protocol.

    store = SqliteStateStore("/var/lib/syncd/state.db")   # or SqliteStateStore(":memory:") in tests
    stats = store.upsert_records(records)                 # UpsertStats(new, changed, unchanged)

Callers use only the names below; the SQL and the schema migrations stay inside this package.
"""

from syncd.state._findings import finding_fingerprint, fingerprint_set_hash
from syncd.state._links import StoredLink
from syncd.state._silences import Silence
from syncd.state.base import (
    Bookmark,
    Decision,
    DigestEntry,
    DigestStatus,
    Finding,
    FindingStatus,
    LedgerEntry,
    LedgerStatus,
    MatchDecision,
    Run,
    RunStatus,
    StateError,
    StateStore,
    StoredRecord,
    UpsertStats,
)
from syncd.state.migrations import apply_migrations, latest_version
from syncd.state.sqlite import SqliteStateStore

__all__ = [
    "Bookmark",
    "Decision",
    "DigestEntry",
    "DigestStatus",
    "Finding",
    "FindingStatus",
    "LedgerEntry",
    "LedgerStatus",
    "MatchDecision",
    "Run",
    "RunStatus",
    "Silence",
    "SqliteStateStore",
    "StateError",
    "StateStore",
    "StoredLink",
    "StoredRecord",
    "UpsertStats",
    "apply_migrations",
    "finding_fingerprint",
    "fingerprint_set_hash",
    "latest_version",
]
