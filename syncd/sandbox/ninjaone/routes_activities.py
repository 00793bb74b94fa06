"""`GET /v2/activities`: the account activity log, here derived from patch installs only.

Each patch-install row is one activity whose id is the row id, so ids grow with the world's
insertion order. Results are newest first (reverse id order), `pageSize` 10 to 1000 (default
200). `newerThan`/`olderThan` bound the id range; because pages are newest first, a client
catching up with `newerThan=<last seen>` must also page down with `olderThan=<lowest id seen>`
inside that window, or it skips the middle of a large backlog. `lastActivityId` is the
account's highest activity id, whatever the filters.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from syncd.sandbox.framework import Request, Response, route
from syncd.sandbox.ninjaone.devicefilter import compile_df
from syncd.sandbox.ninjaone.errors import bad_request
from syncd.sandbox.ninjaone.params import epoch_arg, epoch_to_world_iso, int_arg, iso_to_epoch

if TYPE_CHECKING:
    from syncd.sandbox.faults import FaultInjector
    from syncd.sandbox.world.store import World

_TYPES = {"OS": "PATCH_MANAGEMENT", "SOFTWARE": "SOFTWARE_PATCH_MANAGEMENT"}
_CODES = {"INSTALLED": "INSTALLED", "FAILED": "INSTALL_FAILED"}
CLASSES = {"SYSTEM", "DEVICE", "USER", "ALL"}


class ActivityRoutes:
    """Route for the activity log."""

    world: World
    faults: FaultInjector

    @route("GET", "/v2/activities")
    def list_activities(self, request: Request) -> Response:
        """Patch activities, newest first, bounded by newerThan/olderThan ids and dates."""
        size = int_arg(request, "pageSize")
        size = 200 if size is None else size
        if not 10 <= size <= 1000:
            raise bad_request(f"Invalid value for parameter 'pageSize': {size} (10-1000)")
        activity_class = request.arg("class") or "ALL"
        if activity_class not in CLASSES:
            raise bad_request(f"Invalid value for parameter 'class': {activity_class}")
        conds, params = self._conditions(request)
        rows: list[sqlite3.Row] = []
        if activity_class in ("DEVICE", "ALL"):
            rows = self.world.query(
                "SELECT p.* FROM patch_installs p JOIN ninja_devices d ON d.id = p.device_id "  # noqa: S608
                f"WHERE d.deleted = 0 AND {' AND '.join(conds)} ORDER BY p.id DESC LIMIT ?",
                [*params, size],
            )
        top = self.world.query_one("SELECT MAX(id) AS m FROM patch_installs")
        self.faults.on_page_served("patch_installs", [r["id"] for r in rows], last_page=len(rows) < size)
        return Response(200, {"lastActivityId": (top["m"] or 0) if top else 0,
                              "activities": [activity(r) for r in rows]})

    def _conditions(self, request: Request) -> tuple[list[str], list[Any]]:
        df = compile_df(request.arg("df"))
        conds, params = [df.sql], list(df.params)
        if any(request.arg(name) for name in ("seriesUid", "user", "sourceConfigUid")):
            # Patch activities belong to no alert series, user or script: such filters match nothing.
            conds.append("0 = 1")
        for name, cond in (("newerThan", "p.id > ?"), ("olderThan", "p.id < ?")):
            value = int_arg(request, name)
            if value is not None:
                conds.append(cond)
                params.append(value)
        for name, cond in (("after", "p.timestamp >= ?"), ("before", "p.timestamp < ?")):
            value = epoch_arg(request, name)
            if value is not None:
                conds.append(cond)
                params.append(epoch_to_world_iso(value))
        # `type` (activityType) and `status` (statusCode) select (kind, status) pairs of rows.
        wanted_type, wanted_code = request.arg("type") or None, request.arg("status") or None
        pairs = [(kind, status) for kind in _TYPES for status in _CODES
                 if wanted_type in (None, _TYPES[kind]) and wanted_code in (None, status_code(kind, status))]
        conds.append("(" + (" OR ".join(["(p.kind = ? AND p.status = ?)"] * len(pairs)) or "0 = 1") + ")")
        return conds, [*params, *(value for pair in pairs for value in pair)]


def status_code(kind: str, status: str) -> str:
    """The activity statusCode of a patch install, e.g. PATCH_MANAGEMENT_INSTALL_FAILED."""
    return f"{_TYPES[kind]}_{_CODES[status]}"


def activity(row: sqlite3.Row) -> dict[str, Any]:
    """A patch-install row as an Activity."""
    failed = row["status"] == "FAILED"
    return {
        "id": row["id"],
        "activityTime": iso_to_epoch(row["timestamp"]),
        "deviceId": row["device_id"],
        "severity": "NONE",
        "priority": "NONE",
        "activityType": _TYPES[row["kind"]],
        "statusCode": status_code(row["kind"], row["status"]),
        "status": "Installation failed" if failed else "Installed",
        "activityResult": "FAILURE" if failed else "SUCCESS",
        "sourceName": row["name"],
        "subject": row["name"],
        "message": f"{row['name']} {'failed to install' if failed else 'installed'}",
        "type": _TYPES[row["kind"]],
        "data": {},
    }
