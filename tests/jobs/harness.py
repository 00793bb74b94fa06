"""A subprocess harness: polls a slow stream into a state file, so tests can kill it mid-read.

Usage: python -m tests.jobs.harness STATE_FILE MARKER_FILE MODE
MODE "poll" runs one poll and exits; MODE "daemon" runs the scheduler until SIGTERM.
The stream yields 10 records, touching MARKER_FILE after the fifth, then slows down.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syncd.clock import SystemClock
from syncd.connectors.base import Stream
from syncd.jobs import JobSpec, run_job
from syncd.jobs.context import JobContext
from syncd.jobs.poll import poll_stream
from syncd.jobs.scheduler import run_forever
from syncd.logging import configure_logging
from syncd.records import Record
from syncd.settings import Settings
from syncd.state import SqliteStateStore

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def slow_fetch(marker: Path, delay_s: float) -> Iterator[Record]:
    """Ten records, one minute apart; after the fifth the marker appears and each takes delay_s."""
    for i in range(10):
        if i == 5:
            marker.touch()
        if i >= 5:
            time.sleep(delay_s)
        yield Record("fake.items", str(i), T0 + timedelta(minutes=i), {"n": i})


def main() -> int:
    state_path, marker, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    configure_logging("json", "info")
    settings = Settings(scheduler={"jitter": 0, "shutdown_grace": "20s"})
    state = SqliteStateStore(state_path)
    ctx = JobContext(settings=settings, state=state, clock=SystemClock())
    delay = 30.0 if mode == "poll" else 0.3
    stream = Stream("fake.items", lambda since: slow_fetch(marker, delay), timedelta(seconds=3600))
    if mode == "poll":
        poll_stream(ctx, stream)
        return 0
    spec = JobSpec("poll:fake.items", lambda c: poll_stream(c, stream), timedelta(hours=1), "fake")
    return run_forever(ctx, [spec]) if mode == "daemon" else run_job(ctx, spec)


if __name__ == "__main__":
    sys.exit(main())
