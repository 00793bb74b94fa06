"""Schema migrations: upgrade in place, refuse the future, idempotent reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from syncd.state import SqliteStateStore, StateError, apply_migrations, latest_version
from syncd.state.migrations import load_migrations, split_statements


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_migrations_are_numbered_from_one_and_at_least_two() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == list(range(1, latest_version() + 1))
    assert latest_version() >= 2


def test_old_file_is_upgraded_and_keeps_its_rows(db_path: Path) -> None:
    # Arrange: a file at schema 1 with a bookmark in it
    conn = sqlite3.connect(db_path)
    assert apply_migrations(conn, upto=1) == 1
    conn.execute(
        "INSERT INTO bookmarks (source, value, updated_at) VALUES (?, ?, ?)",
        ("connectwise.tickets", '"2026-03-01T00:00:00Z"', "2026-03-01T00:00:00.000000+00:00"),
    )
    conn.commit()
    conn.close()
    assert "match_decisions" not in tables(db_path)
    # Act
    with SqliteStateStore(db_path) as store:
        bookmark = store.get_bookmark("connectwise.tickets")
    # Assert
    assert user_version(db_path) == latest_version()
    assert "match_decisions" in tables(db_path)
    assert bookmark is not None
    assert bookmark.value == "2026-03-01T00:00:00Z"


def test_file_from_a_newer_syncd_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    expected = f"state file is schema 7, this syncd knows up to {latest_version()}; upgrade syncd"
    with pytest.raises(StateError, match=expected):
        SqliteStateStore(db_path)


def test_opening_twice_is_a_no_op(db_path: Path) -> None:
    with SqliteStateStore(db_path) as store:
        store.set_bookmark("datto.devices", {"page": 3}, read_started_at=None)
    with SqliteStateStore(db_path) as store:
        bookmark = store.get_bookmark("datto.devices")
    assert user_version(db_path) == latest_version()
    assert bookmark is not None
    assert bookmark.value == {"page": 3}


def test_a_failing_step_leaves_the_file_at_the_previous_version(db_path: Path) -> None:
    # Arrange: schema 1, plus a table that makes step 2 collide
    conn = sqlite3.connect(db_path)
    apply_migrations(conn, upto=1)
    conn.execute("CREATE TABLE match_decisions (x)")
    conn.commit()
    # Act / Assert
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        apply_migrations(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_not_a_database_is_a_clear_state_error(db_path: Path) -> None:
    db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="cannot open state file"):
        SqliteStateStore(db_path)


def test_split_statements_keeps_semicolons_inside_strings_and_triggers() -> None:
    sql = (
        "-- header comment\n"
        "CREATE TABLE a (x TEXT DEFAULT ';');\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE a SET x = 'y';\nEND;\n"
        "-- trailing comment\n"
    )
    statements = split_statements(sql)
    assert len(statements) == 2
    assert statements[1].endswith("END;")
