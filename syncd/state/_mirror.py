"""The mirror: normalized records with their last change, stored in bulk and read back in pages."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from syncd.records import Record
from syncd.state._db import (
    Database,
    dump_json,
    from_db_time,
    load_json,
    opt_db_time,
    req_time,
    sha256_hex,
    to_db_time,
)
from syncd.state.base import StoredRecord, UpsertStats

CHUNK = 500  # records classified per round trip; bounded so a 200k batch never builds giant lists
PAGE = 1000  # records per read page: readers never hold a cursor (or the memory lock) between pages

_COLS = (
    "SELECT source, key, updated_at, fields, previous_fields, changed_keys,"
    " first_seen, last_seen, last_changed, deleted_at FROM records"
)
_KEY, _LAST_CHANGED = 1, 8  # positions in _COLS (pages are read as plain tuples)
# `key IN (SELECT value FROM json_each(?))` binds a whole key list as one parameter, so the SQL
# stays a constant (no string-built IN lists) and no host-parameter limit applies.
_EXISTING = (
    "SELECT key, content_hash, deleted_at, fields FROM records"
    " WHERE source = ? AND key IN (SELECT value FROM json_each(?))"
)
_INSERT = (
    "INSERT INTO records (source, key, updated_at, fields, content_hash, first_seen, last_seen, last_changed)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# On the right-hand side of SET, SQLite reads the row's old values: previous_fields gets the old fields.
_CHANGE = (
    "UPDATE records SET updated_at = ?, previous_fields = fields, fields = ?, content_hash = ?,"
    " changed_keys = ?, last_seen = ?, last_changed = ?, deleted_at = NULL WHERE source = ? AND key = ?"
)
# Unchanged: only last_seen moves, unless the record comes back from deletion; then it counts as a
# change of the live set so the next rule pass (changed_since) looks at it again.
_TOUCH = (
    "UPDATE records SET updated_at = ?, last_seen = ?,"
    " last_changed = CASE WHEN deleted_at IS NULL THEN last_changed ELSE ? END, deleted_at = NULL"
    " WHERE source = ? AND key = ?"
)
_DELETE = "UPDATE records SET deleted_at = ? WHERE source = ? AND key = ? AND deleted_at IS NULL"
_LIVE = " AND (? OR deleted_at IS NULL)"  # bound to include_deleted
_COUNT = "SELECT count(*) FROM records WHERE source = ? AND (? OR deleted_at IS NULL)"
_BY_KEY_FIRST = _COLS + " WHERE source = ?" + _LIVE + " ORDER BY key LIMIT ?"
_BY_KEY_NEXT = _COLS + " WHERE source = ? AND key > ?" + _LIVE + " ORDER BY key LIMIT ?"
_CHANGED_FIRST = (
    _COLS + " WHERE source = ? AND last_changed >= ?" + _LIVE + " ORDER BY last_changed, key LIMIT ?"
)
_CHANGED_NEXT = (
    _COLS
    + " WHERE source = ? AND (last_changed, key) > (?, ?)"
    + _LIVE
    + " ORDER BY last_changed, key LIMIT ?"
)


@dataclass(slots=True)
class _Tally:
    """Mutable counters behind UpsertStats."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    restored: int = 0

    def freeze(self) -> UpsertStats:
        """Return the immutable stats."""
        return UpsertStats(self.new, self.changed, self.unchanged, self.restored)


@dataclass(slots=True)
class _Writes:
    """Rows for the three executemany statements of one chunk."""

    inserts: list[tuple[Any, ...]]
    changes: list[tuple[Any, ...]]
    touches: list[tuple[Any, ...]]


def upsert_records(db: Database, records: Iterable[Record], now: datetime) -> UpsertStats:
    """Store records in one transaction and count new, changed and unchanged ones."""
    at, tally = to_db_time(now), _Tally()
    # Read a lazy iterable (maybe a vendor stream doing HTTP) before taking the write lock,
    # so other jobs' writes never wait on the network.
    batch = list(records)
    with db.writing() as conn:
        for chunk in _chunks(batch):
            writes = _classify(conn, chunk, at, tally)
            conn.executemany(_INSERT, writes.inserts)
            conn.executemany(_CHANGE, writes.changes)
            conn.executemany(_TOUCH, writes.touches)
    return tally.freeze()


def _chunks(records: Iterable[Record]) -> Iterator[list[Record]]:
    """Cut records into chunks without a repeated (source, key).

    A repeat starts a new chunk, so its second copy is compared with the first one as written,
    exactly as if it had come in a later call.
    """
    chunk: list[Record] = []
    seen: set[tuple[str, str]] = set()
    for record in records:
        ident = (record.source, record.key)
        if ident in seen or len(chunk) >= CHUNK:
            yield chunk
            chunk, seen = [], set()
        chunk.append(record)
        seen.add(ident)
    if chunk:
        yield chunk


def _classify(conn: sqlite3.Connection, chunk: Sequence[Record], at: str, tally: _Tally) -> _Writes:
    """Compare a chunk with what is stored and build the rows to write."""
    stored = _existing(conn, chunk)
    writes = _Writes([], [], [])
    for record in chunk:
        text = dump_json(record.fields)
        digest = sha256_hex(text)
        updated = opt_db_time(record.updated_at)
        prior = stored.get((record.source, record.key))
        if prior is None:
            tally.new += 1
            writes.inserts.append((record.source, record.key, updated, text, digest, at, at, at))
            continue
        tally.restored += prior["deleted_at"] is not None
        if prior["content_hash"] == digest:
            tally.unchanged += 1
            writes.touches.append((updated, at, at, record.source, record.key))
        else:
            tally.changed += 1
            keys = dump_json(changed_keys(json.loads(prior["fields"]), record.fields))
            writes.changes.append((updated, text, digest, keys, at, at, record.source, record.key))
    return writes


def _existing(conn: sqlite3.Connection, chunk: Sequence[Record]) -> dict[tuple[str, str], sqlite3.Row]:
    """Return the stored hash, deletion mark and fields of the chunk's records that exist."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for record in chunk:
        by_source[record.source].append(record.key)
    found = {}
    for source, keys in by_source.items():
        for row in conn.execute(_EXISTING, (source, json.dumps(keys))):
            found[(source, row["key"])] = row
    return found


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Return the sorted field names whose values differ (added and removed fields included)."""
    # Compare JSON text, not Python values: 1, 1.0 and True are equal in Python but are different
    # stored values, and the content hash (which decided "changed") sees them as different too.
    return sorted(
        name
        for name in old.keys() | new.keys()
        if name not in old or name not in new or dump_json(old[name]) != dump_json(new[name])
    )


def get_record(db: Database, source: str, key: str) -> StoredRecord | None:
    """Return one stored record."""
    with db.reading() as conn:
        row = conn.execute(_COLS + " WHERE source = ? AND key = ?", (source, key)).fetchone()
    return None if row is None else _stored(row)


def iter_records(db: Database, source: str, include_deleted: bool) -> Iterator[StoredRecord]:
    """Yield a source's records in key order, one page per query."""
    rows = _page(db, _BY_KEY_FIRST, (source, include_deleted, PAGE))
    while rows:
        yield from _stored_page(rows)
        if len(rows) < PAGE:
            return
        rows = _page(db, _BY_KEY_NEXT, (source, rows[-1][_KEY], include_deleted, PAGE))


def changed_since(
    db: Database, source: str, since: datetime, include_deleted: bool
) -> Iterator[StoredRecord]:
    """Yield records with last_changed >= since, oldest change first, one page per query."""
    rows = _page(db, _CHANGED_FIRST, (source, to_db_time(since), include_deleted, PAGE))
    while rows:
        yield from _stored_page(rows)
        if len(rows) < PAGE:
            return
        last = rows[-1]
        rows = _page(db, _CHANGED_NEXT, (source, last[_LAST_CHANGED], last[_KEY], include_deleted, PAGE))


def _page(db: Database, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Fetch one page of _COLS rows completely, so no cursor stays open while the caller works."""
    with db.reading() as conn:
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: a Row per record cost a tenth of reading the mirror
        return cursor.execute(sql, params).fetchall()


def live_keys(db: Database, source: str) -> set[str]:
    """Return the keys of a source's records that are not marked deleted."""
    with db.reading() as conn:
        rows = conn.execute("SELECT key FROM records WHERE source = ? AND deleted_at IS NULL", (source,))
        return {row["key"] for row in rows}


def count(db: Database, source: str, include_deleted: bool) -> int:
    """Return how many records a source has."""
    with db.reading() as conn:
        return int(conn.execute(_COUNT, (source, include_deleted)).fetchone()[0])


def mark_deleted(db: Database, source: str, keys: Iterable[str], at: datetime) -> int:
    """Mark live records deleted and return how many were."""
    rows = [(to_db_time(at), source, key) for key in keys]  # built before the write lock
    with db.writing() as conn:
        return conn.executemany(_DELETE, rows).rowcount


def _stored(row: Sequence[Any]) -> StoredRecord:
    """Build a StoredRecord from a records row (previous fields are decoded when first read)."""
    return _LazyStored.from_row(row, json.loads(row[3]))


def _stored_page(rows: Sequence[Sequence[Any]]) -> list[StoredRecord]:
    """Build a page of StoredRecords, decoding all their fields in one JSON document.

    One decode per page shares each field name's string among the page's records (the decoder
    reuses a name within one document), which keeps a 200,000-ticket mirror a gigabyte smaller in
    memory and quicker to read, and spares a call per record.
    """
    try:
        decoded = json.loads("[" + ",".join(row[3] for row in rows) + "]")
    except ValueError:
        return [_stored(row) for row in rows]  # one bad row: decode one by one, so its error is its own
    if len(decoded) != len(rows):  # not one object per row (syncd writes one; a damaged file may not)
        return [_stored(row) for row in rows]
    return [_LazyStored.from_row(row, fields) for row, fields in zip(rows, decoded, strict=True)]


# The bookkeeping times are shared by every record one poll wrote, and changed-key lists repeat:
# decoding each distinct text once (datetimes and tuples are immutable) saves time and memory.
@lru_cache(maxsize=4096)
def _shared_time(text: str) -> datetime:
    return req_time(text)


@lru_cache(maxsize=4096)
def _shared_keys(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


_PREVIOUS = StoredRecord.__dict__["previous_fields"]  # the parent's slot, shadowed below


class _LazyStored(StoredRecord):
    """A StoredRecord whose previous fields are decoded on first read.

    A rule pass reads the fields of every record but the history of few; the previous fields are
    as large as the fields. Values, equality and hashing are those of StoredRecord.
    """

    __slots__ = ("_previous_text",)

    @property
    def previous_fields(self) -> Mapping[str, Any] | None:  # type: ignore[override]
        """The fields before the last change, decoded on first read."""
        try:
            return _PREVIOUS.__get__(self, StoredRecord)
        except AttributeError:
            value = load_json(self._previous_text)
            _PREVIOUS.__set__(self, value)
            return value

    @previous_fields.setter
    def previous_fields(self, value: Mapping[str, Any] | None) -> None:  # dataclasses.replace sets it
        _PREVIOUS.__set__(self, value)

    @classmethod
    def from_row(cls, row: Sequence[Any], fields: Mapping[str, Any]) -> _LazyStored:
        """A row of _COLS with its decoded fields; the previous fields are decoded when first read."""
        self = object.__new__(cls)
        setter = object.__setattr__
        setter(self, "record", Record(row[0], row[1], from_db_time(row[2]), fields))
        setter(self, "_previous_text", row[4])
        setter(self, "changed_keys", _shared_keys(row[5]))
        setter(self, "first_seen", _shared_time(row[6]))
        setter(self, "last_seen", _shared_time(row[7]))
        setter(self, "last_changed", _shared_time(row[8]))
        setter(self, "deleted_at", None if row[9] is None else _shared_time(row[9]))
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredRecord):
            return NotImplemented
        return _values(self) == _values(other)

    __hash__ = StoredRecord.__hash__


def _values(stored: StoredRecord) -> tuple[Any, ...]:
    return (stored.record, stored.previous_fields, stored.changed_keys, stored.first_seen, stored.last_seen,
            stored.last_changed, stored.deleted_at)
