"""`GET /system/audittrail?type=Ticket&id=N`: a ticket's history as CW `AuditTrailEntry` rows.

Sources (psa-apis.md lists the path; the rest is [2], from public clients):
- parameters `type`, `id`, `deviceIdentifier` (Ruby SDK `AuditTrailApi`, PowerShell
  `Get-CWMAuditTrail`), plus the usual `conditions`, `orderBy`, `fields`, `page`, `pageSize`;
  `/system/audittrail/count` answers `{count}`;
- `AuditTrailEntry {text, enteredDate, enteredBy, auditType, auditSubType, auditSource}`, all
  strings and no `id` (spinen connectwise-php-client models v2018_5 and v2019_3);
- an owner change is `auditType "Resource"`, `auditSubType "Owner"` (a public integration
  script filters on exactly that).

NOT CONFIRMED, chosen here: the change texts (`Status has been changed from "X" to "Y"`,
`Ticket Owner has been changed from "a" to "b"` with member identifiers, `Priority ...`), the
creation entry's text and subtype, `auditSource`, newest-first order, an empty list (not 404)
for a ticket that does not exist, 400 for forward-only paging (entries have no id to key on),
and the 403 body served when the API member lacks the audit-trail permission.

World mapping: `ticket_events` rows (status_changed, reopened, owner_changed; see
`syncd/sandbox/world/ticket_life.py`) plus one creation entry per ticket. Events carry no actor,
so an owner change is entered by the previous owner and a status change by the ticket's owner.
"""

from __future__ import annotations

import json
from typing import Any

from syncd.sandbox.connectwise import errors, query
from syncd.sandbox.connectwise.resources import Resource
from syncd.sandbox.framework import Request, Response, route

PREFIX = "/v4_6_release/apis/3.0"
PATH = f"{PREFIX}/system/audittrail"
ENTRY_FIELDS = frozenset({"text", "enteredDate", "enteredBy", "auditType", "auditSubType", "auditSource"})
# The record types public clients pass; only tickets have a history in the sandbox world.
RECORD_TYPES = {t.lower(): t for t in (
    "None", "Ticket", "Contact", "Company", "Opportunity", "Time", "Activity", "ProductCatalog",
    "ProjectTicket", "Purchasing", "Configuration", "Schedule", "Agreement", "AgreementAddition",
    "Project", "Invoice", "PurchaseOrder", "Expense")}
SOURCE = "Ticket"
FORBIDDEN = {"code": "Forbidden", "message": "You do not have access to System > Audit Trail "
             "(check the API member's security role)."}

# Only what parse_list_query reads (field names); the trail is built in memory, not by SQL.
AUDIT = Resource(model="AuditTrailEntry", table="ticket_events", projection="", source="", joins=(),
                 where="", id_col="", fields=ENTRY_FIELDS, build=lambda _base, _row: {})


def entry(text: str, at: str, by: str, audit_type: str, sub_type: str) -> dict[str, Any]:
    """One AuditTrailEntry."""
    return {"text": text, "enteredDate": at, "enteredBy": by, "auditType": audit_type,
            "auditSubType": sub_type, "auditSource": SOURCE}


def change_text(field: str, old: Any, new: Any) -> str:
    """`<Field> has been changed from "old" to "new"` (blank for a missing value)."""
    return f'{field} has been changed from "{old or ""}" to "{new or ""}"'


class AuditTrailRoutes:
    """Mixed into ConnectWiseSimulator: the audit-trail routes over `self.world`."""

    # Set True to answer 403, as CW does for an API member without the audit-trail permission.
    audit_trail_denied: bool = False
    world: Any

    @route("GET", PATH)
    def list_audit_trail(self, request: Request) -> Response:
        """A record's audit trail, newest first, in numbered pages with a Link header."""
        if self.audit_trail_denied:
            return Response(403, FORBIDDEN)
        if (request.header("pagination-type") or "").lower() == "forward-only":
            raise errors.invalid("pagination-type", "pagination-type", "InvalidValue",
                                 "Forward-only pagination is not supported by this endpoint.")
        q = query.parse_list_query(request, AUDIT)
        pairs = [(None, doc) for doc in self._trail(request)]
        page = query.window(pairs, q, q.where, presorted=not request.arg("orderBy"))
        origin = f"http://{request.header('Host') or '127.0.0.1'}"
        link = query.link_header(request, origin, q, page)
        return Response(200, [query.project(doc, q.fields) for _, doc in page.items],
                        headers={"Link": link} if link else {})

    @route("GET", f"{PATH}/count")
    def count_audit_trail(self, request: Request) -> Response:
        """Number of entries a trail query matches."""
        if self.audit_trail_denied:
            return Response(403, FORBIDDEN)
        q = query.parse_list_query(request, AUDIT)
        return Response(200, {"count": query.count_docs(((None, d) for d in self._trail(request)), q.where)})

    def _trail(self, request: Request) -> list[dict[str, Any]]:
        record_type = RECORD_TYPES.get((request.arg("type") or "").lower())
        if record_type is None:
            raise errors.invalid("AuditTrail", "type", "InvalidValue",
                                 f"type must be one of {', '.join(sorted(RECORD_TYPES.values()))}.")
        raw = request.arg("id") or ""
        if not raw.strip().lstrip("-").isdigit():
            raise errors.invalid("AuditTrail", "id", "Required", "id must be a record id.")
        return self._ticket_trail(int(raw)) if record_type == "Ticket" else []

    def _ticket_trail(self, ticket_id: int) -> list[dict[str, Any]]:
        """The ticket's events then its creation, newest first (ties: the later event first)."""
        ticket = self.world.query_one(
            "SELECT t.created_at, t.entered_by, m.identifier AS owner FROM tickets t "
            "LEFT JOIN members m ON m.id = t.owner_id WHERE t.id = ? AND t.deleted = 0", (ticket_id,))
        if ticket is None:
            return []
        members = {r["id"]: r["identifier"] for r in self.world.query("SELECT id, identifier FROM members")}
        rows = self.world.query("SELECT id, at, kind, detail FROM ticket_events WHERE ticket_id = ? "
                                "ORDER BY at DESC, id DESC", (ticket_id,))
        trail = [e for row in rows if (e := _event_entry(row, members, ticket["owner"] or ticket["entered_by"]))]
        created = entry("Ticket has been created.", ticket["created_at"], ticket["entered_by"], "Ticket", "Created")
        return [*trail, created]


def _event_entry(row: Any, members: dict[int, str], owner: str) -> dict[str, Any] | None:
    """A ticket_events row as CW would have logged the change; None for a kind CW would not log."""
    detail = json.loads(row["detail"] or "{}")
    if row["kind"] in ("status_changed", "reopened"):
        # CW logs a reopen as a plain status change; telling it apart is the reader's job.
        return entry(change_text("Status", detail.get("from"), detail.get("to")), row["at"], owner,
                     "Ticket", "Status")
    if row["kind"] == "owner_changed":
        old, new = members.get(detail.get("from")), members.get(detail.get("to"))
        return entry(change_text("Ticket Owner", old, new), row["at"], old or owner, "Resource", "Owner")
    return None
