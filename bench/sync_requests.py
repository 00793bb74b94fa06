"""API economy: requests for a first sync and for an idle cycle, per vendor, against the minimum.

    python bench/sync_requests.py [--size small] [--seed 1]

Generates a world, serves it with the sandbox, runs every poll job once through the same code
path as `syncd once` (first sync), then once more with nothing changed (idle cycle), and reads
the sandbox's request counters. The "minimum" is what the data needs: for each list stream its
records divided by the vendor's largest page (at least one request), plus the per-ticket
requests ConnectWise has no bulk endpoint for (notes, configuration links and audit trail of every
ticket on the first sync). Reconciliation (listing every id to catch deletions) is measured
separately. Prints one JSON line.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import world_parser, world_size  # noqa: E402
from syncd.logging import configure_logging  # noqa: E402
from syncd.runtime import open_runtime, run_once  # noqa: E402
from syncd.sandbox.controller import Sandbox  # noqa: E402
from syncd.sandbox.world.generate import generate_world  # noqa: E402
from syncd.settings import load_settings  # noqa: E402

# The largest page each vendor serves for the streams syncd reads.
LARGEST_PAGE = {"connectwise": 1000, "ninjaone": 1000, "hudu": 1000}


def minimum_requests(world: Any) -> dict[str, int]:
    """Requests the data needs at the vendors' largest pages (plus CW's per-ticket reads)."""
    def count(sql: str) -> int:
        return int(world.query_one(sql)[0])

    def pages(n: int, vendor: str) -> int:
        return max(1, math.ceil(n / LARGEST_PAGE[vendor]))

    tickets = count("SELECT COUNT(*) FROM tickets WHERE deleted = 0")
    cw_lists = [
        count("SELECT COUNT(*) FROM companies WHERE cw_id IS NOT NULL AND cw_deleted = 0"),
        count("SELECT COUNT(*) FROM contacts WHERE deleted = 0"),
        count("SELECT COUNT(*) FROM cw_configurations WHERE deleted = 0"),
        tickets,
        count("SELECT COUNT(*) FROM time_entries WHERE deleted = 0"),
        count("SELECT COUNT(*) FROM boards"),
        count("SELECT COUNT(*) FROM priorities"),
    ]
    boards = count("SELECT COUNT(*) FROM boards")  # statuses are per board
    ninja_lists = [
        count("SELECT COUNT(*) FROM companies WHERE ninja_id IS NOT NULL"),
        count("SELECT COUNT(*) FROM ninja_devices WHERE deleted = 0"),
        count("SELECT COUNT(*) FROM patch_installs WHERE kind = 'OS'"),
        count("SELECT COUNT(*) FROM patch_installs WHERE kind = 'SOFTWARE'"),
        count("SELECT COUNT(*) FROM alerts WHERE resolved = 0"),
    ]
    hudu_lists = [
        count("SELECT COUNT(*) FROM companies WHERE hudu_id IS NOT NULL"),
        count("SELECT COUNT(*) FROM hudu_assets WHERE archived = 0"),
        count("SELECT COUNT(*) FROM articles WHERE archived = 0"),
    ]
    return {
        "connectwise": sum(pages(n, "connectwise") for n in cw_lists) + boards + 3 * tickets,
        "ninjaone": sum(pages(n, "ninjaone") for n in ninja_lists) + 1,  # + the OAuth token
        "hudu": sum(pages(n, "hudu") for n in hudu_lists),
    }


def run(size: str, seed: int) -> dict[str, Any]:
    """Run the benchmark and return its figures."""
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
        world = generate_world(Path(tmp) / "world.db", seed=seed, size=size)
        with Sandbox(world) as sandbox:
            config, secrets = sandbox.write_config(tmp)
            # This benchmark counts requests; the clients' polite default budgets would only make
            # it slow (the sandbox enforces no limit unless told to).
            for vendor in sandbox.vendors:
                os.environ[f"SYNCD_{vendor.upper()}__RATE_LIMIT__REQUESTS"] = "1000000"
            settings = load_settings(config, secrets_file=secrets)
            vendors = sandbox.vendors
            sandbox.reset_counters()
            started = time.perf_counter()
            with open_runtime(settings, clock=sandbox.clock) as runtime:
                poll_jobs = [j.id for j in runtime.jobs if j.id.startswith("poll:")]
                first_code = run_once(runtime, poll_jobs)
                first_s = time.perf_counter() - started
                first = {v: sandbox.counters(v)["total"] for v in vendors}
                sandbox.reset_counters()
                idle_code = run_once(runtime, poll_jobs)
                idle = {v: sandbox.counters(v)["total"] for v in vendors}
                sandbox.reset_counters()
                reconcile_code = run_once(runtime, [j.id for j in runtime.jobs if j.id.startswith("reconcile:")])
                reconcile = {v: sandbox.counters(v)["total"] for v in vendors}
                polls = {v: sum(1 for j in poll_jobs if j.startswith(f"poll:{v}.")) for v in vendors}
        minimum = minimum_requests(world)
    return {
        "bench": "sync_requests", "size": size, "seed": seed,
        "first_sync": first, "first_sync_minimum": {v: minimum[v] for v in vendors},
        "first_sync_seconds": round(first_s, 2),
        "idle_cycle": idle, "idle_poll_jobs": polls, "reconciliation": reconcile,
        "exit_codes": [first_code, idle_code, reconcile_code],
    }


def main() -> None:
    """Parse arguments, run, print one JSON line."""
    configure_logging("json", "warning")
    args = world_parser(__doc__, "small").parse_args()
    print(json.dumps(run(world_size(args.size), args.seed)))


if __name__ == "__main__":
    main()
