"""Job specs built from settings at startup (never pickled), and the wrapper every job runs in.

Job ids: `poll:<source>` (e.g. `poll:connectwise.tickets`), `reconcile:<source>`, `evaluate`
(identity + rules), `digest`. `syncd once` runs them in that order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum
from time import monotonic
from typing import Any

import structlog

from syncd.errors import ApiError, AuthError, TransportError
from syncd.jobs.context import JobContext
from syncd.jobs.poll import PollStopped, poll_stream, reconcile_stream

log = structlog.get_logger(__name__)


class Outcome(IntEnum):
    """How a job run ended; the values double as `syncd once` exit codes."""

    OK = 0
    FAILED = 1
    UNREACHABLE = 3
    AUTH_REJECTED = 4


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: an id, what it runs, how often, and which connector it belongs to."""

    id: str
    run: Callable[[JobContext], Any]
    interval: timedelta
    connector: str | None = None


def build_jobs(ctx: JobContext) -> list[JobSpec]:
    """Every job the configured connectors need, polls first."""
    specs: list[JobSpec] = []
    for kind, connector in ctx.connectors.items():
        for stream in connector.streams():
            specs.append(JobSpec(f"poll:{stream.source}", _bind(poll_stream, stream), stream.poll_interval, kind))
    for kind, connector in ctx.connectors.items():
        for stream in connector.streams():
            if stream.list_keys is not None:
                specs.append(JobSpec(f"reconcile:{stream.source}", _bind(reconcile_stream, stream),
                                     stream.reconcile_interval, kind))
    if specs:  # with no connector there is nothing to evaluate or report
        from syncd.jobs.evaluate import evaluate_rules, send_digests
        from syncd.jobs.synchealth import sync_health_job

        specs.append(JobSpec("sync-health", sync_health_job, ctx.settings.rules.every))
        specs.append(JobSpec("evaluate", evaluate_rules, ctx.settings.rules.every))
        if ctx.settings.digests.enabled:
            specs.append(JobSpec("digest", send_digests, ctx.settings.digests.every))
    return specs


def _bind(fn: Callable[..., Any], stream: Any) -> Callable[[JobContext], Any]:
    return lambda ctx: fn(ctx, stream)


def run_job(ctx: JobContext, spec: JobSpec) -> Outcome:
    """Run one job with its context bound, recorded in run history; never raises."""
    if spec.connector and ctx.is_disabled(spec.connector):
        return Outcome.AUTH_REJECTED
    run_id = uuid.uuid4().hex[:12]
    with structlog.contextvars.bound_contextvars(job=spec.id, run_id=run_id):
        started = monotonic()
        history_id = ctx.state.start_run(spec.id)
        outcome, error, result = _attempt(ctx, spec)
        status = {Outcome.OK: "ok"}.get(outcome, "failed") if error != "stopped" else "interrupted"
        stats = _stats(result)
        ctx.state.finish_run(history_id, status, error=error, stats=stats)
        log.info("job_finished", status=status, duration_s=round(monotonic() - started, 3), **stats)
        return outcome


def _attempt(ctx: JobContext, spec: JobSpec) -> tuple[Outcome, str | None, Any]:
    try:
        return Outcome.OK, None, spec.run(ctx)
    except PollStopped:
        return Outcome.OK, "stopped", None
    except AuthError as exc:
        if spec.connector and ctx.disable(spec.connector, str(exc)):
            log.error("connector_auth_rejected", connector=spec.connector, error=str(exc))
        return Outcome.AUTH_REJECTED, str(exc), None
    except TransportError as exc:
        log.warning("job_failed", error=str(exc))
        return Outcome.UNREACHABLE, str(exc), None
    except ApiError as exc:
        log.warning("job_failed", error=str(exc))
        return Outcome.FAILED, str(exc), None
    except Exception as exc:  # a bug must not kill the daemon; it is logged with its traceback
        log.exception("job_crashed", error=str(exc))
        return Outcome.FAILED, f"{type(exc).__name__}: {exc}", None


def _stats(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if hasattr(result, "__dataclass_fields__"):
        return {k: getattr(result, k) for k in result.__dataclass_fields__ if k != "source"}
    return {"result": result} if isinstance(result, int | str) else {}
