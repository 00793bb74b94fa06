"""Ticket to linked device and patch note: how long after a ticket is created does the technician see them.

    python bench/ticket_to_note.py [--size small] [--seed 1]

Generates a world, serves it with the sandbox and runs syncd's first sync (every job once). Then a
caller's ticket naming a workstation's hostname is POSTed to the ConnectWise sandbox one minute
after that pass, and the daemon's schedule is replayed on the sandbox clock instead of sleeping:
each job runs at its own interval (default settings), polls before evaluate, and after each
tick the world is checked for the configuration link and syncd's internal patch-history note on
the new ticket. Reported: the simulated time each appeared (driven by the poll and evaluate
intervals), the measured processing time of the tick that wrote it, and the worst-case bound
poll interval + evaluate interval + processing (a ticket created just after a poll). Prints one
JSON line; `note_*` stay null while no configured rule posts a note.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import world_parser, world_size  # noqa: E402
from syncd.jobs import JobSpec, run_job  # noqa: E402
from syncd.logging import configure_logging  # noqa: E402
from syncd.runtime import Runtime, open_runtime, run_once  # noqa: E402
from syncd.sandbox.controller import Sandbox  # noqa: E402
from syncd.sandbox.world.generate import generate_world  # noqa: E402
from syncd.sandbox.world.store import World  # noqa: E402
from syncd.settings import load_settings  # noqa: E402

CW_PREFIX = "/v4_6_release/apis/3.0"
CREATED_AFTER = timedelta(minutes=1)     # the ticket arrives this long after the first pass
GIVE_UP_AFTER = timedelta(hours=2)       # of simulated time
MARKER = "syncd-ref:"


def pick_machine(world: World, now: datetime) -> dict[str, Any]:
    """A workstation syncd can identify for sure (strong keys), unambiguously named, patched in the last 14 days."""
    since = (now - timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for row in world.query("SELECT subject, value FROM truth WHERE kind = 'machine_link' ORDER BY subject"):
        link = json.loads(row["value"])
        strong = {"device_identifier", "serial", "mac"} & set(link["evidence"])
        if link["cw"] is None or not link["ninja"] or not strong:
            continue
        found = world.query_one(
            "SELECT c.name, co.cw_id FROM cw_configurations c JOIN companies co ON co.world_id = c.company_world_id "
            "JOIN ninja_devices d ON d.id = ? AND d.system_name = c.name "
            "WHERE c.id = ? AND c.deleted = 0 AND c.active = 1 AND c.type_name LIKE '%Workstation%' "
            "AND co.cw_deleted = 0 AND (SELECT COUNT(*) FROM cw_configurations o WHERE o.name = c.name) = 1 "
            "AND EXISTS (SELECT 1 FROM patch_installs p WHERE p.device_id = d.id AND p.installed_at >= ?)",
            (link["ninja"][-1], link["cw"], since))
        if found is not None:
            return {"machine": row["subject"], "configuration_id": link["cw"], "hostname": found["name"],
                    "company_id": found["cw_id"]}
    raise RuntimeError("no suitable workstation in this world")


def post_ticket(sandbox: Sandbox, machine: dict[str, Any]) -> int:
    """Create the caller's ticket through the ConnectWise sandbox API, as the service desk would; its id."""
    simulator = sandbox.simulator("connectwise")
    section = simulator.config_section(sandbox.url("connectwise"))
    private = simulator.secret_env()["SYNCD_CONNECTWISE__PRIVATE_KEY"]
    user = f"{section['company_id']}+{section['public_key']}:{private}"
    body = {"summary": "Computer very slow since this morning's updates",
            "initialDescription": f"Everything takes minutes to open. I'm on {machine['hostname']}.",
            "company": {"id": machine["company_id"]}, "board": {"name": "Service Desk"},
            "type": {"name": "Incident"}, "subType": {"name": "Hardware"}, "item": {"name": "Workstation"}}
    request = urllib.request.Request(
        f"{sandbox.url('connectwise')}{CW_PREFIX}/service/tickets", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "clientId": section["client_id"],
                 "Authorization": "Basic " + base64.b64encode(user.encode()).decode()})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(json.load(response)["id"])


def seen(world: World, ticket: int, configuration: int) -> tuple[bool, bool]:
    """(configuration linked, syncd's marked note posted) on the ticket, as the world holds them."""
    linked = world.query_one("SELECT 1 FROM ticket_configurations WHERE ticket_id = ? AND configuration_id = ?",
                             (ticket, configuration)) is not None
    noted = world.query_one("SELECT 1 FROM notes WHERE ticket_id = ? AND text LIKE ?",
                            (ticket, f"%{MARKER}%")) is not None
    return linked, noted


def replay(runtime: Runtime, sandbox: Sandbox, start: datetime, ticket: int, configuration: int) -> dict[str, Any]:
    """Run each job at its interval from `start` on the sandbox clock until the link and note appear."""
    due = {spec.id: start + spec.interval for spec in runtime.jobs}
    created = sandbox.clock.now()
    out: dict[str, Any] = {"link_after_s": None, "link_tick_processing_s": None,
                           "note_after_s": None, "note_tick_processing_s": None}
    while created + GIVE_UP_AFTER >= (tick := min(due.values())):
        sandbox.clock.set(tick)
        ran: list[JobSpec] = [spec for spec in runtime.jobs if due[spec.id] <= tick]   # build order: polls first
        started = time.perf_counter()
        for spec in ran:
            run_job(runtime.ctx, spec)
            due[spec.id] = tick + spec.interval
        processing = round(time.perf_counter() - started, 3)
        linked, noted = seen(sandbox.world, ticket, configuration)
        for name, done in (("link", linked), ("note", noted)):
            if done and out[f"{name}_after_s"] is None:
                out[f"{name}_after_s"] = (tick - created).total_seconds()
                out[f"{name}_tick_processing_s"] = processing
        if linked and noted:
            break
    return out


def run(size: str, seed: int) -> dict[str, Any]:
    """Run the benchmark and return its figures."""
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
        world = generate_world(Path(tmp) / "world.db", seed=seed, size=size)
        with Sandbox(world) as sandbox:
            config, secrets = sandbox.write_config(tmp, tuned=True)
            settings = load_settings(config, secrets_file=secrets)
            with open_runtime(settings, clock=sandbox.clock) as runtime:
                started = time.perf_counter()
                first_code = run_once(runtime, [])
                first_s = round(time.perf_counter() - started, 2)
                start = sandbox.clock.now()
                machine = pick_machine(world, start)
                sandbox.clock.set(start + CREATED_AFTER)
                ticket = post_ticket(sandbox, machine)
                found = replay(runtime, sandbox, start, ticket, machine["configuration_id"])
                intervals = {spec.id: spec.interval.total_seconds() for spec in runtime.jobs}
        world.close()
    poll_s, evaluate_s = intervals["poll:connectwise.tickets"], intervals["evaluate"]
    bound = {name: None if found[f"{name}_tick_processing_s"] is None
             else round(poll_s + evaluate_s + found[f"{name}_tick_processing_s"], 1) for name in ("link", "note")}
    return {"bench": "ticket_to_note", "size": size, "seed": seed, "first_pass_s": first_s,
            "first_pass_exit_code": first_code, "poll_interval_s": poll_s, "evaluate_interval_s": evaluate_s,
            "ticket_created_after_pass_s": CREATED_AFTER.total_seconds(), **found,
            "link_bound_s": bound["link"], "note_bound_s": bound["note"]}


def main() -> None:
    """Parse arguments, run, print one JSON line."""
    configure_logging("json", "warning")
    args = world_parser(__doc__, "small").parse_args()
    print(json.dumps(run(world_size(args.size), args.seed)))


if __name__ == "__main__":
    main()
