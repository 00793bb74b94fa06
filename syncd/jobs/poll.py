"""Poll one stream into the mirror; the bookmark moves only after a complete read.

The bookmark rules (after Singer's signpost): the new bookmark is the newest `updated_at`
seen, never later than the instant the read started (a record changed during the read is
re-read next time), and it is written only when `fetch` was read to its end. Upserts are
idempotent, so the overlap re-read at the start of each poll is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from syncd.clock import from_iso, to_iso
from syncd.connectors.base import Stream
from syncd.jobs.context import JobContext
from syncd.records import Record

log = structlog.get_logger(__name__)

BATCH = 500


class PollStopped(Exception):
    """The daemon is stopping; the read was abandoned and the bookmark left as it was."""


@dataclass(frozen=True)
class PollResult:
    """What one poll did."""

    source: str
    records: int
    new: int
    changed: int
    bookmark: str | None


def poll_stream(ctx: JobContext, stream: Stream) -> PollResult:
    """Read a stream since its bookmark (minus overlap) into the mirror; move the bookmark on success."""
    started = ctx.clock.now()
    since = _since(ctx, stream)
    newest: datetime | None = None
    batch: list[Record] = []
    totals = [0, 0, 0]  # records, new, changed
    for record in stream.fetch(since):
        if ctx.stop.is_set():
            raise PollStopped(stream.source)  # between records: nothing is half-written
        batch.append(record)
        # A stream may also yield related records (a ticket's notes); only its own move the bookmark.
        if record.source == stream.source and record.updated_at is not None and (
                newest is None or record.updated_at > newest):
            newest = record.updated_at
        if len(batch) >= BATCH:
            _flush(ctx, batch, totals)
    _flush(ctx, batch, totals)
    # Reached only when fetch was read to its end: an exception above keeps the old bookmark.
    bookmark = _advance(ctx, stream, newest, started)
    return PollResult(stream.source, totals[0], totals[1], totals[2], bookmark)


def _since(ctx: JobContext, stream: Stream) -> datetime | None:
    if not stream.incremental:
        return None
    mark = ctx.state.get_bookmark(stream.source)
    if mark is None or mark.value is None:
        return None
    return from_iso(mark.value) - stream.overlap


def _flush(ctx: JobContext, batch: list[Record], totals: list[int]) -> None:
    if not batch:
        return
    stats = ctx.state.upsert_records(batch)
    totals[0] += len(batch)
    totals[1] += stats.new
    totals[2] += stats.changed
    batch.clear()


def _advance(ctx: JobContext, stream: Stream, newest: datetime | None, started: datetime) -> str | None:
    current = ctx.state.get_bookmark(stream.source)
    if not stream.incremental or newest is None:
        return current.value if current else None
    value = to_iso(min(newest, started))
    if current is not None and current.value is not None and from_iso(current.value) > from_iso(value):
        return current.value  # never move a bookmark backwards
    ctx.state.set_bookmark(stream.source, value, read_started_at=started)
    return value


def reconcile_stream(ctx: JobContext, stream: Stream) -> int:
    """Mark mirror records deleted when the vendor no longer lists their ids; return how many.

    Runs at most once per `reconcile_interval` (a `syncd once` from cron would otherwise list
    every id on every run); the daemon's schedule already keeps that pace.
    """
    if stream.list_keys is None:
        return 0
    last = ctx.state.last_success(f"reconcile:{stream.source}")
    if last is not None and last.finished_at is not None and \
            ctx.clock.now() - last.finished_at < stream.reconcile_interval * 0.9:
        return 0
    vendor_keys = set(stream.list_keys())  # read completely before touching the mirror
    gone = ctx.state.live_keys(stream.source) - vendor_keys
    if gone:
        ctx.state.mark_deleted(stream.source, sorted(gone), ctx.clock.now())
        log.info("records_deleted", source=stream.source, count=len(gone))
    return len(gone)
