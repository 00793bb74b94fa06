"""Deciding: `plan(rules, view, now=, state=)` evaluates every rule on every record and returns a Plan.

Planning is pure apart from two reads of the state store: when an action last succeeded on a
record (`repeat_interval`) and since when a record has matched (`for:`). It writes nothing and
calls no vendor; `apply` (syncd.rules.executor) does the writing.
"""

from __future__ import annotations

import gc
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from syncd.clock import to_iso
from syncd.collector import collector_paused
from syncd.durations import format_duration
from syncd.rules.actions import ActionEnv, Draft, FindingDraft, NotPlanned, draft
from syncd.rules.conditions import Check, compile_node, evaluate
from syncd.rules.context import FactContext, MirrorView, Subject, subject_ref
from syncd.rules.loader import LoadedRule
from syncd.rules.narrowing import narrowed
from syncd.state import finding_fingerprint


class PlanState(Protocol):
    """The reads planning makes (a StateStore plus the `for:` table's reader)."""

    def ledger_last_done(self, rule_id: str, action: str, source: str, record_key: str) -> datetime | None:
        """When this action last succeeded on this record."""
        ...

    def rule_pending(self, rule_id: str) -> Mapping[str, datetime]:
        """Since when each subject ("source:key") has matched the rule without a break."""
        ...


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One write the plan wants, with its idempotency (ledger) key."""

    key: str
    rule_id: str
    action: str
    source: str
    record_key: str
    writer: str
    method: str
    args: Mapping[str, Any]
    summary: str

    @property
    def subject(self) -> str:
        """The record written about, "connectwise.tickets:4711"."""
        return f"{self.source}:{self.record_key}"

    def intent(self) -> dict[str, Any]:
        """What the ledger keeps: enough to replay the write after a crash."""
        return {"writer": self.writer, "method": self.method, "args": dict(self.args), "summary": self.summary}


@dataclass(frozen=True, slots=True)
class PlannedFinding:
    """One finding the plan raises."""

    rule_id: str
    subject: str
    severity: str
    summary: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The finding's stable id in the state store."""
        return finding_fingerprint(self.rule_id, self.subject)


@dataclass(frozen=True, slots=True)
class CappedRule:
    """A rule that wanted to touch more records than its max_actions_per_run, and so touched none."""

    rule_id: str
    due: int
    limit: int


@dataclass(frozen=True, slots=True)
class RuleStats:
    """Counts of one rule's pass."""

    considered: int = 0   # records that passed `where`
    matched: int = 0      # ... and `when`
    held: int = 0         # matched, but not yet for `for:`
    due: int = 0          # records with at least one write due
    repeat_suppressed: int = 0


@dataclass(frozen=True)
class Plan:
    """What a rule pass wants written and flagged; `pending` is the new `for:` state per rule."""

    now: datetime
    actions: tuple[PlannedAction, ...] = ()
    findings: tuple[PlannedFinding, ...] = ()
    capped: tuple[CappedRule, ...] = ()
    stats: Mapping[str, RuleStats] = field(default_factory=dict)
    pending: Mapping[str, Mapping[str, datetime]] = field(default_factory=dict)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule evaluated in this pass (their findings not raised again get resolved)."""
        return tuple(self.stats)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, for `syncd plan --json`."""
        return {
            "now": to_iso(self.now),
            "actions": [{"key": a.key, "rule": a.rule_id, "action": a.action, "subject": a.subject,
                         "writer": a.writer, "method": a.method, "args": dict(a.args), "summary": a.summary}
                        for a in self.actions],
            "findings": [{"rule": f.rule_id, "subject": f.subject, "severity": f.severity, "summary": f.summary,
                          "labels": dict(f.labels), "annotations": dict(f.annotations)} for f in self.findings],
            "capped": [{"rule": c.rule_id, "due": c.due, "limit": c.limit} for c in self.capped],
            "stats": {rid: vars_of(s) for rid, s in self.stats.items()},
        }


def vars_of(stats: RuleStats) -> dict[str, int]:
    """RuleStats as a dict."""
    return {name: getattr(stats, name) for name in RuleStats.__slots__}


def ledger_key(rule_id: str, action: str, source: str, record_key: str, *,
               discriminator: str | None = None, after: datetime | None = None) -> str:
    """`rule_id/action/source/record_key[/discriminator][/after-TIME]`.

    `after` is when the same action last succeeded on the record: a repeat after
    `repeat_interval` needs a new key, while a retry of an unfinished write (whose `after` has
    not moved) gets the very same key, so the ledger and the writer's marker recognise it.
    """
    parts = [rule_id, action, source, record_key]
    if discriminator:
        parts.append(discriminator)
    if after is not None:
        parts.append("after-" + after.strftime("%Y%m%dT%H%M%S.%fZ"))
    return "/".join(parts)


@dataclass
class _RuleOutcome:
    actions: list[PlannedAction] = field(default_factory=list)
    findings: list[PlannedFinding] = field(default_factory=list)
    pending: dict[str, datetime] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RuleStats.__slots__, 0))


def plan(rules: Sequence[LoadedRule], view: MirrorView, *, now: datetime, state: PlanState) -> Plan:
    """Evaluate every rule on every record of its entity; return the writes and findings wanted now."""
    try:
        with collector_paused():  # the pass builds millions of index entries and facts, all freed at its end
            return _plan(rules, view, now=now, state=state)
    finally:
        gc.unfreeze()  # what reading the mirror froze (keep_out_of_gc) is collected normally again


def _plan(rules: Sequence[LoadedRule], view: MirrorView, *, now: datetime, state: PlanState) -> Plan:
    ctx = FactContext(now=now, view=view)
    actions, findings, capped = [], [], []
    stats, pending = {}, {}
    shared: dict[Hashable, list[Subject]] = {}
    for rule in rules:
        outcome = _plan_rule(rule, view, ctx, state, shared)
        due = outcome.counts["due"]
        if due > rule.spec.max_actions_per_run:
            capped.append(CappedRule(rule.id, due, rule.spec.max_actions_per_run))
            findings.append(_cap_finding(rule, due))
        else:
            actions.extend(outcome.actions)
        findings.extend(outcome.findings)
        stats[rule.id] = RuleStats(**outcome.counts)
        pending[rule.id] = outcome.pending
    return Plan(now, tuple(actions), tuple(findings), tuple(capped), stats, pending)


def _plan_rule(rule: LoadedRule, view: MirrorView, ctx: FactContext, state: PlanState,
               shared: dict[Hashable, list[Subject]]) -> _RuleOutcome:
    """One rule over its records."""
    out = _RuleOutcome()
    if not rule.spec.enabled:
        return out
    prior = state.rule_pending(rule.id) if rule.spec.hold_for else {}
    subjects = considered_subjects(rule, view, ctx, shared)
    when = compile_node(rule.when, ctx.now)
    matched = 0
    for subject in subjects:
        if not when(subject, ctx):
            continue
        matched += 1
        since = hold_since(rule, subject, ctx.now, prior)
        if rule.spec.hold_for:
            out.pending[subject_ref(subject)] = since
        if ctx.now - since < rule.spec.hold_for:
            out.counts["held"] += 1
            continue
        _plan_actions(rule, subject, ctx, state, out)
    out.counts["considered"] += len(subjects)
    out.counts["matched"] += matched
    return out


def considered_subjects(rule: LoadedRule, view: MirrorView, ctx: FactContext,
                        shared: dict[Hashable, list[Subject]]) -> Sequence[Subject]:
    """The records the rule's `where` lets in, in view order (what `is_considered` says of each).

    Rules of a pack share pre-filters (four hygiene rules test "closed within 7d", four SLA rules
    "not resolved or closed"); a `where` equal to an earlier rule's is evaluated once per pass.
    `where` is compiled once per rule and pass, then tested on the records the pass's indexes
    say it may let in (syncd.rules.narrowing): the recent or open few, not the whole mirror.
    """
    records = view.records(rule.spec.entity)
    if rule.where is None:
        return records
    key: Hashable = (rule.spec.entity, rule.where)
    try:
        found = shared.get(key)
    except TypeError:  # a value that cannot be hashed (a list to `contains`): not shared
        key, found = None, None
    if found is None:
        where: Check = compile_node(rule.where, ctx.now)
        found = [subject for subject in narrowed(rule.where, ctx, rule.spec.entity) if where(subject, ctx)]
        if key is not None:
            shared[key] = found
    return found


def is_considered(rule: LoadedRule, subject: Subject, ctx: FactContext) -> bool:
    """Whether the rule's `where` pre-filter lets the record in."""
    return rule.where is None or evaluate(rule.where, subject, ctx)


def hold_since(rule: LoadedRule, subject: Subject, now: datetime, prior: Mapping[str, datetime]) -> datetime:
    """Since when the record has matched: the stored time, or now for a new match."""
    return prior.get(subject_ref(subject), now) if rule.spec.hold_for else now


def _plan_actions(rule: LoadedRule, subject: Subject, ctx: FactContext, state: PlanState, out: _RuleOutcome) -> None:
    """Plan every action of a firing rule on one record, counting what repeat_interval held back."""
    any_due, any_suppressed = False, False
    for _spec, result in decide_actions(rule, subject, ctx, state, explain=False):
        if isinstance(result, PlannedAction):
            out.actions.append(result)
            any_due = True
        elif isinstance(result, PlannedFinding):
            out.findings.append(result)
        elif result.reason.startswith("repeat_interval"):
            any_suppressed = True
    out.counts["due"] += any_due
    out.counts["repeat_suppressed"] += any_suppressed and not any_due


def decide_actions(rule: LoadedRule, subject: Subject, ctx: FactContext, state: PlanState, *,
                   explain: bool = True) -> list[tuple[str, PlannedAction | PlannedFinding | NotPlanned]]:
    """What each action of a firing rule does for this record (also what `explain` shows).

    `explain=False` (planning) leaves the reason of a suppressed repeat unformatted.
    """
    env = ActionEnv(rule.id, rule.spec.severity, rule.spec.labels, rule.params, ctx)
    results: list[tuple[str, PlannedAction | PlannedFinding | NotPlanned]] = []
    for spec in rule.spec.actions:
        drafted = draft(spec, subject, env)
        if isinstance(drafted, FindingDraft):
            results.append((spec.type, PlannedFinding(rule.id, subject_ref(subject), drafted.severity,
                                                      drafted.summary, dict(drafted.labels),
                                                      dict(drafted.annotations))))
        elif isinstance(drafted, Draft):
            results.append((spec.type, _due_write(rule, spec.type, subject, drafted, now=ctx.now, state=state,
                                                  explain=explain)))
        else:
            results.append((spec.type, drafted))
    return results


def _due_write(rule: LoadedRule, action: str, subject: Subject, drafted: Draft, *, now: datetime,
               state: PlanState, explain: bool = True) -> PlannedAction | NotPlanned:
    """The write, unless the same action succeeded on the record within repeat_interval."""
    last = state.ledger_last_done(rule.id, action, subject.source, subject.key)
    if last is not None and now - last < rule.spec.repeat_interval:
        if not explain:
            return _SUPPRESSED  # planning only counts it; formatting the reason per repeat cost ~4% of a pass
        return NotPlanned(f"repeat_interval {format_duration(rule.spec.repeat_interval)}: "
                          f"done {format_duration(now - last)} ago")
    key = ledger_key(rule.id, action, subject.source, subject.key, discriminator=drafted.discriminator, after=last)
    return PlannedAction(key, rule.id, action, subject.source, subject.key, drafted.writer, drafted.method,
                         dict(drafted.args), drafted.summary)


_SUPPRESSED = NotPlanned("repeat_interval")


def _cap_finding(rule: LoadedRule, due: int) -> PlannedFinding:
    """The loud finding a capped rule raises instead of acting."""
    limit = rule.spec.max_actions_per_run
    summary = (f"rule {rule.id} wanted to act on {due} records in one pass, more than its "
               f"max_actions_per_run of {limit}; it acted on none")
    return PlannedFinding(rule.id, f"rule:{rule.id}", "critical", summary,
                          {**rule.spec.labels, "syncd": "blast_radius"})
