"""Fixtures for the state store tests: stores on a file and in memory, driven by a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.state import SqliteStateStore

from ._helpers import StepClock


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, db_path: Path, clock: StepClock) -> Iterator[SqliteStateStore]:
    path = db_path if request.param == "file" else ":memory:"
    with SqliteStateStore(path, now=clock.now) as opened:
        yield opened
