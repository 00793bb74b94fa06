"""ConnectWiseWriter: internal notes, configuration links and KB-update tickets, each written once.

Every write first looks in CW for its own earlier write (the `marker(key)` footer of a note, an
existing link, a ticket whose notes carry the marker) and returns it with `created=False`. A POST
that fails ambiguously (read timeout, 5xx, connection dropped after sending, a 2xx with a junk
body) may still have been applied, so the writer looks once more before re-raising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from syncd.connectors.base import WriteResult
from syncd.connectors.common import find_marker, marker
from syncd.connectors.connectwise.client import ConnectWiseClient, cw_string
from syncd.connectors.connectwise.settings import ConnectWiseSettings
from syncd.errors import (
    ApiError,
    ApiTimeoutError,
    BadRequestError,
    MalformedResponseError,
    RetryableApiError,
    TransportError,
)

log = structlog.get_logger(__name__)

SUMMARY_MAX = 100   # CW refuses longer ticket summaries


def is_ambiguous(exc: ApiError) -> bool:
    """Whether a failed POST may have been applied by CW (so a retry could duplicate it)."""
    if isinstance(exc, TransportError):
        return exc.reached_server
    if isinstance(exc, ApiTimeoutError | RetryableApiError | MalformedResponseError):
        return True
    return exc.status is not None and exc.status >= 500


class ConnectWiseWriter:
    """The TicketWriter of ConnectWise."""

    def __init__(self, client: ConnectWiseClient, settings: ConnectWiseSettings) -> None:
        self._client, self._settings = client, settings

    # --- notes ----------------------------------------------------------------------------------

    def post_note(self, ticket_id: str, text: str, *, key: str) -> WriteResult:
        """Post an internal note whose footer is the key's marker, unless one is already there."""
        found = self.find_note(ticket_id, key)
        if found is not None:
            return WriteResult(found, created=False)
        body = {"text": f"{text}\n\n{marker(key)}", "internalAnalysisFlag": True, "detailDescriptionFlag": False,
                "resolutionFlag": False, "processNotifications": False}
        path = f"/service/tickets/{int(ticket_id)}/notes"
        return self._create("post_note", key, lambda: self._client.post(path, body),
                            lambda: self.find_note(ticket_id, key))

    def find_note(self, ticket_id: str | int, key: str) -> str | None:
        """Id of the ticket's note carrying the key's marker, or None."""
        path = f"/service/tickets/{int(ticket_id)}/notes"
        try:
            rows = list(self._client.rows(path, conditions=f"text contains {cw_string(marker(key))}"))
        except BadRequestError:
            # A CW version that cannot filter notes by text: read them all and search here.
            rows = list(self._client.rows(path))
        for row in rows:
            if find_marker(row.get("text")) == key:
                return str(row["id"])
        return None

    # --- configuration links --------------------------------------------------------------------

    def link_configuration(self, ticket_id: str, configuration_id: str, *, key: str) -> WriteResult:
        """Attach a configuration to a ticket; an existing link counts as done (created=False)."""
        config = int(configuration_id)
        if self._is_linked(ticket_id, config):
            return WriteResult(str(config), created=False)
        path = f"/service/tickets/{int(ticket_id)}/configurations"
        return self._create("link_configuration", key, lambda: self._client.post(path, {"id": config}),
                            lambda: str(config) if self._is_linked(ticket_id, config) else None)

    def _is_linked(self, ticket_id: str, config: int) -> bool:
        rows = self._client.rows(f"/service/tickets/{int(ticket_id)}/configurations")
        return any(row.get("id") == config for row in rows)

    # --- parent (incident) links ----------------------------------------------------------------

    def link_parent(self, ticket_id: str, parent_id: str, *, key: str) -> WriteResult:
        """Make `ticket_id` a child of the incident `parent_id`; already so counts as done.

        Setting the parent is a JSON-Patch `replace` of `parentTicketId`: idempotent, so unlike
        the creates above it needs no marker (the ledger key alone keeps it at most once).
        """
        parent = int(parent_id)
        rows = self._client.rows("/service/tickets", conditions=f"id={int(ticket_id)}", fields="id,parentTicketId")
        current = next((row.get("parentTicketId") for row in rows), None)
        if current == parent:
            return WriteResult(str(parent), created=False)
        self._client.patch(f"/service/tickets/{int(ticket_id)}",
                           [{"op": "replace", "path": "parentTicketId", "value": parent}])
        return WriteResult(str(parent), created=True)

    # --- tickets --------------------------------------------------------------------------------

    def create_ticket(self, *, company_id: str, summary: str, description: str, key: str,
                      board: str | None = None) -> WriteResult:
        """Open a ticket on `board` (default kb_board); text and marker go in the internal analysis."""
        board = board or self._settings.kb_board
        summary = " ".join(summary.split())[:SUMMARY_MAX]
        company: dict[str, Any] = {"id": int(company_id)} if company_id.isdigit() else {"identifier": company_id}
        found = self.find_ticket(company, summary, board, key)
        if found is not None:
            return WriteResult(found, created=False)
        body = {"summary": summary, "company": company, "board": {"name": board},
                # Internal analysis, not initialDescription: that becomes a customer-facing note.
                "initialInternalAnalysis": f"{description}\n\n{marker(key)}", "processNotifications": False}
        return self._create("create_ticket", key, lambda: self._client.post("/service/tickets", body),
                            lambda: self.find_ticket(company, summary, board, key))

    def find_ticket(self, company: dict[str, Any], summary: str, board: str, key: str) -> str | None:
        """Id of a ticket with this summary, company and board whose notes carry the key's marker."""
        company_cond = f"company/id={company['id']}" if "id" in company \
            else f"company/identifier={cw_string(company['identifier'])}"
        conditions = f"summary={cw_string(summary)} and {company_cond} and board/name={cw_string(board)}"
        for row in self._client.rows("/service/tickets", conditions=conditions, fields="id"):
            # Same summary alone is not proof: a person may have opened one; only our marker is.
            if self.find_note(row["id"], key) is not None:
                return str(row["id"])
        return None

    # --- shared ---------------------------------------------------------------------------------

    @staticmethod
    def _create(action: str, key: str, post: Callable[[], dict[str, Any]],
                find: Callable[[], str | None]) -> WriteResult:
        try:
            answer = post()
        except ApiError as exc:
            if not is_ambiguous(exc):
                raise
            found = find()
            if found is None:
                raise
            log.info("write_found_after_failure", connector="connectwise", action=action, key=key,
                     error=str(exc))
            return WriteResult(found, created=True)
        ident = answer.get("id")
        if ident is None:
            raise MalformedResponseError(f"connectwise: {action}: answer has no id", connector="connectwise")
        return WriteResult(str(ident), created=True)
