"""End-to-end fixtures: a generated world (seed 1), a started Sandbox over it, and syncd configured for it.

`syncd once` runs in-process on the sandbox's clock (never the wall clock). The written
sandbox.toml is extended with what the checks need: every rule's `within` window widened to
cover the world's 120 days of history and its blast-radius cap lifted (`[rules] overrides`),
the world's device ticket categories for identity, and client rate limits lifted (the sandbox
is loopback; CW's default 300 requests a minute would make a small world's first sync take
twenty minutes).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from syncd.ratelimit import LIMITERS
from syncd.sandbox import Sandbox
from syncd.sandbox.world.generate import generate_world
from syncd.sandbox.world.store import World
from syncd.settings import Settings

from .harness import configure, load_e2e_settings, syncd_once

SEED = 1


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """`template(size)`: the path of a world generated once per session per size."""
    made: dict[str, Path] = {}

    def template(size: str) -> Path:
        if size not in made:
            path = tmp_path_factory.mktemp(f"world-{size}") / "world.db"
            generate_world(path, seed=SEED, size=size).close()
            made[size] = path
        return made[size]

    return template


@dataclass
class E2E:
    """A world, the sandbox serving it, and syncd's settings for it."""

    world: World
    sandbox: Sandbox
    directory: Path
    config: Path
    secrets: Path
    settings: Settings

    def once(self, jobs: list[str] | None = None) -> int:
        """`syncd once` in-process (every job, or the named ones) on the sandbox clock; the exit code."""
        return syncd_once(self.settings, self.sandbox.clock, jobs or [])

    def reconfigure(self, **extra: Any) -> None:
        """Rewrite the config with `extra` top-level tables (e.g. daemon={"dry_run": True}) and reload it."""
        configure(self.sandbox, self.directory, **extra)
        self.settings = load_e2e_settings(self.config, self.secrets)


    def close(self) -> None:
        """Stop the sandbox and close the world."""
        self.sandbox.stop()
        self.world.close()


def start_e2e(template: Path, directory: Path, **extra: Any) -> E2E:
    """A private copy of the world at `template` in `directory`, a started sandbox over it, and settings."""
    directory.mkdir(parents=True)
    shutil.copyfile(template, directory / "world.db")
    world = World(directory / "world.db")
    # Hudu's simulated limit (300/min) would only slow the run down; faults are not the subject here.
    sandbox = Sandbox(world, rate_limits={"hudu": None}).start()
    config, secrets = configure(sandbox, directory, **extra)
    # Token buckets are process-wide per vendor tenant; a run must not inherit another's.
    LIMITERS.clear()
    return E2E(world, sandbox, directory, config, secrets, load_e2e_settings(config, secrets))


@pytest.fixture
def make_e2e(world_template: Callable[[str], Path], tmp_path: Path) -> Iterator[Callable[..., E2E]]:
    """`make_e2e(size, name="run", **extra_tables)`: a private world copy, a started sandbox, settings."""
    started: list[E2E] = []

    def make(size: str = "small", name: str = "run", **extra: Any) -> E2E:
        env = start_e2e(world_template(size), tmp_path / name, **extra)
        started.append(env)
        return env

    yield make
    for env in started:
        env.close()
    LIMITERS.clear()
