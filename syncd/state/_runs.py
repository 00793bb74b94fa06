"""Run history: one row per job execution, so `syncd health` can tell a stuck or failing job."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from syncd.state._db import Database, dump_json, from_db_time, load_json, req_time, to_db_time
from syncd.state.base import Run, RunStatus, StateError

_ENDED = ("ok", "failed", "interrupted")
_SELECT = "SELECT id, job, started_at, finished_at, status, error, stats FROM runs"
_FINISH = (
    "UPDATE runs SET status = ?, finished_at = ?, error = ?, stats = ? WHERE id = ? AND status = 'running'"
)
INTERRUPTED_ERROR = "the process ended before the run finished"


def start(db: Database, job: str, now: datetime) -> int:
    """Insert a running run and return its id."""
    with db.writing() as conn:
        cursor = conn.execute(
            "INSERT INTO runs (job, started_at, status) VALUES (?, ?, 'running')", (job, to_db_time(now))
        )
        return int(cursor.lastrowid or 0)


def finish(
    db: Database,
    run_id: int,
    status: RunStatus,
    *,
    error: str | None,
    stats: Mapping[str, Any] | None,
    now: datetime,
) -> None:
    """Close a running run; finishing an unknown or already finished run is a caller bug."""
    if status not in _ENDED:
        raise ValueError(f"a run finishes as one of {list(_ENDED)}, got {status!r}")
    encoded = None if stats is None else dump_json(stats)
    with db.writing() as conn:
        cursor = conn.execute(_FINISH, (status, to_db_time(now), error, encoded, run_id))
        if cursor.rowcount == 0:
            raise StateError(f"run {run_id} is unknown or already finished")


def interrupt_running(db: Database, now: datetime) -> int:
    """Mark runs still `running` as interrupted (their process died); return how many."""
    with db.writing() as conn:
        cursor = conn.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE status = 'running'",
            (to_db_time(now), INTERRUPTED_ERROR),
        )
        return cursor.rowcount


def last_runs(db: Database, job: str | None, n: int) -> list[Run]:
    """Return the job's latest runs (every job's when `job` is None), newest first."""
    where, args = ("WHERE job = ? ", (job, n)) if job is not None else ("", (n,))
    with db.reading() as conn:
        rows = conn.execute(_SELECT + f" {where}ORDER BY started_at DESC, id DESC LIMIT ?", args)
        return [_run(row) for row in rows]


def last_success(db: Database, job: str) -> Run | None:
    """Return the job's latest run that finished ok."""
    sql = _SELECT + " WHERE job = ? AND status = 'ok' ORDER BY started_at DESC, id DESC LIMIT 1"
    with db.reading() as conn:
        row = conn.execute(sql, (job,)).fetchone()
    return None if row is None else _run(row)


def _run(row: sqlite3.Row) -> Run:
    """Build a Run from a runs row."""
    return Run(
        id=row["id"],
        job=row["job"],
        started_at=req_time(row["started_at"]),
        finished_at=from_db_time(row["finished_at"]),
        status=row["status"],
        error=row["error"],
        stats=load_json(row["stats"]),
    )
