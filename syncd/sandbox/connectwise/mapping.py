"""World rows (as selected in resources.py) -> ConnectWise JSON documents.

CW omits null members from its JSON, so every builder drops None values at the end;
the JSON Schema marks many string fields (closedDate, dateResponded...) non-nullable.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

Row = Mapping[str, Any]

# A ticket's initial description is not a notes row in the world; CW serves it as the
# ticket's first "Discussion" note, so it gets an id in a range real note ids never reach.
DESCRIPTION_NOTE_BASE = 1_500_000_000
RESOLUTION_CODE_FIELD_ID = 7            # the tenant's "Resolution Code" ticket custom field
API_MEMBER = "syncd-api"                # the API member the sandbox keys belong to

CONFIG_STATUS_IDS = {"active": 1, "inactive": 2}


def stable_id(name: str) -> int:
    """A deterministic small id for taxonomy values the world stores only by name."""
    return zlib.crc32(name.lower().encode()) % 9000 + 1000


def prune(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop null members, as CW does."""
    return {k: v for k, v in doc.items() if v is not None}


def ref(base: str, path: str, href: str, ident: int | None, **extra: Any) -> dict[str, Any] | None:
    """A CW reference object: id, extra members, and `_info.<href>` pointing at the record."""
    if ident is None:
        return None
    return prune({"id": ident, **extra, "_info": {f"{href}_href": f"{base}/{path}/{ident}"}})


def named(name: str | None) -> dict[str, Any] | None:
    """A reference the world knows only by name (type, subType, item, source)."""
    return None if not name else {"id": stable_id(name), "name": name}


def company_ref(base: str, row: Row, prefix: str = "company_") -> dict[str, Any] | None:
    """Company reference; CW company refs carry `identifier` as well as `name`."""
    return ref(base, "company/companies", "company", row[f"{prefix}cw_id"],
               identifier=row[f"{prefix}identifier"], name=row[f"{prefix}name"])


def member_ref(base: str, ident: int | None, identifier: str | None, name: str | None) -> dict | None:
    """Member reference."""
    return ref(base, "system/members", "member", ident, identifier=identifier, name=name)


def contact_name(first: str | None, last: str | None) -> str | None:
    """'First Last' as CW renders contact references."""
    return " ".join(p for p in (first, last) if p) or None


def ticket(base: str, row: Row) -> dict[str, Any]:
    """Ticket (GET shape: no initialDescription, which CW accepts on POST only)."""
    tid = row["id"]
    return prune({
        "id": tid, "summary": row["summary"], "recordType": "ServiceTicket",
        "board": ref(base, "service/boards", "board", row["board_id"], name=row["board_name"]),
        "status": ref(base, f"service/boards/{row['board_id']}/statuses", "status", row["status_id"],
                     name=row["status_name"], sort=row["status_sort"]),
        "company": company_ref(base, row),
        "contact": ref(base, "company/contacts", "contact", row["contact_id"],
                       name=contact_name(row["contact_first"], row["contact_last"])),
        "contactName": contact_name(row["contact_first"], row["contact_last"]),
        "contactEmailAddress": row["contact_email"],
        "type": named(row["type_name"]), "subType": named(row["subtype_name"]),
        "item": named(row["item_name"]), "source": named(row["source_name"]),
        "priority": ref(base, "service/priorities", "priority", row["priority_id"],
                        name=row["priority_name"], sort=row["priority_sort"], level=row["priority_level"]),
        "owner": member_ref(base, row["owner_id"], row["owner_identifier"], row["owner_name"]),
        "severity": "Medium", "impact": "Medium",
        "closedFlag": bool(row["closed"]), "closedDate": row["closed_at"], "closedBy": row["closed_by"],
        "dateResponded": row["responded_at"], "dateResolved": row["resolved_at"],
        "respondMinutes": row["respond_minutes"], "resolveMinutes": row["resolve_minutes"],
        "parentTicketId": row["parent_ticket_id"],
        "customFields": [resolution_code_field(row["resolution_code"])],
        "_info": {
            "lastUpdated": row["updated_at"], "updatedBy": row["entered_by"],
            "dateEntered": row["created_at"], "enteredBy": row["entered_by"],
            "notes_href": f"{base}/service/tickets/{tid}/notes",
            "configurations_href": f"{base}/service/tickets/{tid}/configurations",
        },
    })


def resolution_code_field(value: str | None) -> dict[str, Any]:
    """The tenant's 'Resolution Code' custom field (CW serves custom fields even when empty)."""
    return prune({"id": RESOLUTION_CODE_FIELD_ID, "caption": "Resolution Code", "type": "Text",
                  "entryMethod": "EntryField", "numberOfDecimals": 0, "value": value or None})


def note(base: str, row: Row) -> dict[str, Any]:
    """ServiceNote from a notes row."""
    return prune({
        "id": row["id"], "ticketId": row["ticket_id"], "text": row["text"],
        "detailDescriptionFlag": bool(row["detail"]), "internalAnalysisFlag": bool(row["internal"]),
        "resolutionFlag": bool(row["resolution"]), "issueFlag": False,
        "member": member_ref(base, row["member_id"], row["member_identifier"], row["member_name"]),
        "contact": ref(base, "company/contacts", "contact", row["contact_id"],
                       name=contact_name(row["contact_first"], row["contact_last"])),
        "dateCreated": row["created_at"], "createdBy": row["created_by"],
        "internalFlag": bool(row["internal"]), "externalFlag": bool(row["detail"]),
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": row["created_by"]},
    })


def description_note(base: str, row: Row) -> dict[str, Any]:
    """The ticket's initial description served as its first Discussion note."""
    return prune({
        "id": DESCRIPTION_NOTE_BASE + row["id"], "ticketId": row["id"], "text": row["description"],
        "detailDescriptionFlag": True, "internalAnalysisFlag": False, "resolutionFlag": False,
        "issueFlag": False, "contact": ref(base, "company/contacts", "contact", row["contact_id"],
                                           name=contact_name(row["contact_first"], row["contact_last"])),
        "dateCreated": row["created_at"], "createdBy": row["entered_by"],
        "internalFlag": False, "externalFlag": True,
        "_info": {"lastUpdated": row["created_at"], "updatedBy": row["entered_by"]},
    })


def time_entry(base: str, row: Row) -> dict[str, Any]:
    """TimeEntry charged to a service ticket."""
    return prune({
        "id": row["id"], "company": company_ref(base, row),
        "chargeToId": row["ticket_id"], "chargeToType": "ServiceTicket",
        "ticket": ref(base, "service/tickets", "ticket", row["ticket_id"], summary=row["ticket_summary"]),
        "ticketBoard": row["board_name"], "ticketStatus": row["status_name"],
        "member": member_ref(base, row["member_id"], row["member_identifier"], row["member_name"]),
        "timeStart": row["time_start"], "timeEnd": row["time_end"],
        "actualHours": row["actual_hours"], "hoursDeduct": 0.0,
        "billableOption": row["billable_option"], "notes": row["notes"],
        "addToDetailDescriptionFlag": False, "addToInternalAnalysisFlag": False,
        "addToResolutionFlag": False, "status": "Open",
        "dateEntered": row["created_at"], "enteredBy": row["member_identifier"],
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": row["member_identifier"],
                  "dateEntered": row["created_at"], "enteredBy": row["member_identifier"]},
    })


def configuration(base: str, row: Row) -> dict[str, Any]:
    """CompanyConfiguration."""
    status = row["status_name"]
    return prune({
        "id": row["id"], "name": row["name"],
        "type": ref(base, "company/configurations/types", "type", stable_id(row["type_name"]),
                    name=row["type_name"]),
        "status": ref(base, "company/configurations/statuses", "status",
                      CONFIG_STATUS_IDS.get(status.lower(), stable_id(status)), name=status),
        "company": company_ref(base, row),
        "contact": ref(base, "company/contacts", "contact", row["contact_id"],
                       name=contact_name(row["contact_first"], row["contact_last"])),
        "serialNumber": row["serial_number"], "macAddress": row["mac_address"],
        "deviceIdentifier": row["device_identifier"], "lastLoginName": row["last_login_name"],
        "osType": row["os_type"], "activeFlag": bool(row["active"]), "billFlag": False,
        "questions": [], "customFields": [],
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": API_MEMBER,
                  "dateEntered": row["created_at"], "enteredBy": API_MEMBER},
    })


def configuration_reference(base: str, row: Row) -> dict[str, Any]:
    """ConfigurationReference: a ticket <-> configuration link."""
    return prune({
        "id": row["configuration_id"], "deviceIdentifier": row["device_identifier"],
        "_info": {"configuration_href": f"{base}/company/configurations/{row['configuration_id']}",
                  "dateEntered": row["created_at"]},
    })


def contact(base: str, row: Row) -> dict[str, Any]:
    """Contact; the e-mail lives in communicationItems as CW keeps it."""
    items = []
    if row["email"]:
        items.append({"id": row["id"], "type": {"id": 1, "name": "Email"}, "value": row["email"],
                      "defaultFlag": True, "communicationType": "Email"})
    return prune({
        "id": row["id"], "firstName": row["first_name"], "lastName": row["last_name"],
        "company": company_ref(base, row), "inactiveFlag": bool(row["inactive"]),
        "defaultFlag": False, "communicationItems": items, "types": [], "customFields": [],
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": API_MEMBER,
                  "dateEntered": row["created_at"], "enteredBy": API_MEMBER},
    })


def company(base: str, row: Row) -> dict[str, Any]:
    """Company."""
    return prune({
        "id": row["company_cw_id"], "identifier": row["company_identifier"], "name": row["company_name"],
        "status": {"id": 1, "name": "Active"}, "types": [{"id": 1, "name": "Client"}],
        "deletedFlag": False, "customFields": [],
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": API_MEMBER,
                  "dateEntered": row["created_at"], "enteredBy": API_MEMBER,
                  "contacts_href": f"{base}/company/contacts?conditions=company/id={row['company_cw_id']}"},
    })


def board(base: str, row: Row) -> dict[str, Any]:
    """Board (no model in the shared schema; members follow the CW Board model)."""
    return {
        "id": row["id"], "name": row["name"], "inactiveFlag": bool(row["inactive"]),
        "projectFlag": False,
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": API_MEMBER,
                  "statuses_href": f"{base}/service/boards/{row['id']}/statuses"},
    }


def board_status(base: str, row: Row) -> dict[str, Any]:
    """BoardStatus."""
    return {
        "id": row["id"], "name": row["name"],
        "board": ref(base, "service/boards", "board", row["board_id"], name=row["board_name"]),
        "sortOrder": row["sort_order"], "displayOnBoard": True, "inactive": False,
        "closedStatus": bool(row["closed"]), "defaultFlag": bool(row["is_default"]),
        "escalationStatus": row["escalation_status"],
        "timeEntryNotAllowed": bool(row["time_entry_not_allowed"]),
        "customerPortalFlag": False, "roundRobinCatchall": False, "saveTimeAsNote": False,
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": API_MEMBER},
    }


def priority(base: str, row: Row) -> dict[str, Any]:
    """Priority."""
    return {
        "id": row["id"], "name": row["name"], "color": row["color"], "sortOrder": row["sort_order"],
        "level": row["level"], "defaultFlag": bool(row["is_default"]),
        "_info": {"lastUpdated": row["updated_at"], "updatedBy": API_MEMBER,
                  "image_href": f"{base}/service/priorities/{row['id']}/image"},
    }
