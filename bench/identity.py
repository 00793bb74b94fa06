"""Benchmark identity resolution against a generated world's truth table; prints one JSON line.

    .venv/bin/python bench/identity.py                 # small world: precision/recall + timing
    .venv/bin/python bench/identity.py --size large    # 50,000 machines (devices vs configurations)
    .venv/bin/python bench/identity.py --world FILE    # an existing world file

Precision counts every automatic link (company pairs, machine record pairs, ticket -> machine);
recall is over the links the evidence supports: machines with at least one non-name key per pair
(ids, serial, MAC, docs card, docs serial), tickets whose truth evidence is a real lead.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import world_parser, world_size
from bench.identity_world import load_records
from syncd.identity import IdentityResult, IdentitySettings, resolve
from syncd.sandbox.world.generate import generate_world

TICKET_LEADS = ("config_link", "hostname_in_text", "contact_device", "last_user")
STRONG_CORE = {"device_identifier", "serial", "mac"}
STRONG_DOCS = {"hudu_card", "hudu_serial"}
# What the sandbox MSP would write in [identity] device_ticket_categories: its ticket types about a user's machine.
SANDBOX_DEVICE_CATEGORIES = ["Alert", "Incident/Hardware", "Incident/Email", "Incident/Printing", "Incident/Software",
                             "Incident/Network/File Share", "Incident/Network/Wireless", "Service Request/Software"]
MACHINE_SOURCES = ("connectwise.companies", "ninjaone.companies", "hudu.companies", "connectwise.configurations",
                   "ninjaone.devices", "hudu.assets")


def _truth(path: str) -> dict[str, list[tuple[str, dict]]]:
    conn = sqlite3.connect(path)
    try:
        out: dict[str, list[tuple[str, dict]]] = {}
        for kind, subject, value in conn.execute(
                "SELECT kind, subject, value FROM truth WHERE kind IN ('company_link','machine_link','ticket_device')"):
            out.setdefault(kind, []).append((subject, json.loads(value)))
        return out
    finally:
        conn.close()


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def score_companies(truth: list[tuple[str, dict]], result: IdentityResult) -> dict:
    """Precision/recall of PSA <-> RMM/docs company pairs."""
    want = set()
    for _, v in truth:
        for kind, key in (("ninjaone", "ninja"), ("hudu", "hudu")):
            if v["cw"] is not None and v[key] is not None:
                want.add((f"connectwise.companies:{v['cw']}", f"{kind}.companies:{v[key]}"))
    got = {(lk.left, lk.right) for lk in result.companies}
    good = len(got & want)
    return {"precision": _ratio(good, len(got)), "recall": _ratio(good, len(want)), "links": len(got),
            "truth": len(want)}


def _machine_refs(v: dict, present: set[str]) -> list[str]:
    refs = [f"connectwise.configurations:{v['cw']}"] if v["cw"] is not None else []
    refs += [f"ninjaone.devices:{d}" for d in v["ninja"]]
    refs += [f"hudu.assets:{v['hudu']}"] if v["hudu"] is not None else []
    return [r for r in refs if r in present]


def _supported(v: dict, blank_assets: set[str] = frozenset()) -> bool:
    tags = set(v.get("evidence", ()))
    if f"hudu.assets:{v['hudu']}" in blank_assets:
        # The generator tags hudu_serial when the asset and the configuration both lack a serial.
        tags.discard("hudu_serial")
    core = v["cw"] is None or not v["ninja"] or bool(tags & STRONG_CORE)
    docs = v["hudu"] is None or bool(tags & STRONG_DOCS)
    return core and docs


def score_machines(truth: list[tuple[str, dict]], result: IdentityResult, present: set[str],
                   blank_assets: set[str] = frozenset()) -> tuple[dict, dict]:
    """Pairwise precision/recall of machine record links; also returns ref -> truth machine id."""
    owner: dict[str, str] = {}
    want, supported = set(), set()
    for subject, v in truth:
        refs = _machine_refs(v, present)
        owner.update(dict.fromkeys(refs, subject))
        pairs = {tuple(sorted(p)) for p in combinations(refs, 2)}
        want |= pairs
        supported |= pairs if _supported(v, blank_assets) else set()
    got = set()
    for m in result.machines:
        refs = [f"connectwise.configurations:{m.psa}"] if m.psa else []
        refs += [f"ninjaone.devices:{d}" for d in m.rmm] + ([f"hudu.assets:{m.docs}"] if m.docs else [])
        got |= {tuple(sorted(p)) for p in combinations(refs, 2)}
    good = len(got & want)
    return {"precision": _ratio(good, len(got)), "recall": _ratio(len(got & supported), len(supported)),
            "recall_all": _ratio(good, len(want)), "pairs": len(got), "wrong": len(got - want),
            "truth_pairs": len(want), "supported_pairs": len(supported)}, owner


def score_tickets(truth: list[tuple[str, dict]], result: IdentityResult, owner: dict[str, str]) -> dict:
    """A ticket's link is right when every record of the linked machine belongs to the true machine."""
    linked = good = expected = found = 0
    for subject, v in truth:
        td = result.device_for_ticket("connectwise.tickets", subject.split(":")[1])
        want = f"machines:{v['machine_id']}" if v["machine_id"] is not None else None
        m = td.machine if td else None
        if m is not None:
            linked += 1
            refs = ([f"connectwise.configurations:{m.psa}"] if m.psa else []) + \
                   [f"ninjaone.devices:{d}" for d in m.rmm] + ([f"hudu.assets:{m.docs}"] if m.docs else [])
            right = bool(refs) and all(owner.get(r) == want for r in refs)
            good += right
        if v["evidence"] in TICKET_LEADS:
            expected += 1
            found += m is not None and all(owner.get(r) == want for r in
                                           ([f"connectwise.configurations:{m.psa}"] if m.psa else [])
                                           + [f"ninjaone.devices:{d}" for d in m.rmm])
    return {"precision": _ratio(good, linked), "recall": _ratio(found, expected), "links": linked,
            "wrong": linked - good, "expected": expected}


def run(path: str, settings: IdentitySettings) -> dict:
    """Load the world's records, resolve, and score against truth."""
    records = load_records(path)
    present = {f"{s}:{r.key}" for s in ("connectwise.configurations", "ninjaone.devices", "hudu.assets")
               for r in records.get(s, [])}
    started = time.perf_counter()
    resolve({s: records.get(s, []) for s in MACHINE_SOURCES}, (), settings, None)
    machines_s = time.perf_counter() - started
    started = time.perf_counter()
    result = resolve(records, (), settings, None)
    seconds = time.perf_counter() - started
    plain = resolve(records, (), IdentitySettings(), None)
    truth = _truth(path)
    blank = {f"hudu.assets:{r.key}" for r in records.get("hudu.assets", []) if not r.fields.get("serial")}
    machines, owner = score_machines(truth["machine_link"], result, present, blank)
    review: dict[str, int] = {}
    for item in result.review:
        review[item.kind] = review.get(item.kind, 0) + 1
    return {
        "bench": "identity", "devices": len(records.get("ninjaone.devices", [])),
        "configurations": len(records.get("connectwise.configurations", [])),
        "assets": len(records.get("hudu.assets", [])), "tickets": len(records.get("connectwise.tickets", [])),
        "companies": score_companies(truth["company_link"], result), "machines": machines,
        "tickets_to_device": score_tickets(truth["ticket_device"], result, owner),
        "tickets_to_device_without_categories": score_tickets(truth["ticket_device"], plain, owner),
        "review": review, "lost": len(result.lost), "match_machines_s": round(machines_s, 2),
        "resolve_all_s": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Generate (or open) a world, resolve it, print one JSON line."""
    parser = world_parser(__doc__, "small")
    parser.add_argument("--world", help="use this world file instead of generating one")
    args = parser.parse_args(argv)
    settings = IdentitySettings(device_ticket_categories=SANDBOX_DEVICE_CATEGORIES)
    if args.world:
        print(json.dumps(run(args.world, settings)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "world.db")
        generate_world(path, seed=args.seed, size=world_size(args.size)).close()
        print(json.dumps({"size": args.size, "seed": args.seed, **run(path, settings)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
