"""Fixtures for every sandbox test: a tiny hand-made world and a dummy vendor simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from syncd.sandbox import Sandbox
from syncd.sandbox.framework import HttpError, Request, Response, Simulator, route
from syncd.sandbox.world.store import World

WORLD_NOW = "2026-11-17T15:00:00Z"
DUMMY_KEY = "dummy-key-123"
T0 = "2026-11-01T09:00:00Z"


def _fill(world: World) -> None:
    rows: dict[str, list[tuple[Any, ...]]] = {
        "meta": [("world_now", WORLD_NOW), ("seed", "7"), ("size", "tiny")],
        "companies": [
            (1, "gold", 101, "AcmeCorp", "Acme Corp", 0, 501, "ACME Corporation", 901, "Acme", "101", T0, T0),
            (2, "bronze", 102, "Globex", "Globex", 0, 502, "Globex Inc", None, None, None, T0, T0),
        ],
        "contacts": [(1, 1, "Jane", "Doe", "jane@acme.test", "jdoe", 0, T0, T0, 0)],
        "boards": [(1, "Help Desk", 0, T0)],
        "statuses": [(1, 1, "New", 1, 0, "NotResponded", 0, T0)],
        "priorities": [(1, "Priority 3 - Normal", 3, "Priority3", "#00ff00", T0)],
        "members": [(1, "tech1", "Tech One")],
        "tickets": [(i, 1 + i % 2, 1, f"Ticket number {i}", f"Description {i}", 1, 1, 1, T0, T0)
                    for i in range(1, 8)],
        "notes": [(i, 1, f"note {i}", "tech1", T0, T0) for i in range(1, 6)],
        "hudu_assets": [(i, 901, 1, "Computer", f"ACME-WS-{i:03d}", T0, T0) for i in range(1, 5)],
    }
    columns = {
        "tickets": "(id, company_world_id, contact_id, summary, description, board_id, status_id,"
                   " priority_id, created_at, updated_at)",
        "notes": "(id, ticket_id, text, created_by, created_at, updated_at)",
        "hudu_assets": "(id, company_id, asset_layout_id, asset_type, name, created_at, updated_at)",
    }
    with world.transaction() as conn:
        for table, values in rows.items():
            marks = ", ".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table} {columns.get(table, '')} VALUES ({marks})",  # noqa: S608
                             values)


@pytest.fixture
def tiny_world(tmp_path: Path) -> World:
    """An empty world plus a handful of hand-made rows; world_now = 2026-11-17T15:00:00Z."""
    world = World.create(tmp_path / "world.db")
    _fill(world)
    return world


class DummySimulator(Simulator):
    """A made-up vendor: X-Api-Key auth, a few routes and a paged list that reports its pages."""

    vendor = "dummy"
    default_credentials = {"api_key": DUMMY_KEY}
    LISTABLE = ("tickets", "notes", "hudu_assets")

    def authenticate(self, request: Request) -> Response | None:
        if request.header("X-Api-Key") == self.credentials["api_key"]:
            return None
        return Response(401, {"error": "invalid api key"})

    @route("GET", "/api/companies")
    def list_companies(self, request: Request) -> Response:
        rows = self.world.query("SELECT cw_id, cw_name FROM companies ORDER BY cw_id")
        return Response(200, [{"id": r["cw_id"], "name": r["cw_name"]} for r in rows])

    @route("GET", "/api/tickets/{ticket_id}")
    def get_ticket(self, request: Request) -> Response:
        row = self.world.query_one("SELECT * FROM tickets WHERE id = ? AND deleted = 0",
                                   (int(request.path_params["ticket_id"]),))
        if row is None:
            raise HttpError(404, {"error": "no such ticket"})
        return Response(200, {"id": row["id"], "summary": row["summary"]})

    @route("GET", "/api/list/{table}")
    def list_rows(self, request: Request) -> Response:
        table = request.path_params["table"]
        if table not in self.LISTABLE:
            raise HttpError(404, {"error": f"no list {table}"})
        page, size = int(request.arg("page", "1") or 1), int(request.arg("pageSize", "2") or 2)
        alive = {"tickets": "deleted = 0", "hudu_assets": "archived = 0"}.get(table, "1")
        # `table` is one of LISTABLE, checked above.
        rows = self.world.query(f"SELECT * FROM {table} WHERE {alive} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
                                (size + 1, (page - 1) * size))
        served, last = [dict(r) for r in rows[:size]], len(rows) <= size
        self.faults.on_page_served(table, [r["id"] for r in served], last_page=last)
        return Response(200, {"items": served, "last": last})

    @route("POST", "/api/echo/{word}")
    def echo(self, request: Request) -> Response:
        return Response(201, {"word": request.path_params["word"], "query": dict(request.query),
                              "body": request.json(), "thing": request.header("x-thing")})

    @route("GET", "/api/boom")
    def boom(self, request: Request) -> Response:
        raise RuntimeError("simulator bug")

    def config_section(self, base_url: str) -> dict[str, Any]:
        return {"base_url": base_url, "page_size": 2, "verify": False, "ratio": 0.5,
                "streams": ["tickets", "notes"], "title": 'say "hi"\n', "extra": {"depth": 1}}

    def secret_env(self) -> dict[str, str]:
        return {"SYNCD_DUMMY__API_KEY": self.credentials["api_key"],
                "SYNCD_DUMMY__PASSPHRASE": "two words #not-a-comment"}


@pytest.fixture
def dummy_simulator() -> type[DummySimulator]:
    """The dummy simulator class (not part of the package)."""
    return DummySimulator


@pytest.fixture
def make_sandbox(tiny_world: World) -> Iterator[Callable[..., Sandbox]]:
    """Start a Sandbox over tiny_world serving the dummy vendor; stopped after the test."""
    started: list[Sandbox] = []

    def make(**kwargs: Any) -> Sandbox:
        kwargs.setdefault("simulators", {"dummy": DummySimulator})
        box = Sandbox(tiny_world, **kwargs).start()
        started.append(box)
        return box

    yield make
    for box in started:
        box.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A running Sandbox with the dummy vendor, no faults, no rate limit."""
    return make_sandbox()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A keep-alive session carrying the dummy vendor's key."""
    with requests.Session() as session:
        session.headers["X-Api-Key"] = DUMMY_KEY
        yield session
