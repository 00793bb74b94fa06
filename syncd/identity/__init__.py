"""Identity resolution: the same company, the same machine across PSA, RMM and docs, and each ticket's machine.

Never guesses: every link carries its evidence and confidence; ambiguous or weak candidates go to the
review queue (`syncd matches`), and people's decisions there win over the automatic result.
"""

from syncd.identity.model import Link, LostLink, Machine, PreviousLinks, ReviewItem, Score, TicketDevice
from syncd.identity.resolve import IdentityResult, resolve
from syncd.identity.settings import IdentitySettings, MachineKey
from syncd.identity.store import resolve_from_store

__all__ = [
    "IdentityResult", "IdentitySettings", "Link", "LostLink", "Machine", "MachineKey", "PreviousLinks",
    "ReviewItem", "Score", "TicketDevice", "resolve", "resolve_from_store",
]
