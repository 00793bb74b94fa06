"""SLA clocks over the mirror: what the rules' SLA facts ask for a stored ticket, pauses from its status history."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from syncd.clock import as_datetime
from syncd.sla.clock import Pause, SlaClocks, SlaStatus, pauses_from_history
from syncd.sla.policy import SlaSettings
from syncd.vocabulary import StatusClass, Ticket

PauseSource = Callable[[Any], Sequence[Pause]]
ClassOf = Callable[[str | None], StatusClass | None]

# Status names mean different things per MSP; the boards' own classification wins (see
# `status_classifier`). These patterns only cover names no board told us about.
_NAME_PATTERNS: tuple[tuple[re.Pattern[str], StatusClass], ...] = (
    (re.compile(r"wait\w*\s*(on\s*|for\s*)?(customer|client|user)|awaiting\s+user|customer\s+repl", re.I),
     StatusClass.WAITING_CUSTOMER),
    (re.compile(r"wait\w*\s*(on\s*|for\s*)?(vendor|3rd|third|parts|supplier)", re.I), StatusClass.WAITING_VENDOR),
    (re.compile(r"escalat", re.I), StatusClass.ESCALATED),
    (re.compile(r"resolved", re.I), StatusClass.RESOLVED),
    (re.compile(r"closed|complete|cancel", re.I), StatusClass.CLOSED),
    (re.compile(r"^\s*new\b", re.I), StatusClass.NEW),
)


def guess_status_class(name: str | None) -> StatusClass | None:
    """A status class from a status name (or a class value itself); in_progress when nothing else fits."""
    if not name:
        return None
    try:
        return StatusClass(name)
    except ValueError:
        pass
    return next((cls for pattern, cls in _NAME_PATTERNS if pattern.search(name)), StatusClass.IN_PROGRESS)


def status_classifier(boards: Iterable[Any] = ()) -> ClassOf:
    """Status name -> class: the mirrored boards' classification first (`statuses[].status_class`), then a guess."""
    known: dict[str, StatusClass] = {}
    for board in boards:
        for status in board.fields.get("statuses") or ():
            name, cls = status.get("name"), status.get("status_class")
            if name and cls in StatusClass._value2member_map_:
                known.setdefault(str(name).casefold(), StatusClass(cls))

    def class_of(name: str | None) -> StatusClass | None:
        if not name:
            return None
        return known.get(name.casefold()) or guess_status_class(name)

    return class_of


class EventPauses:
    """A ticket's pause intervals from its `status_changed`/`reopened` events, per `pause_on`.

    Built once per pass: the events are indexed by ticket on first use. A ticket with no status
    history that sits in a pausing class now counts as paused since its last update, which is
    the best the mirror can say about when it entered that status.
    """

    def __init__(self, events: Callable[[], Iterable[Any]], pause_on: Iterable[StatusClass | str],
                 class_of: ClassOf = guess_status_class) -> None:
        self._events = events
        self._pause_on = {StatusClass(c) for c in pause_on}
        self._class_of = class_of
        self._index: Mapping[tuple[str, str], list[tuple[datetime, str | None, str | None]]] | None = None

    def _by_ticket(self) -> Mapping[tuple[str, str], list[tuple[datetime, str | None, str | None]]]:
        if self._index is None:
            index: dict[tuple[str, str], list[tuple[datetime, str | None, str | None]]] = defaultdict(list)
            for event in self._events():
                fields = event.fields
                if fields.get("kind") not in ("status_changed", "reopened"):
                    continue
                at = as_datetime(fields.get("at"))
                if at is not None:
                    index[(event.record.kind, str(fields.get("ticket_id")))].append((at, fields.get("old"),
                                                                                     fields.get("new")))
            self._index = {k: sorted(v, key=lambda e: e[0]) for k, v in index.items()}
        return self._index

    def __call__(self, ticket: Any) -> list[Pause]:
        """The ticket's pauses (the last one open while it still waits)."""
        changes = self._by_ticket().get((ticket.record.kind, ticket.key), [])
        if not changes:
            current = guess_status_class(ticket.fields.get("status_class"))
            since = as_datetime(ticket.fields.get("updated"))
            return [Pause(since)] if current in self._pause_on and since is not None else []
        history: list[tuple[datetime, StatusClass | str]] = []
        created = as_datetime(ticket.fields.get("created"))
        first_old = self._class_of(changes[0][1])
        if created is not None and first_old is not None:
            history.append((created, first_old))
        for at, _old, new in changes:
            cls = self._class_of(new)
            if cls is not None:
                history.append((at, cls))
        return pauses_from_history(history, self._pause_on)


class MirrorSla:
    """Evaluate stored tickets at one pass's `now`; a company's tier comes from its mirrored record."""

    def __init__(self, settings: SlaSettings, *, now: datetime, tier_of: Callable[[Any], str | None],
                 pauses_of: PauseSource | None = None) -> None:
        self._clocks = SlaClocks(settings)
        self._now = now
        self._tier_of = tier_of
        self._pauses_of = pauses_of or (lambda _ticket: ())
        self._cache: dict[tuple[str, str], SlaStatus | None] = {}

    @property
    def settings(self) -> SlaSettings:
        """The `[sla]` settings the clocks use."""
        return self._clocks.settings

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
