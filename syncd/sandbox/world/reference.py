"""CW reference data (boards, statuses, priorities, members) the tickets point at."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from syncd.sandbox.world.names import person
from syncd.sandbox.world.rows import Sink, iso

# (name, closed, escalation_status, time_entry_not_allowed) in board order.
_SD = (("New", 0, "NotResponded", 0), ("In Progress", 0, "Responded", 0),
       ("Waiting Customer", 0, "Responded", 0), ("Waiting Vendor", 0, "Responded", 0),
       ("Escalated", 0, "ResolutionPlan", 0), ("Scheduled", 0, "ResolutionPlan", 0),
       ("Resolved", 0, "Resolved", 0), ("Closed", 1, "Resolved", 1))
BOARDS = {
    "Service Desk": _SD,
    "Monitoring": (("New", 0, "NotResponded", 0), ("Acknowledged", 0, "Responded", 0),
                   ("In Progress", 0, "Responded", 0), ("Waiting Vendor", 0, "Responded", 0),
                   ("Escalated", 0, "ResolutionPlan", 0), ("Resolved", 0, "Resolved", 0),
                   ("Closed", 1, "Resolved", 1)),
    "Projects": (("New", 0, "NoEscalation", 0), ("In Progress", 0, "NoEscalation", 0),
                 ("Waiting Customer", 0, "NoEscalation", 0), ("Waiting Vendor", 0, "NoEscalation", 0),
                 ("Completed", 1, "NoEscalation", 0), ("Closed", 1, "NoEscalation", 1)),
    "Change Management": (("New", 0, "NotResponded", 0), ("Pending Approval", 0, "Responded", 0),
                          ("Approved", 0, "ResolutionPlan", 0), ("Scheduled", 0, "ResolutionPlan", 0),
                          ("In Progress", 0, "ResolutionPlan", 0), ("Completed", 1, "Resolved", 0),
                          ("Closed", 1, "Resolved", 1)),
    "KB Updates": (("New", 0, "NoEscalation", 0), ("In Progress", 0, "NoEscalation", 0),
                   ("Waiting Review", 0, "NoEscalation", 0), ("Closed", 1, "NoEscalation", 1)),
}

# SLA matrix of seed 003 (intake SOP): respond / resolve in business minutes (8 h business day).
SLA_MINUTES = {1: (30, 240), 2: (60, 480), 3: (240, 2 * 8 * 60), 4: (480, 5 * 8 * 60)}
PRIORITIES = ((1, "Priority 1 - Critical", "#FF0000"), (2, "Priority 2 - High", "#FF9900"),
              (3, "Priority 3 - Medium", "#FFFF00"), (4, "Priority 4 - Low", "#00CC00"))
# Roles shape the member mix; the members table has no role column, so it lives in the name only.
ROLES = (("Tier 1 Technician", 5), ("Tier 2 Engineer", 3), ("Service Coordinator", 1), ("NOC Engineer", 1))


@dataclass
class Member:
    """A CW member (technician or coordinator)."""

    id: int
    identifier: str
    name: str
    role: str


@dataclass
class Catalog:
    """Reference ids the ticket generator looks up."""

    boards: dict[str, int] = field(default_factory=dict)
    statuses: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # -> (id, closed)
    priorities: dict[int, int] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)

    def status(self, board: str, name: str) -> int:
        """Status id of `name` on `board`."""
        return self.statuses[(board, name)][0]

    def techs(self) -> list[Member]:
        """Members who own and work tickets."""
        return [m for m in self.members if m.role != "Service Coordinator"]


def write_reference(sink: Sink, rng: random.Random, start: int, n_members: int) -> Catalog:
    """Write boards, statuses, priorities and members; return their ids."""
    cat = Catalog()
    stamp = iso(start - 400 * 86_400)
    status_id = 1
    for board_id, (board, statuses) in enumerate(BOARDS.items(), start=1):
        cat.boards[board] = board_id
        sink.add("boards", (board_id, board, 0, stamp))
        for order, (name, closed, escalation, no_time) in enumerate(statuses):
            sink.add("statuses", (status_id, board_id, name, order, closed, escalation, no_time, stamp))
            cat.statuses[(board, name)] = (status_id, closed)
            status_id += 1
    for level, name, color in PRIORITIES:
        pid = 10 - level * 2      # CW tenants rarely have priority ids 1..4 in order
        cat.priorities[level] = pid
        sink.add("priorities", (pid, name, level, f"Priority{level}", color, stamp))
    _write_members(sink, rng, cat, n_members)
    return cat


def _write_members(sink: Sink, rng: random.Random, cat: Catalog, n_members: int) -> None:
    """Members with unique identifiers like `jsmith`, roles in a realistic mix."""
    roles = [role for role, weight in ROLES for _ in range(weight)]
    seen: set[str] = set()
    for i in range(n_members):
        first, last = person(rng)
        ident = (first[0] + last).lower()
        while ident in seen:
            ident += str(rng.randrange(2, 9))
        seen.add(ident)
        role = roles[i % len(roles)] if i >= len(ROLES) else ROLES[i][0]
        member = Member(150 + i, ident, f"{first} {last}", role)
        cat.members.append(member)
        sink.add("members", (member.id, member.identifier, member.name))
