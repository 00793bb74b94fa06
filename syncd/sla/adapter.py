"""SLA clocks over the mirror: what the rules' `minutes_to_sla_breach` fact asks for a stored ticket."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from syncd.sla.clock import Pause, SlaClocks, SlaStatus
from syncd.sla.policy import SlaSettings
from syncd.vocabulary import Ticket

PauseSource = Callable[[Any], Sequence[Pause]]


class MirrorSla:
    """Evaluate stored tickets at one pass's `now`; a company's tier comes from its mirrored record."""

    def __init__(self, settings: SlaSettings, *, now: datetime, tier_of: Callable[[Any], str | None],
                 pauses_of: PauseSource | None = None) -> None:
        self._clocks = SlaClocks(settings)
        self._now = now
        self._tier_of = tier_of
        self._pauses_of = pauses_of or (lambda _ticket: ())
        self._cache: dict[tuple[str, str], SlaStatus | None] = {}

    def status(self, ticket: Any) -> SlaStatus | None:
        """Both clocks of a stored ticket, or None when its fields are not a valid Ticket."""
        ref = (ticket.source, ticket.key)
        if ref not in self._cache:
            self._cache[ref] = self._evaluate(ticket)
        return self._cache[ref]

    def minutes_to_breach(self, ticket: Any) -> float | None:
        """Minutes until the next live clock is due (negative once breached); None without an SLA."""
        status = self.status(ticket)
        return None if status is None else status.minutes_to_breach

    def _evaluate(self, ticket: Any) -> SlaStatus | None:
        try:
            model = Ticket(id=ticket.key, **ticket.fields)
        except ValidationError:
            return None  # a record that is not a well-formed ticket has no SLA; rules see None
        return self._clocks.evaluate(model, now=self._now, tier=self._tier_of(ticket),
                                     pauses=self._pauses_of(ticket))
