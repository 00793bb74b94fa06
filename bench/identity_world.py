"""Test scaffolding: a sandbox world's rows as the normalized records the connectors would mirror.

Mirrors what the connectors map: CW configuration `deviceIdentifier` -> external_ids["rmm"], ticket
configuration links -> `custom["configuration_ids"]`, Hudu integrations and asset cards -> external_ids
by integrator kind, NinjaOne `lastLoggedInUser` -> last_user. Deleted rows are left out, as the
connectors' id reconciliation marks them deleted in the mirror. Only each ticket's first note (the
initial description) is read: identity resolution looks at no other note.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from syncd.records import Record
from syncd.vocabulary import Asset, Company, Configuration, Contact, Device, Note, StatusClass, Ticket

CARD_KINDS = {"cw_manage": "connectwise", "ninjaone": "ninjaone", "ninja": "ninjaone"}


def _t(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _s(value: object) -> str | None:
    return None if value is None else str(value)


def load_records(path: str) -> dict[str, list[Record]]:
    """Every record identity resolution reads, by source."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        out: dict[str, list[Record]] = defaultdict(list)
        for kind, model in _all(conn):
            out[f"{kind}.{model.entity}"].append(model.to_record(kind))
        return dict(out)
    finally:
        conn.close()


def _all(conn: sqlite3.Connection) -> Iterator[tuple[str, object]]:
    yield from _companies(conn)
    yield from _contacts(conn)
    yield from _configurations(conn)
    yield from _devices(conn)
    yield from _assets(conn)
    yield from _tickets(conn)


def _companies(conn: sqlite3.Connection) -> Iterator[tuple[str, object]]:
    for r in conn.execute("SELECT * FROM companies ORDER BY world_id"):
        yield "connectwise", Company(id=str(r["cw_id"]), name=r["cw_name"], identifier=r["cw_identifier"],
                                     tier=r["tier"], deleted=bool(r["cw_deleted"]))
        if r["ninja_id"] is not None:
            yield "ninjaone", Company(id=str(r["ninja_id"]), name=r["ninja_name"])
        if r["hudu_id"] is not None:
            ext = {"connectwise": r["hudu_psa_sync_id"]} if r["hudu_psa_sync_id"] else {}
            yield "hudu", Company(id=str(r["hudu_id"]), name=r["hudu_name"], external_ids=ext)


def _contacts(conn: sqlite3.Connection) -> Iterator[tuple[str, object]]:
    sql = ("SELECT c.*, co.cw_id FROM contacts c JOIN companies co ON co.world_id = c.company_world_id"
           " WHERE c.deleted = 0")
    for r in conn.execute(sql):
        yield "connectwise", Contact(id=str(r["id"]), company_id=str(r["cw_id"]),
                                     name=f"{r['first_name']} {r['last_name']}", email=r["email"],
                                     username=r["username"], active=not r["inactive"])


def _configurations(conn: sqlite3.Connection) -> Iterator[tuple[str, object]]:
    sql = ("SELECT c.*, co.cw_id FROM cw_configurations c JOIN companies co ON co.world_id = c.company_world_id"
           " WHERE c.deleted = 0")
    for r in conn.execute(sql):
        yield "connectwise", Configuration(
            id=str(r["id"]), company_id=str(r["cw_id"]), name=r["name"], type=r["type_name"],
            serial=r["serial_number"], mac_addresses=[r["mac_address"]] if r["mac_address"] else [],
            status=r["status_name"], active=bool(r["active"]), contact_id=_s(r["contact_id"]),
            last_user=r["last_login_name"],
            external_ids={"rmm": r["device_identifier"]} if r["device_identifier"] else {}, updated=_t(r["updated_at"]))


def _devices(conn: sqlite3.Connection) -> Iterator[tuple[str, object]]:
    for r in conn.execute("SELECT * FROM ninja_devices WHERE deleted = 0"):
        yield "ninjaone", Device(
            id=str(r["id"]), organization_id=str(r["organization_id"]), hostname=r["system_name"],
            serial=r["serial_number"] or r["bios_serial"], mac_addresses=json.loads(r["mac_addresses"]),
            os=r["os_name"], last_user=r["last_logged_in_user"], last_seen=_t(r["last_contact"]),
            updated=_t(r["updated_at"]))


def _assets(conn: sqlite3.Connection) -> Iterator[tuple[str, object]]:
    for r in conn.execute("SELECT * FROM hudu_assets"):
        ext: dict[str, str] = {}
        for card in json.loads(r["cards"]):
            kind = CARD_KINDS.get(card.get("integrator_name"), card.get("integrator_name"))
            ext.setdefault(kind, str(card["sync_id"]))
        yield "hudu", Asset(id=str(r["id"]), company_id=str(r["company_id"]), name=r["name"],
                            serial=r["primary_serial"], type=r["asset_type"], external_ids=ext,
                            archived=bool(r["archived"]), updated=_t(r["updated_at"]))


def _tickets(conn: sqlite3.Connection) -> Iterator[tuple[str, object]]:
    links: dict[int, list[str]] = defaultdict(list)
    for r in conn.execute("SELECT ticket_id, configuration_id FROM ticket_configurations ORDER BY 1, 2"):
        links[r[0]].append(str(r[1]))
    sql = ("SELECT t.*, co.cw_id FROM tickets t JOIN companies co ON co.world_id = t.company_world_id"
           " WHERE t.deleted = 0")
    for r in conn.execute(sql):
        yield "connectwise", Ticket(
            id=str(r["id"]), number=str(r["id"]), company_id=str(r["cw_id"]), contact_id=_s(r["contact_id"]),
            summary=r["summary"], type=r["type_name"], subtype=r["subtype_name"], item=r["item_name"],
            status="Open", status_class=StatusClass.NEW, created=_t(r["created_at"]),
            updated=_t(r["updated_at"]), custom={"configuration_ids": links.get(r["id"], [])})
    first = ("SELECT n.* FROM notes n JOIN (SELECT ticket_id, MIN(id) AS id FROM notes GROUP BY ticket_id) f"
             " ON f.id = n.id")
    for r in conn.execute(first):
        yield "connectwise", Note(id=str(r["id"]), ticket_id=str(r["ticket_id"]), text=r["text"],
                                  internal=bool(r["internal"]), created=_t(r["created_at"]))
