"""Generate a deterministic MSP world (CW tickets, NinjaOne devices and patches, Hudu docs) with planted mess.

`generate_world(path, seed=1, size="small")` writes a world file and returns its `World`. The same
seed and size always produce identical table contents: every random choice comes from
`random.Random(seed)` (each company from its own generator seeded by the master one), and the
clock is `now` (default 2026-11-17T15:00:00Z); history spans the 120 days before it. Rows are
streamed to SQLite company by company, so memory stays bounded by the largest company.

Ground truth (`truth` table; kind, subject, JSON value):

Identity
- machine_link      machines:<id>   {"cw": config id|null, "ninja": [device ids, old first],
                                      "hudu": asset id|null, "evidence": [tags a careful matcher may use:
                                      device_identifier, serial, mac, hostname, hudu_card, hudu_serial,
                                      hudu_name]}
- company_link      companies:<wid> {"cw", "ninja", "hudu"} (null = absent from that tool)
- company_name_differs companies:<wid> {"cw", "ninja", "hudu"} names
- hudu_unlinked     companies:<wid> Hudu company without a PSA integration (hudu_psa_sync_id NULL)
- junk_serial       cw_configurations:<id> | ninja_devices:<id> | hudu_assets:<id> {"value", "machine_id"}
- duplicate_serial  machines:<id>   {"serial", "machine_ids"} (cloned VMs; one row per machine)
- mac_in_serial     cw_configurations:<id> {"value", "machine_id"}
- renamed           machines:<id>   {"old", "new"} (RMM has new; CW config and Hudu asset the old)
- reimaged          ninja_devices:<new id> {"previous", "machine_id", "previous_deleted"}
- missing_from_psa  machines:<id>   no CW configuration
- missing_from_rmm  machines:<id>   no NinjaOne device

Tickets
- ticket_device     tickets:<id>    {"machine_id": id|null, "evidence", "hostname"?}; evidence is the
                    strongest legitimate lead, in this order: config_link (linked configuration),
                    hostname_in_text, contact_device (the contact is on exactly one CW configuration),
                    last_user (no CW configuration for the contact; exactly one machine whose RMM last
                    user is the contact), ambiguous (those leads name several machines including the
                    right one), none (no lead, or the ticket is not about a machine)
- hostname_in_text  tickets:<id>    {"hostname", "machine_id"}: hostname in summary/description, no link
- closed_no_time, closed_no_resolution_code, closed_no_config_link {"machine_id"}, vague_resolution
                    {"text"}: closed tickets (status closed flag) only
- reopened {"times"}, inactive_contact_ticket {"contact_id"}, owner_change_no_handoff {"changes": [...]}
                    (no internal "Handoff" note by the previous owner before the change)
- ticket_after_patch tickets:<id>   {"machine_id", "device_id", "patch_id" (latest, failed first),
                    "status", "patch_ids", "planted"}: a patch on the ticket's machine in the 72 h before
                    the ticket was created (every such ticket, planted or not)
- recurring_symptom tickets:<first> {"company_world_id", "symptom", "ticket_ids", "first_at", "last_at",
                    "kb_article_ids", "planted"}: 3+ Service Desk/Monitoring tickets of one symptom
                    within a 30-day window at one client (overlapping windows merged)
- emergency_change_no_aar {"late"}: emergency change without after-action notes within 24 h
- change_missing_plan {"missing": [...]}: planned change lacking scope/rollback/testing/window
- open_incident_unlinked {"incident"}: Service Desk ticket opened while the client's P1 outage was
                    open, without the parent link
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime
from pathlib import Path

from syncd.sandbox.world.companies import Company, plan_companies, write_company, write_contacts
from syncd.sandbox.world.docs import write_company_kb, write_global_kb
from syncd.sandbox.world.machine_rows import write_machine
from syncd.sandbox.world.machines import attach_records, build_machines
from syncd.sandbox.world.patches import Patch, PatchWriter, patch_tuesdays
from syncd.sandbox.world.reference import write_reference
from syncd.sandbox.world.rows import COLUMNS, DAY, Ids, Sink, epoch, iso
from syncd.sandbox.world.store import World
from syncd.sandbox.world.ticket_life import TicketWriter
from syncd.sandbox.world.ticket_truth import write_ticket_truth
from syncd.sandbox.world.tickets import CompanyIndex, Planner

DEFAULT_NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
HISTORY_DAYS = 120
# size -> (companies, machines, tickets, members)
SIZES = {"tiny": (3, 30, 60, 6), "small": (20, 600, 3_000, 12), "medium": (200, 5_000, 20_000, 30),
         "large": (1_000, 50_000, 200_000, 60)}


def dimensions(size: str | int) -> tuple[int, int, int, int]:
    """(companies, machines, tickets, members) for a preset name or a ticket count."""
    if isinstance(size, str) and not size.isdigit():
        if size not in SIZES:
            raise ValueError(f"unknown world size {size!r}; use {', '.join(SIZES)} or a ticket count")
        return SIZES[size]
    tickets = int(size)
    if tickets < 10:
        raise ValueError("a world needs at least 10 tickets")
    companies = max(3, round(tickets / 180))
    return companies, max(companies * 5, round(tickets / 4.5)), tickets, max(6, min(200, tickets // 3_000 + 6))


def generate_world(path: Path | str, *, seed: int = 1, size: str | int = "small",
                   now: datetime | None = None) -> World:
    """Generate a world file at `path` (replacing it) and return it."""
    n_companies, n_machines, n_tickets, n_members = dimensions(size)
    now_ts = epoch(now or DEFAULT_NOW)
    start = now_ts - HISTORY_DAYS * DAY
    world = World.create(path)
    sink = Sink(world)
    rng = random.Random(seed)
    ids = Ids()
    for key, value in (("seed", str(seed)), ("size", str(size)), ("world_now", iso(now_ts)),
                       ("generated_at", iso(now_ts)), ("history_start", iso(start))):
        sink.add("meta", (key, value))
    cat = write_reference(sink, rng, start, n_members)
    global_kb = write_global_kb(sink, rng, ids, start, now_ts)
    companies = plan_companies(rng, ids, n=n_companies, machines=n_machines, tickets=n_tickets, start=start)
    patcher = PatchWriter(rng, sink, ids, patch_tuesdays(start, now_ts), now_ts)
    writer = TicketWriter(sink, ids, cat, now_ts)
    for co in companies:
        _company(co, sink=sink, ids=ids, global_kb=global_kb, patcher=patcher, writer=writer, start=start,
                 now=now_ts)
    sink.flush()
    return world


def _company(co: Company, *, sink: Sink, ids: Ids, global_kb: dict[str, list[int]], patcher: PatchWriter,
             writer: TicketWriter, start: int, now: int) -> None:
    """Generate one company end to end; only its own working set is held in memory."""
    rng = random.Random(co.seed)
    write_company(sink, co, now)
    if co.ninja_id is not None:
        co.locations = [ids.next("ninja_location") for _ in range(rng.choice((1, 1, 1, 2, 3)))]
    write_contacts(sink, rng, ids, co, count=round(co.n_machines * 0.9) + rng.randrange(2, 6), start=start,
                   now=now)
    machines = build_machines(rng, ids, co, start, now)
    attach_records(rng, ids, co, machines, start=start, now=now)
    patches: dict[int, list[Patch]] = {}
    for m in machines:
        rows = write_machine(sink, rng, co, m, now=now, patcher=patcher)
        patches[m.id] = sorted(rows, key=lambda p: (p.installed_at, p.id))
        if "duplicate_serial" in m.mess:
            twins = [x.id for x in machines if x.serial == m.serial]
            sink.truth("duplicate_serial", f"machines:{m.id}", {"serial": m.serial, "machine_ids": twins})
    kb = write_company_kb(sink, rng, ids, co, global_kb, start=start, now=now)
    plans = Planner(rng, co, machines, patches, start=start, now=now).plan(co.n_tickets)
    for plan in plans:
        plan.id = ids.next("tickets")
    boost = 2.5 if co.world_id <= 3 else 1.0
    written = [writer.write(rng, co, plan, boost) for plan in plans]
    write_ticket_truth(sink, CompanyIndex(co, machines), co, written, patches=patches, kb=kb, now=now)


def world_summary(world: World) -> dict:
    """Row counts per table and per truth kind, plus the world's meta values."""
    # Table names come from the fixed COLUMNS registry, never from input.
    tables = {t: world.query_one(f"SELECT COUNT(*) AS n FROM {t}")["n"]  # noqa: S608
              for t in COLUMNS if t != "meta"}
    truth = {r["kind"]: r["n"]
             for r in world.query("SELECT kind, COUNT(*) AS n FROM truth GROUP BY kind ORDER BY kind")}
    meta = {r["key"]: r["value"] for r in world.query("SELECT key, value FROM meta ORDER BY key")}
    return {"tables": tables, "truth": truth, "meta": meta}


def main(argv: list[str] | None = None) -> int:
    """CLI: generate a world and print its summary as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", default="small", help="tiny | small | medium | large | <ticket count>")
    args = parser.parse_args(argv)
    world = generate_world(args.path, seed=args.seed, size=args.size)
    print(json.dumps(world_summary(world), indent=2))
    world.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
