"""Fault injection over real loopback HTTP, and its data faults in the world and truth table."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import requests
from pydantic import ValidationError

from syncd.sandbox import FaultConfig, Sandbox, SandboxClock
from syncd.sandbox.faults import FaultInjector, garble
from syncd.sandbox.world.store import World


def _tickets(box: Sandbox, http: requests.Session, page: int) -> dict:
    resp = http.get(f"{box.url('dummy')}/api/list/tickets", params={"page": page, "pageSize": 2})
    assert resp.status_code == 200
    return resp.json()


def _poll(box: Sandbox, http: requests.Session) -> list[dict]:
    pages = [_tickets(box, http, 1)]
    while not pages[-1]["last"]:
        pages.append(_tickets(box, http, len(pages) + 1))
    return pages


def _truth(world: World, kind: str) -> list[str]:
    return [r["subject"] for r in world.query("SELECT subject FROM truth WHERE kind = ? ORDER BY rowid",
                                              (kind,))]


# ---- transport faults ----

def test_latency_still_answers(make_sandbox: Callable[..., Sandbox], http: requests.Session) -> None:
    box = make_sandbox(faults={"dummy": FaultConfig(latency_s=0.05)})
    resp = http.get(f"{box.url('dummy')}/api/companies")
    assert resp.status_code == 200
    assert box.counters("dummy")["faults"] == {"latency": 1}


def test_reset_closes_without_answer(sandbox: Sandbox, http: requests.Session) -> None:
    # Arrange
    sandbox.injector("dummy").script(["reset"])
    # Act / Assert
    with pytest.raises(requests.ConnectionError):
        http.get(f"{sandbox.url('dummy')}/api/companies")
    assert http.get(f"{sandbox.url('dummy')}/api/companies").status_code == 200
    assert sandbox.counters("dummy")["faults"] == {"reset": 1}


def test_timeout_hangs_past_the_client_read_timeout(make_sandbox: Callable[..., Sandbox],
                                                     http: requests.Session) -> None:
    # Arrange: the hang ends when the sandbox stops, so a long one costs nothing
    box = make_sandbox(faults={"dummy": FaultConfig(timeout_rate=1.0, timeout_hang_s=30)})
    # Act / Assert
    with pytest.raises(requests.ReadTimeout):
        http.get(f"{box.url('dummy')}/api/companies", timeout=(5, 0.2))
    box.injector("dummy").configure(FaultConfig())
    assert http.get(f"{box.url('dummy')}/api/companies", timeout=5).status_code == 200


def test_malformed_body_is_200_and_not_json(sandbox: Sandbox, http: requests.Session) -> None:
    # Arrange
    sandbox.injector("dummy").script(["malformed"])
    # Act
    resp = http.get(f"{sandbox.url('dummy')}/api/list/tickets")
    # Assert
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    with pytest.raises(requests.JSONDecodeError):
        resp.json()


@pytest.mark.parametrize("body", [b"", b"1234", b'"abc"', b"[1,2]", b'{"a":"b"}', b"null"])
def test_garble_never_yields_json(body: bytes) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(garble(body))


def test_scripted_5xx(sandbox: Sandbox, http: requests.Session) -> None:
    sandbox.injector("dummy").script(["503"])
    resp = http.get(f"{sandbox.url('dummy')}/api/companies")
    assert resp.status_code == 503
    assert resp.json() == {"message": "sandbox injected fault: HTTP 503"}


def test_random_5xx_at_rate_one(make_sandbox: Callable[..., Sandbox], http: requests.Session) -> None:
    box = make_sandbox(faults={"dummy": FaultConfig(error_5xx_rate=1.0, seed=3)})
    statuses = {http.get(f"{box.url('dummy')}/api/companies").status_code for _ in range(6)}
    assert statuses <= {500, 502, 503, 504}


def test_burst_429_every_n_requests(make_sandbox: Callable[..., Sandbox], http: requests.Session) -> None:
    # Arrange
    box = make_sandbox(faults={"dummy": FaultConfig(burst_429_every=2, burst_429_length=1)})
    url = f"{box.url('dummy')}/api/companies"
    # Act
    responses = [http.get(url) for _ in range(6)]
    # Assert
    assert [r.status_code for r in responses] == [200, 200, 429, 200, 200, 429]
    assert responses[2].headers["Retry-After"] == "1"
    assert box.counters("dummy")["faults"] == {"429": 2}


def test_script_is_consumed_in_order(sandbox: Sandbox, http: requests.Session) -> None:
    # Arrange
    sandbox.injector("dummy").script(["429", "ok", "500"])
    url = f"{sandbox.url('dummy')}/api/companies"
    # Act
    statuses = [http.get(url).status_code for _ in range(4)]
    # Assert
    assert statuses == [429, 200, 500, 200]
    assert sandbox.injector("dummy").script_remaining() == []


def test_script_restricted_to_path_prefix(sandbox: Sandbox, http: requests.Session) -> None:
    # Arrange
    sandbox.injector("dummy").script(["500"], path_prefix="/api/list/")
    url = sandbox.url("dummy")
    # Act
    other = http.get(f"{url}/api/companies")
    hit = http.get(f"{url}/api/list/notes")
    after = http.get(f"{url}/api/list/notes")
    # Assert
    assert (other.status_code, hit.status_code, after.status_code) == (200, 500, 200)


def test_script_rejects_unknown_kinds(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        sandbox.injector("dummy").script(["explode"])


def test_admin_faults_replace_config_and_script(sandbox: Sandbox, http: requests.Session) -> None:
    # Arrange
    url = f"{sandbox.url('dummy')}/_sandbox/faults"
    # Act
    set_config = http.post(url, json={"burst_429_every": 5, "burst_429_length": 2, "seed": 9})
    set_script = http.post(url, json={"script": ["reset", "ok"], "path_prefix": "/api"})
    bad = [http.post(url, json=body).status_code
           for body in ({"no_such": 1}, {"reset_rate": 2}, {"script": ["explode"]}, {"script": "reset"})]
    shown = http.get(url).json()
    # Assert
    assert set_config.status_code == set_script.status_code == 200
    assert bad == [400, 400, 400, 400]
    assert shown["config"]["burst_429_every"] == 5
    assert shown["config"]["seed"] == 9
    assert shown["script"] == ["reset", "ok"]
    assert http.post(url, json={}).json()["config"] == FaultConfig().model_dump()


def test_fault_config_validates() -> None:
    with pytest.raises(ValidationError, match="more than 1"):
        FaultConfig(reset_rate=0.6, timeout_rate=0.6)
    with pytest.raises(ValidationError):
        FaultConfig(latency_s=-1)


def test_same_seed_same_faults(tiny_world: World) -> None:
    # Arrange
    config = FaultConfig(reset_rate=0.2, timeout_rate=0.2, error_5xx_rate=0.2, malformed_rate=0.2, seed=42)
    clock = SandboxClock("2026-11-17T15:00:00Z")
    one, two = FaultInjector(tiny_world, clock, config), FaultInjector(tiny_world, clock, config)
    # Act
    first = [one.decide("/x") for _ in range(50)]
    second = [two.decide("/x") for _ in range(50)]
    # Assert
    assert first == second
    assert {"reset", "timeout", "malformed", None} <= set(first)


# ---- data faults ----

def test_mutate_between_pages(make_sandbox: Callable[..., Sandbox], http: requests.Session,
                              tiny_world: World) -> None:
    # Arrange
    box = make_sandbox(faults={"dummy": FaultConfig(mutate_between_pages=True, seed=1)})
    box.clock.set("2026-11-17T15:30:00Z")
    # Act
    page1 = _tickets(box, http, 1)
    page2 = _tickets(box, http, 2)
    # Assert: ticket 3 (not served yet) and one of page 1 changed after page 1 was built
    assert [t["summary"] for t in page1["items"]] == ["Ticket number 1", "Ticket number 2"]
    assert page2["items"][0]["summary"] == "Ticket number 3 (edited)"
    assert page2["items"][0]["updated_at"] == "2026-11-17T15:30:00Z"
    changed = _truth(tiny_world, "changed_by_fault")
    assert changed[0] == "tickets:3"
    assert changed[1] in {"tickets:1", "tickets:2"}
    served_id = int(changed[1].split(":")[1])
    row = tiny_world.query_one("SELECT summary, updated_at FROM tickets WHERE id = ?", (served_id,))
    assert row["summary"] == f"Ticket number {served_id} (edited)"
    assert row["updated_at"] == "2026-11-17T15:30:00Z"
    assert box.counters("dummy")["faults"] == {"changed_between_pages": 4}   # pages 1 and 2 of 4


def test_no_mutation_after_the_last_page(make_sandbox: Callable[..., Sandbox], http: requests.Session,
                                         tiny_world: World) -> None:
    box = make_sandbox(faults={"dummy": FaultConfig(mutate_between_pages=True)})
    last = _tickets(box, http, 4)
    assert last["last"] is True
    assert _truth(tiny_world, "changed_by_fault") == []


def test_edit_keeps_summary_within_100_characters(tiny_world: World) -> None:
    # Arrange
    tiny_world.execute("UPDATE tickets SET summary = ? WHERE id = 3", ("x" * 100,))
    injector = FaultInjector(tiny_world, SandboxClock("2026-11-17T15:00:00Z"),
                             FaultConfig(mutate_between_pages=True))
    # Act
    injector.on_page_served("tickets", [1, 2], last_page=False)
    # Assert
    summary = tiny_world.query_one("SELECT summary FROM tickets WHERE id = 3")["summary"]
    assert len(summary) == 100
    assert summary.endswith(" (edited)")


def test_delete_between_polls_soft_deletes_on_first_page(make_sandbox: Callable[..., Sandbox],
                                                         http: requests.Session, tiny_world: World) -> None:
    # Arrange
    box = make_sandbox(faults={"dummy": FaultConfig(delete_between_polls=True, seed=5)})
    # Act: one whole poll, then the first page of the next
    polled = _poll(box, http)
    _tickets(box, http, 1)
    # Assert
    deleted = _truth(tiny_world, "deleted_by_fault")
    assert len(deleted) == 2                             # one per poll, on its first page
    first_victim = int(deleted[0].split(":")[1])
    assert deleted[0] in {"tickets:1", "tickets:2"}      # a row the first page had just served
    assert tiny_world.query_one("SELECT deleted FROM tickets WHERE id = ?", (first_victim,))["deleted"] == 1
    later_ids = [t["id"] for page in polled[1:] for t in page["items"]]
    assert first_victim not in later_ids
    value = json.loads(tiny_world.query_one(
        "SELECT value FROM truth WHERE kind = 'deleted_by_fault' ORDER BY rowid")["value"])
    assert value == {"how": "deleted", "at": "2026-11-17T15:00:00Z"}
    assert box.counters("dummy")["faults"] == {"deleted_between_polls": 2}


def test_delete_archives_or_removes_when_no_deleted_column(make_sandbox: Callable[..., Sandbox],
                                                           http: requests.Session, tiny_world: World) -> None:
    # Arrange
    box = make_sandbox(faults={"dummy": FaultConfig(delete_between_polls=True)})
    url = f"{box.url('dummy')}/api/list"
    # Act
    http.get(f"{url}/hudu_assets", params={"pageSize": 10})
    http.get(f"{url}/notes", params={"pageSize": 10})
    # Assert
    assert tiny_world.query_one("SELECT count(*) AS n FROM hudu_assets WHERE archived = 1")["n"] == 1
    assert tiny_world.query_one("SELECT count(*) AS n FROM notes")["n"] == 4
    kinds = sorted(s.split(":")[0] for s in _truth(tiny_world, "deleted_by_fault"))
    assert kinds == ["hudu_assets", "notes"]


def test_first_page_is_inferred_or_told(tiny_world: World) -> None:
    # Arrange
    injector = FaultInjector(tiny_world, SandboxClock("2026-11-17T15:00:00Z"),
                             FaultConfig(delete_between_polls=True))
    # Act
    injector.on_page_served("tickets", [1, 2], last_page=False)          # inferred first
    injector.on_page_served("tickets", [3, 4], last_page=False)          # inferred not first
    injector.on_page_served("tickets", [5, 6], last_page=False, first_page=True)
    # Assert
    assert len(_truth(tiny_world, "deleted_by_fault")) == 2


def test_data_faults_off_by_default(tiny_world: World) -> None:
    injector = FaultInjector(tiny_world, SandboxClock("2026-11-17T15:00:00Z"))
    injector.on_page_served("tickets", [1, 2], last_page=False)
    assert tiny_world.query_one("SELECT count(*) AS n FROM truth")["n"] == 0


def test_unknown_table_is_an_error(tiny_world: World) -> None:
    injector = FaultInjector(tiny_world, SandboxClock("2026-11-17T15:00:00Z"),
                             FaultConfig(delete_between_polls=True))
    with pytest.raises(ValueError, match="no world table"):
        injector.on_page_served("nope", [1], last_page=True)


def test_referenced_table_without_soft_delete_is_left_alone(tiny_world: World) -> None:
    # Arrange: companies have no deleted/archived column and tickets point at them
    injector = FaultInjector(tiny_world, SandboxClock("2026-11-17T15:00:00Z"),
                             FaultConfig(delete_between_polls=True))
    # Act
    injector.on_page_served("companies", [1, 2], last_page=True)
    # Assert
    assert tiny_world.query_one("SELECT count(*) AS n FROM companies")["n"] == 2
    assert _truth(tiny_world, "deleted_by_fault") == []


def test_companies_keyed_by_world_id_can_change(tiny_world: World) -> None:
    injector = FaultInjector(tiny_world, SandboxClock("2026-11-17T15:00:00Z"),
                             FaultConfig(mutate_between_pages=True))
    injector.on_page_served("companies", [1], last_page=False)
    assert _truth(tiny_world, "changed_by_fault") == ["companies:2", "companies:1"]
