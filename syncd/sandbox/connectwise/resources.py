"""What each CW collection selects from the world, which fields it serves, and which
condition/orderBy paths can be pushed into SQL (so a 200k-ticket world pages quickly)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.sandbox.connectwise import mapping

INT, DATE, BOOL, STR = "int", "date", "bool", "str"


@dataclass(frozen=True)
class Resource:
    """One CW collection backed by a world table."""

    model: str                                  # CW model name, used in error messages
    table: str                                  # world table reported to fault injection
    projection: str                             # the SELECT list (must yield `_pk`)
    source: str                                 # the main table and its alias ("tickets t")
    joins: tuple[str, ...]                      # JOIN clauses, each introducing one alias
    where: str                                  # filter every read applies (deleted rows etc.)
    id_col: str                                 # SQL expression of the served `id`
    fields: frozenset[str]                      # top-level members the builder may emit
    build: Callable[[str, Mapping[str, Any]], dict[str, Any]]
    # canonical lower-case path -> (SQL expression, kind); paths not listed are filtered in Python
    columns: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # `table` column the served `_pk` values come from, when it is not the table's own id
    fault_key: str | None = None

    def field_names(self) -> dict[str, str]:
        """Lower-case -> served spelling of the top-level members."""
        return {f.lower(): f for f in self.fields}

    @property
    def select(self) -> str:
        """SELECT ... FROM ... with every join, for reading whole documents."""
        return f"SELECT {self.projection} FROM {self.source} {' '.join(self.joins)}"  # noqa: S608

    def count_from(self, where: str) -> str:
        """FROM clause with only the joins `where` uses: SQLite does not drop unused LEFT JOINs,
        and they triple the cost of counting 200k tickets."""
        needed = [j for j in self.joins if re.search(rf"\b{_alias(j)}\.", where)]
        return f"{self.source} {' '.join(needed)}"


def _alias(join: str) -> str:
    """The alias a JOIN clause introduces ('LEFT JOIN boards b ON ...' -> 'b')."""
    return join.split(" ON ", maxsplit=1)[0].rsplit(maxsplit=1)[-1]


def _cols(id_col: str, updated: str, **extra: tuple[str, str]) -> dict[str, tuple[str, str]]:
    cols = {"id": (id_col, INT), "_info/lastupdated": (updated, DATE)}
    cols.update({k.replace("__", "/").lower(): v for k, v in extra.items()})
    return cols


TICKET_FIELDS = frozenset({
    "id", "summary", "recordType", "board", "status", "company", "contact", "contactName",
    "contactEmailAddress", "type", "subType", "item", "source", "priority", "owner", "severity",
    "impact", "closedFlag", "closedDate", "closedBy", "dateResponded", "dateResolved",
    "respondMinutes", "resolveMinutes", "parentTicketId", "customFields", "_info",
})

TICKETS = Resource(
    model="Ticket", table="tickets",
    projection=(
        "t.*, t.id AS _pk, c.cw_id AS company_cw_id, c.cw_identifier AS company_identifier, c.cw_name "
        "AS company_name, b.name AS board_name, s.name AS status_name, s.sort_order AS status_sort, "
        "p.name AS priority_name, p.sort_order AS priority_sort, p.level AS priority_level, "
        "m.identifier AS owner_identifier, m.name AS owner_name, ct.first_name AS contact_first, "
        "ct.last_name AS contact_last, ct.email AS contact_email"
    ),
    source="tickets t", joins=(
        "LEFT JOIN companies c ON c.world_id = t.company_world_id",
        "LEFT JOIN boards b ON b.id = t.board_id",
        "LEFT JOIN statuses s ON s.id = t.status_id",
        "LEFT JOIN priorities p ON p.id = t.priority_id",
        "LEFT JOIN members m ON m.id = t.owner_id",
        "LEFT JOIN contacts ct ON ct.id = t.contact_id",
    ),
    where="t.deleted = 0", id_col="t.id", fields=TICKET_FIELDS, build=mapping.ticket,
    columns=_cols(
        "t.id", "t.updated_at", _info__dateentered=("t.created_at", DATE),
        closedflag=("t.closed", BOOL), closeddate=("t.closed_at", DATE),
        company__id=("c.cw_id", INT), board__id=("t.board_id", INT), status__id=("t.status_id", INT),
        priority__id=("t.priority_id", INT), contact__id=("t.contact_id", INT),
        owner__id=("t.owner_id", INT), parentticketid=("t.parent_ticket_id", INT),
        summary=("t.summary", STR), board__name=("b.name", STR), status__name=("s.name", STR),
        company__name=("c.cw_name", STR), company__identifier=("c.cw_identifier", STR),
        priority__name=("p.name", STR), owner__identifier=("m.identifier", STR),
        type__name=("t.type_name", STR), subtype__name=("t.subtype_name", STR),
        item__name=("t.item_name", STR), source__name=("t.source_name", STR),
        contactemailaddress=("ct.email", STR), closedby=("t.closed_by", STR),
        dateresponded=("t.responded_at", DATE), dateresolved=("t.resolved_at", DATE),
        respondminutes=("t.respond_minutes", INT), resolveminutes=("t.resolve_minutes", INT),
    ),
)

NOTE_FIELDS = frozenset({
    "id", "ticketId", "text", "detailDescriptionFlag", "internalAnalysisFlag", "resolutionFlag",
    "issueFlag", "member", "contact", "dateCreated", "createdBy", "internalFlag", "externalFlag", "_info",
})

NOTES = Resource(
    model="ServiceNote", table="notes",
    projection=(
        "n.*, n.id AS _pk, m.identifier AS member_identifier, m.name AS member_name, ct.first_name AS "
        "contact_first, ct.last_name AS contact_last"
    ),
    source="notes n", joins=(
        "LEFT JOIN members m ON m.id = n.member_id",
        "LEFT JOIN contacts ct ON ct.id = n.contact_id",
    ),
    where="", id_col="n.id", fields=NOTE_FIELDS, build=mapping.note,
)

TIME_ENTRIES = Resource(
    model="TimeEntry", table="time_entries",
    projection=(
        "te.*, te.id AS _pk, t.summary AS ticket_summary, c.cw_id AS company_cw_id, c.cw_identifier "
        "AS company_identifier, c.cw_name AS company_name, b.name AS board_name, s.name AS "
        "status_name, m.identifier AS member_identifier, m.name AS member_name"
    ),
    source="time_entries te", joins=(
        "JOIN tickets t ON t.id = te.ticket_id",
        "LEFT JOIN companies c ON c.world_id = t.company_world_id",
        "LEFT JOIN boards b ON b.id = t.board_id",
        "LEFT JOIN statuses s ON s.id = t.status_id",
        "LEFT JOIN members m ON m.id = te.member_id",
    ),
    where="te.deleted = 0 AND t.deleted = 0", id_col="te.id",
    fields=frozenset({
        "id", "company", "chargeToId", "chargeToType", "ticket", "ticketBoard", "ticketStatus",
        "member", "timeStart", "timeEnd", "actualHours", "hoursDeduct", "billableOption", "notes",
        "addToDetailDescriptionFlag", "addToInternalAnalysisFlag", "addToResolutionFlag", "status",
        "dateEntered", "enteredBy", "_info",
    }),
    build=mapping.time_entry,
    columns=_cols("te.id", "te.updated_at", chargetoid=("te.ticket_id", INT),
                  ticket__id=("te.ticket_id", INT), member__id=("te.member_id", INT),
                  company__id=("c.cw_id", INT),
                  timestart=("te.time_start", DATE), dateentered=("te.created_at", DATE),
                  _info__dateentered=("te.created_at", DATE)),
)

CONFIGURATIONS = Resource(
    model="CompanyConfiguration", table="cw_configurations",
    projection=(
        "cfg.*, cfg.id AS _pk, c.cw_id AS company_cw_id, c.cw_identifier AS company_identifier, "
        "c.cw_name AS company_name, ct.first_name AS contact_first, ct.last_name AS contact_last"
    ),
    source="cw_configurations cfg", joins=(
        "JOIN companies c ON c.world_id = cfg.company_world_id",
        "LEFT JOIN contacts ct ON ct.id = cfg.contact_id",
    ),
    where="cfg.deleted = 0 AND c.cw_id IS NOT NULL", id_col="cfg.id",
    fields=frozenset({
        "id", "name", "type", "status", "company", "contact", "serialNumber", "macAddress",
        "deviceIdentifier", "lastLoginName", "osType", "activeFlag", "billFlag", "questions",
        "customFields", "_info",
    }),
    build=mapping.configuration,
    columns=_cols("cfg.id", "cfg.updated_at", company__id=("c.cw_id", INT),
                  contact__id=("cfg.contact_id", INT), activeflag=("cfg.active", BOOL),
                  name=("cfg.name", STR), _info__dateentered=("cfg.created_at", DATE),
                  serialnumber=("cfg.serial_number", STR), macaddress=("cfg.mac_address", STR),
                  deviceidentifier=("cfg.device_identifier", STR), type__name=("cfg.type_name", STR),
                  status__name=("cfg.status_name", STR), lastloginname=("cfg.last_login_name", STR)),
)

TICKET_CONFIGURATIONS = Resource(
    model="ConfigurationReference", table="ticket_configurations",
    projection="tc.*, tc.configuration_id AS _pk, cfg.device_identifier",
    source="ticket_configurations tc", joins=("JOIN cw_configurations cfg ON cfg.id = tc.configuration_id",),
    where="cfg.deleted = 0", id_col="tc.configuration_id",
    fields=frozenset({"id", "deviceIdentifier", "_info"}),
    build=mapping.configuration_reference,
    columns={"id": ("tc.configuration_id", INT)}, fault_key="configuration_id",
)

CONTACTS = Resource(
    model="Contact", table="contacts",
    projection=(
        "ct.*, ct.id AS _pk, c.cw_id AS company_cw_id, c.cw_identifier AS company_identifier, "
        "c.cw_name AS company_name"
    ),
    source="contacts ct", joins=(
        "LEFT JOIN companies c ON c.world_id = ct.company_world_id",
    ),
    where="ct.deleted = 0", id_col="ct.id",
    fields=frozenset({
        "id", "firstName", "lastName", "company", "inactiveFlag", "defaultFlag", "communicationItems",
        "types", "customFields", "_info",
    }),
    build=mapping.contact,
    columns=_cols("ct.id", "ct.updated_at", company__id=("c.cw_id", INT), inactiveflag=("ct.inactive", BOOL),
                  firstname=("ct.first_name", STR), lastname=("ct.last_name", STR)),
)

COMPANIES = Resource(
    model="Company", table="companies",
    projection=(
        "c.*, c.world_id AS _pk, c.cw_id AS company_cw_id, c.cw_identifier AS company_identifier, "
        "c.cw_name AS company_name"
    ),
    source="companies c", joins=(),
    where="c.cw_id IS NOT NULL AND c.cw_deleted = 0", id_col="c.cw_id",
    fields=frozenset({"id", "identifier", "name", "status", "types", "deletedFlag", "customFields", "_info"}),
    build=mapping.company,
    columns=_cols("c.cw_id", "c.updated_at", name=("c.cw_name", STR), identifier=("c.cw_identifier", STR)),
)

BOARDS = Resource(
    model="Board", table="boards", projection="b.*, b.id AS _pk",
    source="boards b", joins=(), where="",
    id_col="b.id", fields=frozenset({"id", "name", "inactiveFlag", "projectFlag", "_info"}),
    build=mapping.board, columns=_cols("b.id", "b.updated_at", name=("b.name", STR)),
)

STATUSES = Resource(
    model="BoardStatus", table="statuses",
    projection=(
        "s.*, s.id AS _pk, b.name AS board_name, s.id = (SELECT s2.id FROM statuses s2 WHERE "
        "s2.board_id = s.board_id ORDER BY s2.sort_order, s2.id LIMIT 1) AS is_default"
    ),
    source="statuses s", joins=(
        "LEFT JOIN boards b ON b.id = s.board_id",
    ),
    where="", id_col="s.id",
    fields=frozenset({
        "id", "name", "board", "sortOrder", "displayOnBoard", "inactive", "closedStatus", "defaultFlag",
        "escalationStatus", "timeEntryNotAllowed", "customerPortalFlag", "roundRobinCatchall",
        "saveTimeAsNote", "_info",
    }),
    build=mapping.board_status,
    columns=_cols("s.id", "s.updated_at", sortorder=("s.sort_order", INT), name=("s.name", STR)),
)

PRIORITIES = Resource(
    model="Priority", table="priorities",
    projection=(
        "p.*, p.id AS _pk, p.id = (SELECT p2.id FROM priorities p2 ORDER BY p2.level = 'Priority3' "
        "DESC, p2.sort_order, p2.id LIMIT 1) AS is_default"
    ),
    source="priorities p", joins=(),
    where="", id_col="p.id",
    fields=frozenset({"id", "name", "color", "sortOrder", "level", "defaultFlag", "_info"}),
    build=mapping.priority,
    columns=_cols("p.id", "p.updated_at", sortorder=("p.sort_order", INT), name=("p.name", STR)),
)
