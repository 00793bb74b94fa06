"""End to end over loopback HTTP: the Hudu connector against the sandbox simulator.

Every request sent here is also checked against the vendor spec when SYNCD_VENDOR_SPECS is set
(see the autouse `contract` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from syncd.connectors.common import marker
from syncd.errors import ApiError, AuthError
from syncd.jobs.poll import reconcile_stream
from syncd.sandbox.controller import Sandbox
from syncd.sandbox.faults import FaultConfig
from syncd.sandbox.world.store import World
from syncd.settings import Settings
from syncd.state import StateStore

from .conftest import connect, context, sync
from .spec import load_spec, request_problems

LIVE = {
    "hudu.companies": "SELECT hudu_id AS id FROM companies WHERE hudu_id IS NOT NULL",
    "hudu.assets": "SELECT id FROM hudu_assets WHERE archived = 0",
    "hudu.articles": "SELECT id FROM articles WHERE archived = 0",
}
TRANSPORT_FAULTS = FaultConfig(burst_429_every=9, burst_429_length=2, error_5xx_rate=0.08, reset_rate=0.08,
                               timeout_rate=0.08, timeout_hang_s=0.5, malformed_rate=0.08, seed=5)
# Retries are many and instant; the read timeout is shorter than the injected hang.
FAULT_HTTP = Settings(http={"max_attempts": 8, "read_timeout": "0.2s"}).http


@pytest.fixture(autouse=True)
def contract(wire: list[requests.PreparedRequest]) -> Iterator[None]:
    """After each test, every request it sent must be one the spec declares."""
    yield
    spec = load_spec()
    if spec is not None:
        problems = [p for r in wire for p in request_problems(spec, r.method or "", r.url or "", r.body)]
        assert problems == []


def mirror(state: StateStore, source: str) -> dict[str, dict[str, Any]]:
    """The live records of a stream: key -> fields."""
    return {r.key: dict(r.fields) for r in state.iter_records(source)}


def live_keys(world: World, source: str) -> set[str]:
    """Ids the world says Hudu lists."""
    return {str(row["id"]) for row in world.query(LIVE[source])}


# --- reads ----------------------------------------------------------------------------------


def test_first_sync_mirrors_every_live_record(tmp_path: Path, sandbox: Sandbox, world: World) -> None:
    # Arrange
    ctx, connector = context(tmp_path, sandbox, "s.db"), connect(sandbox)
    # Act
    sync(ctx, connector)
    # Assert
    for source in LIVE:
        assert set(mirror(ctx.state, source)) == live_keys(world, source), source
        assert ctx.state.count(source) == len(live_keys(world, source))


def test_idle_poll_costs_one_request_per_stream(tmp_path: Path, sandbox: Sandbox) -> None:
    # Arrange
    ctx, connector = context(tmp_path, sandbox, "s.db"), connect(sandbox, page_size=1000)
    first = sync(ctx, connector)
    first_requests = sandbox.counters("hudu")["total"]
    sandbox.reset_counters("hudu")
    # Act
    again = sync(ctx, connector)
    # Assert
    assert first_requests == 3
    assert sandbox.counters("hudu")["total"] == 3
    assert all(r.new == 0 and r.changed == 0 for r in again.values())
    assert all(first[s].bookmark == again[s].bookmark for s in first)


def test_second_sync_picks_up_exactly_the_changes(tmp_path: Path, sandbox: Sandbox, world: World) -> None:
    # Arrange
    ctx, connector = context(tmp_path, sandbox, "s.db"), connect(sandbox)
    sync(ctx, connector)
    now = sandbox.clock.advance(3600).strftime("%Y-%m-%dT%H:%M:%SZ")
    company = world.query_one("SELECT hudu_id FROM companies WHERE hudu_id IS NOT NULL ORDER BY hudu_id")["hudu_id"]
    asset = world.query_one("SELECT id FROM hudu_assets WHERE archived = 0 ORDER BY id")["id"]
    article = world.query_one("SELECT id FROM articles WHERE archived = 0 ORDER BY id")["id"]
    world.execute("UPDATE companies SET hudu_name = 'Renamed Co', updated_at = ? WHERE hudu_id = ?", (now, company))
    world.execute("UPDATE hudu_assets SET name = 'WS-RENAMED', updated_at = ? WHERE id = ?", (now, asset))
    world.execute("UPDATE articles SET content = '<p>new</p>', updated_at = ? WHERE id = ?", (now, article))
    world.execute("INSERT INTO companies (tier, hudu_id, hudu_name, created_at, updated_at) "
                  "VALUES ('gold', 9001, 'New Co', ?, ?)", (now, now))
    new_asset = world.execute(
        "INSERT INTO hudu_assets (company_id, asset_layout_id, asset_type, name, primary_serial, created_at, "
        "updated_at) VALUES (?, 1, 'Computer', 'WS-NEW', 'SN-NEW-1', ?, ?)", (company, now, now))
    new_article = world.execute("INSERT INTO articles (company_id, name, content, slug, created_at, updated_at) "
                                "VALUES (?, 'New KB', '<p>n</p>', 'new-kb', ?, ?)", (company, now, now))
    # Act
    results = sync(ctx, connector)
    # Assert
    assert {s: (r.new, r.changed) for s, r in results.items()} == dict.fromkeys(LIVE, (1, 1))
    assert ctx.state.get_record("hudu.companies", str(company)).fields["name"] == "Renamed Co"
    assert ctx.state.get_record("hudu.companies", "9001").fields["name"] == "New Co"
    assert ctx.state.get_record("hudu.assets", str(asset)).fields["name"] == "WS-RENAMED"
    assert ctx.state.get_record("hudu.assets", str(new_asset)).fields["serial"] == "SN-NEW-1"
    assert ctx.state.get_record("hudu.articles", str(article)).fields["body"] == "<p>new</p>"
    assert ctx.state.get_record("hudu.articles", str(new_article)).fields["title"] == "New KB"


def test_reconciliation_marks_archived_and_removed_records_deleted(tmp_path: Path, sandbox: Sandbox,
                                                                    world: World) -> None:
    # Arrange
    ctx, connector = context(tmp_path, sandbox, "s.db"), connect(sandbox)
    sync(ctx, connector)
    asset = world.query_one("SELECT id FROM hudu_assets WHERE archived = 0 ORDER BY id DESC")["id"]
    article = world.query_one("SELECT id FROM articles WHERE archived = 0 ORDER BY id DESC")["id"]
    company = world.query_one("SELECT hudu_id FROM companies WHERE hudu_id IS NOT NULL ORDER BY hudu_id DESC")
    world.execute("UPDATE hudu_assets SET archived = 1 WHERE id = ?", (asset,))
    world.execute("UPDATE articles SET archived = 1 WHERE id = ?", (article,))
    world.execute("UPDATE companies SET hudu_id = NULL WHERE hudu_id = ?", (company["hudu_id"],))
    # Act
    gone = {s.source: reconcile_stream(ctx, s) for s in connector.streams()}
    # Assert
    assert gone == {"hudu.companies": 1, "hudu.assets": 1, "hudu.articles": 1}
    assert ctx.state.get_record("hudu.assets", str(asset)).is_deleted
    assert ctx.state.get_record("hudu.articles", str(article)).is_deleted
    assert ctx.state.get_record("hudu.companies", str(company["hudu_id"])).is_deleted
    for source in LIVE:
        assert set(mirror(ctx.state, source)) == live_keys(world, source)


def test_wrong_key_raises_auth_error(sandbox: Sandbox) -> None:
    with pytest.raises(AuthError, match=r"^hudu: GET \S+/api/v1/api_info -> 401"):
        connect(sandbox, api_key="not-the-key").check()


# --- faults ---------------------------------------------------------------------------------


def test_transport_faults_end_with_the_same_mirror_as_a_clean_sync(tmp_path: Path, sandbox: Sandbox) -> None:
    # Arrange
    clean = context(tmp_path, sandbox, "clean.db")
    sync(clean, connect(sandbox))
    faulted, connector = context(tmp_path, sandbox, "faulted.db"), connect(sandbox, page_size=2, http=FAULT_HTTP)
    sandbox.injector("hudu").configure(TRANSPORT_FAULTS)
    # Act
    sync(faulted, connector)
    deleted = [reconcile_stream(faulted, s) for s in connector.streams()]
    # Assert: the faults really happened, and changed nothing in the result
    assert set(sandbox.counters("hudu")["faults"]) >= {"429", "reset", "timeout", "malformed"}
    assert deleted == [0, 0, 0]
    for source in LIVE:
        assert mirror(faulted.state, source) == mirror(clean.state, source), source


def test_changes_between_pages_converge_on_the_next_poll(tmp_path: Path, sandbox: Sandbox, world: World) -> None:
    # Arrange
    sandbox.injector("hudu").configure(FaultConfig(mutate_between_pages=True, seed=2))
    ctx, connector = context(tmp_path, sandbox, "s.db"), connect(sandbox, page_size=4)
    sync(ctx, connector)
    sandbox.injector("hudu").configure(FaultConfig())
    # Act
    sync(ctx, connector)
    # Assert: identical to a clean full read of the final world
    fresh = context(tmp_path, sandbox, "fresh.db")
    sync(fresh, connect(sandbox))
    assert world.query_one("SELECT COUNT(*) AS n FROM truth WHERE kind = 'changed_by_fault'")["n"] > 0
    for source in LIVE:
        assert mirror(ctx.state, source) == mirror(fresh.state, source), source


def _until_done(write: Any) -> Any:
    """Retry a write the way the executor does across passes, until it succeeds."""
    for _ in range(30):
        try:
            return write()
        except ApiError:
            continue
    raise AssertionError("write never succeeded")


@pytest.mark.parametrize("mode", ["process_task", "article"])
def test_writes_under_faults_never_duplicate(sandbox: Sandbox, world: World, mode: str) -> None:
    # Arrange
    sandbox.injector("hudu").configure(TRANSPORT_FAULTS)
    writer = connect(sandbox, http=FAULT_HTTP, kb_task_mode=mode).writer()
    companies = [str(r["hudu_id"]) for r in world.query(
        "SELECT hudu_id FROM companies WHERE hudu_id IS NOT NULL ORDER BY hudu_id LIMIT 3")] + [None]
    keys = [f"kb-update/hudu.companies/{i}/open_task" for i in range(8)]
    # Act: every write twice, as a retried or replayed pass would
    results = []
    for i, key in enumerate(keys):
        company, title = companies[i % len(companies)], f"Recurring symptom {i}"
        for _ in range(2):
            results.append(_until_done(lambda c=company, t=title, k=key: writer.open_task(
                company_id=c, title=t, description="3 tickets in 30 days", key=k)))
    # Assert: one object per key in the world, and the replay found it
    table, column = ("procedure_tasks", "description") if mode == "process_task" else ("articles", "content")
    for key in keys:
        rows = world.query(f"SELECT id FROM {table} WHERE {column} LIKE ?", (f"%{marker(key)}%",))  # noqa: S608
        assert len(rows) == 1, key
    assert [r.created for r in results[1::2]] == [False] * len(keys)
    processes = world.query("SELECT company_id, COUNT(*) AS n FROM procedures WHERE name = 'KB updates' "
                            "AND run = 0 GROUP BY company_id")
    assert all(row["n"] == 1 for row in processes)
    assert sandbox.counters("hudu")["faults"]
