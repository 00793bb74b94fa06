"""Numbered schema migrations (`NNNN_name.sql`), applied in order and tracked in `PRAGMA user_version`."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from syncd.state.base import StateError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: after it runs, the file is at `version`."""

    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Return the migrations shipped with the package, in version order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        if match := _NAME.match(entry.name):
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    # A gap or a duplicate number is a packaging mistake; refuse it rather than skip a step.
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise StateError(f"state migrations are not numbered 1..n: {[m.version for m in found]}")
    return found


def latest_version() -> int:
    """Return the newest schema version this syncd knows."""
    return len(load_migrations())


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the database file."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_not_newer(version: int, known: int) -> None:
    """Raise StateError when the file was written by a newer syncd than this one."""
    if version > known:
        raise StateError(f"state file is schema {version}, this syncd knows up to {known}; upgrade syncd")


def apply_migrations(conn: sqlite3.Connection, *, upto: int | None = None) -> int:
    """Bring the database up to `upto` (default: the latest) and return the resulting version.

    Each step runs in its own write transaction together with its `user_version` bump, so a
    crash leaves the file at a whole version, and two processes opening a new file at once
    do not both apply the same step (the second re-reads the version under the write lock).
    """
    migrations = load_migrations()
    target = len(migrations) if upto is None else upto
    check_not_newer(schema_version(conn), len(migrations))
    for migration in migrations[:target]:
        _apply_one(conn, migration)
    return schema_version(conn)


def _apply_one(conn: sqlite3.Connection, migration: Migration) -> None:
    """Run one migration atomically unless the file is already past it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if schema_version(conn) < migration.version:
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            # PRAGMA takes no bound parameters; the version is an int we produced ourselves.
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def split_statements(sql: str) -> list[str]:
    """Split a script into complete statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not _is_comment_only(buffer):
        raise StateError(f"incomplete SQL statement at the end of a migration: {buffer.strip()[:80]!r}")
    return statements


def _is_comment_only(text: str) -> bool:
    """Return True when `text` holds only `--` comments and blank lines."""
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())
