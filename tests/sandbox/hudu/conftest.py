"""A small hand-built world and direct-call helpers for the Hudu simulator tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncd.sandbox.clock import SandboxClock
from syncd.sandbox.framework import Request, Response
from syncd.sandbox.hudu import HuduSimulator
from syncd.sandbox.world.store import World
from tests.sandbox.support import RecordingFaults

WORLD_NOW = "2026-11-17T15:00:00Z"
API_KEY = HuduSimulator.default_credentials["api_key"]
AUTH = {"x-api-key": API_KEY, "Host": "hudu.test"}

# (world_id, hudu_id, name, psa sync id, cw identifier, updated_at)
COMPANIES = [
    (1, 101, "Acme Corp", "2501", "AcmeCorp", "2026-10-01T10:00:00Z"),
    (2, 102, "Globex LLC", "2502", "Globex", "2026-11-10T09:00:00Z"),
    (3, 103, "Initech", None, None, "2026-11-16T12:00:00Z"),
]
ARCHIVED_ASSET = 62
ASSET_SERIAL = "C03R3LT7THV8"


def asset_rows() -> list[dict[str, Any]]:
    """62 assets: 30 Acme, 20 Globex, 12 Initech (the last archived); updated on 15 spread days."""
    rows = []
    for i in range(1, 63):
        company = 101 if i <= 30 else 102 if i <= 50 else 103
        rows.append({
            "id": i, "company_id": company, "asset_layout_id": 1 if i % 4 else 2, "asset_type": "Computer",
            "name": f"WS-{i:03d}", "primary_serial": ASSET_SERIAL if i == 7 else (None if i % 10 == 0
                                                                                  else f"SN{i:05d}"),
            "primary_model": "OptiPlex 7010", "primary_manufacturer": "Dell",
            "fields": json.dumps([{"label": "Hostname", "value": f"WS-{i:03d}"}]),
            "cards": json.dumps([{"integrator_id": 2, "integrator_name": "ninja", "sync_id": 9000 + i,
                                  "sync_type": "device", "primary_field": None, "data": {}}]),
            "archived": int(i == ARCHIVED_ASSET),
            "created_at": "2026-01-01T00:00:00Z", "updated_at": f"2026-11-{1 + i % 15:02d}T08:00:00Z",
        })
    return rows


def article_rows() -> list[dict[str, Any]]:
    """30 articles: every 5th global, odd ids Acme, others Globex; #29 a draft, #30 archived."""
    rows = []
    for i in range(1, 31):
        company = None if i % 5 == 0 else (101 if i % 2 else 102)
        rows.append({
            "id": i, "company_id": company, "folder_id": None if i % 3 else 7, "name": f"How to fix {i}",
            "content": f"<p>Steps for problem {i}</p>", "draft": int(i == 29), "enable_sharing": int(i == 1),
            "slug": f"how-to-fix-{i}-{i:012x}", "archived": int(i == 30),
            "created_at": "2026-06-01T00:00:00Z", "updated_at": f"2026-11-{1 + i % 16:02d}T09:30:00Z",
        })
    return rows


def _insert(world: World, table: str, rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0])
    marks = ", ".join("?" * len(cols))
    world.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608
                      [[r[c] for c in cols] for r in rows])


def build_world(path: Path) -> World:
    """Create the test world file."""
    world = World.create(path)
    world.execute("INSERT INTO meta VALUES ('world_now', ?)", (WORLD_NOW,))
    _insert(world, "companies", [
        {"world_id": w, "tier": "gold", "cw_id": int(s) if s else 2503, "cw_identifier": ident or "Initech",
         "cw_name": name, "hudu_id": h, "hudu_name": name, "hudu_psa_sync_id": s,
         "created_at": "2025-01-01T00:00:00Z", "updated_at": upd}
        for w, h, name, s, ident, upd in COMPANIES])
    _insert(world, "hudu_assets", asset_rows())
    _insert(world, "articles", article_rows())
    stamp = {"created_at": "2026-05-01T00:00:00Z", "updated_at": "2026-05-01T00:00:00Z"}
    _insert(world, "procedures", [
        {"id": 1, "name": "KB updates", "description": "Recurring problems needing KB work",
         "company_id": 101, "run": 0, "parent_process_id": None, **stamp},
        {"id": 2, "name": "Onboarding", "description": None, "company_id": None, "run": 0,
         "parent_process_id": None, **stamp},
    ])
    _insert(world, "procedure_tasks", [
        {"id": 1, "procedure_id": 1, "name": "Review ticket cluster", "description": "Look at tickets",
         "position": 1, **stamp},
        {"id": 2, "procedure_id": 1, "name": "Update article", "description": "Edit the KB article",
         "position": 2, **stamp},
        {"id": 3, "procedure_id": 1, "name": "Notify team", "description": None, "position": 3, **stamp},
        {"id": 4, "procedure_id": 2, "name": "Create accounts", "description": "AD + M365",
         "position": 1, **stamp},
    ])
    return world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A fresh hand-built world."""
    w = build_world(tmp_path / "w.db")
    yield w
    w.close()


@pytest.fixture
def sim(world: World) -> HuduSimulator:
    """A simulator over the test world with a frozen clock and recording faults."""
    return HuduSimulator(world, SandboxClock(WORLD_NOW), RecordingFaults(), dict(HuduSimulator.default_credentials))


def call(sim: HuduSimulator, method: str, path: str, query: dict[str, Any] | None = None, *,
         headers: dict[str, str] | None = None, body: Any = None) -> Response:
    """Drive the simulator like the server would: auth, route, handler, HttpError -> response."""
    raw_query = {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in (query or {}).items()}
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    request = Request(method, path, raw_query, AUTH if headers is None else headers, data)
    return sim.respond(request, sim.match(method, path))
