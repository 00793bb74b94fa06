"""SQLite access to a sandbox world, shared by the generator and every simulator thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


def schema_sql() -> str:
    """Return the world schema shipped with the package."""
    return resources.files("syncd.sandbox.world").joinpath("schema.sql").read_text()


class World:
    """A world file: many readers, one writer at a time (simulator writes are rare and small)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()

    @classmethod
    def create(cls, path: Path | str) -> World:
        """Create an empty world file with the schema (replacing any file at `path`)."""
        target = Path(path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        conn = sqlite3.connect(target)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema_sql())
            conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            conn.commit()
        finally:
            conn.close()
        return cls(target)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Run a SELECT and return all rows."""
        return self._conn().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        """Run a SELECT and return the first row or None."""
        return self._conn().execute(sql, params).fetchone()

    def iterate(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[sqlite3.Row]:
        """Stream rows of a SELECT without loading them all."""
        yield from self._conn().execute(sql, params)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement in its own transaction; return lastrowid."""
        with self._write_lock:
            conn = self._conn()
            with conn:
                return conn.execute(sql, params).lastrowid or 0

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the write lock for several statements committed together."""
        with self._write_lock:
            conn = self._conn()
            with conn:
                yield conn

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Bulk insert in one transaction (the generator's path)."""
        with self.transaction() as conn:
            conn.executemany(sql, rows)

    def meta(self, key: str) -> str | None:
        """Return a meta value."""
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
