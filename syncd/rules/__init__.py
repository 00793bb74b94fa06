"""The rule engine: YAML rules in, a plan out, the plan applied through the ledger.

    rules, problems = load_rules(["/etc/syncd/rules"], overrides={"stale-waiting-customer": {"stale_after": "5d"}})
    view = MirrorView.from_state(state, sources, identity=identity_result)
    the_plan = plan(rules, view, now=clock.now(), state=state)          # pure: reads the store only
    report = apply(the_plan, state=state, writers=writers, dry_run=settings.daemon.dry_run, now=clock.now())

Rule files are documented by `rule.schema.json` beside this module; facts are registered in
`syncd.rules.facts`, actions live in `syncd.rules.actions`.
"""

from syncd.rules.actions import NOTE_TEMPLATES, ActionEnv, note_template
from syncd.rules.context import (
    FactContext,
    Identity,
    MirrorView,
    Sla,
    StaticIdentity,
    StubMachine,
    StubTicketDevice,
    Subject,
    TaskTarget,
)
from syncd.rules.engine import CappedRule, Plan, PlannedAction, PlannedFinding, RuleStats, ledger_key, plan
from syncd.rules.executor import ActionOutcome, ApplyReport, apply
from syncd.rules.explain import explain
from syncd.rules.facts import FACTS, Fact, NoArgs, compute_fact, fact
from syncd.rules.loader import LoadedRule, load_rules, load_rules_or_raise
from syncd.rules.model import Rule
from syncd.rules.testcases import run_tests

__all__ = [
    "FACTS",
    "NOTE_TEMPLATES",
    "ActionEnv",
    "ActionOutcome",
    "ApplyReport",
    "CappedRule",
    "Fact",
    "FactContext",
    "Identity",
    "LoadedRule",
    "MirrorView",
    "NoArgs",
    "Plan",
    "PlannedAction",
    "PlannedFinding",
    "Rule",
    "RuleStats",
    "Sla",
    "StaticIdentity",
    "StubMachine",
    "StubTicketDevice",
    "Subject",
    "TaskTarget",
    "apply",
    "compute_fact",
    "explain",
    "fact",
    "ledger_key",
    "load_rules",
    "load_rules_or_raise",
    "note_template",
    "plan",
    "run_tests",
]
