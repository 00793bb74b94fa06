"""ConnectWise PSA (Manage) REST simulator: `/v4_6_release/apis/3.0` over the sandbox world.

Choices where CW's behaviour is unconfirmed (psa-apis.md marks them NOT CONFIRMED or is silent):
- a note POST does not bump the parent ticket's `_info.lastUpdated`;
- POSTing an already linked configuration answers 201 with the existing link (no duplicate);
- a missing `clientId` header answers 400 (reports from integrators say CW rejects with a 400
  naming clientId); any non-empty clientId is accepted, as CW does not tie Public ids to a tenant.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from syncd.sandbox.connectwise import errors, mapping, query, writes
from syncd.sandbox.connectwise import resources as rs
from syncd.sandbox.connectwise.audit import AuditTrailRoutes
from syncd.sandbox.connectwise.patch import TicketPatchRoutes
from syncd.sandbox.framework import Request, Response, Simulator, route

CODEBASE = "v4_6_release/"
PREFIX = "/v4_6_release/apis/3.0"
VERSION = "v2025.8"


def _int_id(raw: str, model: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise errors.not_found(model, raw) from None


def _collection(path: str, res: rs.Resource) -> tuple[Callable[..., Response], ...]:
    """The GET list, `/count` and `/{id}` routes of one top-level collection."""
    # Returned in this order so `/count` is declared (and matched) before `/{id}`, which would take it too.

    @route("GET", f"{PREFIX}/{path}")
    def list_records(self: ConnectWiseSimulator, request: Request) -> Response:
        """The collection, filtered, ordered and paged."""
        return self._list(request, res)

    @route("GET", f"{PREFIX}/{path}/count")
    def count_records(self: ConnectWiseSimulator, request: Request) -> Response:
        """How many records a list query matches."""
        return self._count(request, res)

    @route("GET", f"{PREFIX}/{path}/{{id}}")
    def get_record(self: ConnectWiseSimulator, request: Request) -> Response:
        """One record."""
        return self._get(request, res, request.path_params["id"])

    return list_records, count_records, get_record


class ConnectWiseSimulator(AuditTrailRoutes, TicketPatchRoutes, Simulator):
    """Serves CW tickets (with notes and audit trail), time, configurations, contacts, companies."""

    vendor = "connectwise"
    default_rate_limit = None
    default_credentials: ClassVar[dict[str, str]] = {
        "company_id": "sandbox",
        "public_key": "SbxPublicKey0001",
        "private_key": "SbxPrivateKey0001",
        "client_id": "6f1c2b9e-4d3a-4e8b-9a57-0c2d1e3f4a5b",
    }

    # ---- plumbing -------------------------------------------------------------------------

    def _cred(self, key: str) -> str:
        return str(self.credentials.get(key) or self.default_credentials[key])

    def _now(self) -> str:
        # Whole seconds, stored exactly as served, so a `lastUpdated > [served value]` poll never re-matches.
        return self.clock.now_iso()

    @staticmethod
    def _origin(request: Request) -> str:
        return f"http://{request.header('Host') or '127.0.0.1'}"

    def _base(self, request: Request) -> str:
        return f"{self._origin(request)}{PREFIX}"

    def _list(self, request: Request, res: rs.Resource, scope: str = "",
              params: Sequence[Any] = ()) -> Response:
        q = query.parse_list_query(request, res)
        page = query.fetch_page(self.world, res, q, self._base(request), scope=scope, scope_params=params)
        return self._page_response(request, res, q, page, [pk for pk, _ in page.items])

    def _page_response(self, request: Request, res: rs.Resource, q: query.ListQuery, page: query.Page,
                       served: list[Any]) -> Response:
        # Told after the page is cut and before it is sent, so a planted change lands
        # between this page and the next one.
        first = q.page_id == 0 if q.forward_only else q.page == 1
        self.faults.on_page_served(res.table, served, last_page=not page.has_more, first_page=first,
                                   id_column=res.fault_key)
        link = query.link_header(request, self._origin(request), q, page)
        return Response(200, [query.project(doc, q.fields) for _, doc in page.items],
                        headers={"Link": link} if link else {})

    def _count(self, request: Request, res: rs.Resource, scope: str = "",
               params: Sequence[Any] = ()) -> Response:
        q = query.parse_list_query(request, res)
        total = query.count_query(self.world, res, q, self._base(request), scope=scope, scope_params=params)
        return Response(200, {"count": total})

    def _one(self, request: Request, res: rs.Resource, raw_id: str, scope: str = "",
             params: Sequence[Any] = ()) -> dict[str, Any]:
        ident = _int_id(raw_id, res.model)
        where = " AND ".join(c for c in (res.where, scope, f"{res.id_col} = ?") if c)
        row = self.world.query_one(f"{res.select} WHERE {where}", [*params, ident])
        if row is None:
            raise errors.not_found(res.model, ident)
        return res.build(self._base(request), row)

    def _get(self, request: Request, res: rs.Resource, raw_id: str, scope: str = "",
             params: Sequence[Any] = ()) -> Response:
        doc = self._one(request, res, raw_id, scope, params)
        try:
            fields = query.parse_fields(request.arg("fields"), res)
        except ValueError as exc:
            raise errors.bad_condition(str(exc)) from None
        return Response(200, query.project(doc, fields))

    @staticmethod
    def _json(request: Request) -> Any:
        try:
            return json.loads(request.body or b"null")
        except ValueError as exc:
            raise errors.malformed_body(str(exc)) from None

    def _ticket_id(self, raw: str) -> int:
        ident = _int_id(raw, "Ticket")
        if self.world.query_one("SELECT 1 FROM tickets WHERE id = ? AND deleted = 0", (ident,)) is None:
            raise errors.not_found("Ticket", ident)
        return ident

    # ---- auth and vendor-specific answers --------------------------------------------------

    def authenticate(self, request: Request) -> Response | None:
        """Basic `company+public:private` plus a clientId header; /login/companyinfo is open."""
        if request.path.startswith("/login/companyinfo/"):
            return None
        if not request.path.startswith(f"{PREFIX}/"):
            return errors.routing_error().response
        expected = f"{self._cred('company_id')}+{self._cred('public_key')}:{self._cred('private_key')}"
        if self._basic_user(request.header("Authorization")) != expected:
            return Response(401, {"code": "Unauthorized", "message": "Incorrect public/private key"})
        if not (request.header("clientId") or "").strip():
            return Response(400, {"code": "InvalidObject", "message": "clientId header is required",
                                  "errors": [{"code": "Required", "message": "A clientId header is required "
                                              "for all API calls; see developer.connectwise.com/ClientID",
                                              "resource": "clientId", "field": "clientId"}]})
        return None

    @staticmethod
    def _basic_user(header: str | None) -> str | None:
        if not header or not header.lower().startswith("basic "):
            return None
        try:
            return base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None

    def not_found(self, request: Request) -> Response:
        """CW's 404 for an unknown path under the API root."""
        if not request.path.startswith(f"{PREFIX}/"):
            return errors.routing_error().response
        return Response(404, {"code": "NotFound", "message": f"{request.path} was not found"})

    def rate_limited(self, retry_after_s: float) -> Response:
        """429 with Retry-After and a CW-style error body."""
        seconds = max(1, round(retry_after_s))
        return Response(429, {"code": "TooManyRequests",
                              "message": f"Too many requests. Retry after {seconds} seconds."},
                        headers={"Retry-After": str(seconds)})

    def config_section(self, base_url: str) -> dict[str, Any]:
        """syncd `[connectwise]` settings pointing at this simulator."""
        return {"base_url": base_url, "codebase": CODEBASE, "company_id": self._cred("company_id"),
                "public_key": self._cred("public_key"), "client_id": self._cred("client_id")}

    def secret_env(self) -> dict[str, str]:
        """The private key, as syncd reads it from the environment."""
        return {"SYNCD_CONNECTWISE__PRIVATE_KEY": self._cred("private_key")}

    @route("GET", "/login/companyinfo/{company}")
    def company_info(self, request: Request) -> Response:
        """Codebase discovery (no auth); a wrong company gets CW's plain-text routing error."""
        company = request.path_params["company"]
        if company.lower() != self._cred("company_id").lower():
            raise errors.routing_error()
        return Response(200, {
            "CompanyName": self.world.meta("msp_name") or "Sandbox MSP", "Codebase": CODEBASE,
            "VersionCode": VERSION, "VersionNumber": "v4.6", "CompanyID": self._cred("company_id"),
            "IsCloud": True, "SiteUrl": request.header("Host") or "127.0.0.1",
        })

    @route("GET", f"{PREFIX}/system/info")
    def system_info(self, request: Request) -> Response:
        """Version and region."""
        return Response(200, {"version": f"{VERSION}.100001", "isCloud": True,
                              "serverTimeZone": "Eastern Standard Time", "cloudRegion": "NA"})

    # ---- companies, contacts, configurations ----------------------------------------------

    list_companies, count_companies, get_company = _collection("company/companies", rs.COMPANIES)
    list_contacts, count_contacts, get_contact = _collection("company/contacts", rs.CONTACTS)
    list_configurations, count_configurations, get_configuration = _collection(
        "company/configurations", rs.CONFIGURATIONS)

    # ---- tickets ---------------------------------------------------------------------------

    list_tickets, count_tickets, get_ticket = _collection("service/tickets", rs.TICKETS)

    @route("POST", f"{PREFIX}/service/tickets")
    def create_ticket(self, request: Request) -> Response:
        """Create a ticket; 201 with the ticket as GET serves it."""
        ticket_id = writes.create_ticket(self.world, self._json(request), self._now())
        return Response(201, self._one(request, rs.TICKETS, str(ticket_id)))

    @route("GET", f"{PREFIX}/service/tickets/{{id}}/notes")
    def list_notes(self, request: Request) -> Response:
        """A ticket's notes, the initial description first among them."""
        ticket_id = self._ticket_id(request.path_params["id"])
        q = query.parse_list_query(request, rs.NOTES)
        page = query.window(self._note_pairs(request, ticket_id), q, q.where, presorted=False)
        served = [pk for pk, _ in page.items if pk is not None]
        return self._page_response(request, rs.NOTES, q, page, served)

    @route("GET", f"{PREFIX}/service/tickets/{{id}}/notes/count")
    def count_notes(self, request: Request) -> Response:
        """A ticket's note count."""
        ticket_id = self._ticket_id(request.path_params["id"])
        q = query.parse_list_query(request, rs.NOTES)
        return Response(200, {"count": query.count_docs(self._note_pairs(request, ticket_id), q.where)})

    @route("POST", f"{PREFIX}/service/tickets/{{id}}/notes")
    def create_note(self, request: Request) -> Response:
        """Add a note; 201 with the note. The ticket's own lastUpdated is left alone."""
        ticket_id = self._ticket_id(request.path_params["id"])
        note_id = writes.create_note(self.world, ticket_id, self._json(request), self._now())
        return Response(201, self._one(request, rs.NOTES, str(note_id)))

    @route("GET", f"{PREFIX}/service/tickets/{{id}}/notes/{{noteId}}")
    def get_note(self, request: Request) -> Response:
        """One note of a ticket."""
        ticket_id = self._ticket_id(request.path_params["id"])
        note_id = _int_id(request.path_params["noteId"], "ServiceNote")
        for _, doc in self._note_pairs(request, ticket_id):
            if doc["id"] == note_id:
                return Response(200, doc)
        raise errors.not_found("ServiceNote", note_id)

    def _note_pairs(self, request: Request, ticket_id: int) -> list[query.Pair]:
        base = self._base(request)
        ticket = self.world.query_one(f"{rs.TICKETS.select} WHERE t.id = ?", (ticket_id,))
        rows = self.world.query(f"{rs.NOTES.select} WHERE n.ticket_id = ? ORDER BY n.id", (ticket_id,))
        pairs: list[query.Pair] = [(row["_pk"], mapping.note(base, row)) for row in rows]
        # The generator keeps the description on the ticket; a ticket created through the API
        # also has it as a real note row, which then stands in for the synthetic one.
        description = ticket["description"] if ticket is not None else ""
        if description and not any(row["detail"] and row["text"] == description for row in rows):
            pairs.insert(0, (None, mapping.description_note(base, ticket)))
        return pairs

    @route("GET", f"{PREFIX}/service/tickets/{{id}}/configurations")
    def list_ticket_configurations(self, request: Request) -> Response:
        """Configurations linked to a ticket."""
        ticket_id = self._ticket_id(request.path_params["id"])
        return self._list(request, rs.TICKET_CONFIGURATIONS, "tc.ticket_id = ?", (ticket_id,))

    @route("GET", f"{PREFIX}/service/tickets/{{id}}/configurations/count")
    def count_ticket_configurations(self, request: Request) -> Response:
        """Linked configuration count."""
        ticket_id = self._ticket_id(request.path_params["id"])
        return self._count(request, rs.TICKET_CONFIGURATIONS, "tc.ticket_id = ?", (ticket_id,))

    @route("POST", f"{PREFIX}/service/tickets/{{id}}/configurations")
    def link_configuration(self, request: Request) -> Response:
        """Link a configuration; 201 with the ConfigurationReference (existing link if already linked)."""
        ticket_id = self._ticket_id(request.path_params["id"])
        config_id = writes.link_configuration(self.world, ticket_id, self._json(request), self._now())
        doc = self._one(request, rs.TICKET_CONFIGURATIONS, str(config_id), "tc.ticket_id = ?", (ticket_id,))
        return Response(201, doc)

    @route("GET", f"{PREFIX}/service/tickets/{{id}}/configurations/{{configId}}")
    def get_ticket_configuration(self, request: Request) -> Response:
        """One linked configuration."""
        ticket_id = self._ticket_id(request.path_params["id"])
        return self._get(request, rs.TICKET_CONFIGURATIONS, request.path_params["configId"],
                         "tc.ticket_id = ?", (ticket_id,))

    # ---- time, boards, statuses, priorities ------------------------------------------------

    list_time_entries, count_time_entries, get_time_entry = _collection("time/entries", rs.TIME_ENTRIES)
    list_boards, count_boards, get_board = _collection("service/boards", rs.BOARDS)

    @route("GET", f"{PREFIX}/service/boards/{{id}}/statuses")
    def list_statuses(self, request: Request) -> Response:
        """A board's statuses."""
        board_id = self._board_id(request.path_params["id"])
        return self._list(request, rs.STATUSES, "s.board_id = ?", (board_id,))

    @route("GET", f"{PREFIX}/service/boards/{{id}}/statuses/count")
    def count_statuses(self, request: Request) -> Response:
        """A board's status count."""
        board_id = self._board_id(request.path_params["id"])
        return self._count(request, rs.STATUSES, "s.board_id = ?", (board_id,))

    @route("GET", f"{PREFIX}/service/boards/{{id}}/statuses/{{statusId}}")
    def get_status(self, request: Request) -> Response:
        """One status of a board."""
        board_id = self._board_id(request.path_params["id"])
        return self._get(request, rs.STATUSES, request.path_params["statusId"], "s.board_id = ?", (board_id,))

    def _board_id(self, raw: str) -> int:
        ident = _int_id(raw, "Board")
        if self.world.query_one("SELECT 1 FROM boards WHERE id = ?", (ident,)) is None:
            raise errors.not_found("Board", ident)
        return ident

    list_priorities, count_priorities, get_priority = _collection("service/priorities", rs.PRIORITIES)
