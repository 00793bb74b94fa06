"""The normalized vocabulary (DESIGN.md): what every connector produces and every rule reads.

Each model is one entity kind. A connector's `models.py` turns vendor JSON into one of these,
and `to_record()` makes the `Record` that the mirror stores. Ids are strings (every vendor's
own id, as text); references to other records name their source-local id. Times are aware UTC
datetimes here and ISO-8601 strings in the stored fields.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from syncd.records import Record


class StatusClass(StrEnum):
    """The vendor-independent class of a ticket status."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_VENDOR = "waiting_vendor"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Normalized(BaseModel):
    """Base of every normalized entity: frozen, strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    entity: ClassVar[str]

    id: str

    def updated_at(self) -> datetime | None:
        """The vendor's change time, when the entity has one."""
        return getattr(self, "updated", None)

    def to_record(self, kind: str) -> Record:
        """The Record for source `<kind>.<entity>` keyed by id."""
        fields = self.model_dump(mode="json", exclude={"id"})
        return Record(f"{kind}.{self.entity}", self.id, self.updated_at(), fields)


class Company(Normalized):
    """A client company in one tool."""

    entity = "companies"
    name: str
    identifier: str | None = None
    external_ids: dict[str, str] = {}   # ids this tool keeps of the same company elsewhere, by kind
    tier: str | None = None
    deleted: bool = False
    updated: datetime | None = None


class Contact(Normalized):
    """A person at a client company."""

    entity = "contacts"
    company_id: str | None
    name: str
    email: str | None = None
    username: str | None = None
    active: bool = True
    updated: datetime | None = None


class Ticket(Normalized):
    """A PSA service ticket."""

    entity = "tickets"
    number: str
    company_id: str | None
    contact_id: str | None = None
    summary: str
    board: str | None = None
    status: str
    status_class: StatusClass
    priority: str | None = None         # P1..P4, from the connector's priority mapping
    priority_name: str | None = None    # the vendor's own name
    type: str | None = None
    subtype: str | None = None
    item: str | None = None
    source: str | None = None
    owner: str | None = None
    created: datetime
    updated: datetime
    responded: datetime | None = None
    resolved: datetime | None = None
    closed: datetime | None = None
    is_closed: bool = False
    sla_respond_due: datetime | None = None
    sla_resolve_due: datetime | None = None
    parent_id: str | None = None
    configuration_ids: list[str] = []   # configurations (PSA assets) linked to the ticket
    resolution_code: str | None = None
    custom: dict[str, Any] = {}


class Note(Normalized):
    """A note on a ticket."""

    entity = "notes"
    ticket_id: str
    text: str
    internal: bool
    resolution: bool = False
    author: str | None = None
    created: datetime
    updated: datetime | None = None


class TicketEvent(Normalized):
    """One change in a ticket's history (from the PSA's audit trail): reopened, owner or status changed."""

    entity = "ticket_events"
    ticket_id: str
    kind: str                            # reopened | owner_changed | status_changed | priority_changed
    at: datetime
    old: str | None = None
    new: str | None = None
    by: str | None = None

    def updated_at(self) -> datetime | None:
        """History entries never change; their time is when the change happened."""
        return self.at


class TimeEntry(Normalized):
    """Time logged against a ticket."""

    entity = "time_entries"
    ticket_id: str | None
    member: str | None = None
    hours: float
    billable: bool
    start: datetime
    notes: str | None = None
    updated: datetime | None = None


class Configuration(Normalized):
    """A PSA configuration item (asset)."""

    entity = "configurations"
    company_id: str | None
    name: str
    type: str | None = None
    serial: str | None = None
    mac_addresses: list[str] = []
    status: str | None = None
    active: bool = True
    contact_id: str | None = None
    last_user: str | None = None
    external_ids: dict[str, str] = {}   # e.g. {"rmm": "<device id>"} from the PSA's RMM integration
    updated: datetime | None = None


class Device(Normalized):
    """An RMM-managed device."""

    entity = "devices"
    organization_id: str | None
    hostname: str
    serial: str | None = None
    mac_addresses: list[str] = []
    os: str | None = None
    last_user: str | None = None
    last_seen: datetime | None = None
    updated: datetime | None = None


class PatchEvent(Normalized):
    """One patch install attempt on a device."""

    entity = "patch_events"
    device_id: str
    title: str
    kb: str | None = None
    status: str                          # installed | failed | pending
    category: str                        # os | software
    severity: str | None = None
    at: datetime

    def updated_at(self) -> datetime | None:
        """Patch events are immutable; their time is when they happened."""
        return self.at


class Alert(Normalized):
    """An RMM alert."""

    entity = "alerts"
    device_id: str | None
    message: str
    severity: str | None = None
    source: str | None = None
    opened: datetime
    resolved: datetime | None = None
    updated: datetime | None = None


class Asset(Normalized):
    """A configuration as the documentation tool keeps it."""

    entity = "assets"
    company_id: str | None
    name: str
    serial: str | None = None
    type: str | None = None
    external_ids: dict[str, str] = {}
    archived: bool = False
    updated: datetime | None = None


class Article(Normalized):
    """A knowledge-base article."""

    entity = "articles"
    company_id: str | None
    title: str
    body: str
    url: str | None = None
    updated: datetime | None = None


ENTITIES: dict[str, type[Normalized]] = {
    m.entity: m
    for m in (Company, Contact, Ticket, Note, TicketEvent, TimeEntry, Configuration, Device, PatchEvent, Alert,
              Asset, Article)
}
