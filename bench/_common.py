"""What the benchmarks share: the world arguments (--size, --seed) and the peak-memory figure."""

from __future__ import annotations

import argparse
import resource
import sys


def world_parser(doc: str | None, default_size: str) -> argparse.ArgumentParser:
    """An argument parser with the world's --size (a name or a ticket count) and --seed."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0] if doc else None)
    parser.add_argument("--size", default=default_size, help="tiny | small | medium | large | <ticket count>")
    parser.add_argument("--seed", type=int, default=1)
    return parser


def world_size(text: str) -> str | int:
    """--size as generate_world takes it: a ticket count when it is a number, else the size's name."""
    return int(text) if text.isdigit() else text


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1024
