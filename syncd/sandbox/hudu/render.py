"""World rows to Hudu v1 JSON objects (field names and types from the v2.44.0 spec definitions)."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections.abc import Mapping
from typing import Any

# Slugs look like Hudu's ("acme-corp-7cbe6a6458e9"): a parameterised name plus 12 hex digits. The hex
# is the row id scrambled by an invertible multiply so a `slug=` filter can become an id lookup in SQL.
_MOD = 1 << 48
_MUL = 0x5DEECE66D
_SALTS = {"company": 0x1F3A5C7E9B2D, "asset": 0x2E4B6D8F1A3C, "article": 0x3D5F7A9C2B4E,
          "procedure": 0x4C6E8A1B3D5F}
STATUSES = ("Not Started", "In Progress", "Completed", "Cancelled")
PRIORITIES = ("unsure", "low", "normal", "high", "urgent")


def parameterize(name: str) -> str:
    """Rails `parameterize`: lowercase words joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "item"


def slug_for(kind: str, row_id: int, name: str) -> str:
    """Deterministic Hudu-looking slug of a row."""
    token = ((row_id ^ _SALTS[kind]) * _MUL) % _MOD
    return f"{parameterize(name)}-{token:012x}"


def slug_id(kind: str, slug: str) -> int | None:
    """Recover the row id from a slug made by `slug_for`, or None."""
    match = re.search(r"-([0-9a-f]{12})$", slug or "")
    if not match:
        return None
    return ((int(match.group(1), 16) * pow(_MUL, -1, _MOD)) % _MOD) ^ _SALTS[kind]


def _json_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _int_or_none(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def company(row: sqlite3.Row, base: str) -> dict[str, Any]:
    """A Company with `integrations[]` carrying the ConnectWise Manage link when there is one."""
    slug = slug_for("company", row["hudu_id"], row["hudu_name"] or "")
    integrations = []
    if row["hudu_psa_sync_id"]:
        integrations.append({
            "id": row["hudu_id"] * 10 + 1, "integrator_id": 1, "integrator_name": "cw_manage",
            "sync_id": _int_or_none(row["hudu_psa_sync_id"]), "identifier": row["cw_identifier"],
            "name": row["cw_name"] or row["hudu_name"], "potential_company_id": None,
            "company_id": row["hudu_id"], "company_name": row["hudu_name"],
        })
    # The world has no addresses; Hudu serves blank strings for unset text columns it defaults.
    blank = dict.fromkeys(("address_line_1", "city", "state", "zip", "phone_number", "fax_number",
                           "website", "id_number"), "")
    return {
        "id": row["hudu_id"], "slug": slug, "name": row["hudu_name"], "nickname": None,
        **blank, "address_line_2": None, "country_name": None, "company_type": None,
        "parent_company_id": None, "parent_company_name": None, "notes": None, "archived": False,
        "object_type": "Company", "url": f"/c/{slug}", "full_url": f"{base}/c/{slug}",
        "passwords_url": f"/c/{slug}/passwords", "knowledge_base_url": f"/kb/c/{slug}",
        "created_at": row["created_at"], "updated_at": row["updated_at"], "integrations": integrations,
    }


def _field(index: int, entry: Any) -> dict[str, Any]:
    entry = entry if isinstance(entry, Mapping) else {"label": str(entry), "value": None}
    return {"id": entry.get("id", index + 1), "label": entry.get("label"), "value": entry.get("value"),
            "position": entry.get("position", index + 1)}


def _card(entry: Any) -> Any:
    if not isinstance(entry, Mapping):
        return entry
    # Integrator cards carry numeric ids; a generator storing them as strings would break typed clients.
    return {k: (_int_or_none(v) if k in ("id", "integrator_id", "sync_id") else v) for k, v in entry.items()}


def asset(row: sqlite3.Row, base: str) -> dict[str, Any]:
    """An Asset; `row` must carry `company_name` from the join with companies."""
    slug = slug_for("asset", row["id"], row["name"])
    return {
        "id": row["id"], "company_id": row["company_id"], "asset_layout_id": row["asset_layout_id"],
        "slug": slug, "name": row["name"], "primary_serial": row["primary_serial"],
        "primary_mail": None, "primary_model": row["primary_model"],
        "primary_manufacturer": row["primary_manufacturer"], "company_name": row["company_name"],
        "object_type": "Asset", "asset_type": row["asset_type"], "archived": bool(row["archived"]),
        "url": f"/a/{slug}", "created_at": row["created_at"], "updated_at": row["updated_at"],
        "fields": [_field(i, f) for i, f in enumerate(_json_list(row["fields"]))],
        "cards": [_card(c) for c in _json_list(row["cards"])],
    }


def article(row: sqlite3.Row, base: str) -> dict[str, Any]:
    """A KB Article; `company_id` null means the global KB."""
    sharing = bool(row["enable_sharing"])
    return {
        "id": row["id"], "slug": row["slug"], "name": row["name"], "draft": bool(row["draft"]),
        "content": row["content"], "url": f"/kb/{row['slug']}", "object_type": "Article",
        "folder_id": row["folder_id"], "enable_sharing": sharing,
        "share_url": f"{base}/shared_article/{row['slug']}" if sharing else None,
        "company_id": row["company_id"], "created_at": row["created_at"],
        "updated_at": row["updated_at"], "public_photos": [],
    }


def task(row: sqlite3.Row, extras: Mapping[str, Any]) -> dict[str, Any]:
    """A ProcedureTask; `extras` holds what the world schema has no column for (assignees, optional)."""
    # The spec documents task descriptions as base64-encoded in responses.
    desc = row["description"]
    encoded = base64.b64encode(desc.encode()).decode() if desc is not None else None
    users = list(extras.get("assigned_users", []))
    return {
        "id": row["id"], "name": row["name"], "description": encoded, "position": row["position"],
        "priority": row["priority"] or "unsure", "completed": bool(row["completed"]),
        "completed_date": None, "completion_notes": None, "due_date": row["due_date"],
        "formatted_due_date": row["due_date"], "user_id": None, "user_name": None,
        "assigned_users": users, "first_assigned_user_id": users[0] if users else None,
        "first_assigned_user_name": None, "first_assigned_user_initials": None,
        "procedure_id": row["procedure_id"], "optional": bool(extras.get("optional", False)),
        "parent_task_id": extras.get("parent_task_id"), "subtask_ids": [], "subtask_count": 0,
        "has_subtasks": False, "url": f"/procedure_tasks/{row['id']}",
        "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def procedure(row: sqlite3.Row, tasks: list[dict[str, Any]], base: str,
              company_name: str | None, asset_name: str | None) -> dict[str, Any]:
    """A Procedure (process template when run is false, run otherwise) with its tasks."""
    slug = slug_for("procedure", row["id"], row["name"])
    done = sum(1 for t in tasks if t["completed"])
    run = bool(row["run"])
    scope = None if run else ("global" if row["company_id"] is None else "company")
    return {
        "id": row["id"], "slug": slug, "name": row["name"], "description": row["description"],
        "total": len(tasks), "completed": done, "url": f"/processes/{slug}", "object_type": "Process",
        "company_id": row["company_id"], "company_name": company_name,
        "completion_percentage": f"{round(100 * done / len(tasks)) if tasks else 0}%",
        "created_at": row["created_at"], "updated_at": row["updated_at"],
        "parent_procedure": None, "run": run, "parent_process_id": row["parent_process_id"],
        "process_type": scope, "status": row["status"], "asset": asset_name,
        "share_url": f"{base}/shared_process/{slug}", "procedure_tasks_attributes": tasks,
    }
