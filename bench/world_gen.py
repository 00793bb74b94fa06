"""Benchmark the world generator: time and peak RSS for one size, printed as one JSON line."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import peak_rss_mb, world_parser, world_size
from syncd.sandbox.world.generate import generate_world


def main(argv: list[str] | None = None) -> int:
    """Generate a world into a temp dir and print {"bench": "world_gen", ...}."""
    args = world_parser(__doc__, "large").parse_args(argv)
    size = world_size(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.db"
        started = time.perf_counter()
        world = generate_world(path, seed=args.seed, size=size)
        seconds = time.perf_counter() - started
        tickets = world.query_one("SELECT COUNT(*) AS n FROM tickets")["n"]
        devices = world.query_one("SELECT COUNT(*) AS n FROM ninja_devices")["n"]
        world.close()
        file_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    print(json.dumps({"bench": "world_gen", "size": args.size, "seed": args.seed, "tickets": tickets,
                      "devices": devices, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
                      "file_mb": round(file_mb, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
