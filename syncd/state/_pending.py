"""`for:` bookkeeping: since when each record has matched a rule, without a break."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from syncd.state._db import Database, req_time, to_db_time

_SELECT = "SELECT subject, since FROM rule_pending WHERE rule_id = ?"
_INSERT = "INSERT INTO rule_pending (rule_id, subject, since) VALUES (?, ?, ?)"


def pending_since(db: Database, rule_id: str) -> dict[str, datetime]:
    """Return since when each subject has matched the rule."""
    with db.reading() as conn:
        return {row["subject"]: req_time(row["since"]) for row in conn.execute(_SELECT, (rule_id,))}


def replace_pending(db: Database, rule_id: str, since: Mapping[str, datetime]) -> None:
    """Make the rule's rows exactly `since` (subjects no longer matching drop out) in one transaction."""
    rows = [(rule_id, subject, to_db_time(at)) for subject, at in sorted(since.items())]  # built before the lock
    with db.writing() as conn:
        conn.execute("DELETE FROM rule_pending WHERE rule_id = ?", (rule_id,))
        conn.executemany(_INSERT, rows)
