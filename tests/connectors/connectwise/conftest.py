"""Fixtures: CW settings for `responses` tests, and a Sandbox over a generated tiny world."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from syncd.connectors.connectwise import ConnectWiseConnector, ConnectWiseSettings
from syncd.jobs.context import JobContext
from syncd.sandbox import Sandbox
from syncd.sandbox.faults import FaultConfig
from syncd.sandbox.world.generate import generate_world
from syncd.sandbox.world.store import World
from syncd.settings import Settings
from syncd.state import SqliteStateStore

HOST = "https://api-na.myconnectwise.net"
BASE = f"{HOST}/v4_6_release/apis/3.0"
SECTION = {"base_url": HOST, "company_id": "acme", "public_key": "pubKEY", "private_key": "privKEY",
           "client_id": "0b7c9d4e-1111-4222-8333-944455556666", "page_size": 2}


def cw_settings(**overrides: Any) -> ConnectWiseSettings:
    """Settings for the `responses` tests (page size 2, so two rows fill a page)."""
    return ConnectWiseSettings(**{**SECTION, **overrides})


def make_connector(state: SqliteStateStore | None = None, **overrides: Any) -> ConnectWiseConnector:
    """A connector against HOST with no real sleeping between retries."""
    http = Settings(http={"max_attempts": 2}).http
    return ConnectWiseConnector(cw_settings(**overrides), http, state or SqliteStateStore(":memory:"),
                                sleep=lambda _s: None)


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """Strict `responses`: every registered answer must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture
def state() -> Iterator[SqliteStateStore]:
    """An in-memory mirror."""
    store = SqliteStateStore(":memory:")
    yield store
    store.close()


# --- sandbox -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated tiny world (60 tickets), built once per session."""
    path = tmp_path_factory.mktemp("cw-world") / "world.db"
    generate_world(path, seed=11, size="tiny").close()
    return path


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Iterator[World]:
    """A private copy of the tiny world."""
    shutil.copyfile(world_template, tmp_path / "world.db")
    built = World(tmp_path / "world.db")
    yield built
    built.close()


class Env:
    """A running sandbox, a connector pointed at it, and a job context over a fresh mirror."""

    def __init__(self, box: Sandbox, state: SqliteStateStore, settings: Settings, page_size: int = 1000) -> None:
        sim = box.simulator("connectwise")
        section = ConnectWiseSettings(**sim.config_section(box.url("connectwise")), page_size=page_size,
                                      private_key=sim.default_credentials["private_key"],
                                      rate_limit={"requests": 100_000})
        self.box, self.state, self.settings = box, state, settings
        self.connector = ConnectWiseConnector(section, settings.http, state, sleep=lambda _s: None)
        self.ctx = JobContext(settings, state, box.clock)

    def close(self) -> None:
        """Close the connector."""
        self.connector.close()


@pytest.fixture
def make_env(world: World, tmp_path: Path) -> Iterator[Callable[..., Env]]:
    """Start a sandbox (optionally with faults) and build an Env; all stopped after the test."""
    made: list[Env] = []

    def make(faults: FaultConfig | None = None, read_timeout: str = "30s", page_size: int = 1000) -> Env:
        box = Sandbox(world, vendors=["connectwise"], faults={"connectwise": faults} if faults else None).start()
        # max_retry_after 0: a 429 is retried at once (the sandbox's bursts count requests, not
        # time), so the shared token bucket never really pauses a test.
        settings = Settings(http={"max_attempts": 8, "read_timeout": read_timeout, "max_retry_after": "0s"})
        env = Env(box, SqliteStateStore(tmp_path / "state.db"), settings, page_size)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()
        env.box.stop()
        env.state.close()
