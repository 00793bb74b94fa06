"""Fixtures for the NinjaOne connector tests: settings, a strict `responses` mock, a no-op sleep."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from responses.registries import OrderedRegistry

from syncd.clock import FixedClock
from syncd.connectors.ninjaone import NinjaOneConnector, NinjaOneSettings
from syncd.connectors.ninjaone.client import NinjaOneClient
from syncd.ratelimit import LIMITERS
from syncd.settings import HttpSettings
from syncd.state import SqliteStateStore

BASE = "https://ninja.test"
TOKEN_URL = f"{BASE}/ws/oauth/token"
NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def settings(**overrides: Any) -> NinjaOneSettings:
    """Connector settings pointing at the mocked host."""
    values: dict[str, Any] = {"base_url": BASE, "client_id": "cid", "client_secret": "s3cret-value",
                              "page_size": 2, "query_page_size": 2}
    values.update(overrides)
    return NinjaOneSettings(**values)


def no_sleep(_seconds: float) -> None:
    """Retries must not really wait in tests."""


def token_reply(http: responses.RequestsMock, token: str = "tok-1", expires_in: int = 3600) -> None:  # noqa: S107
    """Queue one successful token grant."""
    http.post(TOKEN_URL, json={"access_token": token, "token_type": "bearer", "expires_in": expires_in})


@pytest.fixture(autouse=True)
def _fresh_limiters() -> Iterator[None]:
    """A 429 pause in one test must not slow the next one (buckets are per tenant, process-wide)."""
    LIMITERS.clear()
    yield
    LIMITERS.clear()


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """Strict, ordered mock: every registered answer must be used, in order."""
    with responses.RequestsMock(assert_all_requests_are_fired=True, registry=OrderedRegistry) as mock:
        yield mock


@pytest.fixture
def client() -> Iterator[NinjaOneClient]:
    """A client with page size 2 and no real sleeping."""
    made = NinjaOneClient(settings(), HttpSettings(), sleep=no_sleep)
    yield made
    made.close()


@pytest.fixture
def state() -> SqliteStateStore:
    """An in-memory mirror."""
    return SqliteStateStore(":memory:")


@pytest.fixture
def connector(state: SqliteStateStore) -> Iterator[NinjaOneConnector]:
    """A connector over the mocked host with a frozen clock."""
    made = NinjaOneConnector(settings(), HttpSettings(), state, clock=FixedClock(NOW), sleep=no_sleep)
    yield made
    made.close()
