"""Benchmark one rule pass of the built-in pack over a large mirror (200,000 tickets, 50,000 devices).

The `large` world (seed 1) is generated once and its mirror filled once through the real
connectors against the sandbox (loopback HTTP, rate limits lifted); both are cached under
bench/out/ (gitignored) and reused; `mirror.done` marks a complete fill, and a fill that was
interrupted is started again from an empty state file. Then, on one core, it times ONE
evaluation as the evaluate job runs it: identity resolution (`identity_s`), reading the rest of
the mirror into the view (`load_s`), and `plan` alone (`plan_s`, the rule evaluation: issue 6's
10-second target), and prints one JSON line with the seconds and the peak RSS. `--profile`
adds the top cProfile entries (cumulative) to stderr.

    .venv/bin/python bench/rules_pass.py [--size large] [--profile]
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import peak_rss_mb, world_parser, world_size

OUT = Path(__file__).resolve().parent / "out"
UNLIMITED = 1_000_000


def build_mirror(size: str | int, seed: int) -> tuple[Path, Path]:
    """The cached world and a config whose state file is its mirror, filled through the connectors once."""
    from syncd.logging import configure_logging
    from syncd.runtime import open_runtime, run_once
    from syncd.sandbox import Sandbox
    from syncd.sandbox.world.generate import generate_world
    from syncd.sandbox.world.store import World
    from syncd.settings import load_settings

    folder = OUT / f"rules-{size}-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    world_path, done = folder / "world.db", folder / "mirror.done"
    if not world_path.exists():
        started = time.perf_counter()
        generate_world(world_path, seed=seed, size=size).close()
        print(f"world generated in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    if done.exists():
        return folder / "sandbox.toml", folder / "sandbox.secrets.env"
    for partial in folder.glob("state.db*"):   # an interrupted fill: polls would resume from its bookmarks
        partial.unlink()
    configure_logging("json", "warning")
    world = World(world_path)
    with Sandbox(world, rate_limits={"hudu": None}) as sandbox:
        config, secrets = sandbox.write_config(folder, state_path=folder / "state.db")
        with config.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"\n[{v}.rate_limit]\nrequests = {UNLIMITED}\n" for v in sandbox.vendors))
        settings = load_settings(config, secrets_file=secrets)
        started = time.perf_counter()
        with open_runtime(settings, clock=sandbox.clock) as runtime:
            polls = [j.id for j in runtime.jobs if j.id.startswith(("poll:", "reconcile:"))]
            run_once(runtime, polls)
        print(f"mirror filled through the connectors in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    world.close()
    done.write_text("ok\n")
    return config, secrets


def time_pass(config: Path, secrets: Path, *, profile: bool) -> dict[str, Any]:
    """Seconds of identity + plan and of plan alone (one evaluation each), and what the plan holds.

    The mirror is read (every entity into the view) before the plan's clock starts: `plan_s` is the
    rule evaluation alone, `identity_s` + `load_s` the reading and resolving before it.
    """
    from syncd.clock import FixedClock, from_iso
    from syncd.jobs.evaluate import build_view
    from syncd.rules import plan
    from syncd.rules.fields import known_entities
    from syncd.runtime import open_runtime
    from syncd.sandbox.world.store import World
    from syncd.settings import load_settings

    settings = load_settings(config, secrets_file=secrets)
    world = World(config.parent / "world.db")
    now = from_iso(str(world.meta("world_now")))
    world.close()
    with open_runtime(settings, clock=FixedClock(now)) as runtime:
        ctx = runtime.ctx
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        view = build_view(ctx)                        # identity resolution over the mirror
        resolved = time.perf_counter()
        tickets = len(view.records("tickets"))
        for entity in known_entities():              # the rest of the mirror read (the view loads lazily)
            view.records(entity)
        loaded = time.perf_counter()
        result = plan(ctx.rules, view, now=now, state=ctx.state)
        planned = time.perf_counter()
        if profiler:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        # Plan alone again, over a fresh view whose identity is already resolved.
        again = build_view(ctx)
        for entity in known_entities():
            again.records(entity)
        replan_start = time.perf_counter()
        plan(ctx.rules, again, now=now, state=ctx.state)
        replanned = time.perf_counter()
        devices = ctx.state.count("ninjaone.devices")
    return {"tickets": tickets, "devices": devices, "rules": len(ctx.rules),
            "identity_s": round(resolved - started, 2), "load_s": round(loaded - resolved, 2),
            "identity_and_load_s": round(loaded - started, 2), "plan_s": round(planned - loaded, 2),
            "identity_and_plan_s": round(planned - started, 2), "plan_again_s": round(replanned - replan_start, 2),
            "actions": len(result.actions), "findings": len(result.findings), "capped": len(result.capped)}


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the mirror, time one pass, print {"bench": "rules_pass", ...}."""
    parser = world_parser(__doc__, "large")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    config, secrets = build_mirror(world_size(args.size), args.seed)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})   # the timed pass runs on one core
    result = time_pass(config, secrets, profile=args.profile)
    print(json.dumps({"bench": "rules_pass", "size": args.size, "seed": args.seed, **result,
                      "peak_rss_mb": round(peak_rss_mb(), 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
