"""Fixtures for the Hudu connector tests: settings, a mocked HTTP boundary, a sandbox world."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses

from syncd.clock import FixedClock
from syncd.connectors.hudu import HuduConnector
from syncd.connectors.hudu.settings import HuduSettings
from syncd.connectors.settings import RateLimit
from syncd.jobs.context import JobContext
from syncd.jobs.poll import PollResult, poll_stream
from syncd.sandbox.controller import Sandbox
from syncd.sandbox.world.generate import generate_world
from syncd.sandbox.world.store import World
from syncd.settings import HttpSettings, Settings
from syncd.state import SqliteStateStore

BASE = "https://docs.example.test"
API = f"{BASE}/api/v1"
KEY = "hudu-test-key-0123456789"
NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def make_settings(**overrides: Any) -> HuduSettings:
    """A Hudu section; the client-side rate limit is out of the way so tests never wait."""
    values: dict[str, Any] = {"base_url": BASE, "api_key": KEY, "rate_limit": RateLimit(requests=100_000)}
    values.update(overrides)
    return HuduSettings(**values)


def make_connector(settings: HuduSettings | None = None, *, http: HttpSettings | None = None,
                   clock: Any = None, slept: list[float] | None = None) -> HuduConnector:
    """A connector whose retries record their waits instead of sleeping."""
    waits = slept if slept is not None else []
    return HuduConnector(settings or make_settings(), http or HttpSettings(), None,
                         clock=clock or FixedClock(NOW), sleep=waits.append)


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """Every registered response must be used; nothing else may be called."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A small generated MSP world."""
    w = generate_world(tmp_path / "world.db", seed=11, size="tiny")
    yield w
    w.close()


@pytest.fixture
def sandbox(world: World) -> Iterator[Sandbox]:
    """The Hudu simulator; its own rate limit is off except where a test throttles on purpose."""
    with Sandbox(world, vendors=["hudu"], rate_limits={"hudu": None}) as sb:
        yield sb


def connect(sb: Sandbox, *, page_size: int = 5, http: Any = None, api_key: str | None = None,
            **overrides: Any) -> HuduConnector:
    """A connector on the sandbox, on the world's clock, with instant retries."""
    key = api_key or sb.simulator("hudu").credentials["api_key"]
    settings = make_settings(base_url=sb.url("hudu"), api_key=key, page_size=page_size, **overrides)
    return make_connector(settings, http=http, clock=sb.clock)


def context(tmp_path: Path, sb: Sandbox, name: str) -> JobContext:
    """A job context with its own state store."""
    return JobContext(settings=Settings(), state=SqliteStateStore(tmp_path / name), clock=sb.clock)


def sync(ctx: JobContext, connector: HuduConnector) -> dict[str, PollResult]:
    """Poll every stream once."""
    return {s.source: poll_stream(ctx, s) for s in connector.streams()}
