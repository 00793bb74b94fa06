"""The store as a whole: it fulfils the StateStore protocol and reports engine trouble as StateError."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import pytest

from syncd.state import SqliteStateStore, StateError, StateStore

from ._helpers import ticket


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") or name in ("__enter__", "__exit__")
    }


def test_sqlite_store_matches_the_protocol_method_for_method() -> None:
    # A PostgreSQL store must be able to replace this one without touching callers.
    protocol, sqlite = public_methods(StateStore), public_methods(SqliteStateStore)
    missing = set(protocol) - set(sqlite)
    differing = {name for name in protocol if name in sqlite and protocol[name] != sqlite[name]}
    assert missing == set()
    assert differing == set()


def test_write_blocked_past_busy_timeout_is_a_state_error(db_path: Path) -> None:
    # Arrange: another process holds the write lock
    store = SqliteStateStore(db_path, busy_timeout_s=0.05)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # Act / Assert
        with pytest.raises(StateError, match="database is locked"):
            store.upsert_records([ticket("1")])
    finally:
        other.execute("ROLLBACK")
        other.close()
    # the failed transaction left the connection usable
    assert store.upsert_records([ticket("1")]).new == 1
    store.close()


def test_reads_see_other_connections_commits(db_path: Path) -> None:
    with SqliteStateStore(db_path) as writer, SqliteStateStore(db_path, recover_interrupted=False) as reader:
        writer.upsert_records([ticket("1"), ticket("2")])
        assert reader.live_keys("connectwise.tickets") == {"1", "2"}


def test_file_uses_wal(db_path: Path) -> None:
    SqliteStateStore(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
