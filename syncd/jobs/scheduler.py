"""The daemon's scheduler: APScheduler 3, jobs rebuilt from settings, graceful stop on signals."""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import UTC, datetime, timedelta
from types import FrameType

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from syncd.jobs import JobSpec, run_job
from syncd.jobs.context import JobContext

log = structlog.get_logger(__name__)


def build_scheduler(ctx: JobContext, specs: list[JobSpec], *, workers: int = 4) -> BlockingScheduler:
    """A scheduler with one interval job per spec; nothing is persisted (memory job store)."""
    sched_cfg = ctx.settings.scheduler
    scheduler = BlockingScheduler(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        job_defaults={
            "coalesce": True,          # a backlog of missed runs becomes one run
            "max_instances": 1,        # a slow poll never overlaps itself
            "misfire_grace_time": int(sched_cfg.misfire_grace.total_seconds()),
        },
    )
    rng = random.Random()
    now = datetime.now(UTC)
    stagger = min(sched_cfg.jitter.total_seconds(), 15.0)
    for spec in specs:
        # Stagger first runs so a restart does not fire every poll at the same instant.
        first = now + timedelta(seconds=rng.uniform(0, min(stagger, spec.interval.total_seconds())))
        scheduler.add_job(
            run_job, "interval", args=(ctx, spec), id=spec.id, name=spec.id,
            seconds=max(1, int(spec.interval.total_seconds())),
            jitter=int(sched_cfg.jitter.total_seconds()) or None, next_run_time=first,
        )
    return scheduler


def run_forever(ctx: JobContext, specs: list[JobSpec]) -> int:
    """Run the scheduler until SIGTERM/SIGINT; let the write in progress finish; return 0."""
    scheduler = build_scheduler(ctx, specs)

    def stop(signum: int, _frame: FrameType | None) -> None:
        if ctx.stop.is_set():
            return
        log.info("daemon_stopping", signal=signal.Signals(signum).name)
        ctx.stop.set()  # jobs check this between writes
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("daemon_started", jobs=[s.id for s in specs], dry_run=ctx.settings.daemon.dry_run)
    scheduler.start()
    # start() returns after shutdown(wait=False); now let running jobs reach a safe point.
    if not _join_workers(scheduler, ctx.settings.scheduler.shutdown_grace.total_seconds()):
        log.error("daemon_stop_timeout", grace_s=ctx.settings.scheduler.shutdown_grace.total_seconds())
        os._exit(1)  # a job ignored the stop request; worker threads would block interpreter exit
    log.info("daemon_stopped")
    return 0


def _join_workers(scheduler: BlockingScheduler, grace_s: float) -> bool:
    """Wait up to grace_s for the executor's threads; APScheduler 3 has no public join."""
    pool = scheduler._executors["default"]._pool
    deadline = time.monotonic() + grace_s
    for thread in list(getattr(pool, "_threads", ())):
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            return False
    return True
