"""Shared pieces of the end-to-end checks, and a subprocess entry point the kill test can SIGKILL.

Usage: python -m tests.e2e.harness CONFIG SECRETS WORLD_NOW
Runs `syncd once` (every job) against a running sandbox. With E2E_KILL_AT=N the process kills
itself with SIGKILL around its Nth vendor write: E2E_KILL_MODE=after (default) once the Nth write
was answered by the server but before the ledger recorded it, `before` just before it is sent.
The hook wraps the connectors' writers here, in the harness; the package has no test hook.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from syncd.clock import Clock, FixedClock, from_iso
from syncd.connectors.common import find_marker
from syncd.rules.loader import load_rules
from syncd.rules.model import AllOf, AnyOf, Compare, NotOf
from syncd.sandbox import Sandbox
from syncd.sandbox.controller import toml_document
from syncd.sandbox.world.store import World
from syncd.sandbox.world.symptoms import USER_DEVICE
from syncd.settings import Settings, load_settings

# Wide enough for the world's 120 days of history.
WIDE = "400d"
UNLIMITED = 1_000_000
WRITE_METHODS = ("post_note", "link_configuration", "create_ticket", "open_task", "link_parent", "create_article")


# --- configuration ------------------------------------------------------------------------------


def window_params(condition: Any) -> set[str]:
    """Params a condition uses as a `within` window ({field: closed, op: within, value: {param: lookback}})."""
    if isinstance(condition, AllOf):
        return set().union(*(window_params(c) for c in condition.all))
    if isinstance(condition, AnyOf):
        return set().union(*(window_params(c) for c in condition.any))
    if isinstance(condition, NotOf):
        return window_params(condition.not_)
    if isinstance(condition, Compare) and condition.op == "within" and isinstance(condition.value, dict):
        param = condition.value.get("param")
        return {param} if isinstance(param, str) else set()
    return set()


def widened_overrides() -> dict[str, dict[str, Any]]:
    """`[rules] overrides` widening every built-in rule's `within` windows to the world's whole history.

    Widened windows make the writing rules want hundreds of records in one pass, more than their
    blast-radius cap, so every rule's `max_actions_per_run` is lifted too.
    """
    rules, _problems = load_rules([], builtin=True)
    overrides: dict[str, dict[str, Any]] = {}
    for rule in rules:
        params = window_params(rule.spec.when) | (window_params(rule.spec.where) if rule.spec.where else set())
        overrides[rule.id] = {**dict.fromkeys(sorted(params), WIDE), "max_actions_per_run": UNLIMITED}
    return overrides


def device_categories() -> list[str]:
    """The world's ticket categories about the caller's own machine (what an MSP would configure)."""
    return sorted({f"{f.type_name}/{f.subtype}/{f.item}" for f in USER_DEVICE})


def configure(sandbox: Sandbox, directory: Path, **extra: dict[str, Any]) -> tuple[Path, Path]:
    """Write sandbox.toml + secrets for syncd, extended for the e2e checks; `extra` adds top-level tables."""
    config, secrets = sandbox.write_config(directory, state_path=directory / "state.db")
    tables: dict[str, dict[str, Any]] = {
        "rules": {"overrides": widened_overrides()},
        "identity": {"device_ticket_categories": device_categories()},
        **extra,
    }
    limits = "".join(f"\n[{vendor}.rate_limit]\nrequests = {UNLIMITED}\n" for vendor in sandbox.vendors)
    with config.open("a", encoding="utf-8") as handle:
        handle.write(limits + "\n" + toml_document(tables))
    return config, secrets


def load_e2e_settings(config: Path, secrets: Path) -> Settings:
    """Settings as `syncd --config CONFIG` would load them."""
    return load_settings(config, secrets_file=secrets)


def syncd_once(settings: Settings, clock: Clock, jobs: list[str]) -> int:
    """`syncd once [JOB...]` in-process on `clock`; the exit code."""
    from syncd.runtime import open_runtime, run_once

    with open_runtime(settings, clock=clock) as runtime:
        return run_once(runtime, jobs)


# --- what the world holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """What syncd wrote into a world, recognised by its markers (and links, which carry none)."""

    links: frozenset[tuple[int, int]]            # (ticket, configuration) rows not in the generated world
    notes: tuple[tuple[int, str], ...]           # (ticket, ledger key) of every marked note
    tickets: tuple[tuple[int, str], ...]         # (ticket, ledger key) of tickets syncd opened
    tasks: tuple[tuple[int, str], ...]           # (Hudu task, ledger key)
    counts: dict[str, int]                       # rows per table

    def keys(self) -> list[str]:
        """Every marker key, duplicates kept."""
        return [k for _, k in (*self.notes, *self.tickets, *self.tasks)]


WRITABLE_TABLES = ("notes", "ticket_configurations", "tickets", "procedures", "procedure_tasks", "articles")


@dataclass(frozen=True)
class Baseline:
    """The generated world before syncd ran: its links and its last ticket id."""

    links: frozenset[tuple[int, int]]
    last_ticket: int


def baseline(world: World) -> Baseline:
    """Read before syncd runs, so what it adds can be told apart."""
    return Baseline(_links(world), int(world.query_one("SELECT MAX(id) AS n FROM tickets")["n"]))


def _links(world: World) -> frozenset[tuple[int, int]]:
    return frozenset((r["ticket_id"], r["configuration_id"]) for r in world.query(
        "SELECT ticket_id, configuration_id FROM ticket_configurations"))


def written(world: World, base: Baseline) -> Written:
    """What syncd wrote into `world` since `base`: new links and every row carrying a syncd marker."""
    marked = [(r["ticket_id"], find_marker(r["text"])) for r in world.query(
        "SELECT ticket_id, text FROM notes WHERE text LIKE '%syncd-ref:%' ORDER BY id")]
    tasks = [(r["id"], _task_key(r["description"])) for r in world.query(
        "SELECT id, description FROM procedure_tasks ORDER BY id")]
    # Table names come from the fixed tuple above.
    counts = {t: world.query_one(f"SELECT COUNT(*) AS n FROM {t}")["n"] for t in WRITABLE_TABLES}  # noqa: S608
    return Written(
        links=_links(world) - base.links,
        notes=tuple((t, str(k)) for t, k in marked if k and t <= base.last_ticket),
        tickets=tuple((t, str(k)) for t, k in marked if k and t > base.last_ticket),
        tasks=tuple((i, k) for i, k in tasks if k),
        counts=counts,
    )


def _task_key(description: str | None) -> str | None:
    return find_marker(description)


def world_now(world: World) -> datetime:
    """The world's fixed now."""
    return from_iso(str(world.meta("world_now")))


# --- the subprocess -----------------------------------------------------------------------------


class _KillingWriter:
    """A writer proxy that SIGKILLs this process around the Nth write of the whole process."""

    calls = 0

    def __init__(self, inner: Any, at: int, mode: str) -> None:
        self._inner, self._at, self._mode = inner, at, mode

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if name not in WRITE_METHODS:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            _KillingWriter.calls += 1
            if self._mode == "before" and _KillingWriter.calls == self._at:
                os.kill(os.getpid(), signal.SIGKILL)
            result = target(*args, **kwargs)
            if self._mode == "after" and _KillingWriter.calls == self._at:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return call


def _install_kill_hook(connectors: dict[str, Any], at: int, mode: str) -> None:
    for connector in connectors.values():
        original = connector.writer

        def writer(original: Any = original) -> Any:
            inner = original()
            return None if inner is None else _KillingWriter(inner, at, mode)

        connector.writer = writer


def main(argv: list[str]) -> int:
    """Run `syncd once` with settings from CONFIG and SECRETS on a clock fixed at WORLD_NOW."""
    from syncd.logging import configure_logging
    from syncd.runtime import open_runtime, run_once

    config, secrets, now = Path(argv[0]), Path(argv[1]), from_iso(argv[2])
    configure_logging("json", "warning")
    settings = load_e2e_settings(config, secrets)
    with open_runtime(settings, clock=FixedClock(now)) as runtime:
        if at := int(os.environ.get("E2E_KILL_AT", "0")):
            _install_kill_hook(dict(runtime.ctx.connectors), at, os.environ.get("E2E_KILL_MODE", "after"))
        return run_once(runtime, [])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
