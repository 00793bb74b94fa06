"""Identity links of the latest resolution pass (`syncd.identity`), replaced as a whole by each pass."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syncd.state._db import Database, dump_json, load_json, req_time, to_db_time

_SELECT = "SELECT kind, left_ref, right_ref, confidence, evidence, via, linked_at FROM identity_links"
_INSERT = (
    "INSERT INTO identity_links (kind, left_ref, right_ref, confidence, evidence, via, linked_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class StoredLink:
    """One persisted identity link: two record refs, how sure, why, and how it was made."""

    kind: str
    left_ref: str
    right_ref: str
    confidence: float
    evidence: Mapping[str, Any]
    via: str
    linked_at: datetime


def replace_links(db: Database, links: Iterable[StoredLink], at: datetime) -> int:
    """Replace every stored link with this pass's links in one transaction; return how many were stored."""
    stamp = to_db_time(at)
    rows = [(lk.kind, lk.left_ref, lk.right_ref, float(lk.confidence), dump_json(lk.evidence), lk.via, stamp)
            for lk in links]
    with db.writing() as conn:
        conn.execute("DELETE FROM identity_links")
        conn.executemany(_INSERT, rows)
    return len(rows)


def all_links(db: Database, kind: str | None = None) -> list[StoredLink]:
    """Return the stored links, of one kind or of all, in pair order."""
    sql = _SELECT + " WHERE (? IS NULL OR kind = ?) ORDER BY kind, left_ref, right_ref"
    with db.reading() as conn:
        return [_link(row) for row in conn.execute(sql, (kind, kind))]


def _link(row: sqlite3.Row) -> StoredLink:
    return StoredLink(row["kind"], row["left_ref"], row["right_ref"], row["confidence"],
                      load_json(row["evidence"]) or {}, row["via"], req_time(row["linked_at"]))
