"""`syncd rules explain RULE RECORD`: why a rule did or did not fire for one record, step by step."""

from __future__ import annotations

from datetime import datetime

from syncd.clock import to_iso
from syncd.durations import format_duration
from syncd.rules.actions import NotPlanned
from syncd.rules.conditions import Trace, trace
from syncd.rules.context import FactContext, MirrorView, Subject, entity_of, subject_ref
from syncd.rules.engine import PlannedAction, PlannedFinding, PlanState, decide_actions, hold_since
from syncd.rules.loader import LoadedRule


def explain(rule: LoadedRule, subject: Subject, *, view: MirrorView, now: datetime, state: PlanState) -> list[str]:
    """Lines showing the rule's filter, conditions (every value and op), `for:` hold and actions for one record."""
    spec = rule.spec
    ctx = FactContext(now=now, view=view)
    lines = [f"rule {rule.id} ({spec.entity}, severity {spec.severity}): {spec.description}",
             f"record {subject_ref(subject)} at {to_iso(now)}"]
    if entity_of(subject.source) != spec.entity:
        return [*lines, f"result: does not apply: the rule looks at {spec.entity}, not {entity_of(subject.source)}"]
    if not spec.enabled:
        return [*lines, "result: does not fire: the rule is disabled (enabled: false)"]
    if rule.where is not None:
        where = trace(rule.where, subject, ctx)
        lines += ["where:", *_render(where, 1)]
        if not where.result:
            return [*lines, "result: does not fire: the record is filtered out by where"]
    when = trace(rule.when, subject, ctx)
    lines += ["when:", *_render(when, 1)]
    if not when.result:
        return [*lines, "result: does not fire: when is false"]
    held = _hold_lines(rule, subject, now, state, lines)
    if held:
        return [*lines, "result: matches, but has not held for `for:` yet: nothing is done"]
    lines.append("actions:")
    for action, result in decide_actions(rule, subject, ctx, state):
        lines.append(f"  {action}: {_describe(result)}")
    return [*lines, "result: FIRES"]


def _render(node: Trace, depth: int) -> list[str]:
    """Indented lines of a condition trace: [x] true, [ ] false."""
    mark = "[x]" if node.result else "[ ]"
    lines = [f"{'  ' * depth}{mark} {node.text}"]
    for child in node.children:
        lines += _render(child, depth + 1)
    return lines


def _hold_lines(rule: LoadedRule, subject: Subject, now: datetime, state: PlanState, lines: list[str]) -> bool:
    """Append the `for:` status; return True while the match has not held long enough."""
    hold = rule.spec.hold_for
    if not hold:
        lines.append("for: 0s (acts on the first match)")
        return False
    prior = state.rule_pending(rule.id)
    since = hold_since(rule, subject, now, prior)
    known = subject_ref(subject) in prior
    start = f"matching since {to_iso(since)}" if known else "first match now (the clock starts with this pass)"
    if now - since < hold:
        lines.append(f"for: {format_duration(hold)}: {start}; {format_duration(hold - (now - since))} to go")
        return True
    lines.append(f"for: {format_duration(hold)}: {start}; held long enough")
    return False


def _describe(result: PlannedAction | PlannedFinding | NotPlanned) -> str:
    if isinstance(result, PlannedAction):
        return f"would write via {result.writer}.{result.method} (key {result.key}): {result.summary}"
    if isinstance(result, PlannedFinding):
        return f"raises a {result.severity} finding: {result.summary}"
    return f"nothing: {result.reason}"
