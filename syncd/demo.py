"""`syncd demo`: a generated MSP world on loopback, one full pass of syncd over it, digests on disk.

Nothing here is special-cased for the demo: the world is served by the sandbox, syncd reads its
config from the `sandbox.toml` the sandbox writes, and the pass is `syncd once` (every job, in
order: polls, reconciliation, sync health, evaluate, digest) on the sandbox's clock. Whatever
rules are configured run, so a new built-in rule shows up here without touching this module.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

DEMO_SIZES = ("tiny", "small")
DEFAULT_SIZE = "small"     # about 15 s end to end on a laptop-class machine; tiny takes about one second
# Ledger outcomes that mean "written to the vendor" (recovered = found already written after a crash).
WRITTEN = ("done", "recovered")
# What each write action is called in the summary.
ACTION_LABELS = {
    "link_configuration": "devices linked to tickets (configuration links)",
    "post_note": "internal notes posted (patch history)",
    "open_task": "tickets / tasks opened",
    "link_parent": "tickets linked to their incident",
}
# Files of an earlier demo in the same directory: a new world makes the old state meaningless.
STALE = ("world.db", "state.db")


@dataclass
class DemoResult:
    """What one demo run did and where it left its files."""

    out: Path
    world: Path
    config: Path
    secrets: Path
    state: Path
    world_now: datetime
    size: str
    seed: int
    world_counts: dict[str, int]
    exit_code: int = 0
    seconds: float = 0.0
    jobs: int = 0
    failed_jobs: list[str] = field(default_factory=list)
    writes: Counter[str] = field(default_factory=Counter)     # action -> written
    findings: Counter[str] = field(default_factory=Counter)   # rule id -> open findings
    digests: dict[str, tuple[int, list[Path]]] = field(default_factory=dict)   # name -> (findings, files)

    def written(self, action: str) -> int:
        """How many writes of `action` syncd made in the vendors."""
        return self.writes.get(action, 0)


def run_demo(out: Path, *, size: str | int = DEFAULT_SIZE, seed: int = 1, now: datetime | None = None) -> DemoResult:
    """Generate a world at `now` (default: this second), serve it, run every job once, render the digests."""
    from syncd.runtime import open_runtime, run_once
    from syncd.sandbox.controller import Sandbox
    from syncd.sandbox.world.generate import generate_world
    from syncd.settings import load_settings

    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    # The world's now is the real now, so "created in the last 3 days" means what a reader expects.
    world_now = (now or datetime.now(UTC)).replace(microsecond=0)
    world = generate_world(out / "world.db", seed=seed, size=size, now=world_now)
    try:
        with Sandbox(world) as sandbox:
            config, secrets = sandbox.write_config(out, tuned=True)
            settings = load_settings(config, secrets_file=secrets)
            result = DemoResult(out=out, world=world.path, config=config, secrets=secrets, state=settings.state.path,
                                world_now=world_now, size=str(size), seed=seed, world_counts=_world_counts(world))
            with open_runtime(settings, clock=sandbox.clock) as runtime:
                result.exit_code = run_once(runtime, [])
                result.jobs, result.failed_jobs = len(runtime.jobs), _failed_jobs(runtime)
                result.findings = Counter(f.rule_id for f in runtime.ctx.state.open_findings())
                result.digests = _render_digests(settings.digests, runtime.ctx.state, sandbox.clock.now(),
                                                 out / "digests")
        result.writes = ledger_writes(settings.state.path)
    finally:
        world.close()
    result.seconds = round(time.perf_counter() - started, 1)
    return result


def _remove_stale(out: Path) -> None:
    for name in STALE:
        for suffix in ("", "-wal", "-shm"):
            (out / f"{name}{suffix}").unlink(missing_ok=True)
    digests = out / "digests"
    if digests.is_dir():
        for path in digests.glob("*"):
            if path.suffix in (".html", ".txt"):
                path.unlink()


def _world_counts(world: Any) -> dict[str, int]:
    """Tickets, devices and companies in the world, for the summary's first line."""
    # Table names come from this fixed tuple, never from input.
    tables = {"tickets": "tickets", "devices": "ninja_devices", "companies": "companies"}
    return {label: int(world.query_one(f"SELECT COUNT(*) FROM {table}")[0])  # noqa: S608
            for label, table in tables.items()}


def _failed_jobs(runtime: Any) -> list[str]:
    latest = {}
    for run in runtime.ctx.state.last_runs(None, 10 * len(runtime.jobs) + 10):
        latest.setdefault(run.job, run)
    return sorted(job for job, run in latest.items() if run.status != "ok")


def ledger_writes(state_path: Path) -> Counter[str]:
    """Writes the ledger records as made (action -> count).

    The StateStore protocol answers "was this key done?" but has no listing; the ledger is a
    plain table, read here through a read-only connection.
    """
    conn = sqlite3.connect(f"{state_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(WRITTEN))
        rows = conn.execute(f"SELECT action, COUNT(*) FROM ledger WHERE status IN ({marks}) "  # noqa: S608
                            "GROUP BY action", WRITTEN).fetchall()
    finally:
        conn.close()
    return Counter(dict(rows))


def _render_digests(settings: Any, state: Any, now: datetime, out: Path) -> dict[str, tuple[int, list[Path]]]:
    """Render every digest that has something to say (and `findings` always) to HTML and text."""
    from syncd.digests.preview import preview_digests, write_previews

    rendered: dict[str, tuple[int, list[Path]]] = {}
    for name in settings.digest_names():
        digests = preview_digests(settings, state, state, name, now)
        count = sum(len(d.findings) + len(d.resolved) for d in digests)
        if count or name == "findings":
            rendered[name] = (count, write_previews(digests, out))
    return rendered


def format_summary(result: DemoResult) -> str:
    """The few lines a new user reads after the demo."""
    counts = result.world_counts
    status = "every job ok" if not result.failed_jobs else f"failed jobs: {', '.join(result.failed_jobs)}"
    lines = [
        f"syncd demo: a {result.size} MSP world (seed {result.seed}; {counts['companies']} companies, "
        f"{counts['devices']} devices, {counts['tickets']} tickets) at {result.world_now.isoformat()}",
        "served on loopback as ConnectWise PSA, NinjaOne and Hudu; one pass of syncd: "
        f"{result.jobs} jobs, {status}, {result.seconds} s",
        "",
        "written to the vendors:",
    ]
    actions = list(ACTION_LABELS) + sorted(set(result.writes) - set(ACTION_LABELS))
    lines += [f"  {result.written(a):>5}  {ACTION_LABELS.get(a, a)}" for a in actions]
    lines += ["", f"findings raised: {sum(result.findings.values())}"]
    lines += [f"  {n:>5}  {rule}" for rule, n in sorted(result.findings.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += ["", "digests rendered (nothing was sent):"]
    for name, (count, paths) in result.digests.items():
        html = [p for p in paths if p.suffix == ".html"]
        shown = str(html[0]) + (f" (+{len(html) - 1} more)" if len(html) > 1 else "") if html else "-"
        lines.append(f"  {name:<12} {count:>4} findings  {shown}")
    lines += ["", f"state (mirror, ledger, findings): {result.state}",
              f"config: {result.config}", f"world:  {result.world}",
              f"identity review queue: syncd --config {result.config} --secrets {result.secrets} matches list"]
    return "\n".join(lines)


@click.command("demo")
@click.option("--size", type=click.Choice(DEMO_SIZES), default=DEFAULT_SIZE, show_default=True,
              help="world size: tiny (3 companies, 60 tickets) or small (20 companies, 3,000 tickets).")
@click.option("--seed", type=int, default=1, show_default=True, help="world seed (same seed, same world).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path(".syncd/demo"),
              show_default=True, help="where the world, config, state and rendered digests go.")
@click.option("--verbose", "-v", is_flag=True, help="log every job (default: warnings only).")
def demo(size: str, seed: int, out: Path, verbose: bool) -> None:
    """Generate an MSP world, serve it on loopback, run one full pass of syncd and render its digests."""
    from syncd.logging import configure_logging

    configure_logging("console", "info" if verbose else "warning")
    click.echo(f"generating a {size} world and running syncd over it ...", err=True)
    result = run_demo(out, size=size, seed=seed)
    click.echo(format_summary(result))
    raise SystemExit(result.exit_code)
