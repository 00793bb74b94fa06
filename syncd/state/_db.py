"""SQLite plumbing for the state store: per-thread connections, short write transactions, value codecs."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syncd.state import migrations
from syncd.state.base import StateError

MEMORY = ":memory:"


class Database:
    """Connections to one state file.

    A file gets one connection per thread (APScheduler runs jobs in a thread pool, and an
    sqlite3 connection must not be used by two threads at once); WAL lets readers run beside
    the single writer. `:memory:` exists only inside one connection, so memory mode keeps a
    single connection and serialises every use of it with a lock instead.
    """

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = str(path)
        self.is_memory = self.path == MEMORY
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._registry_lock = threading.Lock()
        self._memory_lock = threading.RLock()
        self._shared: sqlite3.Connection | None = None
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        """Open and configure a new connection (autocommit: we issue BEGIN/COMMIT ourselves)."""
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        if not self.is_memory:
            conn.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL may lose the last commits on power loss (not on a process crash) but never
        # corrupts the file: the next poll re-derives the mirror, and the executor's search for
        # its own note marker covers a lost ledger row.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_s * 1000)}")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _thread_connection(self) -> sqlite3.Connection:
        """Return the calling thread's connection (the shared one in memory mode)."""
        if self._closed:
            raise StateError("state store is closed")
        if self.is_memory:
            if self._shared is None:
                self._shared = self._register(self._connect())
            return self._shared
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._register(self._connect())
        return conn

    def _register(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        """Remember a connection so close() can reach connections other threads opened."""
        with self._registry_lock:
            self._all.append(conn)
        return conn

    def _guard(self) -> AbstractContextManager[Any]:
        """Serialise access in memory mode; per-thread file connections need no lock."""
        return self._memory_lock if self.is_memory else nullcontext()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection for reads (single statements are consistent snapshots)."""
        with self._guard(), _engine_errors(self.path):
            yield self._thread_connection()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one short write transaction, committed on success."""
        with self._guard(), _engine_errors(self.path):
            conn = self._thread_connection()
            # IMMEDIATE takes the write lock up front, so a busy writer makes us wait in
            # busy_timeout instead of failing later when a read transaction tries to upgrade.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (disk full, I/O error); a second ROLLBACK
                # would raise and hide the real error.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def migrate(self) -> None:
        """Upgrade the schema to the latest version, refusing files from a newer syncd."""
        with self._guard():
            migrations.apply_migrations(self._thread_connection())

    def close(self) -> None:
        """Close every connection any thread opened; later use raises StateError."""
        with self._guard(), self._registry_lock:
            self._closed = True
            for conn in self._all:
                conn.close()
            self._all.clear()


@contextmanager
def _engine_errors(path: str) -> Iterator[None]:
    """Turn operational failures (locked past busy_timeout, disk full, I/O) into StateError.

    Callers handle one exception type whatever the backend; constraint violations stay
    sqlite3 errors because they are bugs in this package, not conditions to handle.
    """
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise StateError(f"state file {path}: {exc}") from exc


def to_db_time(value: datetime) -> str:
    """Encode an aware datetime as fixed-width UTC text, so text order equals time order."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the state store takes timezone-aware UTC times")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def opt_db_time(value: datetime | None) -> str | None:
    """Encode an optional datetime."""
    return None if value is None else to_db_time(value)


def from_db_time(text: str | None) -> datetime | None:
    """Decode a stored time (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


def req_time(text: str) -> datetime:
    """Decode a stored time from a NOT NULL column."""
    return datetime.fromisoformat(text)


def dump_json(value: Any) -> str:
    """Encode JSON canonically: sorted keys, no spaces, no NaN (SQLite and Postgres agree on it)."""
    if isinstance(value, Mapping):
        value = dict(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def load_json(text: str | None) -> Any:
    """Decode a JSON column (None stays None)."""
    return None if text is None else json.loads(text)


def sha256_hex(text: str) -> str:
    """Return the hex sha256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
