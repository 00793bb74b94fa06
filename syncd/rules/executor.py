"""Doing: apply a Plan through the idempotency ledger (intent before the write, outcome after).

Order per write, as Alertmanager's dedup -> notify -> log: `ledger_intend` (returns the existing
entry when the key is known), skip when that entry is done, call the writer with the key (the
writer first looks for its own marker, so a write that reached the vendor before a crash is
found instead of repeated), then `ledger_finish`. Entries a crash left `intended` are replayed
from their stored intent on the next apply. A failing write is recorded and the pass goes on.

`dry_run` (shadow mode) calls no writer and leaves the ledger alone; findings and the `for:`
clock are still recorded, because they are syncd's own report, not writes to a vendor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

import structlog

from syncd.rules.engine import Plan, PlannedAction
from syncd.state import Finding, LedgerEntry, LedgerStatus

log = structlog.get_logger(__name__)

OutcomeStatus = Literal["done", "already_done", "failed", "would_do", "recovered"]


class ApplyState(Protocol):
    """The state store methods apply uses."""

    def ledger_intend(self, key: str, *, rule_id: str, action: str, source: str, record_key: str,
                      intent: Mapping[str, Any]) -> LedgerEntry:
        """Record the intent to write, or return the existing entry."""
        ...

    def ledger_finish(self, key: str, status: LedgerStatus, *, external_id: str | None = None,
                      detail: str | None = None) -> LedgerEntry:
        """Record the outcome of an intended write."""
        ...

    def ledger_pending(self) -> list[LedgerEntry]:
        """Entries intended but never finished."""
        ...

    def upsert_finding(self, *, rule_id: str, subject: str, severity: str, summary: str, at: datetime,
                       labels: Mapping[str, str] | None = None,
                       annotations: Mapping[str, str] | None = None) -> Finding:
        """Open or refresh a finding."""
        ...

    def resolve_findings_not_in(self, rule_id: str, fingerprints: Any, at: datetime) -> int:
        """Resolve the rule's open findings not raised again."""
        ...

    def set_rule_pending(self, rule_id: str, since: Mapping[str, datetime]) -> None:
        """Replace the rule's `for:` clock rows."""
        ...


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What became of one planned (or recovered) write."""

    key: str
    rule_id: str
    subject: str
    method: str
    status: OutcomeStatus
    detail: str = ""
    external_id: str | None = None


@dataclass(frozen=True)
class ApplyReport:
    """What an apply did (or, in dry run, would do)."""

    dry_run: bool
    outcomes: tuple[ActionOutcome, ...]
    findings_raised: int
    findings_resolved: int

    def count(self, status: OutcomeStatus) -> int:
        """How many writes ended with `status`."""
        return sum(1 for o in self.outcomes if o.status == status)

    def lines(self) -> list[str]:
        """One line per write, for the CLI and logs."""
        return [f"{o.status:12} {o.key}  {o.detail}".rstrip() for o in self.outcomes]


def apply(plan: Plan, *, state: ApplyState, writers: Mapping[str, Any], dry_run: bool, now: datetime,
          should_stop: Callable[[], bool] = lambda: False) -> ApplyReport:
    """Execute the plan's writes through the ledger, record its findings and its `for:` clocks.

    `should_stop` (e.g. the job context's stop event) is checked between writes, never inside one;
    writes not reached are simply planned again by the next pass.
    """
    outcomes: list[ActionOutcome] = []
    if dry_run:
        outcomes = [ActionOutcome(a.key, a.rule_id, a.subject, a.method, "would_do", a.summary) for a in plan.actions]
    else:
        planned = {a.key for a in plan.actions}
        outcomes.extend(recover_pending(state, writers, skip=planned))
        for done, action in enumerate(plan.actions):
            if should_stop():
                log.info("apply_stopped", remaining=len(plan.actions) - done)
                break
            outcomes.append(_perform(action, state, writers))
    raised, resolved = record_findings(plan, state, now)
    for rule_id, since in plan.pending.items():
        state.set_rule_pending(rule_id, since)
    return ApplyReport(dry_run, tuple(outcomes), raised, resolved)


def _perform(action: PlannedAction, state: ApplyState, writers: Mapping[str, Any]) -> ActionOutcome:
    """Intend, write unless already done, finish."""
    entry = state.ledger_intend(action.key, rule_id=action.rule_id, action=action.action, source=action.source,
                                record_key=action.record_key, intent=action.intent())
    if entry.status == "done":
        return ActionOutcome(action.key, action.rule_id, action.subject, action.method, "already_done",
                             "the ledger has this write as done", entry.external_id)
    status, external_id, detail = call_writer(writers, action.writer, action.method, action.args, action.key)
    state.ledger_finish(action.key, status, external_id=external_id, detail=detail)
    return ActionOutcome(action.key, action.rule_id, action.subject, action.method,
                         "done" if status == "done" else "failed", detail, external_id)


def recover_pending(state: ApplyState, writers: Mapping[str, Any], *, skip: set[str]) -> list[ActionOutcome]:
    """Replay writes a crash left `intended` (the writer's marker check finds those that did happen)."""
    outcomes = []
    for entry in state.ledger_pending():
        if entry.key in skip:
            continue  # planned again in this pass: _perform handles it once
        intent = entry.intent
        status, external_id, detail = call_writer(writers, str(intent.get("writer")), str(intent.get("method")),
                                                  intent.get("args") or {}, entry.key)
        state.ledger_finish(entry.key, status, external_id=external_id, detail=detail)
        log.info("ledger_entry_recovered", key=entry.key, status=status)
        outcomes.append(ActionOutcome(entry.key, entry.rule_id, f"{entry.source}:{entry.record_key}",
                                      str(intent.get("method")), "recovered" if status == "done" else "failed",
                                      detail, external_id))
    return outcomes


def call_writer(writers: Mapping[str, Any], kind: str, method: str, args: Mapping[str, Any],
                key: str) -> tuple[LedgerStatus, str | None, str]:
    """Call `writers[kind].method(**args, key=key)`; every failure becomes a `failed` outcome, never a crash."""
    writer = writers.get(kind)
    if writer is None:
        return "failed", None, f"no writer for {kind!r} (connector not configured or read-only)"
    fn = getattr(writer, method, None)
    if not callable(fn):
        return "failed", None, f"writer does not support {method}"
    try:
        result = fn(**args, key=key)
    except Exception as exc:  # one failing write must not stop the others; the ledger keeps the reason
        log.warning("action_failed", key=key, method=method, error=f"{type(exc).__name__}: {exc}")
        return "failed", None, f"{type(exc).__name__}: {exc}"
    log.info("action_performed", key=key, method=method, created=result.created)
    return "done", result.external_id, "created" if result.created else "found an earlier write (marker)"


def record_findings(plan: Plan, state: ApplyState, now: datetime) -> tuple[int, int]:
    """Upsert the plan's findings and resolve each evaluated rule's findings it no longer raises."""
    by_rule: dict[str, list[str]] = defaultdict(list)
    for finding in plan.findings:
        state.upsert_finding(rule_id=finding.rule_id, subject=finding.subject, severity=finding.severity,
                             summary=finding.summary, at=now, labels=finding.labels,
                             annotations=finding.annotations)
        by_rule[finding.rule_id].append(finding.fingerprint)
    resolved = sum(state.resolve_findings_not_in(rule_id, by_rule.get(rule_id, []), now) for rule_id in plan.rule_ids)
    return len(plan.findings), resolved
