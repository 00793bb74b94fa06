"""Batched row writing, id counters and time helpers shared by the world generator modules."""

from __future__ import annotations

import calendar
import json
import time
from datetime import UTC, datetime
from typing import Any

from syncd.sandbox.world.store import World

DAY = 86_400
HOUR = 3_600
MINUTE = 60

# Column order of every table the generator fills; modules build tuples in this order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "companies": ("world_id", "tier", "cw_id", "cw_identifier", "cw_name", "cw_deleted", "ninja_id",
                  "ninja_name", "hudu_id", "hudu_name", "hudu_psa_sync_id", "created_at", "updated_at"),
    "contacts": ("id", "company_world_id", "first_name", "last_name", "email", "username", "inactive",
                 "created_at", "updated_at", "deleted"),
    "machines": ("id", "company_world_id", "hostname", "serial", "kind"),
    "cw_configurations": ("id", "company_world_id", "name", "type_name", "status_name", "serial_number",
                          "mac_address", "device_identifier", "contact_id", "last_login_name", "os_type",
                          "active", "created_at", "updated_at", "deleted", "truth_machine_id"),
    "ninja_devices": ("id", "uid", "organization_id", "location_id", "node_class", "system_name",
                      "dns_name", "display_name", "serial_number", "bios_serial", "mac_addresses",
                      "ip_addresses", "last_logged_in_user", "os_name", "manufacturer", "model", "offline",
                      "created_at", "last_contact", "updated_at", "deleted", "truth_machine_id"),
    "hudu_assets": ("id", "company_id", "asset_layout_id", "asset_type", "name", "primary_serial",
                    "primary_model", "primary_manufacturer", "fields", "cards", "archived", "created_at",
                    "updated_at", "truth_machine_id"),
    "patch_installs": ("id", "device_id", "kind", "name", "kb_number", "product_identifier", "severity",
                       "impact", "patch_type", "status", "installed_at", "timestamp"),
    "alerts": ("uid", "device_id", "source_type", "severity", "subject", "message", "created_at",
               "updated_at", "resolved"),
    "boards": ("id", "name", "inactive", "updated_at"),
    "statuses": ("id", "board_id", "name", "sort_order", "closed", "escalation_status",
                 "time_entry_not_allowed", "updated_at"),
    "priorities": ("id", "name", "sort_order", "level", "color", "updated_at"),
    "members": ("id", "identifier", "name"),
    "tickets": ("id", "company_world_id", "contact_id", "summary", "description", "board_id", "status_id",
                "priority_id", "type_name", "subtype_name", "item_name", "source_name", "owner_id",
                "parent_ticket_id", "resolution_code", "closed", "closed_at", "closed_by", "responded_at",
                "resolved_at", "respond_minutes", "resolve_minutes", "created_at", "updated_at",
                "entered_by", "deleted", "truth_machine_id"),
    "ticket_configurations": ("ticket_id", "configuration_id", "created_at"),
    "notes": ("id", "ticket_id", "text", "detail", "internal", "resolution", "member_id", "contact_id",
              "created_by", "created_at", "updated_at"),
    "time_entries": ("id", "ticket_id", "member_id", "time_start", "time_end", "actual_hours",
                     "billable_option", "notes", "created_at", "updated_at", "deleted"),
    "ticket_events": ("id", "ticket_id", "at", "kind", "detail"),
    "articles": ("id", "company_id", "folder_id", "name", "content", "draft", "enable_sharing", "slug",
                 "archived", "created_at", "updated_at"),
    "procedures": ("id", "name", "description", "company_id", "run", "parent_process_id", "status",
                   "archived", "created_at", "updated_at"),
    "procedure_tasks": ("id", "procedure_id", "name", "description", "position", "completed", "due_date",
                        "priority", "created_at", "updated_at"),
    "truth": ("kind", "subject", "value"),
}

# First id of each vendor id space, so ids look like a tenant's rather than 1, 2, 3.
ID_BASES = {
    "cw_company": 19_300, "ninja_org": 2, "hudu_company": 11, "contacts": 31_001, "machines": 1,
    "cw_configurations": 7_001, "ninja_devices": 1_201, "ninja_location": 5, "hudu_assets": 401,
    "patch_installs": 1, "tickets": 480_001, "notes": 2_100_001, "time_entries": 910_001,
    "ticket_events": 1, "articles": 61, "procedures": 3, "procedure_tasks": 1, "alerts": 1,
}


def dumps(value: Any) -> str:
    """Serialise JSON compactly and deterministically."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def iso(ts: float) -> str:
    """Format epoch seconds as the world's UTC ISO-8601 string."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


def epoch(moment: datetime) -> int:
    """Epoch seconds of an aware (or UTC-naive) datetime."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return calendar.timegm(moment.timetuple())


class Ids:
    """Sequential id counters, one per id space."""

    def __init__(self) -> None:
        self._next = dict(ID_BASES)

    def next(self, space: str) -> int:
        """Return the next id in `space`."""
        value = self._next[space]
        self._next[space] = value + 1
        return value


class Sink:
    """Buffers rows per table and flushes them in one transaction every `batch` rows."""

    def __init__(self, world: World, batch: int = 5_000) -> None:
        self.world = world
        self.batch = batch
        self._buffers: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        # Table and column names come from the COLUMNS registry above, never from input.
        self._sql = {
            table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608
            for table, cols in COLUMNS.items()
        }
        self._pending = 0

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """Queue one row for `table` (tuple in COLUMNS order)."""
        self._buffers[table].append(row)
        self._pending += 1
        if self._pending >= self.batch:
            self.flush()

    def truth(self, kind: str, subject: str, value: Any = None) -> None:
        """Queue one ground-truth fact."""
        self.add("truth", (kind, subject, dumps(value if value is not None else {})))

    def flush(self) -> None:
        """Write every buffered row."""
        if not self._pending:
            return
        with self.world.transaction() as conn:
            for table, rows in self._buffers.items():
                if rows:
                    conn.executemany(self._sql[table], rows)
                    rows.clear()
        self._pending = 0
