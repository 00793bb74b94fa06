"""Validation and persistence of the writes syncd makes: notes, configuration links, tickets.

Each function validates a CW request body like CW does (400 `InvalidObject` naming the field),
writes the world, and returns the new row's id; the simulator re-reads it for the response.
"""

from __future__ import annotations

from typing import Any

from syncd.sandbox.connectwise import errors
from syncd.sandbox.connectwise.mapping import API_MEMBER, stable_id
from syncd.sandbox.world.store import World

NOTE_FLAGS = ("detailDescriptionFlag", "internalAnalysisFlag", "resolutionFlag")
SUMMARY_MAX = 100


def _body_object(body: Any, resource: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.invalid(resource, "", "InvalidObject", f"The {resource} body must be a JSON object.")
    return body


def _ref_key(body: dict[str, Any], name: str, resource: str, keys: tuple[str, ...]) -> tuple[str, Any] | None:
    """Return (key, value) of a reference object like {"id": 3} / {"name": "x"}, None when absent."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, dict):
        for key in keys:
            if value.get(key) not in (None, ""):
                return key, value[key]
    raise errors.invalid(resource, f"{name}/{keys[0]}", "InvalidValue",
                         f"{name} must be an object with {' or '.join(keys)}.")


def create_note(world: World, ticket_id: int, body: Any, now: str) -> int:
    """Validate a ServiceNote body and insert it; the parent ticket's lastUpdated is NOT bumped."""
    body = _body_object(body, "serviceNote")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise errors.invalid("serviceNote", "text", "NullOrEmptyField", "The text field is required.")
    for flag in NOTE_FLAGS:
        if body.get(flag) is not None and not isinstance(body[flag], bool):
            raise errors.invalid("serviceNote", flag, "InvalidValue", f"{flag} must be a boolean.")
    if not any(body.get(flag) is True for flag in NOTE_FLAGS):
        raise errors.invalid("serviceNote", "detailDescriptionFlag", "Required",
                             "At least one of detailDescriptionFlag, internalAnalysisFlag or "
                             "resolutionFlag must be true.")
    member_id = _resolve_member(world, body, "serviceNote")
    contact_id = _resolve_contact(world, body, "serviceNote")
    return world.execute(
        "INSERT INTO notes (ticket_id, text, detail, internal, resolution, member_id, contact_id,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, text, int(body.get("detailDescriptionFlag") is True),
         int(body.get("internalAnalysisFlag") is True), int(body.get("resolutionFlag") is True),
         member_id, contact_id, API_MEMBER, now, now),
    )


def link_configuration(world: World, ticket_id: int, body: Any, now: str) -> int:
    """Link a configuration to a ticket; linking an already linked one keeps the existing link."""
    body = _body_object(body, "configurationReference")
    config_id = body.get("id")
    if not isinstance(config_id, int) or isinstance(config_id, bool):
        raise errors.invalid("configurationReference", "id", "NullOrEmptyField", "The id field is required.")
    if world.query_one("SELECT 1 FROM cw_configurations WHERE id = ? AND deleted = 0", (config_id,)) is None:
        raise errors.invalid("configurationReference", "id", "NotFound",
                             f"Configuration with id {config_id} not found.")
    world.execute("INSERT OR IGNORE INTO ticket_configurations (ticket_id, configuration_id, created_at)"
                  " VALUES (?, ?, ?)", (ticket_id, config_id, now))
    return config_id


def _resolve_member(world: World, body: dict[str, Any], resource: str, name: str = "member") -> int | None:
    found = _ref_key(body, name, resource, ("id", "identifier"))
    if found is None:
        return None
    column = "id" if found[0] == "id" else "identifier"
    row = world.query_one(f"SELECT id FROM members WHERE {column} = ?", (found[1],))  # noqa: S608
    if row is None:
        raise errors.invalid(resource, f"{name}/{found[0]}", "NotFound", f"Member {found[1]} not found.")
    return int(row["id"])


def _resolve_contact(world: World, body: dict[str, Any], resource: str) -> int | None:
    found = _ref_key(body, "contact", resource, ("id",))
    if found is None:
        return None
    row = world.query_one("SELECT id FROM contacts WHERE id = ? AND deleted = 0", (found[1],))
    if row is None:
        raise errors.invalid(resource, "contact/id", "NotFound", f"Contact with id {found[1]} not found.")
    return int(row["id"])


def _resolve_company(world: World, body: dict[str, Any]) -> int:
    found = _ref_key(body, "company", "ticket", ("id", "identifier"))
    if found is None:
        raise errors.invalid("ticket", "company", "Required", "The company field is required.")
    column = "cw_id" if found[0] == "id" else "cw_identifier"
    row = world.query_one(f"SELECT world_id FROM companies WHERE {column} = ? AND cw_deleted = 0",  # noqa: S608
                          (found[1],))
    if row is None:
        raise errors.invalid("ticket", f"company/{found[0]}", "NotFound", f"Company {found[1]} not found.")
    return int(row["world_id"])


def _resolve_board(world: World, body: dict[str, Any]) -> int:
    found = _ref_key(body, "board", "ticket", ("id", "name"))
    if found is None:
        row = world.query_one("SELECT id FROM boards WHERE inactive = 0 ORDER BY id LIMIT 1")
    else:
        column = "id" if found[0] == "id" else "name"
        row = world.query_one(f"SELECT id FROM boards WHERE {column} = ?", (found[1],))  # noqa: S608
    if row is None:
        label = found[1] if found else "(default)"
        raise errors.invalid("ticket", "board/id", "NotFound", f"Service Board {label} not found.")
    return int(row["id"])


def _resolve_status(world: World, body: dict[str, Any], board_id: int) -> tuple[int, bool]:
    found = _ref_key(body, "status", "ticket", ("id", "name"))
    sql = "SELECT id, closed FROM statuses WHERE board_id = ?"
    if found is None:
        row = world.query_one(f"{sql} ORDER BY sort_order, id LIMIT 1", (board_id,))
    else:
        column = "id" if found[0] == "id" else "name"
        row = world.query_one(f"{sql} AND {column} = ?", (board_id, found[1]))
    if row is None:
        label = found[1] if found else "(default)"
        raise errors.invalid("ticket", "status/id", "NotFound",
                             f"Service Status {label} not found for Service Board {board_id}")
    return int(row["id"]), bool(row["closed"])


def _resolve_priority(world: World, body: dict[str, Any]) -> int:
    found = _ref_key(body, "priority", "ticket", ("id", "name"))
    if found is None:
        # No priority given: CW uses the tenant's default, which the sandbox takes as Priority3.
        row = world.query_one("SELECT id FROM priorities ORDER BY level = 'Priority3' DESC, sort_order, id"
                              " LIMIT 1")
    else:
        column = "id" if found[0] == "id" else "name"
        row = world.query_one(f"SELECT id FROM priorities WHERE {column} = ?", (found[1],))  # noqa: S608
    if row is None:
        raise errors.invalid("ticket", "priority/id", "NotFound", f"Priority {found and found[1]} not found.")
    return int(row["id"])


def _resolve_named(world: World, body: dict[str, Any], name: str, column: str) -> str | None:
    """type/subType/item/source: the world keeps names; an id must match a name already in use."""
    found = _ref_key(body, name, "ticket", ("name", "id"))
    if found is None:
        return None
    if found[0] == "name":
        return str(found[1])
    for row in world.iterate(f"SELECT DISTINCT {column} AS v FROM tickets WHERE {column} IS NOT NULL"):  # noqa: S608
        if stable_id(row["v"]) == found[1]:
            return str(row["v"])
    raise errors.invalid("ticket", f"{name}/id", "NotFound", f"{name} with id {found[1]} not found.")


def _check_summary(body: dict[str, Any]) -> str:
    summary = body.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise errors.invalid("ticket", "summary", "NullOrEmptyField", "The summary field is required.")
    if len(summary) > SUMMARY_MAX:
        raise errors.invalid("ticket", "summary", "MaxLengthField",
                             f"The field summary must be a string with a maximum length of {SUMMARY_MAX}.")
    return summary


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise errors.invalid("ticket", name, "InvalidValue", f"{name} must be a string.")
    return value or ""


def create_ticket(world: World, body: Any, now: str) -> int:
    """Validate a Ticket POST body and insert the ticket (initialDescription becomes its first note)."""
    body = _body_object(body, "ticket")
    summary = _check_summary(body)
    company_world_id = _resolve_company(world, body)
    board_id = _resolve_board(world, body)
    status_id, closed = _resolve_status(world, body, board_id)
    values = {
        "company_world_id": company_world_id, "contact_id": _resolve_contact(world, body, "ticket"),
        "summary": summary, "description": _text(body, "initialDescription"), "board_id": board_id,
        "status_id": status_id, "priority_id": _resolve_priority(world, body),
        "type_name": _resolve_named(world, body, "type", "type_name"),
        "subtype_name": _resolve_named(world, body, "subType", "subtype_name"),
        "item_name": _resolve_named(world, body, "item", "item_name"),
        "source_name": _resolve_named(world, body, "source", "source_name"),
        "owner_id": _resolve_member(world, body, "ticket", name="owner"),
        "closed": int(closed), "closed_at": now if closed else None,
        "closed_by": API_MEMBER if closed else None,
        "created_at": now, "updated_at": now, "entered_by": API_MEMBER,
    }
    # CW stores the initial texts as the ticket's first notes (Discussion / Internal / Resolution).
    extra_notes = [(values["description"], 1, 0, 0), (_text(body, "initialInternalAnalysis"), 0, 1, 0),
                   (_text(body, "initialResolution"), 0, 0, 1)]
    with world.transaction() as conn:
        columns = ", ".join(values)
        cursor = conn.execute(f"INSERT INTO tickets ({columns}) VALUES ({', '.join('?' * len(values))})",  # noqa: S608
                              tuple(values.values()))
        ticket_id = int(cursor.lastrowid or 0)
        for text, detail, internal, resolution in extra_notes:
            if text:
                conn.execute("INSERT INTO notes (ticket_id, text, detail, internal, resolution, created_by,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (ticket_id, text, detail, internal, resolution, API_MEMBER, now, now))
    return ticket_id
