"""Sync drivers and world/mirror views shared by the sandbox tests."""

from __future__ import annotations

from typing import Any

from syncd.errors import ApiError
from syncd.jobs.poll import PollResult, poll_stream, reconcile_stream
from syncd.sandbox.world.store import World
from syncd.state import SqliteStateStore

SOURCES = ("boards", "priorities", "companies", "contacts", "configurations", "tickets", "notes", "time_entries",
           "ticket_events")

# What the simulator serves of each world table (deleted rows and CW-less companies excluded).
WORLD_COUNTS = {
    "companies": "SELECT COUNT(*) AS n FROM companies WHERE cw_id IS NOT NULL AND cw_deleted = 0",
    "contacts": "SELECT COUNT(*) AS n FROM contacts WHERE deleted = 0",
    "configurations": "SELECT COUNT(*) AS n FROM cw_configurations cfg JOIN companies c "
                      "ON c.world_id = cfg.company_world_id WHERE cfg.deleted = 0 AND c.cw_id IS NOT NULL",
    "tickets": "SELECT COUNT(*) AS n FROM tickets WHERE deleted = 0",
    "time_entries": "SELECT COUNT(*) AS n FROM time_entries te JOIN tickets t ON t.id = te.ticket_id "
                    "WHERE te.deleted = 0 AND t.deleted = 0",
    # real note rows, plus the initial description CW serves as a note when no row holds it
    "notes": "SELECT (SELECT COUNT(*) FROM notes n JOIN tickets t ON t.id = n.ticket_id WHERE t.deleted = 0)"
             " + (SELECT COUNT(*) FROM tickets t WHERE t.deleted = 0 AND COALESCE(t.description, '') != ''"
             " AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.ticket_id = t.id AND n.detail = 1"
             " AND n.text = t.description)) AS n",
    "boards": "SELECT COUNT(*) AS n FROM boards",
    "priorities": "SELECT COUNT(*) AS n FROM priorities",
}


def world_counts(world: World) -> dict[str, int]:
    """Live rows per source, as the simulator serves them."""
    return {source: int(world.query_one(sql)["n"]) for source, sql in WORLD_COUNTS.items()}


def mirror_counts(state: SqliteStateStore) -> dict[str, int]:
    """Live mirrored records per source."""
    return {source: state.count(f"connectwise.{source}") for source in WORLD_COUNTS}


def sync(env: Any, *, retries: int = 0) -> dict[str, PollResult]:
    """Poll every stream once (retrying a failed poll up to `retries` times, as the scheduler would)."""
    results = {}
    for stream in env.connector.streams():
        for attempt in range(retries + 1):
            try:
                results[stream.source.split(".", 1)[1]] = poll_stream(env.ctx, stream)
                break
            except ApiError:
                if attempt == retries:
                    raise
    return results


def reconcile(env: Any) -> dict[str, int]:
    """Run the id reconciliation of every stream; return deletions per source."""
    return {s.source.split(".", 1)[1]: reconcile_stream(env.ctx, s) for s in env.connector.streams()}


def mirror(state: SqliteStateStore) -> dict[str, dict[str, Any]]:
    """Every live record's fields, by source and key."""
    return {source: {r.key: dict(r.fields) for r in state.iter_records(f"connectwise.{source}")}
            for source in SOURCES}


def clone_row(world: World, table: str, key: int, new_key: int, **changes: Any) -> None:
    """Insert a copy of row `key` of `table` (primary key `id`) as `new_key`, with changes."""
    columns = [r["name"] for r in world.query(f"PRAGMA table_info({table})")]
    row = dict(world.query_one(f"SELECT * FROM {table} WHERE id = ?", (key,)))  # noqa: S608
    row.update(id=new_key, **changes)
    marks = ", ".join("?" * len(columns))
    world.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                  [row[c] for c in columns])
