"""PATCH /service/tickets/{id}: ConnectWise's JSON-Patch update, for the fields syncd may change.

ConnectWise takes a list of `{op, path, value}` operations (`PatchOperation`). syncd only ever
sets a ticket's parent (linking it as a child of an incident), so the simulator accepts
`replace`/`add` on `parentTicketId` and refuses every other path with CW's 400 shape rather than
pretending to apply it.
"""

from __future__ import annotations

from typing import Any

from syncd.sandbox.connectwise import errors
from syncd.sandbox.framework import Request, Response, route

PREFIX = "/v4_6_release/apis/3.0"
PATCHABLE = {"parentticketid": "parent_ticket_id"}


class TicketPatchRoutes:
    """Mixed into ConnectWiseSimulator: ticket PATCH over `self.world`."""

    world: Any

    @route("PATCH", f"{PREFIX}/service/tickets/{{id}}")
    def patch_ticket(self, request: Request) -> Response:
        """Apply the operations to one ticket; 200 with the ticket as GET serves it."""
        ticket_id = self._ticket_id(request.path_params["id"])  # type: ignore[attr-defined]
        changes = _changes(request.json())
        for column, value in changes.items():
            if column == "parent_ticket_id" and value is not None:
                _check_parent(self.world, ticket_id, value)
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.world.execute(f"UPDATE tickets SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608
                           (*changes.values(), self._now(), ticket_id))  # type: ignore[attr-defined]
        return self.get_ticket(request)  # type: ignore[attr-defined]


def _changes(body: Any) -> dict[str, Any]:
    if not isinstance(body, list) or not body:
        raise errors.invalid("PatchOperation", "operations", "InvalidObject",
                             "The body must be a non-empty list of patch operations.")
    changes: dict[str, Any] = {}
    for op in body:
        if not isinstance(op, dict) or op.get("op") not in ("replace", "add", "remove"):
            raise errors.invalid("PatchOperation", "op", "InvalidValue", "op must be add, replace or remove.")
        path = str(op.get("path", "")).strip("/").lower()
        column = PATCHABLE.get(path)
        if column is None:
            raise errors.invalid("Ticket", path or "path", "InvalidValue",
                                 f"The path '{op.get('path')}' cannot be patched here.")
        value = None if op["op"] == "remove" else op.get("value")
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool)):
            raise errors.invalid("Ticket", "parentTicketId", "InvalidValue", "parentTicketId must be a ticket id.")
        changes[column] = value
    return changes


def _check_parent(world: Any, ticket_id: int, parent_id: int) -> None:
    if parent_id == ticket_id:
        raise errors.invalid("Ticket", "parentTicketId", "InvalidValue", "A ticket cannot be its own parent.")
    if world.query_one("SELECT id FROM tickets WHERE id = ? AND deleted = 0", (parent_id,)) is None:
        raise errors.invalid("Ticket", "parentTicketId", "InvalidValue", f"Ticket {parent_id} does not exist.")
