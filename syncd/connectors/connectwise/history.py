"""A ticket's history from CW's audit trail, as `TicketEvent` records.

`GET /system/audittrail?type=Ticket&id=N` answers `AuditTrailEntry {text, enteredDate,
enteredBy, auditType, auditSubType, auditSource}` rows with no id. A change reads
`<Field> has been changed from "old" to "new"` (the field names and exact wording are NOT
CONFIRMED against a tenant, so the field is matched loosely and `auditSubType` is the fallback).
A status change from a closed status to an open one is a reopen; the closed flags come from the
boards stream (each board's statuses), else from the status name.

Entries that record no field change (creation, notes, e-mails) are not events. An entry that
does not validate, or a change entry whose text cannot be read, is logged and skipped. An API
member without the audit-trail permission (403), or a Manage without the endpoint (404), leaves
tickets without history: logged once per connector, and tried again on the next poll.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import structlog

from syncd.connectors.connectwise import models as m
from syncd.connectors.connectwise.client import ConnectWiseClient
from syncd.errors import AuthError, NotFoundError
from syncd.vocabulary import TicketEvent

log = structlog.get_logger(__name__)

SOURCE = "connectwise.ticket_events"
CHANGE = re.compile(r'^\s*(?P<field>.+?)\s+(?:has\s+been\s+|was\s+)?changed\s+from\s+"(?P<old>.*)"\s+to\s+'
                    r'"(?P<new>.*)"\s*\.?\s*$', re.IGNORECASE | re.DOTALL)
# The field a change is about -> event kind (the text's field name, else auditSubType). Exact
# names, so "SLA Status" or "Owner Notes" never pass for the ticket's status or owner.
FIELDS = {"status": "status_changed", "owner": "owner_changed", "priority": "priority_changed"}
TICKET_PREFIX = re.compile(r"^ticket\s+")
CLOSED_NAME = re.compile(r"\b(closed|completed?|cancell?ed)\b", re.IGNORECASE)

# (board id, status name) -> the status's closed flag, or None when the board does not know it.
ClosedLookup = Callable[[int | None, str], bool | None]


def kind_of(field: str | None) -> str | None:
    """The event kind of a changed field's name (or of an auditSubType), None when not tracked."""
    return FIELDS.get(TICKET_PREFIX.sub("", " ".join((field or "").split()).casefold()))


def entry_key(ticket_id: int, row: dict[str, Any]) -> str:
    """`<ticket id>:<hash>`: stable for the same entry however often (or in whatever order) it is read."""
    parts = [row.get(k) for k in ("enteredDate", "text", "enteredBy", "auditType", "auditSubType")]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]
    return f"{ticket_id}:{digest}"


def is_closed(closed: ClosedLookup, board_id: int | None, name: str) -> bool:
    """A status's closed flag from the boards stream, else guessed from its name."""
    known = closed(board_id, name)
    return bool(CLOSED_NAME.search(name)) if known is None else known


def to_event(ticket: m.CwTicket, row: dict[str, Any], closed: ClosedLookup) -> TicketEvent | None:
    """The TicketEvent an entry records; None when it records no tracked change or is malformed."""
    try:
        entry = m.CwAuditEntry.model_validate(row)
    except ValueError as exc:
        _skip(ticket.id, str(exc).splitlines()[0])
        return None
    match = CHANGE.match(entry.text)
    kind = kind_of(match.group("field")) if match else None
    kind = kind or kind_of(entry.audit_sub_type)
    if kind is None:
        return None                       # creation, notes, e-mails...: not a change we track
    if match is None:
        _skip(ticket.id, f"unreadable {entry.audit_sub_type} change: {entry.text[:80]!r}")
        return None
    old, new = match.group("old").strip() or None, match.group("new").strip() or None
    board = ticket.board.id if ticket.board else None
    if kind == "status_changed" and old and new and is_closed(closed, board, old) \
            and not is_closed(closed, board, new):
        kind = "reopened"
    return TicketEvent(id=entry_key(ticket.id, row), ticket_id=str(ticket.id), kind=kind,
                       at=entry.entered_date, old=old, new=new, by=entry.entered_by or None)


def _skip(ticket_id: int, error: str) -> None:
    log.warning("record_skipped", source=SOURCE, id=ticket_id, error=error)


class TicketHistory:
    """Reads tickets' audit trails; remembers, for the current poll, that the trail is out of reach."""

    def __init__(self, client: ConnectWiseClient, closed: ClosedLookup) -> None:
        self._client, self._closed = client, closed
        self._off = False                 # out of reach for the rest of this poll
        self._warned = False              # the 403/404 was logged already (once per connector)

    def begin_poll(self) -> None:
        """Try the endpoint again: the member may have been given the permission since."""
        self._off = False

    def events(self, ticket: m.CwTicket) -> list[TicketEvent]:
        """The ticket's tracked changes, oldest first; [] when the trail cannot be read."""
        if self._off:
            return []
        try:
            rows: Iterable[dict[str, Any]] = list(self._client.audit_trail("Ticket", ticket.id))
        except (AuthError, NotFoundError) as exc:
            if isinstance(exc, AuthError) and exc.status != 403:
                raise                     # 401: the keys are wrong, not a missing permission
            self._off = True
            if not self._warned:
                self._warned = True
                log.warning("ticket_history_unavailable", source=SOURCE, status=exc.status, error=str(exc),
                            hint="the API member's security role needs access to the audit trail")
            return []
        found = [e for row in rows if (e := to_event(ticket, row, self._closed)) is not None]
        return sorted(found, key=lambda e: (e.at, e.id))
