"""Benchmark the world generator: time and peak RSS for one size, printed as one JSON line."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncd.sandbox.world.generate import generate_world


def main(argv: list[str] | None = None) -> int:
    """Generate a world into a temp dir and print {"bench": "world_gen", ...}."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="large")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    size: str | int = int(args.size) if args.size.isdigit() else args.size
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.db"
        started = time.perf_counter()
        world = generate_world(path, seed=args.seed, size=size)
        seconds = time.perf_counter() - started
        tickets = world.query_one("SELECT COUNT(*) AS n FROM tickets")["n"]
        devices = world.query_one("SELECT COUNT(*) AS n FROM ninja_devices")["n"]
        world.close()
        file_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    # ru_maxrss is KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1e6 if sys.platform == "darwin" else peak / 1024
    print(json.dumps({"bench": "world_gen", "size": args.size, "seed": args.seed, "tickets": tickets,
                      "devices": devices, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb, 1),
                      "file_mb": round(file_mb, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
