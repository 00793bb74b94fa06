"""poll_stream: the bookmark moves only after a complete read, never past the read's start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syncd.clock import FixedClock
from syncd.connectors.base import Stream
from syncd.errors import RetryableApiError
from syncd.jobs.context import JobContext
from syncd.jobs.poll import poll_stream, reconcile_stream
from syncd.records import Record
from syncd.settings import Settings
from syncd.state import SqliteStateStore
from tests.conftest import REPO

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def rec(key: str, minutes_ago: float, **fields: object) -> Record:
    return Record("fake.items", key, NOW - timedelta(minutes=minutes_ago), fields or {"v": key})


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[JobContext]:
    state = SqliteStateStore(tmp_path / "state.db")
    yield JobContext(settings=Settings(), state=state, clock=FixedClock(NOW))
    state.close()


def stream_of(batches: list[list[Record]], seen: list[datetime | None] | None = None,
              fail_after: int | None = None) -> Stream:
    calls = iter(batches)

    def fetch(since: datetime | None) -> Iterator[Record]:
        if seen is not None:
            seen.append(since)
        for i, record in enumerate(next(calls)):
            if fail_after is not None and i == fail_after:
                raise RetryableApiError("fake", status=503, method="GET", url="http://fake/items")
            yield record

    return Stream("fake.items", fetch, timedelta(minutes=5), overlap=timedelta(minutes=2))


def test_first_poll_reads_everything_and_sets_bookmark(ctx: JobContext) -> None:
    seen: list[datetime | None] = []
    result = poll_stream(ctx, stream_of([[rec("1", 30), rec("2", 10)]], seen))
    assert seen == [None]
    assert (result.records, result.new) == (2, 2)
    assert ctx.state.get_bookmark("fake.items").value == "2026-11-17T14:50:00Z"


def test_next_poll_asks_since_bookmark_minus_overlap(ctx: JobContext) -> None:
    seen: list[datetime | None] = []
    stream = stream_of([[rec("1", 10)], [rec("1", 10), rec("3", 1)]], seen)
    poll_stream(ctx, stream)
    result = poll_stream(ctx, stream)
    assert seen[1] == NOW - timedelta(minutes=12)
    assert (result.records, result.new, result.changed) == (2, 1, 0)


def test_bookmark_never_passes_the_read_start(ctx: JobContext) -> None:
    # A vendor clock ahead of ours must not push the bookmark into our future.
    poll_stream(ctx, stream_of([[rec("1", -60)]]))
    assert ctx.state.get_bookmark("fake.items").value == "2026-11-17T15:00:00Z"


def test_failed_read_keeps_the_old_bookmark(ctx: JobContext) -> None:
    stream = stream_of([[rec("1", 30)], [rec("2", 5), rec("3", 1)]], fail_after=1)
    poll_stream(ctx, stream)
    with pytest.raises(RetryableApiError):
        poll_stream(ctx, stream)
    assert ctx.state.get_bookmark("fake.items").value == "2026-11-17T14:30:00Z"


def test_reconcile_marks_records_the_vendor_no_longer_lists(ctx: JobContext) -> None:
    poll_stream(ctx, stream_of([[rec("1", 3), rec("2", 2), rec("3", 1)]]))
    stream = Stream("fake.items", lambda since: iter(()), timedelta(minutes=5), list_keys=lambda: ["1", "3"])
    assert reconcile_stream(ctx, stream) == 1
    assert ctx.state.live_keys("fake.items") == {"1", "3"}


@pytest.mark.slow
def test_killing_the_process_mid_read_leaves_the_old_bookmark(tmp_path: Path) -> None:
    # Arrange: a complete first poll sets a bookmark
    state_path, marker = tmp_path / "state.db", tmp_path / "reading"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    store = SqliteStateStore(state_path)
    store.set_bookmark("fake.items", "2026-10-01T00:00:00Z", read_started_at=NOW)
    store.close()
    # Act: the second poll is killed with SIGKILL half way through the stream
    proc = subprocess.Popen([sys.executable, "-m", "tests.jobs.harness", str(state_path), str(marker), "poll"],
                            env=env, cwd=REPO)
    try:
        _wait_for(marker, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    # Assert
    store = SqliteStateStore(state_path)
    try:
        assert store.get_bookmark("fake.items").value == "2026-10-01T00:00:00Z"
    finally:
        store.close()


@pytest.mark.slow
def test_sigterm_lets_the_running_job_finish_and_exits_zero(tmp_path: Path) -> None:
    state_path, marker = tmp_path / "state.db", tmp_path / "reading"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.jobs.harness", str(state_path), str(marker), "daemon"],
                            env=env, cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(marker, proc)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        logs = proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
    assert code == 0, logs
    assert "daemon_stopping" in logs
    assert "daemon_stopped" in logs
    store = SqliteStateStore(state_path)
    try:
        [run] = store.last_runs("poll:fake.items", 5)
        assert run.status == "interrupted"  # stopped between writes, not killed mid-write
        assert store.get_bookmark("fake.items") is None
    finally:
        store.close()


def _wait_for(marker: Path, proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "harness exited early"
        assert time.monotonic() < deadline, "harness never reached the middle of the stream"
        time.sleep(0.05)
