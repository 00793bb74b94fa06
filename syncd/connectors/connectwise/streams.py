"""The ConnectWise streams: what each reads, with which conditions, and how rows become records.

Incremental streams ask for `lastUpdated > [since]` (since = bookmark - overlap, set by the poll
job), so an idle poll is one request per stream. Tickets also read their notes, linked
configurations and audit trail (history.py), but only for tickets whose `_info.lastUpdated`
differs from the mirror; the sub-records (history events, then notes) are yielded before their
ticket so a poll cut short never stores a ticket whose notes or history were not stored.
Boards (with their statuses) and priorities are small reference data, re-read in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel, ValidationError

from syncd.connectors.base import Stream
from syncd.connectors.connectwise import models as m
from syncd.connectors.connectwise.client import ConnectWiseClient, cw_time
from syncd.connectors.connectwise.history import TicketHistory
from syncd.connectors.connectwise.settings import ConnectWiseSettings
from syncd.errors import NotFoundError
from syncd.records import Record
from syncd.state import StateStore
from syncd.vocabulary import Normalized

log = structlog.get_logger(__name__)

KIND = "connectwise"
TICKETS = f"{KIND}.tickets"
SERVICE_TICKETS = 'chargeToType="ServiceTicket"'
M = TypeVar("M", bound=BaseModel)


def since_condition(since: datetime | None, base: str | None = None) -> str | None:
    """`base and lastUpdated > [since]`, or whichever of the two is present."""
    parts = [p for p in (base, f"lastUpdated > {cw_time(since)}" if since else None) if p]
    return " and ".join(parts) or None


def parse(model: type[M], row: dict[str, Any], source: str) -> M | None:
    """Validate one row; a bad row is logged and skipped, never silently taken as "no rows"."""
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        log.warning("record_skipped", source=source, id=row.get("id"), error=str(exc).splitlines()[0])
        return None


class ConnectWiseStreams:
    """Builds the Stream objects; holds the status/priority tables tickets are classified with."""

    def __init__(self, client: ConnectWiseClient, settings: ConnectWiseSettings, state: StateStore,
                 normalizer: m.Normalizer) -> None:
        self._client, self._settings, self._state, self._norm = client, settings, state, normalizer
        # board id -> status name (folded) -> closed, for every board whose statuses were read
        # (empty for a board that vanished); a board in here is never read again for tickets.
        self._closed: dict[int, dict[str, bool]] = {}
        self._history = TicketHistory(client, self.status_closed)

    def all(self) -> list[Stream]:
        """Every stream, reference data first (ticket classification uses it)."""
        s = self._settings
        ref = {"poll_interval": s.reference_poll_interval, "incremental": False}
        return [
            Stream(f"{KIND}.boards", self.fetch_boards, list_keys=self._keys("/service/boards"),
                   reconcile_interval=s.reconcile_interval, **ref),
            Stream(f"{KIND}.priorities", self.fetch_priorities, list_keys=self._keys("/service/priorities"),
                   reconcile_interval=s.reconcile_interval, **ref),
            self._simple("companies", "/company/companies", m.CwCompany, self._norm.company),
            self._simple("contacts", "/company/contacts", m.CwContact, self._norm.contact),
            self._simple("configurations", "/company/configurations", m.CwConfiguration,
                         self._norm.configuration),
            Stream(TICKETS, self.fetch_tickets, s.poll_interval, s.overlap,
                   list_keys=self._keys("/service/tickets"), reconcile_interval=s.reconcile_interval),
            self._simple("time_entries", "/time/entries", m.CwTimeEntry, self._norm.time_entry,
                         base=SERVICE_TICKETS),
        ]

    def _simple(self, name: str, path: str, model: type[M], convert: Callable[[M], Normalized],
                base: str | None = None) -> Stream:
        source = f"{KIND}.{name}"

        def fetch(since: datetime | None) -> Iterator[Record]:
            for row in self._client.rows(path, conditions=since_condition(since, base)):
                item = parse(model, row, source)
                if item is not None:
                    yield convert(item).to_record(KIND)

        s = self._settings
        return Stream(source, fetch, s.poll_interval, s.overlap, list_keys=self._keys(path, base),
                      reconcile_interval=s.reconcile_interval)

    def _keys(self, path: str, base: str | None = None) -> Callable[[], Iterable[str]]:
        def list_keys() -> Iterator[str]:
            for row in self._client.rows(path, conditions=base, fields="id"):
                yield str(row["id"])
        return list_keys

    # --- reference data -----------------------------------------------------------------------

    def load_statuses(self, board_id: int) -> list[m.CwBoardStatus]:
        """Read one board's statuses into the classification table."""
        statuses = [s for row in self._client.rows(f"/service/boards/{board_id}/statuses")
                    if (s := parse(m.CwBoardStatus, row, f"{KIND}.boards")) is not None]
        self._norm.statuses.update({s.id: s for s in statuses})
        self._closed[board_id] = {s.name.casefold(): s.closed_status for s in statuses}
        return statuses

    def status_closed(self, board_id: int | None, name: str) -> bool | None:
        """A status name's closed flag on a board (else on every loaded board that has the name)."""
        if board_id is not None:
            self._load_board(board_id)
            flag = self._closed.get(board_id, {}).get(name.casefold())
            if flag is not None:
                return flag
        flags = {names[name.casefold()] for names in self._closed.values() if name.casefold() in names}
        return flags.pop() if len(flags) == 1 else None

    def fetch_boards(self, since: datetime | None) -> Iterator[Record]:
        """Boards, each with its statuses and their classes (1 + one request per board)."""
        for row in self._client.rows("/service/boards"):
            board = parse(m.CwBoard, row, f"{KIND}.boards")
            if board is None:
                continue
            statuses = [{"id": str(s.id), "name": s.name, "closed": s.closed_status,
                         "escalation": s.escalation_status, "inactive": s.inactive,
                         "status_class": self._norm.status_class(s.name, s.id)}
                        for s in self.load_statuses(board.id)]
            yield Record(f"{KIND}.boards", str(board.id), board.info.last_updated,
                         {"name": board.name, "inactive": board.inactive_flag, "statuses": statuses})

    def fetch_priorities(self, since: datetime | None) -> Iterator[Record]:
        """Priorities with their P1..P4 level."""
        for row in self._client.rows("/service/priorities"):
            p = parse(m.CwPriority, row, f"{KIND}.priorities")
            if p is None:
                continue
            self._norm.priority_levels[p.id] = p.level
            level = self._norm.priority(m.Ref(id=p.id, name=p.name, level=p.level))
            yield Record(f"{KIND}.priorities", str(p.id), p.info.last_updated,
                         {"name": p.name, "level": p.level, "sort_order": p.sort_order, "priority": level})

    # --- tickets --------------------------------------------------------------------------------

    def fetch_tickets(self, since: datetime | None) -> Iterator[Record]:
        """Changed tickets; for each one changed since the mirror, its history, notes and linked configurations."""
        self._history.begin_poll()
        for row in self._client.rows("/service/tickets", conditions=since_condition(since)):
            ticket = parse(m.CwTicket, row, TICKETS)
            if ticket is not None:
                yield from self._ticket_records(ticket)

    def _ticket_records(self, ticket: m.CwTicket) -> Iterator[Record]:
        self._ensure_statuses(ticket)
        stored = self._state.get_record(TICKETS, str(ticket.id))
        updated = ticket.info.last_updated
        if stored is not None and updated is not None and stored.record.updated_at == updated:
            # Unchanged since the mirror (an overlap re-read): keep the links we already know.
            config_ids = list(stored.fields.get("configuration_ids") or [])
        else:
            try:
                notes = [n for row in self._client.rows(f"/service/tickets/{ticket.id}/notes")
                         if (n := parse(m.CwNote, row, f"{KIND}.notes")) is not None]
                config_ids = [str(row["id"]) for row in
                              self._client.rows(f"/service/tickets/{ticket.id}/configurations")]
            except NotFoundError:
                # Deleted between the list page and now; reconciliation marks it deleted.
                log.info("ticket_vanished", source=TICKETS, id=ticket.id)
                return
            for event in self._history.events(ticket):
                yield event.to_record(KIND)
            for note in notes:
                yield self._norm.note(note, ticket.id).to_record(KIND)
        try:
            yield self._norm.ticket(ticket, config_ids).to_record(KIND)
        except ValueError as exc:
            log.warning("record_skipped", source=TICKETS, id=ticket.id, error=str(exc).splitlines()[0])

    def _ensure_statuses(self, ticket: m.CwTicket) -> None:
        """Load the statuses of a ticket's board once, when its status is not known yet."""
        status_id = ticket.status.id if ticket.status else None
        board_id = ticket.board.id if ticket.board else None
        if status_id is None or board_id is None or status_id in self._norm.statuses:
            return
        self._load_board(board_id)

    def _load_board(self, board_id: int) -> None:
        """Load a board's statuses once (a vanished board is remembered as loaded, with none)."""
        if board_id not in self._closed:
            try:
                self.load_statuses(board_id)
            except NotFoundError:
                self._closed[board_id] = {}  # board gone: classify by name and closedFlag
