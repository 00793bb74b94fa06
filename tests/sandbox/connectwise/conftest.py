"""A small hand-built world and helpers that drive the ConnectWise simulator without a server."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from syncd.sandbox.clock import SandboxClock
from syncd.sandbox.connectwise import ConnectWiseSimulator
from syncd.sandbox.framework import Request, Response
from syncd.sandbox.world.store import World
from tests.sandbox.support import RecordingFaults

PREFIX = "/v4_6_release/apis/3.0"
WORLD_NOW = "2026-11-17T15:00:00Z"
START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
N_TICKETS = 30
DELETED_TICKET = 13
CREDS = {"company_id": "sandbox", "public_key": "pubKEY123", "private_key": "privKEY456",
         "client_id": "0b7c9d4e-1111-4222-8333-944455556666"}


def ts(minutes: int) -> str:
    """A world timestamp `minutes` after START."""
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _insert(world: World, table: str, rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0])
    marks = ", ".join("?" * len(cols))
    world.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608
                      [tuple(r[c] for c in cols) for r in rows])


def build_world(path: Any) -> World:
    """Companies, contacts, boards, statuses, priorities, members, 30 tickets with notes, time, configs."""
    world = World.create(path)
    _insert(world, "meta", [{"key": "world_now", "value": WORLD_NOW}, {"key": "seed", "value": "7"}])
    _insert(world, "companies", [
        {"world_id": 1, "tier": "gold", "cw_id": 250, "cw_identifier": "AcmeCorp", "cw_name": "Acme Corp",
         "cw_deleted": 0, "created_at": ts(0), "updated_at": ts(10)},
        {"world_id": 2, "tier": "silver", "cw_id": 251, "cw_identifier": "Globex", "cw_name": "Globex Inc",
         "cw_deleted": 0, "created_at": ts(0), "updated_at": ts(20)},
        {"world_id": 3, "tier": "bronze", "cw_id": 252, "cw_identifier": "Initech", "cw_name": "Initech",
         "cw_deleted": 0, "created_at": ts(0), "updated_at": ts(30)},
        {"world_id": 4, "tier": "bronze", "cw_id": 253, "cw_identifier": "Gone", "cw_name": "Gone LLC",
         "cw_deleted": 1, "created_at": ts(0), "updated_at": ts(40)},
        {"world_id": 5, "tier": "bronze", "cw_id": None, "cw_identifier": None, "cw_name": None,
         "cw_deleted": 0, "created_at": ts(0), "updated_at": ts(50)},
    ])
    contacts = []
    for i in range(1, 8):
        contacts.append({"id": i, "company_world_id": 1 + (i - 1) % 3, "first_name": f"First{i}",
                         "last_name": f"Last{i}", "email": f"user{i}@example.com" if i != 5 else None,
                         "username": f"user{i}", "inactive": int(i == 3), "created_at": ts(i),
                         "updated_at": ts(100 + i), "deleted": int(i == 7)})
    _insert(world, "contacts", contacts)
    _insert(world, "boards", [{"id": 1, "name": "Service Desk", "inactive": 0, "updated_at": ts(1)},
                              {"id": 2, "name": "Projects", "inactive": 1, "updated_at": ts(2)}])
    statuses = [(1, 1, "New", 1, 0, "NotResponded", 0), (2, 1, "In Progress", 2, 0, "Responded", 0),
                (3, 1, "Waiting Customer", 3, 0, "NoEscalation", 0), (4, 1, "Completed", 4, 1, "Resolved", 0),
                (5, 1, "Closed", 5, 1, "Resolved", 1), (6, 2, "New", 1, 0, "NotResponded", 0),
                (7, 2, "Closed", 2, 1, "Resolved", 1)]
    _insert(world, "statuses", [
        {"id": s[0], "board_id": s[1], "name": s[2], "sort_order": s[3], "closed": s[4],
         "escalation_status": s[5], "time_entry_not_allowed": s[6], "updated_at": ts(3)} for s in statuses])
    _insert(world, "priorities", [
        {"id": n, "name": f"Priority {n} - {label}", "sort_order": n, "level": f"Priority{n}",
         "color": color, "updated_at": ts(4)}
        for n, label, color in [(1, "Critical", "#ff0000"), (2, "High", "#ff8800"),
                                (3, "Medium", "#ffff00"), (4, "Low", "#00ff00")]])
    _insert(world, "members", [{"id": 1, "identifier": "jsmith", "name": "John Smith"},
                               {"id": 2, "identifier": "adoe", "name": "Alice Doe"},
                               {"id": 3, "identifier": "bwong", "name": "Bo Wong"}])
    _insert_tickets(world)
    _insert_configurations(world)
    return world


def _insert_tickets(world: World) -> None:
    tickets, notes, times = [], [], []
    for i in range(1, N_TICKETS + 1):
        closed = i % 4 == 0
        tickets.append({
            "id": i, "company_world_id": 1 + i % 3, "contact_id": 1 + i % 6,
            "summary": f"Ticket {i}: printer issue" if i % 5 == 0
            else f"Ticket {i}: Outlook crashes on ACME-WS-{i:03d}",
            "description": f"User reports problem number {i}.", "board_id": 1 if i % 7 else 2,
            "status_id": (4 if closed else 1 + i % 3) if i % 7 else (7 if closed else 6),
            "priority_id": 1 + i % 4, "type_name": "Incident" if i % 2 else "Request",
            "subtype_name": "Email" if i % 2 else None, "item_name": None,
            "source_name": ["Phone", "Email", "Portal", "Monitoring"][i % 4],
            "owner_id": 1 + i % 3 if i % 5 else None, "parent_ticket_id": 1 if i == 2 else None,
            "resolution_code": "Fixed" if closed and i % 8 else None,
            "closed": int(closed), "closed_at": ts(i * 60 + 30) if closed else None,
            "closed_by": "jsmith" if closed else None, "responded_at": ts(i * 60 + 5),
            "resolved_at": ts(i * 60 + 30) if closed else None, "respond_minutes": 60, "resolve_minutes": 480,
            "created_at": ts(i * 60), "updated_at": ts(i * 60 + 40), "entered_by": "jsmith",
            "deleted": int(i == DELETED_TICKET), "truth_machine_id": None,
        })
        for k in range(2):
            notes.append({"id": i * 10 + k, "ticket_id": i, "text": f"Note {k} on ticket {i}",
                          "detail": int(k == 0), "internal": int(k == 1), "resolution": 0,
                          "member_id": 1 + k, "contact_id": None, "created_by": "jsmith",
                          "created_at": ts(i * 60 + 10 + k), "updated_at": ts(i * 60 + 10 + k)})
        times.append({"id": 500 + i, "ticket_id": i, "member_id": 1 + i % 3, "time_start": ts(i * 60 + 15),
                      "time_end": ts(i * 60 + 45), "actual_hours": 0.5, "billable_option": "Billable",
                      "notes": f"Worked ticket {i}", "created_at": ts(i * 60 + 45),
                      "updated_at": ts(i * 60 + 45), "deleted": int(i == 5)})
    _insert(world, "tickets", tickets)
    _insert(world, "notes", notes)
    _insert(world, "time_entries", times)


def _insert_configurations(world: World) -> None:
    configs = []
    for i in range(1, 9):
        configs.append({
            "id": 100 + i, "company_world_id": 1 + i % 3, "name": f"ACME-WS-{i:03d}",
            "type_name": "Managed Server" if i == 1 else "Managed Workstation",
            "status_name": "Inactive" if i == 8 else "Active",
            "serial_number": f"SN{i:05d}" if i != 4 else None,
            "mac_address": f"AA:BB:CC:DD:EE:{i:02X}", "device_identifier": str(9000 + i) if i % 2 else None,
            "contact_id": i if i < 7 else None, "last_login_name": f"user{i}", "os_type": "Windows 11",
            "active": int(i != 8), "created_at": ts(i), "updated_at": ts(200 + i), "deleted": int(i == 6),
            "truth_machine_id": None,
        })
    _insert(world, "cw_configurations", configs)
    _insert(world, "ticket_configurations", [
        {"ticket_id": 1, "configuration_id": 101, "created_at": ts(70)},
        {"ticket_id": 1, "configuration_id": 102, "created_at": ts(71)},
        {"ticket_id": 1, "configuration_id": 106, "created_at": ts(72)},   # deleted config: hidden
        {"ticket_id": 2, "configuration_id": 103, "created_at": ts(130)},
    ])


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built world, built once per session (SQLite inserts dominate test time otherwise)."""
    path = tmp_path_factory.mktemp("cw-template") / "w.db"
    build_world(path).close()           # closing the last connection checkpoints the WAL
    return path


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Iterator[World]:
    """A private copy of the hand-built world for one test."""
    shutil.copyfile(world_template, tmp_path / "w.db")
    built = World(tmp_path / "w.db")
    yield built
    built.close()


@pytest.fixture
def faults() -> RecordingFaults:
    """Records pages served."""
    return RecordingFaults()


@pytest.fixture
def clock() -> SandboxClock:
    """A frozen clock at the world's now."""
    return SandboxClock(WORLD_NOW)


@pytest.fixture
def sim(world: World, clock: SandboxClock, faults: RecordingFaults) -> ConnectWiseSimulator:
    """The simulator over the hand-built world with the test credentials."""
    return ConnectWiseSimulator(world, clock, faults, CREDS)  # type: ignore[arg-type]


def auth_headers(creds: dict[str, str] = CREDS) -> dict[str, str]:
    """Valid CW headers: Basic company+public:private and clientId."""
    token = base64.b64encode(f"{creds['company_id']}+{creds['public_key']}:{creds['private_key']}".encode())
    return {"Authorization": f"Basic {token.decode()}", "clientId": creds["client_id"]}


def call(sim: ConnectWiseSimulator, method: str, path: str, query: dict[str, Any] | None = None,  # noqa: PLR0917
         headers: dict[str, str | None] | None = None, body: Any = None) -> Response:
    """Drive the simulator like the server does: authenticate, match, handle, map HttpError."""
    merged: dict[str, str | None] = {**auth_headers(), **(headers or {})}
    hdrs = {k: v for k, v in merged.items() if v is not None}
    qs = {k: v if isinstance(v, list) else [str(v)] for k, v in (query or {}).items()}
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    request = Request(method=method, path=path, query=qs, headers=hdrs, body=raw)
    return sim.respond(request, sim.match(method, path))


def links(response: Response) -> dict[str, str]:
    """Parse an RFC 5988 Link header into {rel: url}."""
    out = {}
    for part in filter(None, (response.headers.get("Link") or "").split(", <")):
        url, rel = part.split(">; rel=")
        out[rel.strip('"')] = url.lstrip("<")
    return out


def follow(sim: ConnectWiseSimulator, url: str, headers: dict[str, str | None] | None = None) -> Response:
    """GET a Link-header URL."""
    parts = urlsplit(url)
    return call(sim, "GET", parts.path, query=parse_qs(parts.query, keep_blank_values=True), headers=headers)


def collect(sim: ConnectWiseSimulator, path: str, query: dict[str, Any] | None = None,
            headers: dict[str, str | None] | None = None, max_pages: int = 100) -> tuple[list[dict], int]:
    """Page a collection to the end by following rel="next"; return (records, pages)."""
    response = call(sim, "GET", path, query=query, headers=headers)
    records, pages = [], 0
    while True:
        assert response.status == 200, response.body
        records.extend(response.body)
        pages += 1
        nxt = links(response).get("next")
        if nxt is None or pages >= max_pages:
            return records, pages
        response = follow(sim, nxt, headers=headers)
