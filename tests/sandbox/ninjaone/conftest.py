"""Fixtures for the NinjaOne simulator tests: a hand-built world, stand-ins, spec conformance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.sandbox.clock import SandboxClock
from syncd.sandbox.ninjaone import NinjaOneSimulator
from syncd.sandbox.world.store import World
from tests.sandbox.support import RecordingFaults

from . import spec
from .support import CALLS, get_token
from .world_data import WORLD_NOW, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The small world of world_data.py."""
    built = build_world(tmp_path / "w.db")
    yield built
    built.close()


@pytest.fixture
def clock() -> SandboxClock:
    """A frozen clock at the world's now."""
    return SandboxClock(WORLD_NOW)


@pytest.fixture
def faults() -> RecordingFaults:
    """A recording fault injector."""
    return RecordingFaults()


@pytest.fixture
def sim(world: World, clock: SandboxClock, faults: RecordingFaults) -> NinjaOneSimulator:
    """A simulator with the default (monitoring-only) app."""
    return NinjaOneSimulator(world, clock, faults, NinjaOneSimulator.default_credentials)


@pytest.fixture
def token(sim: NinjaOneSimulator) -> str:
    """A valid bearer token for `sim`."""
    return get_token(sim)


@pytest.fixture(autouse=True)
def _spec_conformance() -> Iterator[None]:
    """After each test: every query parameter sent is the spec's, every 2xx body validates."""
    CALLS.clear()
    yield
    document = spec.load()
    if document is None:
        return
    for pattern, request, response in CALLS:
        spec.check_params(document, pattern, request.method, set(request.query))
        if 200 <= response.status < 300:
            spec.validate_response(document, pattern, request.method, response.status, response.body)
    CALLS.clear()
