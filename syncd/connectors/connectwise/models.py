"""ConnectWise payloads (pydantic, extra="ignore") and their mapping to the normalized vocabulary.

Vendor JSON stops here: streams hand raw rows to `Normalizer`, which returns vocabulary models.
CW omits null members and its generated "required" flags do not match real data, so nearly
every member is optional. Times are `UtcTime`: CW documents `yyyy-MM-ddTHH:mm:ssZ`, and a naive
value (some tenants, some clients) is UTC too.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from syncd.connectors.common import UtcTime
from syncd.connectors.connectwise.settings import ConnectWiseSettings
from syncd.vocabulary import Company, Configuration, Contact, Note, StatusClass, Ticket, TimeEntry


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Ref(_Model):
    """A CW reference object: `{id, name, identifier, ...}`."""

    id: int | None = None
    name: str | None = None
    identifier: str | None = None
    level: str | None = None


class Info(_Model):
    """The `_info` member: change time and creation time."""

    last_updated: UtcTime | None = Field(default=None, alias="lastUpdated")
    date_entered: UtcTime | None = Field(default=None, alias="dateEntered")


class CustomField(_Model):
    """CustomFieldValue `{id, caption, type, value}`."""

    id: int | None = None
    caption: str | None = None
    value: Any = None


class _Record(_Model):
    id: int
    info: Info = Field(default_factory=Info, alias="_info")


class CwCompany(_Record):
    """Company."""

    name: str
    identifier: str | None = None
    deleted_flag: bool = Field(default=False, alias="deletedFlag")


class CommunicationItem(_Model):
    """ContactCommunicationItem: an e-mail address or phone number."""

    type: Ref | None = None
    value: str | None = None
    default_flag: bool = Field(default=False, alias="defaultFlag")
    communication_type: str | None = Field(default=None, alias="communicationType")

    @property
    def is_email(self) -> bool:
        """True for an e-mail item."""
        kind = self.communication_type or (self.type.name if self.type else "") or ""
        return kind.lower() == "email"


class CwContact(_Record):
    """Contact."""

    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    company: Ref | None = None
    inactive_flag: bool = Field(default=False, alias="inactiveFlag")
    communication_items: list[CommunicationItem] = Field(default_factory=list, alias="communicationItems")


class CwConfiguration(_Record):
    """CompanyConfiguration."""

    name: str
    type: Ref | None = None
    status: Ref | None = None
    company: Ref | None = None
    contact: Ref | None = None
    serial_number: str | None = Field(default=None, alias="serialNumber")
    mac_address: str | None = Field(default=None, alias="macAddress")
    device_identifier: str | None = Field(default=None, alias="deviceIdentifier")
    last_login_name: str | None = Field(default=None, alias="lastLoginName")
    active_flag: bool = Field(default=True, alias="activeFlag")


class CwTicket(_Record):
    """Ticket (service ticket)."""

    summary: str
    board: Ref | None = None
    status: Ref | None = None
    company: Ref | None = None
    contact: Ref | None = None
    type: Ref | None = None
    sub_type: Ref | None = Field(default=None, alias="subType")
    item: Ref | None = None
    source: Ref | None = None
    owner: Ref | None = None
    priority: Ref | None = None
    closed_flag: bool = Field(default=False, alias="closedFlag")
    closed_date: UtcTime | None = Field(default=None, alias="closedDate")
    date_responded: UtcTime | None = Field(default=None, alias="dateResponded")
    date_resolved: UtcTime | None = Field(default=None, alias="dateResolved")
    respond_minutes: float | None = Field(default=None, alias="respondMinutes")
    resolve_minutes: float | None = Field(default=None, alias="resolveMinutes")
    sla_status: str | None = Field(default=None, alias="slaStatus")
    is_in_sla: bool | None = Field(default=None, alias="isInSla")
    parent_ticket_id: int | None = Field(default=None, alias="parentTicketId")
    custom_fields: list[CustomField] = Field(default_factory=list, alias="customFields")


class CwNote(_Record):
    """ServiceNote."""

    ticket_id: int | None = Field(default=None, alias="ticketId")
    text: str = ""
    detail_description_flag: bool = Field(default=False, alias="detailDescriptionFlag")
    internal_analysis_flag: bool = Field(default=False, alias="internalAnalysisFlag")
    resolution_flag: bool = Field(default=False, alias="resolutionFlag")
    member: Ref | None = None
    created_by: str | None = Field(default=None, alias="createdBy")
    date_created: UtcTime | None = Field(default=None, alias="dateCreated")


class CwTimeEntry(_Record):
    """TimeEntry."""

    charge_to_type: str | None = Field(default=None, alias="chargeToType")
    charge_to_id: int | None = Field(default=None, alias="chargeToId")
    ticket: Ref | None = None
    member: Ref | None = None
    actual_hours: float = Field(default=0.0, alias="actualHours")
    billable_option: str | None = Field(default=None, alias="billableOption")
    time_start: UtcTime = Field(alias="timeStart")
    notes: str | None = None


class CwBoardStatus(_Record):
    """BoardStatus: a board's status with its closed flag and SLA escalation stage."""

    name: str
    closed_status: bool = Field(default=False, alias="closedStatus")
    escalation_status: str | None = Field(default=None, alias="escalationStatus")
    inactive: bool = False


class CwBoard(_Record):
    """Board."""

    name: str
    inactive_flag: bool = Field(default=False, alias="inactiveFlag")


class CwPriority(_Record):
    """Priority."""

    name: str
    level: str | None = None
    sort_order: int | None = Field(default=None, alias="sortOrder")


class CwAuditEntry(_Model):
    """AuditTrailEntry: one line of a record's history; CW gives it no id."""

    text: str
    entered_date: UtcTime = Field(alias="enteredDate")
    entered_by: str | None = Field(default=None, alias="enteredBy")
    audit_type: str | None = Field(default=None, alias="auditType")
    audit_sub_type: str | None = Field(default=None, alias="auditSubType")
    audit_source: str | None = Field(default=None, alias="auditSource")


# --- normalization ---------------------------------------------------------------------------

# Name patterns for the default status class, checked in order (first match wins).
_STATUS_PATTERNS: tuple[tuple[re.Pattern[str], StatusClass], ...] = tuple(
    (re.compile(p, re.IGNORECASE), c) for p, c in (
        (r"waiting\s*(on\s*)?(the\s*)?(customer|client|user|end\s*user)", StatusClass.WAITING_CUSTOMER),
        (r"waiting\s*(on\s*)?(the\s*)?(vendor|3rd|third|supplier|parts)", StatusClass.WAITING_VENDOR),
        (r"escalat", StatusClass.ESCALATED),
        (r"resolved|completed?\b", StatusClass.RESOLVED),
    )
)
_NEW = re.compile(r"^\s*new\b", re.IGNORECASE)
_PRIORITY_NUMBER = re.compile(r"priority\s*(\d)", re.IGNORECASE)
_HEX = re.compile(r"[^0-9A-Fa-f]")


def default_status_class(name: str, status: CwBoardStatus | None, closed_flag: bool = False) -> StatusClass:
    """Class of a status from its name, then its board status (closedStatus, escalationStatus)."""
    for pattern, cls in _STATUS_PATTERNS:
        if pattern.search(name):
            return cls
    if (status is not None and status.closed_status) or (status is None and closed_flag):
        return StatusClass.CLOSED
    if _NEW.match(name):
        return StatusClass.NEW
    if status is not None and status.escalation_status == "Resolved":
        return StatusClass.RESOLVED
    return StatusClass.IN_PROGRESS


def priority_level(name: str | None, level: str | None) -> str | None:
    """P1..P4 from CW's level ("Priority1") or a "Priority N - ..." name; None when neither says."""
    for text in (level, name):
        match = _PRIORITY_NUMBER.search(text or "")
        if match:
            return f"P{min(max(int(match.group(1)), 1), 4)}"
    return None


def mac_addresses(raw: str | None) -> list[str]:
    """CW keeps one free-text macAddress; split lists and normalise 12-hex-digit values to AA:BB:..."""
    out = []
    for part in re.split(r"[,;\s]+", raw or ""):
        digits = _HEX.sub("", part)
        if len(digits) == 12:
            out.append(":".join(digits[i:i + 2] for i in range(0, 12, 2)).upper())
        elif part:
            out.append(part)
    return out


def _id(ref: Ref | None) -> str | None:
    return str(ref.id) if ref is not None and ref.id is not None else None


def _name(ref: Ref | None) -> str | None:
    return ref.name if ref is not None else None


class Normalizer:
    """Turns CW models into vocabulary models, using the tenant's mapping settings."""

    def __init__(self, settings: ConnectWiseSettings) -> None:
        self._settings = settings
        self._status_overrides = {k.casefold(): v for k, v in settings.status_classes.items()}
        self._priority_overrides = {k.casefold(): v for k, v in settings.priority_levels.items()}
        self.statuses: dict[int, CwBoardStatus] = {}       # status id -> board status
        self.priority_levels: dict[int, str | None] = {}   # priority id -> level

    def status_class(self, name: str, status_id: int | None, closed_flag: bool = False) -> StatusClass:
        """The configured class of a status name, else the derived default."""
        override = self._status_overrides.get(name.casefold())
        if override is not None:
            return override
        return default_status_class(name, self.statuses.get(status_id or -1), closed_flag)

    def priority(self, ref: Ref | None) -> str | None:
        """P1..P4 of a priority reference: setting, then its level, then its name."""
        if ref is None:
            return None
        override = self._priority_overrides.get((ref.name or "").casefold())
        if override is not None:
            return override
        return priority_level(ref.name, ref.level or self.priority_levels.get(ref.id or -1))

    def resolution_code(self, fields: list[CustomField]) -> str | None:
        """Value of the custom field named by `resolution_code_field`; blank is None."""
        wanted = self._settings.resolution_code_field.casefold()
        for field in fields:
            if (field.caption or "").casefold() == wanted and field.value not in (None, ""):
                return str(field.value)
        return None

    def ticket(self, t: CwTicket, configuration_ids: list[str]) -> Ticket:
        """Ticket; `configuration_ids` are the linked configurations (from the sub-resource)."""
        status = _name(t.status) or ""
        custom: dict[str, Any] = {}
        for key, value in (("respond_minutes", t.respond_minutes), ("resolve_minutes", t.resolve_minutes),
                           ("sla_status", t.sla_status), ("is_in_sla", t.is_in_sla)):
            if value is not None:
                custom[key] = value
        updated = t.info.last_updated or t.info.date_entered
        created = t.info.date_entered or updated
        if updated is None or created is None:
            raise ValueError(f"ticket {t.id} has no _info.lastUpdated")
        return Ticket(
            id=str(t.id), number=str(t.id), company_id=_id(t.company), contact_id=_id(t.contact),
            summary=t.summary, board=_name(t.board), status=status,
            status_class=self.status_class(status, t.status.id if t.status else None, t.closed_flag),
            priority=self.priority(t.priority), priority_name=_name(t.priority),
            type=_name(t.type), subtype=_name(t.sub_type), item=_name(t.item), source=_name(t.source),
            owner=t.owner.identifier if t.owner else None, created=created, updated=updated,
            responded=t.date_responded, resolved=t.date_resolved, closed=t.closed_date, is_closed=t.closed_flag,
            parent_id=str(t.parent_ticket_id) if t.parent_ticket_id else None, configuration_ids=configuration_ids,
            resolution_code=self.resolution_code(t.custom_fields), custom=custom,
        )

    @staticmethod
    def note(n: CwNote, ticket_id: int) -> Note:
        """Note: internal = Internal Analysis and not Discussion (a note can carry both flags)."""
        created = n.date_created or n.info.last_updated
        if created is None:
            raise ValueError(f"note {n.id} has no dateCreated")
        return Note(
            id=str(n.id), ticket_id=str(n.ticket_id or ticket_id), text=n.text,
            internal=n.internal_analysis_flag and not n.detail_description_flag,
            resolution=n.resolution_flag, author=(n.member.identifier if n.member else None) or n.created_by,
            created=created, updated=n.info.last_updated or created,
        )

    @staticmethod
    def company(c: CwCompany) -> Company:
        """Company."""
        return Company(id=str(c.id), name=c.name, identifier=c.identifier, deleted=c.deleted_flag,
                       updated=c.info.last_updated)

    @staticmethod
    def contact(c: CwContact) -> Contact:
        """Contact: e-mail from communicationItems (default e-mail first)."""
        emails = sorted((i for i in c.communication_items if i.is_email and i.value), key=lambda i: not i.default_flag)
        name = " ".join(p for p in (c.first_name, c.last_name) if p)
        return Contact(id=str(c.id), company_id=_id(c.company), name=name, email=emails[0].value if emails else None,
                       active=not c.inactive_flag, updated=c.info.last_updated)

    @staticmethod
    def configuration(c: CwConfiguration) -> Configuration:
        """Configuration; deviceIdentifier (the RMM integration's id) goes to external_ids["rmm"]."""
        return Configuration(
            id=str(c.id), company_id=_id(c.company), name=c.name, type=_name(c.type),
            serial=c.serial_number or None, mac_addresses=mac_addresses(c.mac_address), status=_name(c.status),
            active=c.active_flag, contact_id=_id(c.contact), last_user=c.last_login_name or None,
            external_ids={"rmm": c.device_identifier} if c.device_identifier else {},
            updated=c.info.last_updated,
        )

    @staticmethod
    def time_entry(e: CwTimeEntry) -> TimeEntry:
        """TimeEntry; billable means billableOption "Billable"."""
        ticket = e.charge_to_id if e.charge_to_type in ("ServiceTicket", "ProjectTicket") else None
        ticket = ticket or (e.ticket.id if e.ticket else None)
        return TimeEntry(
            id=str(e.id), ticket_id=str(ticket) if ticket else None,
            member=e.member.identifier if e.member else None, hours=e.actual_hours,
            billable=e.billable_option == "Billable", start=e.time_start, notes=e.notes,
            updated=e.info.last_updated,
        )
