"""ConnectWise PSA (Manage) simulator for `syncd sandbox`.

Serves `/v4_6_release/apis/3.0` (tickets, notes, ticket configuration links, ticket audit trail,
time entries, configurations, contacts, companies, boards, statuses, priorities, system info)
and `/login/companyinfo/{company}` from the sandbox world, and writes notes, links and tickets back.
"""

from syncd.sandbox.connectwise.simulator import ConnectWiseSimulator

__all__ = ["ConnectWiseSimulator"]
