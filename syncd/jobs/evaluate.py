"""The rule pass: resolve identities over the mirror, plan every rule, apply through the ledger."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from syncd.identity import resolve_from_store
from syncd.jobs.context import JobContext
from syncd.rules import MirrorView, apply, plan
from syncd.rules.context import TaskTarget, keep_out_of_gc
from syncd.rules.engine import Plan
from syncd.rules.executor import ApplyReport
from syncd.rules.fields import known_entities
from syncd.settings import Settings
from syncd.sla.adapter import EventPauses, MirrorSla, status_classifier

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class EvaluateResult:
    """What one rule pass did."""

    rules: int
    planned_writes: int
    performed: int
    already_done: int
    failed: int
    findings_raised: int
    findings_resolved: int
    capped: int
    dry_run: bool
    # rule -> outcome (done, recovered, already_done, failed, would_do, capped, repeat_suppressed) -> count
    by_rule: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


def mirror_sources(settings: Settings) -> list[str]:
    """Every `<kind>.<entity>` source the configured connectors can have mirrored."""
    return [f"{kind}.{entity}" for kind in settings.connectors() for entity in known_entities()]


def task_target(settings: Settings) -> TaskTarget:
    """Where open_task goes: the docs tool when configured (and allowed), else a ticket on the PSA's KB board."""
    connectors = settings.connectors()
    docs = settings.identity.docs if settings.identity.docs in connectors else None
    psa = connectors.get(settings.identity.psa)
    board = getattr(psa, "kb_board", None)
    if settings.rules.tasks_in == "psa" or docs is None:
        return TaskTarget(docs_kind=None, board=board)
    return TaskTarget(docs_kind=docs, board=board)


class PassReads:
    """The state store as one pass reads it: each source's live records are read from the mirror once.

    Identity resolution and the rules' view read the same sources (tickets, notes, devices, ...);
    sharing the decoded records halves the pass's reading. Everything else goes to the store.
    """

    def __init__(self, state: Any) -> None:
        self._state = state
        self._live: dict[str, list[Any]] = {}
        self._got: dict[tuple[str, str], Any] = {}

    def iter_records(self, source: str, *, include_deleted: bool = False) -> Iterator[Any]:
        """The source's records; live ones from this pass's single read."""
        if include_deleted:
            return self._state.iter_records(source, include_deleted=True)
        if source not in self._live:
            self._live[source] = list(self._state.iter_records(source))
            keep_out_of_gc()  # kept for the whole pass: spare the collector re-scanning them (plan unfreezes)
        return iter(self._live[source])

    def get_record(self, source: str, key: str) -> Any:
        """One stored record (deleted ones too), read once per pass."""
        if (source, key) not in self._got:
            self._got[(source, key)] = self._state.get_record(source, key)
        return self._got[(source, key)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._state, name)


def build_view(ctx: JobContext, *, persist_links: bool = True) -> MirrorView:
    """The read-only view one pass plans over: mirror, identity links and SLA clocks at the pass's now."""
    settings = ctx.settings
    now = ctx.clock.now()
    reads = PassReads(ctx.state)
    # `syncd plan` passes persist_links=False: planning writes nothing, not even identity links.
    identity = resolve_from_store(reads, settings.identity, now=ctx.clock.now, persist=persist_links)
    view = MirrorView.from_state(reads, mirror_sources(settings), identity=identity,
                                 tasks=task_target(settings))
    # Pauses come from each ticket's status history; the PSA's boards say which status is which class.
    class_of = status_classifier(reads.iter_records(f"{settings.identity.psa}.boards"))
    pauses = EventPauses(lambda: view.records("ticket_events"), settings.sla.pause_on, class_of)
    view.sla = MirrorSla(settings.sla, now=now, tier_of=lambda ticket: _tier(reads, ticket), pauses_of=pauses)
    return view


def _tier(reads: PassReads, ticket: Any) -> str | None:
    company_id = ticket.fields.get("company_id")
    if not company_id:
        return None
    company = reads.get_record(f"{ticket.record.kind}.companies", str(company_id))
    return None if company is None else company.fields.get("tier")


def evaluate_rules(ctx: JobContext) -> EvaluateResult:
    """Plan every loaded rule over the mirror and apply the plan (dry run writes nothing to vendors)."""
    now = ctx.clock.now()
    try:
        the_plan = plan(ctx.rules, build_view(ctx), now=now, state=ctx.state)
    finally:
        gc.unfreeze()  # also when identity or loading failed before plan could (see keep_out_of_gc)
    writers = {kind: writer for kind, connector in ctx.connectors.items()
               if not ctx.is_disabled(kind) and (writer := connector.writer()) is not None}
    dry_run = ctx.settings.daemon.dry_run
    report = apply(the_plan, state=ctx.state, writers=writers, dry_run=dry_run, now=now,
                   should_stop=ctx.stop.is_set)
    for capped in the_plan.capped:
        log.error("rule_blast_radius_exceeded", rule=capped.rule_id, due=capped.due, limit=capped.limit)
    return EvaluateResult(
        rules=len(ctx.rules), planned_writes=len(the_plan.actions),
        performed=report.count("done") + report.count("recovered"), already_done=report.count("already_done"),
        failed=report.count("failed"), findings_raised=report.findings_raised,
        findings_resolved=report.findings_resolved, capped=len(the_plan.capped), dry_run=dry_run,
        by_rule=outcomes_by_rule(the_plan, report),
    )


def outcomes_by_rule(the_plan: Plan, report: ApplyReport) -> dict[str, dict[str, int]]:
    """How many writes each rule performed, skipped or failed in this pass (for metrics and run stats)."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in report.outcomes:
        per_rule = counts.setdefault(outcome.rule_id, {})
        per_rule[outcome.status] = per_rule.get(outcome.status, 0) + 1
    for capped in the_plan.capped:
        counts.setdefault(capped.rule_id, {})["capped"] = capped.due
    for rule_id, stats in the_plan.stats.items():
        if stats.repeat_suppressed:
            counts.setdefault(rule_id, {})["repeat_suppressed"] = stats.repeat_suppressed
    return counts


def send_digests(ctx: JobContext) -> Any:
    """One digest pass: route, group, dedup and deliver what is due."""
    from syncd.digests.pipeline import build_pipeline

    pipeline = build_pipeline(ctx.settings.digests, ctx.state, ctx.clock, http=ctx.settings.http)
    report = pipeline.run_pass()
    for error in report.errors:
        log.warning("digest_delivery_failed", error=error)
    return report
