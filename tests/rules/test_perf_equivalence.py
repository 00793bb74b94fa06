"""The optimised rule pass decides exactly what the plain one does.

The evaluate job reads the mirror lazily (history columns decoded on first read, each source read
once for identity and rules) and the engine runs compiled conditions, narrowed by per-pass
indexes, with per-pass caches and cheap bounds tried before costly facts. Here a small generated
world (200 tickets) is mirrored through the real connectors, and the pass is planned twice at
several times: as the job does it, and as a reference over eagerly decoded records with the
interpreted condition tree (`evaluate`) tested on every record and no bounds. Both plans must be
the same JSON, `for:` state included.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from syncd.clock import FixedClock, from_iso
from syncd.jobs.evaluate import PassReads, _tier, build_view, mirror_sources
from syncd.rules import MirrorView, facts_symptoms, plan
from syncd.rules import engine as engine_module
from syncd.rules.conditions import evaluate
from syncd.rules.loader import load_rules
from syncd.runtime import open_runtime, run_once
from syncd.sandbox import Sandbox
from syncd.sandbox.controller import toml_document
from syncd.sandbox.world.generate import generate_world
from syncd.sandbox.world.store import World
from syncd.settings import Settings, load_settings
from syncd.sla.adapter import EventPauses, MirrorSla, status_classifier
from syncd.state import StoredRecord

WIDE = "400d"  # every rule's windows widened over the world's history, so most rules fire on a small world
WINDOW_PARAMS = {"lookback", "recent"}
DAYS_BEFORE_WORLD_NOW = (0, 1, 3, 10, 40)


def _widened() -> dict[str, dict[str, Any]]:
    """Each built-in rule's recency windows (the `within` params of the pack) set to WIDE, its cap lifted."""
    rules, _problems = load_rules([], builtin=True)
    out: dict[str, dict[str, Any]] = {}
    for rule in rules:
        windows = sorted(WINDOW_PARAMS & set(rule.params))
        out[rule.id] = {**dict.fromkeys(windows, WIDE), "max_actions_per_run": 1_000_000}
    return out


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    """Settings over a 200-ticket world's mirror filled through the connectors, and the world's now."""
    # Arrange: a seeded tiny world, served on loopback, polled once into a fresh state file.
    folder = tmp_path_factory.mktemp("perf-equivalence")
    world_path = folder / "world.db"
    generate_world(world_path, seed=3, size=200).close()
    world = World(world_path)
    world_now = str(world.meta("world_now"))
    with Sandbox(world, rate_limits={"hudu": None}) as sandbox:
        config, secrets = sandbox.write_config(folder, state_path=folder / "state.db", tuned=True)
        with Path(config).open("a", encoding="utf-8") as handle:
            handle.write("\n" + toml_document({"rules": {"overrides": _widened()}}))
        settings = load_settings(config, secrets_file=secrets)
        with open_runtime(settings, clock=sandbox.clock) as runtime:
            run_once(runtime, [j.id for j in runtime.jobs if j.id.startswith(("poll:", "reconcile:"))])
    world.close()
    return settings, world_now


def _plain(record: StoredRecord) -> StoredRecord:
    """The same record fully decoded, as a plain StoredRecord."""
    return StoredRecord(record.record, record.previous_fields, record.changed_keys, record.first_seen,
                        record.last_seen, record.last_changed, record.deleted_at)


def _reference_view(state: Any, settings: Settings, fast: MirrorView, now: Any) -> MirrorView:
    """A view over eagerly decoded records, with the same identity and its own SLA helper."""
    records = [_plain(r) for source in mirror_sources(settings) for r in state.iter_records(source)]
    view = MirrorView.from_records(records, identity=fast.identity, tasks=fast.tasks)
    class_of = status_classifier(state.iter_records(f"{settings.identity.psa}.boards"))
    pauses = EventPauses(lambda: view.records("ticket_events"), settings.sla.pause_on, class_of)
    reads = PassReads(state)
    view.sla = MirrorSla(settings.sla, now=now, tier_of=lambda t: _tier(reads, t), pauses_of=pauses)
    return view


def _as_json(the_plan: Any) -> dict[str, Any]:
    out = the_plan.to_json()
    out["pending"] = {rule: {k: v.isoformat() for k, v in since.items()} for rule, since in the_plan.pending.items()}
    return out


@pytest.mark.parametrize("days", DAYS_BEFORE_WORLD_NOW)
def test_optimised_pass_plans_exactly_like_the_reference(mirrored: tuple[Settings, str], days: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settings, world_now = mirrored
    now = from_iso(world_now) - timedelta(days=days)
    with open_runtime(settings, clock=FixedClock(now)) as runtime:
        ctx = runtime.ctx
        # Act: the job's pass, then the reference pass with conditions interpreted node by node.
        fast_view = build_view(ctx)
        fast = _as_json(plan(ctx.rules, fast_view, now=now, state=ctx.state))
        reference_view = _reference_view(ctx.state, settings, fast_view, now)
        monkeypatch.setattr(engine_module, "compile_node",
                            lambda node, _now: lambda subject, fctx: evaluate(node, subject, fctx))
        monkeypatch.setattr(engine_module, "narrowed", lambda _node, ctx, entity: ctx.view.records(entity))
        monkeypatch.setattr(facts_symptoms, "_too_few_reports", lambda _ctx, _ticket, _args: False)
        reference = _as_json(plan(ctx.rules, reference_view, now=now, state=ctx.state))
    # Assert: the same plan, and one that exercises the pack (the comparison is not vacuous).
    assert fast == reference
    assert sum(s["considered"] for s in fast["stats"].values()) > 0
    if days == 0:
        assert fast["findings"]
        assert fast["actions"]
        assert fast["stats"]["kb-update-task"]["matched"] > 0  # the symptom bounds were exercised, not skipped
