"""The world generator: determinism, planted mess, referential integrity and exact ground truth."""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from syncd.sandbox.world.generate import generate_world, world_summary
from syncd.sandbox.world.machines import JUNK_SERIALS
from syncd.sandbox.world.store import World

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ALL_KINDS = {
    "machine_link", "company_link", "company_name_differs", "hudu_unlinked", "junk_serial", "duplicate_serial",
    "mac_in_serial", "renamed", "reimaged", "missing_from_psa", "missing_from_rmm", "ticket_device",
    "hostname_in_text", "closed_no_time", "closed_no_resolution_code", "closed_no_config_link",
    "vague_resolution", "reopened", "inactive_contact_ticket", "owner_change_no_handoff", "ticket_after_patch",
    "recurring_symptom", "emergency_change_no_aar", "change_missing_plan", "open_incident_unlinked",
}
TINY_KINDS = {"junk_serial", "duplicate_serial", "renamed", "reimaged", "missing_from_psa", "hostname_in_text",
              "inactive_contact_ticket", "closed_no_time", "vague_resolution", "reopened", "recurring_symptom",
              "ticket_after_patch", "machine_link", "company_link", "ticket_device"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> World:
    return generate_world(tmp_path_factory.mktemp("tiny") / "w.db", seed=1, size="tiny")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> World:
    return generate_world(tmp_path_factory.mktemp("small") / "w.db", seed=1, size="small")


@pytest.fixture(params=["tiny", "small"])
def world(request: pytest.FixtureRequest) -> World:
    return request.getfixturevalue(request.param)


def digest(world: World) -> str:
    """Hash of every row of every table, in primary-key order."""
    conn = sqlite3.connect(world.path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def truth(world: World, kind: str) -> list[tuple[str, dict]]:
    return [(r["subject"], json.loads(r["value"]))
            for r in world.query("SELECT subject, value FROM truth WHERE kind = ?", (kind,))]


def sid(subject: str) -> int:
    return int(subject.split(":")[1])


def epoch(value: str) -> int:
    return calendar.timegm(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ"))


# -- determinism and size ----------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["tiny", "small"])
def test_same_seed_same_world_other_seed_differs(tmp_path: Path, size: str) -> None:
    a = digest(generate_world(tmp_path / "a.db", seed=5, size=size))
    b = digest(generate_world(tmp_path / "b.db", seed=5, size=size))
    c = digest(generate_world(tmp_path / "c.db", seed=6, size=size))
    assert a == b
    assert a != c


def test_tiny_is_fast_and_meta_is_fixed(tmp_path: Path) -> None:
    started = time.perf_counter()
    world = generate_world(tmp_path / "w.db", seed=3, size="tiny")
    assert time.perf_counter() - started < 1.0
    assert world.meta("world_now") == "2026-11-17T15:00:00Z"
    assert world.meta("generated_at") == world.meta("world_now")
    assert (world.meta("seed"), world.meta("size")) == ("3", "tiny")


def test_int_size_means_that_many_tickets(tmp_path: Path) -> None:
    summary = world_summary(generate_world(tmp_path / "w.db", size=250))
    assert summary["tables"]["tickets"] == 250
    assert summary["tables"]["companies"] >= 3


def test_small_preset_dimensions(small: World) -> None:
    tables = world_summary(small)["tables"]
    assert tables["companies"] == 20
    assert tables["machines"] == 600
    assert tables["tickets"] == 3_000
    assert tables["notes"] > tables["tickets"] * 2


def test_summary_counts_truth_kinds(tiny: World) -> None:
    summary = world_summary(tiny)
    assert sum(summary["truth"].values()) == summary["tables"]["truth"]


# -- mess present --------------------------------------------------------------------------------------

def test_small_has_every_mess_kind(small: World) -> None:
    assert set(world_summary(small)["truth"]) >= ALL_KINDS


def test_tiny_has_the_important_mess(tiny: World) -> None:
    assert set(world_summary(tiny)["truth"]) >= TINY_KINDS


def test_every_machine_company_and_ticket_has_link_truth(world: World) -> None:
    counts = world_summary(world)
    assert counts["truth"]["machine_link"] == counts["tables"]["machines"]
    assert counts["truth"]["company_link"] == counts["tables"]["companies"]
    assert counts["truth"]["ticket_device"] == counts["tables"]["tickets"]


# -- referential integrity -----------------------------------------------------------------------------

REFS = [
    ("contacts", "company_world_id", "companies", "world_id"),
    ("machines", "company_world_id", "companies", "world_id"),
    ("cw_configurations", "company_world_id", "companies", "world_id"),
    ("cw_configurations", "contact_id", "contacts", "id"),
    ("cw_configurations", "truth_machine_id", "machines", "id"),
    ("cw_configurations", "CAST(device_identifier AS INTEGER)", "ninja_devices", "id"),
    ("ninja_devices", "organization_id", "companies", "ninja_id"),
    ("ninja_devices", "truth_machine_id", "machines", "id"),
    ("hudu_assets", "company_id", "companies", "hudu_id"),
    ("hudu_assets", "truth_machine_id", "machines", "id"),
    ("patch_installs", "device_id", "ninja_devices", "id"),
    ("alerts", "device_id", "ninja_devices", "id"),
    ("statuses", "board_id", "boards", "id"),
    ("tickets", "company_world_id", "companies", "world_id"),
    ("tickets", "contact_id", "contacts", "id"),
    ("tickets", "board_id", "boards", "id"),
    ("tickets", "status_id", "statuses", "id"),
    ("tickets", "priority_id", "priorities", "id"),
    ("tickets", "owner_id", "members", "id"),
    ("tickets", "parent_ticket_id", "tickets", "id"),
    ("tickets", "truth_machine_id", "machines", "id"),
    ("ticket_configurations", "ticket_id", "tickets", "id"),
    ("ticket_configurations", "configuration_id", "cw_configurations", "id"),
    ("notes", "ticket_id", "tickets", "id"),
    ("notes", "member_id", "members", "id"),
    ("notes", "contact_id", "contacts", "id"),
    ("time_entries", "ticket_id", "tickets", "id"),
    ("time_entries", "member_id", "members", "id"),
    ("ticket_events", "ticket_id", "tickets", "id"),
    ("articles", "company_id", "companies", "hudu_id"),
    ("procedures", "company_id", "companies", "hudu_id"),
    ("procedure_tasks", "procedure_id", "procedures", "id"),
]


@pytest.mark.parametrize(("child", "column", "parent", "key"), REFS)
def test_foreign_keys_resolve(world: World, child: str, column: str, parent: str, key: str) -> None:
    orphans = world.query_one(
        f"SELECT COUNT(*) AS n FROM {child} c WHERE {column} IS NOT NULL "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = {column.replace('device_', 'c.device_')})"
        if column.startswith("CAST") else
        f"SELECT COUNT(*) AS n FROM {child} c WHERE c.{column} IS NOT NULL "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = c.{column})")
    assert orphans["n"] == 0


def test_records_of_a_machine_belong_to_its_company(world: World) -> None:
    bad = world.query_one("""
        SELECT COUNT(*) AS n FROM ninja_devices d JOIN machines m ON m.id = d.truth_machine_id
        JOIN companies c ON c.world_id = m.company_world_id WHERE d.organization_id != c.ninja_id""")
    assert bad["n"] == 0
    bad = world.query_one("""
        SELECT COUNT(*) AS n FROM tickets t JOIN contacts c ON c.id = t.contact_id
        WHERE c.company_world_id != t.company_world_id""")
    assert bad["n"] == 0


def test_truth_subjects_resolve(world: World) -> None:
    for row in world.query("SELECT DISTINCT subject FROM truth"):
        table, rid = row["subject"].split(":")
        key = "world_id" if table == "companies" else "id"
        assert world.query_one(f"SELECT 1 FROM {table} WHERE {key} = ?", (int(rid),)), row["subject"]  # noqa: S608


def test_first_note_is_the_description(world: World) -> None:
    bad = world.query_one("""
        SELECT COUNT(*) AS n FROM tickets t JOIN notes n ON n.id = (SELECT MIN(id) FROM notes WHERE ticket_id = t.id)
        WHERE n.text != t.description OR n.detail != 1 OR n.created_at != t.created_at""")
    assert bad["n"] == 0
    assert world.query_one("SELECT COUNT(*) AS n FROM tickets WHERE length(summary) > 100")["n"] == 0


# -- truth consistency -----------------------------------------------------------------------------------

def test_machine_link_points_at_the_machine_records(world: World) -> None:
    for subject, value in truth(world, "machine_link"):
        mid = sid(subject)
        cfg = [r["id"] for r in world.query("SELECT id FROM cw_configurations WHERE truth_machine_id = ?", (mid,))]
        devs = [r["id"] for r in world.query("SELECT id FROM ninja_devices WHERE truth_machine_id = ? ORDER BY id",
                                             (mid,))]
        assets = [r["id"] for r in world.query("SELECT id FROM hudu_assets WHERE truth_machine_id = ?", (mid,))]
        assert value["cw"] == (cfg[0] if cfg else None)
        assert value["ninja"] == devs
        assert value["hudu"] == (assets[0] if assets else None)


def test_ticket_device_matches_ticket_and_evidence(world: World) -> None:
    tickets = {r["id"]: r for r in world.query("SELECT * FROM tickets")}
    for subject, value in truth(world, "ticket_device"):
        t = tickets[sid(subject)]
        assert value["machine_id"] == t["truth_machine_id"]
        ev = value["evidence"]
        assert ev in {"config_link", "hostname_in_text", "contact_device", "last_user", "none", "ambiguous"}
        if ev == "config_link":
            link = world.query_one("""SELECT 1 FROM ticket_configurations tc JOIN cw_configurations c
                ON c.id = tc.configuration_id WHERE tc.ticket_id = ? AND c.truth_machine_id = ?""",
                                   (t["id"], value["machine_id"]))
            assert link is not None
        elif ev == "hostname_in_text":
            assert value["hostname"] in t["summary"] + t["description"]
        elif ev == "contact_device":
            rows = world.query("SELECT truth_machine_id FROM cw_configurations WHERE contact_id = ?",
                               (t["contact_id"],))
            assert [r[0] for r in rows] == [value["machine_id"]]
        elif ev == "last_user":
            assert not world.query("SELECT 1 FROM cw_configurations WHERE contact_id = ?", (t["contact_id"],))
            rows = world.query("""
                SELECT DISTINCT d.truth_machine_id FROM ninja_devices d
                JOIN companies co ON co.ninja_id = d.organization_id
                JOIN contacts c ON c.company_world_id = co.world_id AND c.id = ?
                WHERE lower(d.last_logged_in_user) LIKE '%\\' || lower(c.username)""", (t["contact_id"],))
            assert [r[0] for r in rows] == [value["machine_id"]]


def test_hostname_in_text_has_no_link_and_names_the_machine(world: World) -> None:
    for subject, value in truth(world, "hostname_in_text"):
        t = world.query_one("SELECT * FROM tickets WHERE id = ?", (sid(subject),))
        assert value["hostname"] in t["summary"] + "\n" + t["description"]
        assert not world.query("SELECT 1 FROM ticket_configurations WHERE ticket_id = ?", (t["id"],))
        names = {r[0] for r in world.query("""
            SELECT hostname FROM machines WHERE id = ? UNION SELECT name FROM cw_configurations
            WHERE truth_machine_id = ?""", (value["machine_id"],) * 2)}
        assert value["hostname"] in names


def test_reimaged_machines_have_two_devices_same_serial(world: World) -> None:
    rows = truth(world, "reimaged")
    assert rows
    for subject, value in rows:
        new = world.query_one("SELECT * FROM ninja_devices WHERE id = ?", (sid(subject),))
        old = world.query_one("SELECT * FROM ninja_devices WHERE id = ?", (value["previous"],))
        assert old["id"] < new["id"]
        assert (old["serial_number"], old["system_name"]) == (new["serial_number"], new["system_name"])
        assert old["truth_machine_id"] == new["truth_machine_id"] == value["machine_id"]
        assert old["uid"] != new["uid"]
        assert old["deleted"] or (old["offline"] and epoch(old["last_contact"]) < epoch(new["created_at"]))


def test_junk_serials_really_are_junk(world: World) -> None:
    columns = {"cw_configurations": "serial_number", "hudu_assets": "primary_serial",
               "ninja_devices": "serial_number"}
    for subject, value in truth(world, "junk_serial"):
        table = subject.split(":")[0]
        assert value["value"].strip() in JUNK_SERIALS
        column = "bios_serial" if value.get("field") == "bios_serial" else columns[table]
        row = world.query_one(f"SELECT {column} AS s FROM {table} WHERE id = ?", (sid(subject),))  # noqa: S608
        assert row["s"] == value["value"]
    flagged = {s for s, _ in truth(world, "junk_serial") if s.startswith("cw_")}
    junk = {f"cw_configurations:{r['id']}" for r in world.query("SELECT id, serial_number FROM cw_configurations")
            if r["serial_number"] is not None and r["serial_number"].strip() in JUNK_SERIALS}
    assert flagged == junk


def test_duplicate_serials_and_mac_in_serial(world: World) -> None:
    for subject, value in truth(world, "duplicate_serial"):
        assert sid(subject) in value["machine_ids"]
        assert len(value["machine_ids"]) >= 2
        serials = {r[0] for r in world.query(
            f"SELECT serial FROM machines WHERE id IN ({','.join('?' * len(value['machine_ids']))})",  # noqa: S608
            value["machine_ids"])}
        assert serials == {value["serial"]}
    for subject, _value in truth(world, "mac_in_serial"):
        cfg = world.query_one("SELECT serial_number FROM cw_configurations WHERE id = ?", (sid(subject),))
        assert re.fullmatch(r"([0-9A-F]{2}[:-]?){5}[0-9A-F]{2}", cfg["serial_number"])


def test_renamed_and_missing_from_psa(world: World) -> None:
    for subject, value in truth(world, "renamed"):
        mid = sid(subject)
        assert world.query_one("SELECT hostname FROM machines WHERE id = ?", (mid,))[0] == value["new"]
        for d in world.query("SELECT system_name FROM ninja_devices WHERE truth_machine_id = ?", (mid,)):
            assert d[0] == value["new"]
        for c in world.query("SELECT name FROM cw_configurations WHERE truth_machine_id = ?", (mid,)):
            assert c[0] == value["old"]
    for subject, _ in truth(world, "missing_from_psa"):
        assert not world.query("SELECT 1 FROM cw_configurations WHERE truth_machine_id = ?", (sid(subject),))


def _exact(world: World, kind: str, sql: str) -> None:
    flagged = {sid(s) for s, _ in truth(world, kind)}
    assert flagged == {r[0] for r in world.query(sql)}, kind


def test_ticket_hygiene_truth_is_exact(world: World) -> None:
    _exact(world, "closed_no_time", "SELECT id FROM tickets t WHERE closed = 1 AND NOT EXISTS "
           "(SELECT 1 FROM time_entries e WHERE e.ticket_id = t.id)")
    _exact(world, "closed_no_resolution_code", "SELECT id FROM tickets WHERE closed = 1 AND resolution_code IS NULL")
    _exact(world, "reopened", "SELECT DISTINCT ticket_id FROM ticket_events WHERE kind = 'reopened'")
    _exact(world, "inactive_contact_ticket", "SELECT t.id FROM tickets t JOIN contacts c ON c.id = t.contact_id "
           "WHERE c.inactive = 1")
    _exact(world, "closed_no_config_link", "SELECT id FROM tickets t WHERE closed = 1 AND truth_machine_id IS NOT "
           "NULL AND NOT EXISTS (SELECT 1 FROM ticket_configurations tc WHERE tc.ticket_id = t.id)")
    for subject, value in truth(world, "vague_resolution"):
        last = world.query_one("SELECT text FROM notes WHERE ticket_id = ? AND resolution = 1 ORDER BY id DESC",
                               (sid(subject),))
        assert last["text"] == value["text"]
    for subject, value in truth(world, "owner_change_no_handoff"):
        events = world.query("SELECT at FROM ticket_events WHERE ticket_id = ? AND kind = 'owner_changed'",
                             (sid(subject),))
        assert {c["at"] for c in value["changes"]} <= {e[0] for e in events}


def test_ticket_after_patch_is_exact(world: World) -> None:
    expected = {r[0] for r in world.query("""
        SELECT DISTINCT t.id FROM tickets t JOIN ninja_devices d ON d.truth_machine_id = t.truth_machine_id
        JOIN patch_installs p ON p.device_id = d.id
        WHERE p.installed_at < t.created_at
          AND strftime('%s', t.created_at) - strftime('%s', p.installed_at) <= 72 * 3600""")}
    rows = truth(world, "ticket_after_patch")
    assert {sid(s) for s, _ in rows} == expected
    assert any(v["planted"] for _, v in rows)
    assert any(v["status"] == "FAILED" for _, v in rows)


def test_recurring_symptom_clusters(world: World) -> None:
    rows = truth(world, "recurring_symptom")
    assert any(v["planted"] for _, v in rows)
    for _, value in rows:
        ids = value["ticket_ids"]
        assert len(ids) >= 3
        got = world.query(f"SELECT company_world_id, created_at FROM tickets WHERE id IN "  # noqa: S608
                          f"({','.join('?' * len(ids))}) ORDER BY created_at", ids)
        assert {r[0] for r in got} == {value["company_world_id"]}
        assert epoch(got[2][1]) - epoch(got[0][1]) <= 30 * 86_400 or len(ids) > 3


def test_recurring_symptoms_with_and_without_kb(small: World) -> None:
    rows = truth(small, "recurring_symptom")
    assert any(v["kb_article_ids"] for _, v in rows)
    assert any(not v["kb_article_ids"] for _, v in rows)


def test_emergency_changes_without_aar_have_no_timely_note(small: World) -> None:
    for subject, value in truth(small, "emergency_change_no_aar"):
        t = small.query_one("SELECT created_at, type_name FROM tickets WHERE id = ?", (sid(subject),))
        assert t["type_name"] == "Emergency Change"
        notes = small.query("SELECT created_at FROM notes WHERE ticket_id = ? AND text LIKE 'After-action%'",
                            (sid(subject),))
        assert all(epoch(n[0]) - epoch(t[0]) > 24 * 3600 for n in notes)
        assert bool(notes) == value["late"]


# -- time ------------------------------------------------------------------------------------------------

def test_patch_installs_cluster_after_patch_tuesday(world: World) -> None:
    days = Counter()
    for row in world.query("SELECT installed_at FROM patch_installs WHERE kind = 'OS'"):
        ts = epoch(row[0])
        tm = time.gmtime(ts)
        first = calendar.weekday(tm.tm_year, tm.tm_mon, 1)
        tuesday = calendar.timegm((tm.tm_year, tm.tm_mon, 1 + (1 - first) % 7 + 7, 0, 0, 0))
        if ts < tuesday:        # installs early in a month belong to the previous month's wave
            prev = (tm.tm_year, tm.tm_mon - 1) if tm.tm_mon > 1 else (tm.tm_year - 1, 12)
            first = calendar.weekday(prev[0], prev[1], 1)
            tuesday = calendar.timegm((prev[0], prev[1], 1 + (1 - first) % 7 + 7, 0, 0, 0))
        days[(ts - tuesday) // 86_400] += 1
    total = sum(days.values())
    assert sum(n for d, n in days.items() if 1 <= d <= 7) / total > 0.98
    failed = world.query_one("SELECT AVG(status = 'FAILED') AS r FROM patch_installs")["r"]
    assert 0.02 < failed < 0.10


def test_timestamps_are_iso_z_and_before_now(world: World) -> None:
    now = world.meta("world_now")
    for table in ("companies", "contacts", "cw_configurations", "ninja_devices", "hudu_assets", "patch_installs",
                  "alerts", "tickets", "ticket_configurations", "notes", "time_entries", "ticket_events",
                  "articles", "procedures", "procedure_tasks"):
        cols = [c[1] for c in world.query(f"PRAGMA table_info({table})")
                if c[1].endswith(("_at", "_start", "_end", "_contact", "timestamp")) or c[1] == "at"]
        for col in cols:
            bad = world.query_one(f"SELECT COUNT(*) AS n FROM {table} WHERE {col} IS NOT NULL AND "  # noqa: S608
                                  f"({col} > ? OR {col} NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
                                  f"[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z')", (now,))
            assert bad["n"] == 0, f"{table}.{col}"
    sample = world.query_one("SELECT created_at FROM tickets LIMIT 1")[0]
    assert ISO.match(sample)


def test_ticket_times_are_ordered(world: World) -> None:
    bad = world.query_one("""SELECT COUNT(*) AS n FROM tickets WHERE responded_at < created_at
        OR resolved_at < created_at OR closed_at < created_at OR updated_at < created_at
        OR (closed = 1 AND closed_at IS NULL)""")
    assert bad["n"] == 0
