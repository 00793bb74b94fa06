"""Client companies as each tool names them, and their CW contacts."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from syncd.sandbox.world.names import CITIES, COMPANY_KINDS, COMPANY_WORDS, LEGAL_SUFFIXES, person
from syncd.sandbox.world.rows import DAY, Ids, Sink, iso

TIERS = (("gold", 20), ("silver", 45), ("bronze", 35))
TIER_TICKET_FACTOR = {"gold": 1.3, "silver": 1.0, "bronze": 0.8}


@dataclass
class Contact:
    """A CW contact; `username` is the Windows logon the RMM reports as last user."""

    id: int
    first: str
    last: str
    username: str
    inactive: bool
    inactive_since: int | None


@dataclass
class Company:
    """One client company with its ids and names in CW, NinjaOne and Hudu (None = absent)."""

    world_id: int
    tier: str
    base_name: str
    cw_id: int
    cw_identifier: str
    cw_name: str
    ninja_id: int | None
    ninja_name: str | None
    hudu_id: int | None
    hudu_name: str | None
    hudu_sync_id: str | None
    prefix: str                   # hostname prefix ("ACME")
    domain: str                   # NetBIOS domain for last-logged-in users
    email_domain: str
    n_machines: int
    n_tickets: int
    created: int
    seed: int                     # seeds this company's own generator, so companies are independent
    contacts: list[Contact] = field(default_factory=list)
    locations: list[int] = field(default_factory=list)


def allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder), each >= minimum."""
    n = len(weights)
    minimum = min(minimum, total // max(n, 1))
    spare = total - minimum * n
    scale = sum(weights)
    raw = [spare * w / scale for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(n), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def _names(rng: random.Random, n: int) -> list[str]:
    """`n` distinct company names ("Brightwater Logistics", "Summit Dental of Salem")."""
    combos = len(COMPANY_WORDS) * len(COMPANY_KINDS)
    picks = rng.sample(range(combos * (len(CITIES) + 1)), n) if n > combos else rng.sample(range(combos), n)
    names = []
    for pick in picks:
        city, rest = divmod(pick, combos)
        word, kind = divmod(rest, len(COMPANY_KINDS))
        name = f"{COMPANY_WORDS[word]} {COMPANY_KINDS[kind]}"
        names.append(f"{name} of {CITIES[city - 1]}" if city else name)
    return names


def _variants(rng: random.Random, name: str) -> tuple[str, str]:
    """A legal-style name and a short name for the same company, as other tools record it."""
    words = name.split()
    legal = rng.choice((name.upper(), name)) + rng.choice(LEGAL_SUFFIXES)
    short = words[0] if len(words) > 1 else name
    return legal, rng.choice((short, short + " " + words[1][:3].rstrip("&") + ".", name.lower()))


def _prefix(words: list[str]) -> str:
    """Client code used in hostnames: a short first word ("ACME") or the initials ("BWL")."""
    if len(words[0]) <= 6:
        return words[0].upper()
    initials = "".join(w[0] for w in words if w[0].isupper())
    return (initials if len(initials) >= 2 else words[0][:5]).upper()


def _unique(base: str, seen: set[str]) -> str:
    value, n = base, 2
    while value in seen:
        value, n = f"{base}{n}", n + 1
    seen.add(value)
    return value


def plan_companies(rng: random.Random, ids: Ids, *, n: int, machines: int, tickets: int,
                   start: int) -> list[Company]:
    """Decide every company's names, ids, tier and size (no rows written)."""
    names = _names(rng, n)
    tiers = rng.choices([t for t, _ in TIERS], [w for _, w in TIERS], k=n)
    weights = [min(rng.lognormvariate(0, 0.8), 10.0) for _ in range(n)]
    sizes = allocate(machines, weights, 4)
    load = [s * TIER_TICKET_FACTOR[t] for s, t in zip(sizes, tiers, strict=True)]
    loads = allocate(tickets, load, 6)
    prefixes: set[str] = set()
    idents: set[str] = set()
    companies = []
    for i, name in enumerate(names):
        words = re.sub(r"[^A-Za-z ]", "", name).split()
        prefix = _unique(_prefix(words), prefixes)
        in_ninja = i < 3 or rng.random() > 0.06
        in_hudu = i < 3 or rng.random() > 0.10
        differs = i == 0 or rng.random() < 0.15
        legal, short = _variants(rng, name) if differs else (name, name)
        cw_id = ids.next("cw_company")
        unlinked = in_hudu and (i == 1 or rng.random() < 0.04)
        companies.append(Company(
            world_id=i + 1, tier=tiers[i], base_name=name, cw_id=cw_id,
            cw_identifier=_unique("".join(words)[:25], idents), cw_name=name,
            ninja_id=ids.next("ninja_org") if in_ninja else None, ninja_name=legal if in_ninja else None,
            hudu_id=ids.next("hudu_company") if in_hudu else None, hudu_name=short if in_hudu else None,
            hudu_sync_id=None if unlinked or not in_hudu else str(cw_id),
            prefix=prefix, domain=prefix[:15], email_domain="".join(words).lower()[:20] + ".com",
            n_machines=sizes[i], n_tickets=loads[i],
            created=start - rng.randrange(200, 2500) * DAY, seed=rng.getrandbits(64)))
    return companies


def write_company(sink: Sink, co: Company, now: int) -> None:
    """Write the company row and its naming/linking truth."""
    updated = min(now - DAY, co.created + 100 * DAY)
    sink.add("companies", (co.world_id, co.tier, co.cw_id, co.cw_identifier, co.cw_name, 0, co.ninja_id,
                           co.ninja_name, co.hudu_id, co.hudu_name, co.hudu_sync_id, iso(co.created),
                           iso(updated)))
    subject = f"companies:{co.world_id}"
    sink.truth("company_link", subject, {"cw": co.cw_id, "ninja": co.ninja_id, "hudu": co.hudu_id})
    names = {co.cw_name, co.ninja_name or co.cw_name, co.hudu_name or co.cw_name}
    if len(names) > 1:
        sink.truth("company_name_differs", subject,
                   {"cw": co.cw_name, "ninja": co.ninja_name, "hudu": co.hudu_name})
    if co.hudu_id is not None and co.hudu_sync_id is None:
        sink.truth("hudu_unlinked", subject, {"hudu": co.hudu_id, "cw": co.cw_id})


def write_contacts(sink: Sink, rng: random.Random, ids: Ids, co: Company, *, count: int,
                   start: int, now: int) -> None:
    """Create the company's contacts (5-15% inactive, at least one) into `co.contacts`."""
    p_inactive = rng.uniform(0.05, 0.15)
    seen: set[str] = set()
    for i in range(count):
        first, last = person(rng)
        username = _unique((first[0] + last).lower(), seen)
        inactive = i == count - 1 or rng.random() < p_inactive
        since = rng.randrange(start - 30 * DAY, now - 20 * DAY) if inactive else None
        contact = Contact(ids.next("contacts"), first, last, username, inactive, since)
        co.contacts.append(contact)
        created = co.created + rng.randrange(0, 150) * DAY
        updated = since if since is not None else min(now - DAY, created + rng.randrange(1, 400) * DAY)
        email = f"{first}.{last}@{co.email_domain}".lower() if rng.random() < 0.95 else None
        sink.add("contacts", (contact.id, co.world_id, first, last, email, username, int(inactive),
                              iso(created), iso(updated), 0))
